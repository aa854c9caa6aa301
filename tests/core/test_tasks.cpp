// SPDX-License-Identifier: MIT
// Task generators against the peer samples they must reproduce (EAP-IG's IOI and
// greater-than files, auto-circuit's docstring file in shared/data/tasks/peer-formats) and
// against the tokenizer itself. Which words and years are single tokens is worked out here
// from Tokenizer::encode, never taken from the generator under test.
#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/common/system.h"
#include "core/data/tasks.h"
#include "core/tokenize/tokenizer.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

const fs::path kTasks = fs::path(PATCHBAY_SHARED_DATA_DIR) / "tasks";
const fs::path kPeer = kTasks / "peer-formats";
const fs::path kGpt2 = fs::path(PATCHBAY_SHARED_DATA_DIR) / "gpt2-tokenizer";
const fs::path kResources = fs::path(PATCHBAY_TEST_DATA_DIR).parent_path().parent_path() / "resources";

// 30 words, punctuation, a number, a special token and [UNK]: induction must draw only the words.
const char* const kWordLevelJson = R"({
  "added_tokens": [{"id": 1, "content": "<s>", "special": true}],
  "pre_tokenizer": {"type": "WhitespaceSplit"},
  "model": {"type": "WordLevel", "unk_token": "[UNK]", "vocab": {
    "[UNK]": 0, "<s>": 1, ",": 2, "42": 3,
    "apple": 4, "river": 5, "stone": 6, "cloud": 7, "lamp": 8, "tiger": 9, "bread": 10, "glass": 11,
    "music": 12, "paper": 13, "garden": 14, "window": 15, "silver": 16, "forest": 17, "candle": 18,
    "ocean": 19, "pencil": 20, "mirror": 21, "rocket": 22, "violin": 23, "planet": 24, "jacket": 25,
    "bridge": 26, "castle": 27, "dragon": 28, "feather": 29, "honey": 30, "island": 31, "jungle": 32,
    "kettle": 33}}})";
constexpr int kWordLevelWords = 30;

void writeFile(const fs::path& file, const std::string& bytes)
{
    std::ofstream out(file, std::ios::binary);
    out << bytes;
}

std::string readFile(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json readJson(const fs::path& file) { return nlohmann::json::parse(readFile(file)); }

template <typename F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

std::vector<std::string> readWords(const fs::path& file)
{
    std::vector<std::string> words;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            words.push_back(line);
    return words;
}

GeneratedTask generate(const Tokenizer& tokenizer, const std::string& task, int n, uint64_t seed = 0,
                       const std::string& corruption = {})
{
    TaskOptions options;
    options.task = task;
    options.n = n;
    options.seed = seed;
    options.corruption = corruption;
    return generateTask(options, tokenizer);
}

bool isOneToken(const Tokenizer& tokenizer, const std::string& text) { return tokenizer.encode(text).size() == 1; }

std::vector<std::size_t> differingPositions(const std::vector<int32_t>& a, const std::vector<int32_t>& b)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        if (a[i] != b[i])
            out.push_back(i);
    return out;
}

std::string twoDigits(int y) { return (y < 10 ? "0" : "") + std::to_string(y); }

// ---- IOI templates as regexes -----------------------------------------------------------

std::string escapeRegex(const std::string& s)
{
    static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
    return std::regex_replace(s, special, R"(\$&)");
}

// The prompts of one template, its final " [A]" removed: the first [A], [B], [PLACE] and
// [OBJECT] capture a word, later ones must repeat it.
struct TemplateRegex
{
    std::regex re;
    std::size_t io = 0, s = 0; // capture groups of the names
};

TemplateRegex templateRegex(const std::string& source)
{
    const std::string body = source.substr(0, source.size() - std::string(" [A]").size());
    static const std::regex slot(R"(\[(A|B|PLACE|OBJECT)\])");
    std::map<std::string, std::size_t> group;
    std::string pattern;
    std::size_t last = 0;
    for (std::sregex_iterator it(body.begin(), body.end(), slot), end; it != end; ++it) {
        pattern += escapeRegex(body.substr(last, it->position() - last));
        const std::string name = (*it)[1];
        if (group.count(name)) {
            pattern += "\\" + std::to_string(group[name]);
        } else {
            group[name] = group.size() + 1;
            pattern += name == "A" || name == "B" ? "([A-Z][a-z]+)" : "([a-z]+)";
        }
        last = it->position() + it->length();
    }
    pattern += escapeRegex(body.substr(last));
    return {std::regex(pattern), group["A"], group["B"]};
}

std::vector<std::string> ioiTemplateSources()
{
    const auto j = readJson(kTasks / "ioi_ingredients.json");
    std::vector<std::string> out = j["templates_baba"].get<std::vector<std::string>>();
    for (const auto& t : j["templates_abba"])
        out.push_back(t.get<std::string>());
    return out;
}

