// SPDX-License-Identifier: MIT
// Prompt-pair readers against the peer samples in shared/data/tasks/peer-formats (EAP-IG and
// auto-circuit files as those projects wrote them), small native fixtures in
// tests/data/datasets, and one malformed file per error the reader must name. Expected values
// come from the files themselves (read by eye or with Python's csv/json modules) and from
// decoding ids with the GPT-2 tokenizer, never from the reader under test.
#include "core/dataset.h"
#include "core/error.h"
#include "core/tokenizer.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

const fs::path kPeer = fs::path(PATCHBAY_SHARED_DATA_DIR) / "tasks" / "peer-formats";
const fs::path kGpt2 = fs::path(PATCHBAY_SHARED_DATA_DIR) / "gpt2-tokenizer";
const fs::path kFixtures = fs::path(PATCHBAY_TEST_DATA_DIR) / "datasets";
constexpr int32_t kGpt2Bos = 50256; // <|endoftext|>

void writeFile(const fs::path& file, const QByteArray& bytes)
{
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.constData(), bytes.size());
}

std::vector<std::string> years(int from, int to)
{
    std::vector<std::string> out;
    for (int y = from; y <= to; ++y)
        out.push_back((y < 10 ? "0" : "") + std::to_string(y));
    return out;
}

int countContaining(const std::vector<std::string>& lines, const std::string& fragment)
{
    return static_cast<int>(std::count_if(lines.begin(), lines.end(),
                                          [&](const std::string& l) { return l.find(fragment) != std::string::npos; }));
}

// GPT-2 reads prompts after <|endoftext|> in TransformerLens' default; answers never get it.
std::vector<int32_t> withBos(const Tokenizer& tok, const std::string& text)
{
    std::vector<int32_t> ids{kGpt2Bos};
    const auto rest = tok.encode(text);
    ids.insert(ids.end(), rest.begin(), rest.end());
    return ids;
}

} // namespace

