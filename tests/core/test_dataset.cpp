// SPDX-License-Identifier: MIT
// Prompt-pair readers, writers and validation against the peer samples in
// shared/data/tasks/peer-formats (EAP-IG and auto-circuit files as those projects wrote
// them), small native fixtures in tests/data/datasets, and one file in
// tests/data/datasets/invalid per error the reader or the validation must name. Expected
// values come from the files themselves (read by eye or with Python's csv/json modules) and
// from decoding ids with the GPT-2 tokenizer, never from the code under test.
#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/tokenize/tokenizer.h"

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
const fs::path kInvalid = kFixtures / "invalid";
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

std::vector<const DatasetIssue*> issuesOf(const ValidationReport& report, DatasetIssue::Severity severity)
{
    std::vector<const DatasetIssue*> out;
    for (const auto& i : report.issues)
        if (i.severity == severity)
            out.push_back(&i);
    return out;
}

std::vector<std::string> messages(const ValidationReport& report, DatasetIssue::Severity severity)
{
    std::vector<std::string> out;
    for (const auto* i : issuesOf(report, severity))
        out.push_back(i->message);
    return out;
}

QString describe(const ValidationReport& report)
{
    QString out;
    for (const auto& i : report.issues)
        out += QString::fromStdString(i.message) + QLatin1Char('\n');
    return out;
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
        for (auto f : {DatasetFormat::NativeCsv, DatasetFormat::NativeJson, DatasetFormat::EapIgCsv, DatasetFormat::AutoCircuitJson})
            QCOMPARE(parseDatasetFormat(datasetFormatName(f)), f);
        QVERIFY_THROWS_EXCEPTION(Error, parseDatasetFormat("csv"));
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
        QVERIFY(data.warnings.empty()); // duplicates are the validation's to report
    }

    void eapIgGreaterThanTokenizes()
    {
        auto data = readDataset(kPeer / "eap-ig_greater-than_gpt2.csv");
        const auto report = validateDataset(data, m_gpt2, [&](const std::string& t) { return withBos(m_gpt2, t); });
        QVERIFY2(!report.hasErrors(), qPrintable(describe(report)));
        QCOMPARE(report.validRows, 1000);
        // 25 rows repeat an earlier one (counted with Python); the first is row 167 = row 132.
        const auto warnings = messages(report, DatasetIssue::Severity::Warning);
        QCOMPARE(countContaining(warnings, ": duplicates row "), 25);
        QCOMPARE(countContaining(warnings, "row 167: duplicates row 132"), 1);
        QCOMPARE(issuesOf(report, DatasetIssue::Severity::Warning).front()->row, 167);
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
        auto copy = data;
        const auto report = validateDataset(copy, m_gpt2, {});
        QVERIFY2(!report.hasErrors(), qPrintable(describe(report)));
        QCOMPARE(countContaining(messages(report, DatasetIssue::Severity::Warning), "row 115: duplicates row 111"), 1);
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

    void nativeCsvSeveralAnswers()
    {
        // Several text answers: JSON arrays in "answers"/"wrong_answers" cells.
        const auto data = readDataset(kFixtures / "native_answers.csv");
        QCOMPARE(data.format, DatasetFormat::NativeCsv);
        QCOMPARE(data.pairs.size(), std::size_t(2));
        QCOMPARE(data.pairs[0].answers, (std::vector<std::string>{"33", "34", "35"}));
        QCOMPARE(data.pairs[0].wrongAnswers, (std::vector<std::string>{"31", "32"}));
        QCOMPARE(data.pairs[1].clean, std::string("Rome, Paris: the capital of France is"));
        QCOMPARE(data.pairs[1].answers, std::vector<std::string>{" Paris"});
        QVERIFY(data.pairs[1].wrongAnswers.empty());
        QVERIFY(data.warnings.empty());
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
        QTest::newRow("no row with a prompt key") << "k.json" << QByteArray(R"([{"corrupted":"B","answer":" x"}])")
                                                  << QStringList{"missing key \"clean\"", "\"clean_ids\""};
        QTest::newRow("no row with answers in auto-circuit") << "k.json" << QByteArray(R"({"prompts":[{"clean":"A","corrupt":"B"}]})")
                                                             << QStringList{"missing key \"answers\""};
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

    // One file per error the reader names (tests/data/datasets/invalid).
    void readErrorFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("fragments");
        QTest::newRow("empty") << "empty.csv" << QStringList{"empty file"};
        QTest::newRow("header only") << "header_only.csv" << QStringList{"empty file", "no rows after the header"};
        QTest::newRow("missing column") << "missing_column.csv"
                                        << QStringList{"missing column \"corrupted\"", "header: \"clean\", \"answer\""};
        QTest::newRow("missing key") << "missing_key.json" << QStringList{"missing key \"corrupted\"", "no row has"};
        QTest::newRow("bad utf-8 csv") << "bad_utf8.csv"
                                       << QStringList{"row 2: column \"clean\": invalid UTF-8 at byte offset 7"};
        QTest::newRow("bad utf-8 json") << "bad_utf8.json"
                                        << QStringList{"row 2: key \"corrupted\": invalid UTF-8 at byte offset 8"};
        QTest::newRow("unterminated quote") << "unterminated_quote.csv"
                                            << QStringList{"row 2: column \"clean\": unterminated quote (opened on line 3)"};
        QTest::newRow("field count") << "field_count.csv" << QStringList{"row 2: 2 fields, but the header has 3 columns"};
        QTest::newRow("bad id") << "bad_id.csv"
                                << QStringList{"row 2: column \"corrupted_ids\": \"six\" is not a token id"};
        QTest::newRow("bad answers cell") << "bad_answers_cell.csv"
                                          << QStringList{"row 2: column \"answers\": \" a\" is not a JSON array of answer strings"};
    }

    void readErrorFiles()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, fragments);
        const auto file = kInvalid / name.toStdString();
        expectError(file, fragments, [&] { readDataset(file); });
    }

    // ---- validation ---------------------------------------------------------------------

    // One file per problem the validation names; every offending row of the file must be
    // reported (badRows), and the issue of `row` must hold every fragment.
    void validation_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QList<int>>("badRows");
        QTest::addColumn<int>("row");
        QTest::addColumn<bool>("isError");
        QTest::addColumn<QStringList>("fragments");

        const QList<int> lengthRows{2, 3};
        QTest::newRow("length: 1 more") << "length_mismatch.csv" << lengthRows << 2 << true
                                        << QStringList{"row 2: clean has 2 tokens, corrupted 3 (1 more); patching needs prompts of equal length"};
        QTest::newRow("length: 1 fewer") << "length_mismatch.csv" << lengthRows << 3 << true
                                         << QStringList{"row 3: clean has 3 tokens, corrupted 2 (1 fewer)"};
        const QList<int> multiRows{2, 3};
        QTest::newRow("multi-token answer") << "multi_token_answer.csv" << multiRows << 2 << true
                                            << QStringList{"row 2: answer \" Mary Ann\" is 2 tokens (\" Mary\" + \" Ann\"), not one"};
        QTest::newRow("multi-token wrong answer") << "multi_token_answer.csv" << multiRows << 3 << true
                                                  << QStringList{"row 3: wrong answer \" Bobby Tables\" is 2 tokens (\" Bobby\" + \" Tables\"), not one"};
        const QList<int> vocabRows{2, 3, 4};
        QTest::newRow("prompt id out of vocab") << "id_out_of_vocab.csv" << vocabRows << 2 << true
                                                << QStringList{"row 2: column \"corrupted_ids\": corrupted id 50257 is outside the vocabulary (size 50257)"};
        QTest::newRow("answer id out of vocab") << "id_out_of_vocab.csv" << vocabRows << 3 << true
                                                << QStringList{"row 3: column \"answer_id\": answer id 60000 is outside the vocabulary (size 50257)"};
        QTest::newRow("wrong ids out of vocab") << "id_out_of_vocab.csv" << vocabRows << 4 << true
                                                << QStringList{"row 4: column \"wrong_answer_id\": wrong answer ids 70000, 50300 are outside the vocabulary (size 50257)"};
        QTest::newRow("answer id out of vocab, json") << "id_out_of_vocab.json" << QList<int>{2} << 2 << true
                                                      << QStringList{"row 2: key \"answer_ids\": answer id 60000 is outside the vocabulary (size 50257)"};
        QTest::newRow("empty clean") << "empty_prompt.csv" << QList<int>{2, 3} << 2 << true
                                     << QStringList{"row 2: no clean prompt (columns \"clean\" and \"clean_ids\" are empty)"};
        QTest::newRow("empty corrupted") << "empty_prompt.csv" << QList<int>{2, 3} << 3 << true
                                         << QStringList{"row 3: no corrupted prompt (columns \"corrupted\" and \"corrupted_ids\" are empty)"};
        QTest::newRow("missing clean, json") << "empty_prompt.json" << QList<int>{2, 3} << 2 << true
                                             << QStringList{"row 2: no clean prompt (keys \"clean\" and \"clean_ids\" are missing or empty)"};
        QTest::newRow("empty corrupted, json") << "empty_prompt.json" << QList<int>{2, 3} << 3 << true
                                               << QStringList{"row 3: no corrupted prompt (keys \"corrupted\" and \"corrupted_ids\" are missing or empty)"};
        QTest::newRow("empty corrupted, eap-ig") << "empty_prompt_eap_ig.csv" << QList<int>{2} << 2 << true
                                                 << QStringList{"row 2: no corrupted prompt (column \"corrupted\" is empty)"};
        QTest::newRow("no answer") << "no_answer.csv" << QList<int>{2} << 2 << true
                                   << QStringList{"row 2: the pair has no answer (columns \"answer\" and \"answer_id\" are empty)"};
        QTest::newRow("no answer, auto-circuit") << "no_answer.json" << QList<int>{2} << 2 << true
                                                 << QStringList{"row 2: the pair has no answer (key \"answers\" is missing or empty)"};
        // Wrong answers do not make a row distinct; a duplicate names the first row it repeats.
        QTest::newRow("duplicate") << "duplicates.csv" << QList<int>{} << 3 << false
                                   << QStringList{"row 3: duplicates row 1 (same clean, corrupted and answers)"};
        QTest::newRow("duplicate again") << "duplicates.csv" << QList<int>{} << 4 << false << QStringList{"row 4: duplicates row 1"};
    }

    void validation()
    {
        QFETCH(QString, name);
        QFETCH(QList<int>, badRows);
        QFETCH(int, row);
        QFETCH(bool, isError);
        QFETCH(QStringList, fragments);
        const auto file = kInvalid / name.toStdString();
        auto data = readDataset(file);
        const auto report = validateDataset(data, m_gpt2, [&](const std::string& t) { return m_gpt2.encode(t); });

        QCOMPARE(report.rows, static_cast<int>(data.pairs.size()));
        QCOMPARE(QList<int>(report.badRows.begin(), report.badRows.end()), badRows);
        QCOMPARE(report.validRows, report.rows - static_cast<int>(badRows.size()));
        QCOMPARE(report.hasErrors(), !badRows.isEmpty());
        for (const auto& issue : report.issues) {
            QVERIFY2(issue.message.find(file.string()) != std::string::npos, issue.message.c_str());
            if (issue.severity == DatasetIssue::Severity::Error)
                QVERIFY(badRows.contains(issue.row));
        }
        const auto severity = isError ? DatasetIssue::Severity::Error : DatasetIssue::Severity::Warning;
        const auto found = std::find_if(report.issues.begin(), report.issues.end(), [&](const DatasetIssue& i) {
            return i.row == row && i.severity == severity
                   && std::all_of(fragments.begin(), fragments.end(),
                                  [&](const QString& f) { return i.message.find(f.toStdString()) != std::string::npos; });
        });
        QVERIFY2(found != report.issues.end(), qPrintable(describe(report)));
    }

    void validationReportAndDrop()
    {
        auto data = readDataset(kInvalid / "several_errors.csv");
        const auto encode = [&](const std::string& t) { return m_gpt2.encode(t); };
        auto lenient = data;
        const auto report = validateDataset(data, m_gpt2, encode);
        QCOMPARE(report.rows, 6);
        QCOMPARE(report.validRows, 4);
        QCOMPARE(report.badRows, (std::vector<int>{2, 3}));
        QCOMPARE(issuesOf(report, DatasetIssue::Severity::Error).size(), std::size_t(2));
        const auto warnings = issuesOf(report, DatasetIssue::Severity::Warning);
        QCOMPARE(warnings.size(), std::size_t(1));
        QCOMPARE(warnings.front()->row, 5);
        // Issues come in row order.
        QVERIFY(std::is_sorted(report.issues.begin(), report.issues.end(),
                               [](const DatasetIssue& a, const DatasetIssue& b) { return a.row < b.row; }));

        // A metric that reads several-token answers accepts row 3.
        ValidationOptions options;
        options.multiTokenAnswers = true;
        QCOMPARE(validateDataset(lenient, m_gpt2, encode, options).badRows, std::vector<int>{2});

        QCOMPARE(dropInvalidRows(data, report), 2);
        std::vector<int> kept;
        for (const auto& p : data.pairs)
            kept.push_back(p.row); // source row numbers stay, so messages still point into the file
        QCOMPARE(kept, (std::vector<int>{1, 4, 5, 6}));
        QCOMPARE(dropInvalidRows(data, report), 0);

        const auto file = tmp("kept.csv");
        writeDataset(data, file, DatasetFormat::NativeCsv);
        auto back = readDataset(file);
        const auto again = validateDataset(back, m_gpt2, encode);
        QVERIFY2(!again.hasErrors(), qPrintable(describe(again)));
        QCOMPARE(again.validRows, 4);
    }

    void validationAcceptsMultiTokenAnswersWhenAsked()
    {
        auto data = readDataset(kInvalid / "multi_token_answer.csv");
        ValidationOptions options;
        options.multiTokenAnswers = true;
        const auto report = validateDataset(data, m_gpt2, {}, options);
        QVERIFY2(!report.hasErrors(), qPrintable(describe(report)));
        // answerIds hold single tokens only; the metric reads " Mary Ann" from the text.
        QVERIFY(data.pairs[1].answerIds.empty());
        QCOMPARE(m_gpt2.decode(data.pairs[1].wrongAnswerIds), std::string(" John"));
        QCOMPARE(m_gpt2.decode(data.pairs[0].answerIds), std::string(" Mary"));
    }

    void validationListsFileWarnings()
    {
        auto data = readDataset(kFixtures / "native_text.csv");
        const auto report = validateDataset(data, m_gpt2, {});
        QVERIFY2(!report.hasErrors(), qPrintable(describe(report)));
        QCOMPARE(report.issues.size(), std::size_t(1));
        QCOMPARE(report.issues.front().row, 0);
        QCOMPARE(report.issues.front().severity, DatasetIssue::Severity::Warning);
        QVERIFY(report.issues.front().message.find("\"note\"") != std::string::npos);
    }

    void tokenizeThrowsTheFirstErrorAndCountsTheRest()
    {
        const auto file = kInvalid / "several_errors.csv";
        auto data = readDataset(file);
        expectError(file, {"row 2: clean has 2 tokens, corrupted 3", "(and 1 more error; 2 rows have errors)"},
                    [&] { tokenizeDataset(data, m_gpt2, {}); });
    }

    // ---- writing ------------------------------------------------------------------------

    void csvQuoting()
    {
        Dataset data;
        PromptPair p;
        p.row = 1;
        p.clean = "a, b";
        p.corrupted = "say \"hi\"";
        p.answers = {" x"};
        p.wrongAnswers = {" y"};
        data.pairs.push_back(p);
        p.row = 2;
        p.clean = "line\nbreak";
        p.corrupted = "cr\r\nlf";
        p.answers = {" z"};
        p.wrongAnswers.clear();
        data.pairs.push_back(p);
        const std::string expected = "clean,corrupted,answer,wrong_answer\n"
                                     "\"a, b\",\"say \"\"hi\"\"\", x, y\n"
                                     "\"line\nbreak\",\"cr\r\nlf\", z,\n";
        QCOMPARE(datasetToString(data, DatasetFormat::NativeCsv), expected);

        const auto file = tmp("quoting.csv");
        writeDataset(data, file, DatasetFormat::NativeCsv);
        const auto back = readDataset(file);
        QCOMPARE(back.pairs.size(), std::size_t(2));
        QCOMPARE(back.pairs[0].corrupted, std::string("say \"hi\""));
        QCOMPARE(back.pairs[1].clean, std::string("line\nbreak"));
        QCOMPARE(back.pairs[1].corrupted, std::string("cr\r\nlf"));
        QCOMPARE(back.pairs[1].answers, std::vector<std::string>{" z"});
        QVERIFY(back.pairs[1].wrongAnswers.empty());
    }

    void nativeWritersTextOrIds()
    {
        // Text where a pair has it, ids where it has none; several answers as arrays.
        Dataset data;
        PromptPair text;
        text.row = 1;
        text.clean = "Hello world";
        text.corrupted = "Hello there";
        text.answers = {" a", " b"};
        text.cleanIds = {15496, 995}; // filled from the text: not written
        PromptPair ids;
        ids.row = 2;
        ids.cleanIds = {15496, 11};
        ids.corruptedIds = {15496, 13};
        ids.answerIds = {318, 373};
        ids.wrongAnswerIds = {262};
        data.pairs = {text, ids};
        QCOMPARE(datasetToString(data, DatasetFormat::NativeCsv),
                 std::string("clean,clean_ids,corrupted,corrupted_ids,answers,answer_id,wrong_answer_id\n"
                             "Hello world,,Hello there,,\"[\"\" a\"\",\"\" b\"\"]\",,\n"
                             ",15496 11,,15496 13,,318 373,262\n"));
        QCOMPARE(datasetToString(data, DatasetFormat::NativeJson),
                 std::string("[\n"
                             "  {\"clean\":\"Hello world\",\"corrupted\":\"Hello there\",\"answers\":[\" a\",\" b\"]},\n"
                             "  {\"clean_ids\":[15496,11],\"corrupted_ids\":[15496,13],\"answer_ids\":[318,373],\"wrong_answer_id\":262}\n"
                             "]\n"));
    }

    void writeErrors()
    {
        Dataset data;
        data.source = "in.json";
        expectError("in.json", {"no prompt pairs to write"}, [&] { datasetToString(data, DatasetFormat::NativeCsv); });

        PromptPair p;
        p.row = 3;
        p.cleanIds = {1, 2};
        p.corruptedIds = {1, 3};
        p.answerIds = {4};
        p.wrongAnswerIds = {5};
        data.pairs = {p};
        expectError("in.json", {"row 3: cannot write as EAP-IG CSV", "no prompt text"},
                    [&] { datasetToString(data, DatasetFormat::EapIgCsv); });
        expectError("in.json", {"row 3: cannot write as auto-circuit JSON", "token ids"},
                    [&] { datasetToString(data, DatasetFormat::AutoCircuitJson); });

        data.pairs[0].clean = "A b";
        data.pairs[0].corrupted = "C b";
        data.pairs[0].answerIds = {4, 6};
        expectError("in.json", {"row 3", "2 answer ids", "correct_idx holds exactly one"},
                    [&] { datasetToString(data, DatasetFormat::EapIgCsv); });
        data.pairs[0].answerIds.clear();
        data.pairs[0].answers = {" x"};
        expectError("in.json", {"row 3", "tokenize the dataset first"}, [&] { datasetToString(data, DatasetFormat::EapIgCsv); });

        data.task = "greater-than";
        expectError("in.json", {"row 3", "greater-than pair needs the years"}, [&] { datasetToString(data, DatasetFormat::EapIgCsv); });
        data.task.clear();

        data.pairs[0].corrupted = "C \xff";
        expectError("in.json", {"row 3: cannot write the corrupted prompt: invalid UTF-8"}, [&] { datasetToString(data, DatasetFormat::NativeJson); });

        data.pairs[0].corrupted = "C b";
        const auto nowhere = tmp("no/such/dir/out.csv");
        expectError(nowhere, {"cannot open for writing"}, [&] { writeDataset(data, nowhere, DatasetFormat::NativeCsv); });
    }

    // Every sample read, written in every format, read back: every field the format
    // carries must survive. EAP-IG needs answer ids, so text answers are tokenized first;
    // what a format cannot hold is refused with the row.
    void roundTrip_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("error");

        const std::vector<std::pair<fs::path, std::vector<const char*>>> samples{
            // errors for native-csv, native-json, eap-ig-csv, auto-circuit-json ("" = none)
            {kPeer / "eap-ig_ioi_gpt2.csv", {"", "", "", "row 1: cannot write as auto-circuit JSON"}},
            {kPeer / "eap-ig_greater-than_gpt2.csv", {"", "", "", ""}},
            {kPeer / "auto-circuit_ioi_ABBA_template_0.json", {"", "", "", ""}},
            {kPeer / "auto-circuit_greaterthan_gpt2-small.json", {"", "", "", ""}},
            {kPeer / "auto-circuit_docstring.json", {"", "", "row 1: cannot write as EAP-IG CSV: the pair has 13 wrong answer ids", ""}},
            {kFixtures / "native_text.csv", {"", "", "row 2: cannot write as EAP-IG CSV: the pair has 0 wrong answer ids", ""}},
            {kFixtures / "native_text.json", {"", "", "row 2: cannot write as EAP-IG CSV: the pair has 3 answer ids", ""}},
            {kFixtures / "native_ids.csv", {"", "", "row 1: cannot write as EAP-IG CSV: the pair has no prompt text", "row 1: cannot write as auto-circuit JSON"}},
            {kFixtures / "native_ids.json", {"", "", "row 1: cannot write as EAP-IG CSV: the pair has no prompt text", "row 1: cannot write as auto-circuit JSON"}},
            {kFixtures / "native_answers.csv", {"", "", "row 1: cannot write as EAP-IG CSV: the pair has 3 answer ids", ""}},
        };
        const DatasetFormat formats[] = {DatasetFormat::NativeCsv, DatasetFormat::NativeJson, DatasetFormat::EapIgCsv,
                                         DatasetFormat::AutoCircuitJson};
        for (const auto& [file, errors] : samples)
            for (std::size_t f = 0; f < 4; ++f)
                QTest::addRow("%s -> %s", file.filename().string().c_str(), datasetFormatName(formats[f]).c_str())
                    << QString::fromStdString(file.string()) << static_cast<int>(formats[f]) << QString::fromUtf8(errors[f]);
    }

    void roundTrip()
    {
        QFETCH(QString, source);
        QFETCH(int, format);
        QFETCH(QString, error);
        const auto target = static_cast<DatasetFormat>(format);
        auto data = readDataset(source.toStdString());
        const bool eapIg = target == DatasetFormat::EapIgCsv;
        if (eapIg && data.task.empty()) // EAP-IG holds answer ids; prompts stay text
            tokenizeDataset(data, m_gpt2, {});

        const bool json = target == DatasetFormat::NativeJson || target == DatasetFormat::AutoCircuitJson;
        const auto file = tmp("round-trip" + std::string(json ? ".json" : ".csv"));
        if (!error.isEmpty()) {
            expectError(source.toStdString(), {error}, [&] { writeDataset(data, file, target); });
            return;
        }
        writeDataset(data, file, target);
        const auto back = readDataset(file);
        QCOMPARE(back.format, target);
        QCOMPARE(back.task, data.task);
        QCOMPARE(back.pairs.size(), data.pairs.size());
        const bool native = target == DatasetFormat::NativeCsv || target == DatasetFormat::NativeJson;
        for (std::size_t i = 0; i < data.pairs.size(); ++i) {
            const auto& a = data.pairs[i];
            const auto& b = back.pairs[i];
            const std::string where = "row " + std::to_string(a.row);
            QVERIFY2(b.row == static_cast<int>(i + 1), where.c_str());
            QVERIFY2(b.clean == a.clean && b.corrupted == a.corrupted, where.c_str());
            if (native) { // every field, as read
                QVERIFY2(b.cleanIds == a.cleanIds && b.corruptedIds == a.corruptedIds, where.c_str());
                QVERIFY2(b.answers == a.answers && b.wrongAnswers == a.wrongAnswers, where.c_str());
                QVERIFY2(b.answerIds == a.answerIds && b.wrongAnswerIds == a.wrongAnswerIds, where.c_str());
            } else if (eapIg && data.task.empty()) { // text prompts, one answer id a side
                QVERIFY2(b.cleanIds.empty() && b.answers.empty() && b.wrongAnswers.empty(), where.c_str());
                QVERIFY2(b.answerIds == a.answerIds && b.wrongAnswerIds == a.wrongAnswerIds, where.c_str());
            } else { // text only (auto-circuit, or greater-than years from EAP-IG's YY)
                QVERIFY2(b.cleanIds.empty() && b.answerIds.empty() && b.wrongAnswerIds.empty(), where.c_str());
                QVERIFY2(b.answers == a.answers && b.wrongAnswers == a.wrongAnswers, where.c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