struct TemplateMatch
{
    std::set<std::size_t> templates; // every template the prompt matches
    std::string io, s;
};

TemplateMatch matchTemplates(const std::vector<TemplateRegex>& regexes, const std::string& prompt)
{
    TemplateMatch out;
    for (std::size_t i = 0; i < regexes.size(); ++i) {
        std::smatch m;
        if (std::regex_match(prompt, m, regexes[i].re)) {
            out.templates.insert(i);
            out.io = m[regexes[i].io];
            out.s = m[regexes[i].s];
        }
    }
    return out;
}

// ---- docstring ------------------------------------------------------------------------------

// (A plain literal: moc's lexer loses its way in a raw string holding """.)
const std::regex kDocstring("\\ndef (\\w+)\\(self, (\\w+), (\\w+), (\\w+), (\\w+), (\\w+), (\\w+)\\):\\n    \"\"\"(\\w+) (\\w+) (\\w+)\\n\\n"
                            "    :param (\\w+): (\\w+) (\\w+)\\n    :param (\\w+): (\\w+) (\\w+)\\n    :param");

// The layout of auto-circuit's docstring pairs: the def's 3rd–5th parameters A, B, C are
// renamed X, Y, Z in the corrupted def, the documented A, B become U, V, the answer is C and
// the wrong answers are the other 13 names in the sample's order (with 3 distractors).
void checkDocstringPair(const std::string& clean, const std::string& corrupt, const std::vector<std::string>& answers,
                        const std::vector<std::string>& wrong)
{
    std::smatch c, k;
    QVERIFY2(std::regex_match(clean, c, kDocstring), clean.c_str());
    QVERIFY2(std::regex_match(corrupt, k, kDocstring), corrupt.c_str());
    const std::string f = c[1], p0 = c[2], p1 = c[3], a = c[4], b = c[5], cc = c[6], p5 = c[7];
    QCOMPARE(std::string(c[11]), a);
    QCOMPARE(std::string(c[14]), b);
    for (int g : {1, 2, 3, 7, 8, 9, 10, 12, 13, 15, 16}) // function, kept parameters, description
        QCOMPARE(std::string(k[g]), std::string(c[g]));
    const std::string x = k[4], y = k[5], z = k[6], u = k[11], v = k[14];
    QCOMPARE(answers, std::vector<std::string>{" " + cc});
    QCOMPARE(wrong.size(), std::size_t(13));
    const std::vector<std::string> inOrder{x, y, z, u, v};
    for (std::size_t i = 0; i < inOrder.size(); ++i)
        QCOMPARE(wrong[1 + i], " " + inOrder[i]);
    const std::vector<std::string> cleanNames{a, b, p0, p1, p5};
    for (std::size_t i = 0; i < cleanNames.size(); ++i)
        QCOMPARE(wrong[8 + i], " " + cleanNames[i]);
    std::set<std::string> names{" " + f, " " + cc};
    for (const auto& w : wrong)
        names.insert(w);
    QCOMPARE(names.size(), std::size_t(15)); // function and 14 distinct parameter names
}

} // namespace