class TestDataset : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    Tokenizer m_gpt2 = Tokenizer::load(kGpt2 / "vocab.json");

    fs::path tmp(const std::string& name) const { return fs::path(m_tmp.path().toStdString()) / name; }

    // Expects `call` to throw an Error naming `file` and containing every fragment.
    template<typename F>
    void expectError(const fs::path& file, const QStringList& fragments, F&& call)
    {
        try {
            call();
            QFAIL(qPrintable("no error for " + QString::fromStdString(file.string())));
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(file.string()) != std::string::npos, msg.c_str());
            for (const auto& frag : fragments)
                QVERIFY2(msg.find(frag.toStdString()) != std::string::npos,
                         (msg + "  (expected: " + frag.toStdString() + ")").c_str());
        }
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void formatNames()
    {
        QCOMPARE(datasetFormatName(DatasetFormat::NativeCsv), std::string("native-csv"));
        QCOMPARE(datasetFormatName(DatasetFormat::NativeJson), std::string("native-json"));
        QCOMPARE(datasetFormatName(DatasetFormat::EapIgCsv), std::string("eap-ig-csv"));
        QCOMPARE(datasetFormatName(DatasetFormat::AutoCircuitJson), std::string("auto-circuit-json"));
    }

    // ---- peer formats -------------------------------------------------------------------

    void eapIgIoi()
    {
        const auto data = readDataset(kPeer / "eap-ig_ioi_gpt2.csv");
        QCOMPARE(data.format, DatasetFormat::EapIgCsv);
        QCOMPARE(data.task, std::string());
        QCOMPARE(data.pairs.size(), std::size_t(1000));
        const auto& first = data.pairs.front();
        QCOMPARE(first.row, 1);
        QCOMPARE(first.clean, std::string("When Amy and Laura got a snack at the house, Laura decided to give it to"));
        QCOMPARE(first.corrupted, std::string("When Amy and Laura got a snack at the house, Nicholas decided to give it to"));
        QCOMPARE(first.answerIds, std::vector<int32_t>{14235});
        QCOMPARE(first.wrongAnswerIds, std::vector<int32_t>{16753});
        QVERIFY(first.answers.empty());
        // The ids are the indirect object and the subject of the clean prompt.
        QCOMPARE(m_gpt2.decode(first.answerIds), std::string(" Amy"));
        QCOMPARE(m_gpt2.decode(first.wrongAnswerIds), std::string(" Laura"));
        const auto& last = data.pairs.back();
        QCOMPARE(last.row, 1000);
        QCOMPARE(last.answerIds, std::vector<int32_t>{18106});
        QCOMPARE(last.wrongAnswerIds, std::vector<int32_t>{28894});
        QCOMPARE(m_gpt2.decode(last.answerIds), std::string(" Nathan"));
        // corrupted_hard is reported once; the unnamed pandas index column is expected.
        QCOMPARE(countContaining(data.warnings, "corrupted_hard"), 1);
        QCOMPARE(data.warnings.size(), std::size_t(1));
    }

    void eapIgGreaterThan()
    {
        const auto data = readDataset(kPeer / "eap-ig_greater-than_gpt2.csv");
        QCOMPARE(data.format, DatasetFormat::EapIgCsv);
        QCOMPARE(data.task, std::string("greater-than"));
        QCOMPARE(data.pairs.size(), std::size_t(1000));
        const auto& first = data.pairs.front(); // "...from the year 1352 to the year 13", correct_idx 52
        QCOMPARE(first.answers.size(), std::size_t(47));
        QCOMPARE(first.wrongAnswers.size(), std::size_t(53));
        QCOMPARE(first.answers, years(53, 99));
        QCOMPARE(first.wrongAnswers, years(0, 52));
        QVERIFY(first.answerIds.empty());
        const auto& last = data.pairs.back(); // correct_idx 20
        QCOMPARE(last.answers, years(21, 99));
        QCOMPARE(last.wrongAnswers, years(0, 20));
        // 25 rows repeat an earlier one (counted with Python); the first is row 167 = row 132.
        QVERIFY(countContaining(data.warnings, "row 167: duplicates row 132") == 1);
        QCOMPARE(countContaining(data.warnings, ": duplicates row "), 20);
        QCOMPARE(countContaining(data.warnings, "25 in all"), 1);
    }

    void eapIgGreaterThanTokenizes()
    {
        auto data = readDataset(kPeer / "eap-ig_greater-than_gpt2.csv");
        tokenizeDataset(data, m_gpt2, [&](const std::string& t) { return withBos(m_gpt2, t); });
        const auto& first = data.pairs.front();
        QCOMPARE(first.answerIds.size(), std::size_t(47));
        QCOMPARE(first.wrongAnswerIds.size(), std::size_t(53));
        QCOMPARE(m_gpt2.decode({first.answerIds.front()}), std::string("53"));
        QCOMPARE(m_gpt2.decode({first.wrongAnswerIds.front()}), std::string("00"));
        QCOMPARE(first.cleanIds.front(), kGpt2Bos);
        for (const auto& p : data.pairs)
            QCOMPARE(p.answerIds.size() + p.wrongAnswerIds.size(), std::size_t(100));
    }

    void autoCircuitGreaterThan()
    {
        const auto data = readDataset(kPeer / "auto-circuit_greaterthan_gpt2-small.json");
        QCOMPARE(data.format, DatasetFormat::AutoCircuitJson);
        QCOMPARE(data.task, std::string("greater-than"));
        QCOMPARE(data.pairs.size(), std::size_t(1000));
        QCOMPARE(data.pairs.front().clean, std::string("The demonstrations lasted from the year 1363 to 13"));
        QCOMPARE(data.pairs.front().corrupted, std::string("The demonstrations lasted from the year 1301 to 13"));
        QCOMPARE(data.pairs.front().answers.size(), std::size_t(36));
        QCOMPARE(data.pairs.front().wrongAnswers.size(), std::size_t(64));
        // The same split as EAP-IG's: answers YY+1..99, wrong answers 00..YY, with YY read
        // from the clean prompt.
        const std::regex year("year \\d\\d(\\d\\d) ");
        for (const auto& p : data.pairs) {
            std::smatch m;
            QVERIFY(std::regex_search(p.clean, m, year));
            const int yy = std::stoi(m[1].str());
            QCOMPARE(p.answers, years(yy + 1, 99));
            QCOMPARE(p.wrongAnswers, years(0, yy));
        }
        QCOMPARE(countContaining(data.warnings, "row 115: duplicates row 111"), 1);
    }

    void autoCircuitIoi()
    {
        auto data = readDataset(kPeer / "auto-circuit_ioi_ABBA_template_0.json");
        QCOMPARE(data.format, DatasetFormat::AutoCircuitJson);
        QCOMPARE(data.task, std::string());
        QCOMPARE(data.pairs.size(), std::size_t(1000));
        const auto& first = data.pairs.front();
        QCOMPARE(first.clean, std::string("Then, Scott and Jeremy went to the hospital. Jeremy gave a snack to"));
        QCOMPARE(first.corrupted, std::string("Then, Michael and Anderson went to the hospital. Rachel gave a snack to"));
        QCOMPARE(first.answers, std::vector<std::string>{" Scott"});
        QCOMPARE(first.wrongAnswers, std::vector<std::string>{" Jeremy"});
        QVERIFY(data.warnings.empty()); // word_idxs is part of the format

        tokenizeDataset(data, m_gpt2, [&](const std::string& t) { return withBos(m_gpt2, t); });
        for (const auto& p : data.pairs) {
            QCOMPARE(p.cleanIds.size(), p.corruptedIds.size());
            QCOMPARE(p.cleanIds.front(), kGpt2Bos);
            QCOMPARE(p.answerIds.size(), std::size_t(1));
            QCOMPARE(p.wrongAnswerIds.size(), std::size_t(1));
            QCOMPARE(m_gpt2.decode(p.answerIds), p.answers.front());
            QCOMPARE(m_gpt2.decode(p.wrongAnswerIds), p.wrongAnswers.front());
        }
        QCOMPARE(m_gpt2.decode(data.pairs.front().cleanIds, true), data.pairs.front().clean);
    }

    void autoCircuitDocstring()
    {
        const auto data = readDataset(kPeer / "auto-circuit_docstring.json");
        QCOMPARE(data.format, DatasetFormat::AutoCircuitJson);
        QCOMPARE(data.task, std::string()); // answers are words, not years
        QCOMPARE(data.pairs.size(), std::size_t(1000));
        const auto& first = data.pairs.front();
        QVERIFY(first.clean.rfind("\ndef old(self, first, files, page, names, size, read):\n", 0) == 0);
        QCOMPARE(first.answers, std::vector<std::string>{" size"});
        QCOMPARE(first.wrongAnswers.size(), std::size_t(13));
        QCOMPARE(first.wrongAnswers.front(), std::string(" instance"));
        QCOMPARE(first.wrongAnswers.back(), std::string(" read"));
        QCOMPARE(data.pairs.back().answers, std::vector<std::string>{" shape"});
    }

    // ---- native formats -----------------------------------------------------------------

    void nativeCsvText()
    {
        const auto data = readDataset(kFixtures / "native_text.csv");
        QCOMPARE(data.format, DatasetFormat::NativeCsv);
        QCOMPARE(data.pairs.size(), std::size_t(3));
        const auto& p1 = data.pairs[0];
        QCOMPARE(p1.row, 1);
        QCOMPARE(p1.clean, std::string("When Mary and John went to the store, John gave a drink to"));
        QCOMPARE(p1.corrupted, std::string("When Mary and John went to the store, Paul gave a drink to"));
        QCOMPARE(p1.answers, std::vector<std::string>{" Mary"}); // the leading space stays
        QCOMPARE(p1.wrongAnswers, std::vector<std::string>{" John"});
        const auto& p2 = data.pairs[1];
        QCOMPARE(p2.clean, std::string("He said \"Hi\" and she said"));
        QCOMPARE(p2.answers, std::vector<std::string>{" \""}); // a doubled quote inside quotes
        QVERIFY(p2.wrongAnswers.empty()); // optional per row
        const auto& p3 = data.pairs[2];
        QCOMPARE(p3.row, 3);
        QCOMPARE(p3.clean, std::string("Line one\nline two, Bob and Al: Al to"));
        QCOMPARE(p3.corrupted, std::string("Line one\nline two, Bob and Al: Ed to"));
        QCOMPARE(p3.answers, std::vector<std::string>{" Bob"});
        QCOMPARE(p3.wrongAnswers, std::vector<std::string>{" Al"});
        QCOMPARE(data.warnings.size(), std::size_t(1));
        QVERIFY(data.warnings.front().find("\"note\"") != std::string::npos);
    }

    void nativeCsvIds()
    {
        const auto data = readDataset(kFixtures / "native_ids.csv");
        QCOMPARE(data.format, DatasetFormat::NativeCsv);
        QCOMPARE(data.pairs.size(), std::size_t(2));
        QCOMPARE(data.pairs[0].cleanIds, (std::vector<int32_t>{464, 3797, 1110}));
        QCOMPARE(data.pairs[0].corruptedIds, (std::vector<int32_t>{464, 3290, 1110}));
        QCOMPARE(data.pairs[0].answerIds, std::vector<int32_t>{257});
        QCOMPARE(data.pairs[0].wrongAnswerIds, std::vector<int32_t>{262});
        QVERIFY(data.pairs[0].clean.empty());
        QCOMPARE(data.pairs[1].cleanIds, (std::vector<int32_t>{15496, 11}));
        QCOMPARE(data.pairs[1].answerIds, std::vector<int32_t>{318});
        QVERIFY(data.pairs[1].wrongAnswerIds.empty());
        QVERIFY(data.warnings.empty());
    }

    void nativeCsvCrlfBomAndBlankLines()
    {
        const auto file = tmp("crlf.csv");
        writeFile(file, "\xEF\xBB\xBF" "clean,corrupted,answer\r\n"
                        "\"a,\r\nb\",c, d\r\n"
                        "\r\n"
                        "e,f,\" g,\"\"h\"\"\""); // no line end after the last record
        const auto data = readDataset(file);
        QCOMPARE(data.pairs.size(), std::size_t(2));
        QCOMPARE(data.pairs[0].clean, std::string("a,\r\nb")); // line breaks inside quotes kept verbatim
        QCOMPARE(data.pairs[0].corrupted, std::string("c"));
        QCOMPARE(data.pairs[0].answers, std::vector<std::string>{" d"});
        QCOMPARE(data.pairs[1].row, 2);
        QCOMPARE(data.pairs[1].answers, std::vector<std::string>{" g,\"h\""});
        QVERIFY(data.warnings.empty());
    }

    void nativeJsonText()
    {
        const auto data = readDataset(kFixtures / "native_text.json");
        QCOMPARE(data.format, DatasetFormat::NativeJson);
        QCOMPARE(data.task, std::string()); // only 5 of the 100 years: not greater-than
        QCOMPARE(data.pairs.size(), std::size_t(3));
        QCOMPARE(data.pairs[0].answers, std::vector<std::string>{" Mary"});
        QCOMPARE(data.pairs[0].wrongAnswers, std::vector<std::string>{" John"});
        QCOMPARE(data.pairs[1].answers, (std::vector<std::string>{"33", "34", "35"}));
        QCOMPARE(data.pairs[1].wrongAnswers, (std::vector<std::string>{"31", "32"}));
        QCOMPARE(data.pairs[2].clean, std::string("A \"quoted\", line\nbreak"));
        QCOMPARE(data.pairs[2].row, 3);
        QCOMPARE(data.warnings.size(), std::size_t(1));
        QVERIFY(data.warnings.front().find("\"note\"") != std::string::npos);
    }

    void nativeJsonIds()
    {
        const auto data = readDataset(kFixtures / "native_ids.json");
        QCOMPARE(data.format, DatasetFormat::NativeJson);
        QCOMPARE(data.pairs.size(), std::size_t(2));
        QCOMPARE(data.pairs[0].cleanIds, (std::vector<int32_t>{464, 3797, 1110}));
        QCOMPARE(data.pairs[0].answerIds, std::vector<int32_t>{257});
        QCOMPARE(data.pairs[0].wrongAnswerIds, (std::vector<int32_t>{262, 317}));
        QCOMPARE(data.pairs[1].answerIds, (std::vector<int32_t>{318, 373}));
        QVERIFY(data.warnings.empty());
    }

    void nativeJsonWithBomAndYearAnswersIsGreaterThan()
    {
        nlohmann::json pair{{"clean", "The war lasted from the year 1752 to the year 17"},
                            {"corrupted", "The war lasted from the year 1701 to the year 17"},
                            {"answers", years(53, 99)},
                            {"wrong_answers", years(0, 52)}};
        const auto file = tmp("years.json");
        writeFile(file, QByteArray("\xEF\xBB\xBF") + QByteArray::fromStdString(nlohmann::json{{"pairs", {pair}}}.dump()));
        const auto data = readDataset(file);
        QCOMPARE(data.format, DatasetFormat::NativeJson);
        QCOMPARE(data.task, std::string("greater-than"));
        QCOMPARE(data.pairs.front().answers.size(), std::size_t(47));
    }

    void duplicateRowsWarnNotFail()
    {
        const auto file = tmp("dups.csv");
        writeFile(file, "clean,corrupted,answer,wrong_answer\nA,B, C, D\nA,B, X, D\nA,B, C, E\n");
        const auto data = readDataset(file);
        QCOMPARE(data.pairs.size(), std::size_t(3));
        QCOMPARE(data.warnings.size(), std::size_t(1)); // wrong answers do not make a row distinct
        QVERIFY(data.warnings.front().find("row 3: duplicates row 1") != std::string::npos);
    }

    // ---- tokenization -------------------------------------------------------------------

    void tokenizeNative()
    {
        auto data = readDataset(kFixtures / "native_text.csv");
        tokenizeDataset(data, m_gpt2, [&](const std::string& t) { return m_gpt2.encode(t); });
        const auto& p1 = data.pairs[0];
        QCOMPARE(m_gpt2.decode(p1.cleanIds), p1.clean);
        QCOMPARE(p1.cleanIds.size(), p1.corruptedIds.size());
        QCOMPARE(p1.answerIds.size(), std::size_t(1));
        QCOMPARE(m_gpt2.decode(p1.answerIds), std::string(" Mary"));
        QCOMPARE(m_gpt2.decode(p1.wrongAnswerIds), std::string(" John"));
    }

    void tokenizeAppendsAnswersAfterIdsWithoutDuplicates()
    {
        Dataset data;
        data.source = "inline";
        PromptPair p;
        p.row = 1;
        p.clean = "Hello world";
        p.corrupted = "Hello there";
        p.answers = {" Mary", " John"};
        const int32_t mary = m_gpt2.encode(" Mary").at(0);
        const int32_t john = m_gpt2.encode(" John").at(0);
        p.answerIds = {100, mary};
        p.wrongAnswers = {" Paul"};
        data.pairs.push_back(p);
        tokenizeDataset(data, m_gpt2, [&](const std::string& t) { return withBos(m_gpt2, t); });
        QCOMPARE(data.pairs[0].answerIds, (std::vector<int32_t>{100, mary, john}));
        QCOMPARE(m_gpt2.decode(data.pairs[0].wrongAnswerIds), std::string(" Paul"));
        QCOMPARE(data.pairs[0].cleanIds, (std::vector<int32_t>{kGpt2Bos, 15496, 995})); // "Hello", " world"
        // Ids already present are kept, so tokenizing twice changes nothing.
        const auto before = data.pairs[0];
        tokenizeDataset(data, m_gpt2, [&](const std::string& t) { return withBos(m_gpt2, t); });
        QCOMPARE(data.pairs[0].cleanIds, before.cleanIds);
        QCOMPARE(data.pairs[0].answerIds, before.answerIds);
    }

    void tokenizeRejectsMultiTokenAnswer()
    {
        const auto file = tmp("multi.csv");
        writeFile(file, "clean,corrupted,answer\nA b,C d, Mary\nA b,C d, Mary Ann\n");
        auto data = readDataset(file);
        expectError(file, {"row 2", "\" Mary Ann\"", "2 tokens", "\" Mary\" + \" Ann\""},
                    [&] { tokenizeDataset(data, m_gpt2, [&](const std::string& t) { return m_gpt2.encode(t); }); });
    }

    void tokenizeRejectsIdsOutsideTheVocabulary()
    {
        const auto file = tmp("oov.csv");
        writeFile(file, "clean_ids,corrupted_ids,answer_id\n1 2,3 4,5\n1 2,3 50257,5\n");
        auto data = readDataset(file);
        expectError(file, {"row 2", "corrupted", "50257", "outside the vocabulary", "50257)"},
                    [&] { tokenizeDataset(data, m_gpt2, {}); });

        const auto file2 = tmp("oov2.json");
        writeFile(file2, R"([{"clean":"a b","corrupted":"c d","answer_ids":[60000]}])");
        auto data2 = readDataset(file2);
        expectError(file2, {"row 1", "answer id 60000", "outside the vocabulary"}, [&] { tokenizeDataset(data2, m_gpt2, {}); });
    }

    void tokenizeRejectsUnequalLengths()
    {
        const auto file = tmp("lengths.csv");
        writeFile(file, "clean,corrupted,answer\nHello world,Hello there, a\nHello world,Hello there world, a\n");
        auto data = readDataset(file);
        // "Hello"," world" vs "Hello"," there"," world", each after BOS.
        expectError(file, {"row 2: clean has 3 tokens, corrupted 4"},
                    [&] { tokenizeDataset(data, m_gpt2, [&](const std::string& t) { return withBos(m_gpt2, t); }); });
    }

    // ---- errors -------------------------------------------------------------------------

    void missingFile()
    {
        const auto file = tmp("nowhere.csv");
        expectError(file, {"no such file"}, [&] { readDataset(file); });
        expectError(fs::path(m_tmp.path().toStdString()), {"directory"}, [&] { readDataset(fs::path(m_tmp.path().toStdString())); });
    }

    void readErrors_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QStringList>("fragments");

        const QByteArray header = "clean,corrupted,answer\n";
        QTest::newRow("empty file") << "e.csv" << QByteArray() << QStringList{"empty file"};
        QTest::newRow("blank lines only") << "b.csv" << QByteArray("\xEF\xBB\xBF\r\n\n  \n") << QStringList{"empty file"};
        QTest::newRow("header only") << "h.csv" << header << QStringList{"no rows"};
        QTest::newRow("empty json array") << "e.json" << QByteArray("[]") << QStringList{"no rows"};
        QTest::newRow("empty prompts") << "p.json" << QByteArray(R"({"prompts": []})") << QStringList{"no rows"};
        QTest::newRow("missing column") << "m.csv" << QByteArray("clean,answer\nA, B\n")
                                        << QStringList{"missing column \"corrupted\"", "header: \"clean\", \"answer\""};
        QTest::newRow("no prompt column") << "n.csv" << QByteArray("foo,bar\n1,2\n")
                                          << QStringList{"missing column \"clean\"", "header: \"foo\", \"bar\"", "accepted formats"};
        QTest::newRow("missing answer column") << "a.csv" << QByteArray("clean,corrupted\nA,B\n")
                                               << QStringList{"missing column \"answer\""};
        QTest::newRow("eap-ig missing corrupted") << "g.csv" << QByteArray("clean,correct_idx\nA,3\n")
                                                  << QStringList{"missing column \"corrupted\""};
        QTest::newRow("duplicate column") << "d.csv" << QByteArray("clean,corrupted,answer,clean\nA,B, C,D\n")
                                          << QStringList{"column \"clean\" appears twice"};
        QTest::newRow("bad utf-8 in csv") << "u.csv" << header + "ok,ok, A\nab\xff,cd, B\n"
                                          << QStringList{"row 2", "column \"clean\"", "invalid UTF-8", "byte offset 2"};
        QTest::newRow("overlong utf-8 in csv") << "o.csv" << header + "ok,ok, \xC0\xAF\n"
                                               << QStringList{"row 1", "column \"answer\"", "invalid UTF-8", "byte offset 1"};
        QTest::newRow("bad utf-8 in json")
            << "u.json" << QByteArray("[{\"clean\":\"a\",\"corrupted\":\"b\",\"answer\":\" x\"},"
                                      "{\"clean\":\"ok\",\"corrupted\":\"b\xed\xa0\x80\",\"answer\":\" y\"}]")
            << QStringList{"row 2", "key \"corrupted\"", "invalid UTF-8", "byte offset 1"};
        QTest::newRow("unterminated quote") << "q.csv" << header + "A,B, C\n\"D,E, F\n"
                                            << QStringList{"row 2", "column \"clean\"", "unterminated quote", "line 3"};
        QTest::newRow("text after closing quote") << "t.csv" << header + "\"A\"x,B, C\n"
                                                  << QStringList{"row 1", "column \"clean\"", "after a closing quote"};
        QTest::newRow("too few fields") << "f.csv" << header + "A,B, C\nD,E\n" << QStringList{"row 2", "2 fields", "3 columns"};
        QTest::newRow("too many fields") << "f.csv" << header + "A,B,C,D\n" << QStringList{"row 1", "4 fields", "3 columns"};
        QTest::newRow("non-integer id in csv") << "i.csv" << QByteArray("clean_ids,corrupted_ids,answer_id\n1 2,3 4,5\n1 x,3 4,5\n")
                                               << QStringList{"row 2", "column \"clean_ids\"", "\"x\"", "not a token id"};
        QTest::newRow("negative id in csv") << "i.csv" << QByteArray("clean_ids,corrupted_ids,answer_id\n1 2,3 4,-3\n")
                                            << QStringList{"row 1", "column \"answer_id\"", "\"-3\"", "not a token id"};
        QTest::newRow("non-integer id in eap-ig") << "i.csv" << QByteArray(",clean,corrupted,correct_idx,incorrect_idx\n0,A,B,12,1.5\n")
                                                  << QStringList{"row 1", "column \"incorrect_idx\"", "\"1.5\"", "not a token id"};
        QTest::newRow("non-integer id in json") << "i.json" << QByteArray(R"([{"clean_ids":[1,"2"],"corrupted_ids":[1,2],"answer_ids":3}])")
                                                << QStringList{"row 1", "key \"clean_ids\"", "\"2\"", "not a token id"};
        QTest::newRow("no answer in csv") << "n.csv" << header + "A,B, C\nD,E,\n" << QStringList{"row 2", "column \"answer\" is empty"};
        QTest::newRow("no answer in json") << "n.json" << QByteArray(R"([{"clean":"A","corrupted":"B","answers":[]}])")
                                           << QStringList{"row 1", "no answer"};
        QTest::newRow("no answer in auto-circuit")
            << "n.json" << QByteArray(R"({"prompts":[{"clean":"A","corrupt":"B","answers":[],"wrong_answers":[" x"]}]})")
            << QStringList{"row 1", "\"answers\"", "no answer"};
        QTest::newRow("empty clean in csv") << "c.csv" << header + ",B, C\n" << QStringList{"row 1", "column \"clean\" is empty"};
        QTest::newRow("empty corrupted in eap-ig") << "c.csv" << QByteArray("clean,corrupted,correct_idx,incorrect_idx\nA,,1,2\n")
                                                   << QStringList{"row 1", "column \"corrupted\" is empty"};
        QTest::newRow("empty corrupt in auto-circuit")
            << "c.json" << QByteArray(R"({"prompts":[{"clean":"A","corrupt":"","answers":[" x"]}]})")
            << QStringList{"row 1", "\"corrupt\"", "empty"};
        QTest::newRow("greater-than year out of range") << "y.csv" << QByteArray("clean,corrupted,correct_idx\nA,B,52\nC,D,100\n")
                                                        << QStringList{"row 2", "column \"correct_idx\"", "100", "0..99"};
        QTest::newRow("unknown json shape")
            << "s.json" << QByteArray(R"({"data": []})")
            << QStringList{"accepted formats", "native CSV", "native JSON", "EAP-IG CSV", "auto-circuit JSON"};
        QTest::newRow("malformed json") << "m.json" << QByteArray(R"([{"clean":)") << QStringList{"invalid JSON"};
        QTest::newRow("row not an object") << "r.json" << QByteArray(R"([{"clean":"A","corrupted":"B","answer":" x"}, 3])")
                                           << QStringList{"row 2", "expected an object"};
        QTest::newRow("answer of the wrong type") << "w.json" << QByteArray(R"([{"clean":"A","corrupted":"B","answer":5}])")
                                                  << QStringList{"row 1", "key \"answer\"", "must be a string"};
    }

    void readErrors()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, content);
        QFETCH(QStringList, fragments);
        const auto file = tmp(name.toStdString());
        writeFile(file, content);
        expectError(file, fragments, [&] { readDataset(file); });
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