class TestTasks : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    Tokenizer m_gpt2 = Tokenizer::load(kGpt2);
    std::optional<Tokenizer> m_wordLevel;
    std::set<std::string> m_dictionary; // resources/tasks/induction_words.txt

    // " Apple" -> "apple"; "" when the text is not a space and a word.
    static std::string lowercaseWord(const std::string& text)
    {
        if (text.size() < 2 || text[0] != ' ')
            return {};
        std::string w = text.substr(1);
        std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return w;
    }

    fs::path tmp(const std::string& name) const { return fs::path(m_tmp.path().toStdString()) / name; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        writeFile(tmp("tokenizer.json"), kWordLevelJson);
        m_wordLevel = Tokenizer::load(tmp("tokenizer.json"));
        for (const auto& w : readWords(kResources / "tasks" / "induction_words.txt"))
            if (w.front() != '#')
                m_dictionary.insert(w);
        QVERIFY(m_dictionary.size() > 500);
    }

    // ---- resources ----------------------------------------------------------------------------

    void shippedResourcesMatchSharedData()
    {
        for (const char* file : {"ioi_ingredients.json", "greater_than_nouns.txt"})
            QVERIFY2(readFile(kResources / "tasks" / file) == readFile(kTasks / file), file);
    }

    void findResourceLooksInOrder()
    {
        const auto found = findResource("tasks/ioi_ingredients.json");
        QCOMPARE(readFile(found), readFile(kTasks / "ioi_ingredients.json"));

        fs::create_directories(tmp("res/tasks"));
        writeFile(tmp("res/tasks/ioi_ingredients.json"), "{}");
        qputenv("PATCHBAY_RESOURCE_DIR", QByteArray::fromStdString(tmp("res").string()));
        const auto overridden = findResource("tasks/ioi_ingredients.json");
        const auto fallback = findResource("tasks/greater_than_nouns.txt"); // not in the override
        qunsetenv("PATCHBAY_RESOURCE_DIR");
        QCOMPARE(overridden, tmp("res/tasks/ioi_ingredients.json"));
        QCOMPARE(readFile(fallback), readFile(kTasks / "greater_than_nouns.txt"));

        try {
            findResource("tasks/no-such-file.txt");
            QFAIL("no error for a missing resource");
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("tasks/no-such-file.txt") != std::string::npos, e.what());
            QVERIFY2(msg.find("PATCHBAY_RESOURCE_DIR") != std::string::npos, e.what());
        }
    }

    // ---- IOI --------------------------------------------------------------------------------------

    void ioiReproducesTheEapIgSample()
    {
        std::vector<TemplateRegex> regexes;
        for (const auto& t : ioiTemplateSources())
            regexes.push_back(templateRegex(t));

        std::set<std::size_t> sampleTemplates;
        for (const auto& p : readDataset(kPeer / "eap-ig_ioi_gpt2.csv").pairs) {
            const auto m = matchTemplates(regexes, p.clean);
            QVERIFY2(m.templates.size() == 1, p.clean.c_str());
            sampleTemplates.insert(*m.templates.begin());
        }

        const auto names = readJson(kTasks / "ioi_ingredients.json")["names"].get<std::vector<std::string>>();
        const auto generated = generate(m_gpt2, "ioi", 600, 3);
        QCOMPARE(generated.metric, std::string("logit-diff"));
        QCOMPARE(generated.corruption, std::string("s2"));
        QCOMPARE(generated.data.pairs.size(), std::size_t(600));
        std::set<std::size_t> ours;
        int abba = 0;
        for (const auto& p : generated.data.pairs) {
            const auto m = matchTemplates(regexes, p.clean);
            QVERIFY2(m.templates.size() == 1, p.clean.c_str());
            ours.insert(*m.templates.begin());
            abba += *m.templates.begin() >= regexes.size() / 2;
            QCOMPARE(p.answers, std::vector<std::string>{" " + m.io});
            QCOMPARE(p.wrongAnswers, std::vector<std::string>{" " + m.s});
            for (const auto& name : {m.io, m.s}) {
                QVERIFY2(std::count(names.begin(), names.end(), name) == 1, name.c_str());
                QVERIFY2(isOneToken(m_gpt2, " " + name), name.c_str());
            }
        }
        QCOMPARE(abba, 300); // mixed: half ABBA, half BABA
        QVERIFY(std::includes(ours.begin(), ours.end(), sampleTemplates.begin(), sampleTemplates.end()));
        QCOMPARE(ours.size(), regexes.size());
    }

    void ioiCorruptions_data()
    {
        QTest::addColumn<QString>("corruption");
        QTest::newRow("s2") << "s2";
        QTest::newRow("abc") << "abc";
    }

    void ioiCorruptions()
    {
        QFETCH(QString, corruption);
        const auto generated = generate(m_gpt2, "ioi", 200, 11, corruption.toStdString());
        QCOMPARE(generated.corruption, corruption.toStdString());
        for (const auto& p : generated.data.pairs) {
            const auto clean = m_gpt2.encode(p.clean), corrupted = m_gpt2.encode(p.corrupted);
            QCOMPARE(clean.size(), corrupted.size());
            const int32_t io = m_gpt2.encode(p.answers.at(0)).at(0), s = m_gpt2.encode(p.wrongAnswers.at(0)).at(0);
            std::vector<std::size_t> namePositions;
            for (std::size_t i = 0; i < clean.size(); ++i)
                if (clean[i] == io || clean[i] == s)
                    namePositions.push_back(i);
            QCOMPARE(namePositions.size(), std::size_t(3));
            const auto changed = differingPositions(clean, corrupted);
            if (corruption == QLatin1String("s2")) {
                // Only S2, the subject's second mention, becomes a third name.
                QCOMPARE(changed, std::vector<std::size_t>{namePositions.back()});
                QCOMPARE(clean[changed[0]], s);
                QVERIFY(corrupted[changed[0]] != io);
            } else {
                // Three fresh names, none of them A or B.
                QCOMPARE(changed, namePositions);
                std::set<int32_t> fresh;
                for (std::size_t i : changed)
                    fresh.insert(corrupted[i]);
                QCOMPARE(fresh.size(), std::size_t(3));
                QVERIFY(!fresh.count(io) && !fresh.count(s));
            }
        }
    }

    void ioiTemplateFamilies()
    {
        std::vector<TemplateRegex> regexes;
        for (const auto& t : ioiTemplateSources())
            regexes.push_back(templateRegex(t));
        for (const std::string family : {"abba", "baba"}) {
            TaskOptions options;
            options.task = "ioi";
            options.n = 40;
            options.templates = family;
            for (const auto& p : generateTask(options, m_gpt2).data.pairs) {
                const std::size_t index = *matchTemplates(regexes, p.clean).templates.begin();
                QCOMPARE(index >= regexes.size() / 2, family == "abba");
            }
        }
    }

    void ioiSkipsWordsThatAreNotSingleTokens()
    {
        auto j = readJson(kTasks / "ioi_ingredients.json");
        for (const char* extra : {"Zbigniew", "Xiomara", "Oluwaseun"})
            j["names"].push_back(extra);
        j["places"].push_back("observatory");
        writeFile(tmp("ioi_extra.json"), j.dump());

        TaskOptions options;
        options.task = "ioi";
        options.n = 50;
        options.ingredients = tmp("ioi_extra.json");
        const auto generated = generateTask(options, m_gpt2);
        for (const char* kind : {"names", "places", "objects"}) {
            int expected = 0;
            for (const auto& w : j[kind])
                expected += !isOneToken(m_gpt2, " " + w.get<std::string>());
            QCOMPARE(generated.skipped.count(kind) ? generated.skipped.at(kind) : 0, expected);
        }
        QVERIFY(generated.skipped.at("names") >= 1);
        const bool noted = std::any_of(generated.notes.begin(), generated.notes.end(), [](const std::string& n) {
            return n.find("names that are not single tokens") != std::string::npos && n.find("Zbigniew") != std::string::npos;
        });
        QVERIFY(noted);
        for (const auto& p : generated.data.pairs)
            QVERIFY(p.clean.find("Zbigniew") == std::string::npos);
        // Every skipped name is listed, and the note says what leaving them out costs.
        std::vector<std::string> skippedNames;
        for (const auto& w : j["names"])
            if (!isOneToken(m_gpt2, " " + w.get<std::string>()))
                skippedNames.push_back(w.get<std::string>());
        QCOMPARE(generated.skippedWords.at("names"), skippedNames);
        const std::size_t kept = j["names"].size() - skippedNames.size(), all = j["names"].size();
        const std::string cost = "ioi draws from " + std::to_string(kept) + " of " + std::to_string(all) + " names: "
                                 + std::to_string(kept * (kept - 1)) + " ordered (IO, S) name pairs instead of " + std::to_string(all * (all - 1));
        QVERIFY(std::any_of(generated.notes.begin(), generated.notes.end(), [&](const std::string& n) { return n.rfind(cost, 0) == 0; }));
    }

    // ---- determinism --------------------------------------------------------------------------

    void sameSeedSamePairs_data()
    {
        QTest::addColumn<QString>("task");
        for (const char* task : {"ioi", "greater-than", "induction", "docstring"})
            QTest::newRow(task) << task;
    }

    void sameSeedSamePairs()
    {
        QFETCH(QString, task);
        auto texts = [&](uint64_t seed) {
            std::vector<std::string> out;
            for (const auto& p : generate(m_gpt2, task.toStdString(), 30, seed).data.pairs) {
                out.insert(out.end(), {p.clean, p.corrupted});
                out.insert(out.end(), p.answers.begin(), p.answers.end());
                out.insert(out.end(), p.wrongAnswers.begin(), p.wrongAnswers.end());
            }
            return out;
        };
        QCOMPARE(texts(7), texts(7));
        QVERIFY(texts(7) != texts(8));
    }

    // The random stream is our own helper over std::mt19937_64 (whose sequence the standard
    // fixes), so these first pairs must come out the same with every standard library.
    void seedsArePortable()
    {
        const auto ioi = generate(m_gpt2, "ioi", 1, 1).data.pairs.at(0);
        QCOMPARE(ioi.clean, std::string("While Michael and Mary were working at the store, Michael gave a kiss to"));
        QCOMPARE(ioi.corrupted, std::string("While Michael and Mary were working at the store, Justin gave a kiss to"));
        const auto induction = generate(m_gpt2, "induction", 1, 1).data.pairs.at(0);
        QCOMPARE(induction.clean, std::string(" Context Competition rank Daughter Box joy Element Leg Fame seed"
                                              " Context Competition rank Daughter Box joy Element Leg Fame"));
    }

    // ---- greater-than -----------------------------------------------------------------------------

    void greaterThan_data()
    {
        QTest::addColumn<QString>("nouns"); // empty: the shipped list
        QTest::newRow("shipped nouns") << QString();
        QTest::newRow("nouns that are several tokens") << "custom";
    }

    void greaterThan()
    {
        QFETCH(QString, nouns);
        fs::path nounFile = kTasks / "greater_than_nouns.txt";
        TaskOptions options;
        options.task = "greater-than";
        options.n = 300;
        options.seed = 5;
        if (!nouns.isEmpty()) {
            nounFile = tmp("nouns.txt");
            writeFile(nounFile, "war\nxylophonist\ndeforestation\nreign\nperestroika\n\n");
            options.ingredients = nounFile;
        }
        const auto generated = generateTask(options, m_gpt2);
        QCOMPARE(generated.metric, std::string("prob-diff"));
        QCOMPARE(generated.data.task, std::string("greater-than"));

        int multiToken = 0;
        for (const auto& noun : readWords(nounFile))
            multiToken += !isOneToken(m_gpt2, " " + noun);
        QCOMPARE(generated.skipped.count("nouns") ? generated.skipped.at("nouns") : 0, multiToken);
        if (!nouns.isEmpty())
            QVERIFY(multiToken > 0);

        static const std::regex prompt(R"(The (\w+) lasted from the year (\d\d)(\d\d) to the year (\d\d))");
        for (const auto& p : generated.data.pairs) {
            std::smatch c, k;
            QVERIFY2(std::regex_match(p.clean, c, prompt), p.clean.c_str());
            QVERIFY2(std::regex_match(p.corrupted, k, prompt), p.corrupted.c_str());
            const std::string xx = c[2];
            const int yy = std::stoi(c[3]);
            QCOMPARE(std::string(c[4]), xx);
            QVERIFY(std::stoi(xx) >= 11 && std::stoi(xx) <= 17);
            QVERIFY(yy >= 2 && yy <= 98);
            QVERIFY(isOneToken(m_gpt2, " " + std::string(c[1])));
            // The year splits as XX + YY, and the corrupted XX01 likewise (Hanna et al.'s check).
            const auto xxId = m_gpt2.encode(" " + xx), yyId = m_gpt2.encode(twoDigits(yy));
            QCOMPARE(m_gpt2.encode(" " + xx + twoDigits(yy)), std::vector<int32_t>({xxId.at(0), yyId.at(0)}));
            QCOMPARE(std::string(k[1]) + k[2].str() + k[3].str() + k[4].str(), std::string(c[1]) + xx + "01" + xx);
            QCOMPARE(m_gpt2.encode(p.clean).size(), m_gpt2.encode(p.corrupted).size());
            std::vector<std::string> later, rest;
            for (int y = 0; y <= 99; ++y)
                (y > yy ? later : rest).push_back(twoDigits(y));
            QCOMPARE(p.answers, later);
            QCOMPARE(p.wrongAnswers, rest);
        }
    }

    // Greater-than for a digit-splitting tokenizer (SmolLM2's rules): the prompt ends at the
    // century, the answers are the first digits above YY's first digit D, the wrong answers
    // those below, D in neither; the two-digit task refuses the tokenizer and names this one.
    void greaterThanDigit()
    {
        const Tokenizer smol = Tokenizer::load(fs::path(PATCHBAY_TEST_DATA_DIR) / "tokenizers/smollm-style");
        TaskOptions options;
        options.task = "greater-than";
        const QString refused = errorOf([&] { generateTask(options, smol); });
        QVERIFY2(refused.contains("two-digit year") && refused.contains("use the task greater-than-digit"), qPrintable(refused));

        options.task = "greater-than-digit";
        options.n = 200;
        options.seed = 3;
        options.ingredients = tmp("digit_nouns.txt");
        writeFile(options.ingredients, "war\nstudy\ntest\nperestroika\n");
        const auto generated = generateTask(options, smol);
        QCOMPARE(generated.metric, std::string("prob-diff"));
        QCOMPARE(generated.data.task, std::string("greater-than-digit"));
        QCOMPARE(generated.data.pairs.size(), std::size_t(200));
        static const std::regex prompt(R"(The (\w+) lasted from the year (\d\d)(\d)(\d) to the year (\d\d))");
        std::set<int> firsts;
        for (const auto& p : generated.data.pairs) {
            std::smatch c, k;
            QVERIFY2(std::regex_match(p.clean, c, prompt), p.clean.c_str());
            QVERIFY2(std::regex_match(p.corrupted, k, prompt), p.corrupted.c_str());
            const std::string xx = c[2];
            QCOMPARE(std::string(c[5]), xx);
            const int d = std::stoi(c[3]);
            firsts.insert(d);
            QVERIFY(d >= 1 && d <= 8);
            QCOMPARE(k[3].str() + k[4].str(), std::string("01"));
            // The clean prompt followed by its own year's digits tokenizes as the prompt plus one
            // token per digit: the next token after " XX" is the first digit alone.
            auto ids = smol.encode(p.clean);
            ids.push_back(smol.encode(c[3].str()).at(0));
            ids.push_back(smol.encode(c[4].str()).at(0));
            QCOMPARE(smol.encode(p.clean + c[3].str() + c[4].str()), ids);
            QCOMPARE(smol.encode(p.clean).size(), smol.encode(p.corrupted).size());
            std::vector<std::string> above, below;
            for (int digit = 0; digit <= 9; ++digit)
                if (digit != d)
                    (digit > d ? above : below).push_back(std::to_string(digit));
            QCOMPARE(p.answers, above);
            QCOMPARE(p.wrongAnswers, below);
        }
        QCOMPARE(firsts.size(), std::size_t(8)); // every D of 1…8 drawn in 200 pairs
        int multiToken = 0;
        for (const char* noun : {"war", "study", "test", "perestroika"})
            multiToken += !isOneToken(smol, std::string(" ") + noun);
        QVERIFY(multiToken >= 1); // perestroika is several tokens in this 1000-token vocabulary
        QCOMPARE(generated.skipped.at("nouns"), multiToken);

        // Written and read back, the dataset is recognised as greater-than-digit (prob-diff).
        writeDataset(generated.data, tmp("gtd.csv"), DatasetFormat::NativeCsv);
        QCOMPARE(readDataset(tmp("gtd.csv")).task, std::string("greater-than-digit"));

        // GPT-2 keeps two-digit years whole: the digit task refuses and names the other.
        const QString gpt2 = errorOf([&] { generateTask(options, m_gpt2); });
        QVERIFY2(gpt2.contains("single digits") && gpt2.contains("use the task greater-than"), qPrintable(gpt2));
    }

    // The EAP-IG sample's years all pass the same XX + YY check, so the check is Hanna et al.'s.
    void greaterThanSampleYearsPassTheSplitCheck()
    {
        for (const auto& p : readDataset(kPeer / "eap-ig_greater-than_gpt2.csv").pairs) {
            const std::string xx = p.clean.substr(p.clean.size() - 2);
            const std::string yy = p.wrongAnswers.back();
            QCOMPARE(m_gpt2.encode(" " + xx + yy).size(), std::size_t(2));
            QCOMPARE(m_gpt2.encode(" " + xx + "01").size(), std::size_t(2));
        }
    }

    // A generated greater-than dataset reads like the EAP-IG file with the same prompts.
    void greaterThanMatchesEapIgRepresentation()
    {
        auto generated = generate(m_gpt2, "greater-than", 40, 2).data;
        std::string csv = "clean,corrupted,correct_idx\n";
        for (const auto& p : generated.pairs)
            csv += p.clean + "," + p.corrupted + "," + p.clean.substr(p.clean.size() - 17, 2) + "\n";
        writeFile(tmp("gt.csv"), csv);
        auto eapIg = readDataset(tmp("gt.csv"));
        QCOMPARE(eapIg.task, generated.task);
        tokenizeDataset(generated, m_gpt2, {});
        tokenizeDataset(eapIg, m_gpt2, {});
        QCOMPARE(eapIg.pairs.size(), generated.pairs.size());
        for (std::size_t i = 0; i < eapIg.pairs.size(); ++i) {
            QCOMPARE(generated.pairs[i].cleanIds, eapIg.pairs[i].cleanIds);
            QCOMPARE(generated.pairs[i].corruptedIds, eapIg.pairs[i].corruptedIds);
            QCOMPARE(generated.pairs[i].answerIds, eapIg.pairs[i].answerIds);
            QCOMPARE(generated.pairs[i].wrongAnswerIds, eapIg.pairs[i].wrongAnswerIds);
        }
    }

    // ---- induction ------------------------------------------------------------------------------

    void induction_data()
    {
        QTest::addColumn<bool>("wordLevel");
        QTest::addColumn<int>("length");
        QTest::addColumn<QString>("corruption");
        QTest::newRow("gpt2 T=10") << false << 10 << "";
        QTest::newRow("gpt2 T=3") << false << 3 << "";
        QTest::newRow("word-level T=10") << true << 10 << "answer";
        QTest::newRow("gpt2 T=10 first-half") << false << 10 << "first-half";
        QTest::newRow("word-level T=3 first-half") << true << 3 << "first-half";
    }

    void induction()
    {
        QFETCH(bool, wordLevel);
        QFETCH(int, length);
        QFETCH(QString, corruption);
        const Tokenizer& tokenizer = wordLevel ? *m_wordLevel : m_gpt2;
        TaskOptions options;
        options.task = "induction";
        options.n = 100;
        options.length = length;
        options.corruption = corruption.toStdString();
        const auto generated = generateTask(options, tokenizer);
        QCOMPARE(generated.corruption, corruption.isEmpty() ? std::string("answer") : corruption.toStdString());
        if (corruption == QStringLiteral("first-half")) {
            // The same draws as the default: the same clean prompts and answers.
            options.corruption.clear();
            const auto firstHalf = generateTask(options, tokenizer);
            QCOMPARE(firstHalf.data.pairs.size(), generated.data.pairs.size());
            for (std::size_t i = 0; i < generated.data.pairs.size(); ++i) {
                QCOMPARE(generated.data.pairs[i].clean, firstHalf.data.pairs[i].clean);
                QCOMPARE(generated.data.pairs[i].wrongAnswers, firstHalf.data.pairs[i].wrongAnswers);
            }
        }
        const std::size_t t = length;
        for (const auto& p : generated.data.pairs) {
            const auto clean = tokenizer.encode(p.clean), corrupted = tokenizer.encode(p.corrupted);
            QCOMPARE(clean.size(), 2 * t - 1);
            QCOMPARE(corrupted.size(), clean.size());
            QCOMPARE(tokenizer.decode(clean), p.clean); // the text is exactly the drawn tokens
            const std::set<int32_t> firstHalf(clean.begin(), clean.begin() + t);
            QCOMPARE(firstHalf.size(), t);
            for (std::size_t i = 0; i + 1 < t; ++i)
                QCOMPARE(clean[t + i], clean[i]);
            const auto answer = tokenizer.encode(p.answers.at(0)), wrong = tokenizer.encode(p.wrongAnswers.at(0));
            QCOMPARE(answer, std::vector<int32_t>{clean[t - 1]});
            QCOMPARE(wrong.size(), std::size_t(1));
            QVERIFY(std::equal(clean.begin() + t, clean.end(), corrupted.begin() + t));
            QVERIFY(std::find(clean.begin(), clean.end(), wrong[0]) == clean.end());
            if (corruption != QStringLiteral("first-half")) {
                // Only the answer's first occurrence differs: it is the wrong answer, which the
                // corrupted repeat now predicts.
                for (std::size_t i = 0; i < clean.size(); ++i)
                    QCOMPARE(corrupted[i], i == t - 1 ? wrong[0] : clean[i]);
            } else {
                // The corrupted first half is fresh: the repeat (and the answer) are gone.
                for (std::size_t i = 0; i < t; ++i)
                    QVERIFY(!firstHalf.count(corrupted[i]));
                QVERIFY(std::find(corrupted.begin(), corrupted.end(), wrong[0]) == corrupted.end());
            }
            for (int32_t id : clean) {
                QVERIFY(!tokenizer.isSpecial(id));
                if (wordLevel)
                    QVERIFY(id >= 4); // words only: not [UNK], <s>, "," or "42"
                else // whole words of the dictionary, after the space that starts a word
                    QVERIFY2(m_dictionary.count(lowercaseWord(tokenizer.tokenText(id))), tokenizer.tokenText(id).c_str());
            }
        }
    }

    // ---- docstring ------------------------------------------------------------------------------

    void docstringSampleLayout()
    {
        // The checker first accepts auto-circuit's own pairs, so it describes that layout.
        const auto sample = readJson(kPeer / "auto-circuit_docstring.json")["prompts"];
        for (std::size_t i = 0; i < 50; ++i) {
            const auto& p = sample[i];
            checkDocstringPair(p["clean"].get<std::string>(), p["corrupt"].get<std::string>(),
                               p["answers"].get<std::vector<std::string>>(),
                               p["wrong_answers"].get<std::vector<std::string>>());
            if (QTest::currentTestFailed())
                return;
        }
    }

    void docstring()
    {
        const auto generated = generate(m_gpt2, "docstring", 100, 4);
        QCOMPARE(generated.metric, std::string("logit-diff"));
        for (const auto& p : generated.data.pairs) {
            checkDocstringPair(p.clean, p.corrupted, p.answers, p.wrongAnswers);
            if (QTest::currentTestFailed())
                return;
            const auto clean = m_gpt2.encode(p.clean), corrupted = m_gpt2.encode(p.corrupted);
            QCOMPARE(clean.size(), corrupted.size());
            QCOMPARE(differingPositions(clean, corrupted).size(), std::size_t(5)); // A, B, C in the def; A, B documented
            for (const auto& name : p.wrongAnswers)
                QVERIFY2(isOneToken(m_gpt2, name), name.c_str());
        }
    }

    // ---- errors ----------------------------------------------------------------------------------

    void errors_data()
    {
        QTest::addColumn<QString>("task");
        QTest::addColumn<QString>("corruption");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("length");
        QTest::addColumn<QString>("templates");
        QTest::addColumn<QString>("ingredients"); // file in the temp folder
        QTest::addColumn<bool>("wordLevel");
        QTest::addColumn<QStringList>("fragments");

        QTest::newRow("unknown task") << "ioj" << "" << 5 << 10 << "mixed" << "" << false
                                      << QStringList{"unknown task \"ioj\"", "ioi, greater-than, greater-than-digit, induction, docstring"};
        QTest::newRow("unknown corruption") << "ioi" << "s1" << 5 << 10 << "mixed" << "" << false
                                            << QStringList{"unknown corruption \"s1\"", "s2, abc"};
        QTest::newRow("no pairs") << "ioi" << "" << 0 << 10 << "mixed" << "" << false << QStringList{"at least 1"};
        QTest::newRow("unknown family") << "ioi" << "" << 5 << 10 << "abab" << "" << false
                                        << QStringList{"\"abab\"", "mixed, abba or baba"};
        QTest::newRow("family outside ioi") << "docstring" << "" << 5 << 10 << "abba" << "" << false
                                            << QStringList{"ioi option"};
        QTest::newRow("missing file") << "ioi" << "" << 5 << 10 << "mixed" << "missing.json" << false
                                      << QStringList{"missing.json", "cannot open"};
        QTest::newRow("names not a list") << "ioi" << "" << 5 << 10 << "mixed" << "bad_names.json" << false
                                          << QStringList{"bad_names.json", "field \"names\""};
        QTest::newRow("template without answer") << "ioi" << "" << 5 << 10 << "mixed" << "bad_template.json" << false
                                                 << QStringList{"templates_abba[0]", "must end with \" [A]\""};
        QTest::newRow("too few names") << "ioi" << "abc" << 5 << 10 << "mixed" << "few_names.json" << false
                                       << QStringList{"only 4 names", "needs at least 5"};
        QTest::newRow("induction dictionary") << "induction" << "" << 5 << 10 << "mixed" << "bad_names.json" << false
                                              << QStringList{"bad_names.json", "not a lowercase word"};
        QTest::newRow("greater-than-digit on gpt2") << "greater-than-digit" << "" << 5 << 10 << "mixed" << "" << false
                                                    << QStringList{"single digits", "use the task greater-than"};
        QTest::newRow("induction too short") << "induction" << "" << 5 << 1 << "mixed" << "" << false
                                             << QStringList{"at least 2"};
        QTest::newRow("induction vocabulary too small")
            << "induction" << "" << 5 << 20 << "mixed" << "" << true
            << QStringList{QString::number(kWordLevelWords) + " word tokens", "needs 41"};
        QTest::newRow("greater-than without year tokens") << "greater-than" << "" << 5 << 10 << "mixed" << "" << true
                                                          << QStringList{"two-digit year", "\"00\""};
        QTest::newRow("ioi that never tokenizes") << "ioi" << "" << 5 << 10 << "mixed" << "word_level_ioi.json" << true
                                                  << QStringList{"made only 0 of 5 pairs", "suit the task"};
    }

    void errors()
    {
        QFETCH(QString, task);
        QFETCH(QString, corruption);
        QFETCH(int, n);
        QFETCH(int, length);
        QFETCH(QString, templates);
        QFETCH(QString, ingredients);
        QFETCH(bool, wordLevel);
        QFETCH(QStringList, fragments);

        auto ioi = readJson(kTasks / "ioi_ingredients.json");
        auto badNames = ioi;
        badNames["names"] = "Mary";
        writeFile(tmp("bad_names.json"), badNames.dump());
        auto badTemplate = ioi;
        badTemplate["templates_abba"][0] = "Then, [A] and [B] went to the [PLACE]. [B] gave a [OBJECT] to";
        writeFile(tmp("bad_template.json"), badTemplate.dump());
        auto fewNames = ioi;
        fewNames["names"] = {"Mary", "John", "Tom", "Anna"};
        writeFile(tmp("few_names.json"), fewNames.dump());
        // Words the word-level vocabulary knows, in templates full of words it does not.
        auto wordLevelIoi = ioi;
        wordLevelIoi["names"] = {"apple", "river", "stone"};
        wordLevelIoi["places"] = {"garden"};
        wordLevelIoi["objects"] = {"candle"};
        writeFile(tmp("word_level_ioi.json"), wordLevelIoi.dump());

        TaskOptions options;
        options.task = task.toStdString();
        options.corruption = corruption.toStdString();
        options.n = n;
        options.length = length;
        options.templates = templates.toStdString();
        if (!ingredients.isEmpty())
            options.ingredients = tmp(ingredients.toStdString());
        try {
            generateTask(options, wordLevel ? *m_wordLevel : m_gpt2);
            QFAIL("no error");
        } catch (const Error& e) {
            for (const auto& f : fragments)
                QVERIFY2(std::string(e.what()).find(f.toStdString()) != std::string::npos,
                         (std::string(e.what()) + "  (expected: " + f.toStdString() + ")").c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestTasks)
#include "test_tasks.moc"
