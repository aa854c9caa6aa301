// SPDX-License-Identifier: MIT
// Hostile inputs through every reader of files (docs/resource-policy.md): deep nesting,
// numbers out of range, huge values in messages. Each must end in a core::Error naming
// the file, never a crash, a hang or gigabytes of memory.
#include "core/graph/circuit.h"
#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/io/gguf.h"
#include "core/common/json.h"
#include "core/model/model.h"
#include "core/io/safetensors.h"
#include "core/data/session.h"
#include "core/tokenize/tokenizer.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <functional>
#include <map>
#include <set>

#include <sys/stat.h>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

using Reader = std::function<void(const fs::path&)>;

void write(const fs::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary);
    out << text;
}

// '[' x n, the value that crashed every reader through dump()'s recursion.
std::string deepArray(std::size_t n)
{
    return std::string(n, '[') + std::string(n, ']');
}

// The reader of each kind of file, given where the file lies. Models and tokenizers read
// a fixed name inside a directory, so those readers take the directory's file.
struct NamedReader
{
    const char* name;
    const char* fileName;
    Reader read;
};

const std::vector<NamedReader>& readers()
{
    static const std::vector<NamedReader> all = {
        {"config.json", "config.json", [](const fs::path& f) { readModelConfig(f.parent_path()); }},
        {"tokenizer.json", "tokenizer.json", [](const fs::path& f) { Tokenizer::fromTokenizerJson(f); }},
        {"dataset json", "pairs.json", [](const fs::path& f) { readDataset(f); }},
        {"circuit", "circuit.json", [](const fs::path& f) { readCircuit(f); }},
        {"session", "s.pbsession", [](const fs::path& f) { readSession(f); }},
    };
    return all;
}

// Every reader of files, the weights and GPT-2's vocab + merges included.
const std::vector<NamedReader>& allReaders()
{
    static const std::vector<NamedReader> all = [] {
        auto v = readers();
        v.push_back({"model.safetensors", "model.safetensors", [](const fs::path& f) { SafetensorsFile{f}; }});
        v.push_back({"vocab.json", "vocab.json", [](const fs::path& f) {
                         write(f.parent_path() / "merges.txt", "#version: 0.2\n");
                         Tokenizer::fromVocabAndMerges(f, f.parent_path() / "merges.txt");
                     }});
        v.push_back({"merges.txt", "merges.txt", [](const fs::path& f) {
                         write(f.parent_path() / "vocab.json", "{\"a\": 0}");
                         Tokenizer::fromVocabAndMerges(f.parent_path() / "vocab.json", f);
                     }});
        return v;
    }();
    return all;
}

// A document of the reader's kind with `value` where a scalar belongs, so the reader gets
// past the parser and reaches the code that names the bad value.
std::string documentWith(const std::string& reader, const std::string& value)
{
    if (reader == "config.json")
        return R"({"model_type":"gpt2","n_layer":)" + value + R"(,"n_head":2,"n_embd":8,"vocab_size":10})";
    if (reader == "tokenizer.json")
        return R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[],"byte_fallback":)" + value + "}}";
    if (reader == "dataset json")
        return R"([{"clean":"a","corrupted":"b","answer_ids":)" + value + "}]";
    if (reader == "circuit")
        return R"({"cfg":{"n_layers":)" + value + R"(,"n_heads":1,"parallel_attn_mlp":false,"d_model":4},"edges":{}})";
    return R"({"format":"patchbay-session","version":)" + value + R"(,"model":{}})";
}

QString errorOf(const Reader& read, const fs::path& file)
{
    try {
        read(file);
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestUntrusted : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseRefusesDeepNesting()
    {
        const std::string ok = deepArray(kMaxJsonDepth);
        QCOMPARE(parseJsonText(ok, "t").dump().size(), ok.size());
        try {
            parseJsonText("{\"a\":" + deepArray(kMaxJsonDepth) + "}", "t.json");
            QFAIL("no error");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString("t.json: invalid JSON (arrays and objects nested deeper than 128 levels, "
                                                "at byte 132)"));
        }
        // Brackets inside strings are text, not nesting.
        const std::string text = "[\"" + std::string(1000, '[') + "\\\"\"]";
        QCOMPARE(parseJsonText(text, "t")[0].get<std::string>().size(), std::size_t(1001));
    }

    void parseNamesTheFileForNumbersOutOfRange()
    {
        try {
            parseJsonText("{\"n\": 1e999}", "c.json");
            QFAIL("no error");
        } catch (const Error& e) {
            const QString what = e.what();
            QVERIFY2(what.startsWith("c.json: invalid JSON (a number is out of range"), qPrintable(what));
        }
    }

    void messagesShowValuesShortened()
    {
        QCOMPARE(jsonForMessage(nlohmann::json(3)), std::string("3"));
        QCOMPARE(jsonForMessage(nlohmann::json("ab")), std::string("\"ab\""));
        QCOMPARE(jsonForMessage(nlohmann::json::array({1, 2, 3})), std::string("an array of 3 elements"));
        QCOMPARE(jsonForMessage(nlohmann::json::object({{"a", 1}})), std::string("an object with 1 member"));
        const std::string longText = jsonForMessage(nlohmann::json(std::string(100000, 'x')));
        QCOMPARE(longText, "\"" + std::string(60, 'x') + "...\" (100000 bytes)");
    }

    void everyReaderRefusesDeepNesting_data()
    {
        QTest::addColumn<int>("reader");
        for (std::size_t i = 0; i < readers().size(); ++i)
            QTest::newRow(readers()[i].name) << int(i);
    }

    // The inputs of the report: 52,000 '[' crashed every reader (and the app).
    void everyReaderRefusesDeepNesting()
    {
        QFETCH(int, reader);
        const auto& r = readers()[std::size_t(reader)];
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / r.fileName;
        write(file, documentWith(r.name, deepArray(60000)));
        const QString what = errorOf(r.read, file);
        QVERIFY2(what.startsWith(QString::fromStdString(file.string())), qPrintable(what));
        QVERIFY2(what.contains("nested deeper than 128 levels"), qPrintable(what));
    }

    void everyReaderShowsAShortValue_data() { everyReaderRefusesDeepNesting_data(); }

    // A value nested within the limit still reaches the field check, whose message must
    // stay short (it used to dump the whole value).
    void everyReaderShowsAShortValue()
    {
        QFETCH(int, reader);
        const auto& r = readers()[std::size_t(reader)];
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / r.fileName;
        std::string big = "[" + std::string(100, '[');
        for (int i = 0; i < 20000; ++i)
            big += "1,";
        big += "1" + std::string(101, ']');
        write(file, documentWith(r.name, big));
        const QString what = errorOf(r.read, file);
        QVERIFY2(!what.isEmpty(), "no error");
        QVERIFY2(what.size() < 600, qPrintable(what.left(600)));
    }

    void everyReaderNamesTheFileForNumberOverflow_data() { everyReaderRefusesDeepNesting_data(); }

    void everyReaderNamesTheFileForNumberOverflow()
    {
        QFETCH(int, reader);
        const auto& r = readers()[std::size_t(reader)];
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / r.fileName;
        write(file, documentWith(r.name, "1e999"));
        const QString what = errorOf(r.read, file);
        QVERIFY2(what.startsWith(QString::fromStdString(file.string()) + ": invalid JSON (a number is out of range"),
                 qPrintable(what));
    }

    // Numbers no model has used to give exit 0 with every logit null (epsilon -1) or
    // near-constant logits (1e308); sizes beyond the limits reached the allocator.
    void configNumbersAreRangeChecked_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        const QString eps = "the layer norm epsilon (layer_norm_epsilon, layer_norm_eps or rms_norm_eps) is ";
        QTest::newRow("gpt2 negative epsilon") << "gpt2" << "layer_norm_epsilon" << "-1" << eps + "-1.0; it must be in (0, 1e10]";
        QTest::newRow("gpt2 huge epsilon") << "gpt2" << "layer_norm_epsilon" << "1e308" << eps + "1e+308; it must be in (0, 1e10]";
        QTest::newRow("llama negative epsilon") << "llama-gqa" << "rms_norm_eps" << "-1" << eps + "-1.0";
        QTest::newRow("gpt2 epsilon above 1e10") << "gpt2" << "layer_norm_epsilon" << "1e11" << eps + "100000000000.0";
        QTest::newRow("neox zero epsilon") << "pythia" << "layer_norm_eps" << "0" << eps + "0.0";
        QTest::newRow("llama huge rope base") << "llama-gqa" << "rope_theta" << "1e300" << "the rotary base (rope_theta) is 1e+300";
        QTest::newRow("neox rope base below 1") << "pythia" << "rotary_emb_base" << "0.5" << "the rotary base (rope_theta) is 0.5";
        QTest::newRow("gpt2 layers") << "gpt2" << "n_layer" << "100000"
                                     << "a graph of 100000 layers, 4 heads, 4 key/value heads is larger than this build accepts";
        QTest::newRow("gpt2 vocabulary") << "gpt2" << "vocab_size" << "1073741824"
                                         << "vocabulary size 1073741824 is larger than this build accepts (16777216)";
        QTest::newRow("llama hidden size") << "llama-gqa" << "hidden_size" << "131072"
                                           << "hidden size 131072 is larger than this build accepts (65536)";
        QTest::newRow("llama context") << "llama-gqa" << "max_position_embeddings" << "1000000000"
                                       << "context length 1000000000 is larger";
    }

    void configNumbersAreRangeChecked()
    {
        QFETCH(QString, model);
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        const fs::path fixture = fs::path(PATCHBAY_TEST_DATA_DIR) / "models" / model.toStdString() / "config.json";
        auto config = parseJsonText(readTextFile(fixture), fixture.string());
        QVERIFY(config.contains(key.toStdString()));
        readModelConfig(fixture.parent_path()); // the fixture itself is fine
        config[key.toStdString()] = nlohmann::json::parse(value.toStdString());
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "config.json";
        write(file, config.dump());
        const QString what = errorOf([](const fs::path& f) { readModelConfig(f.parent_path()); }, file);
        QVERIFY2(what.startsWith(QString::fromStdString(file.string()) + ": "), qPrintable(what));
        QVERIFY2(what.contains(expected), qPrintable(what));
    }

    // A 200-byte circuit file used to ask for 4 GB (200 layers x 150 heads) or more
    // before its first edge was read.
    void circuitCfgSizesAreCheckedFirst_data()
    {
        QTest::addColumn<QString>("cfg");
        QTest::addColumn<QString>("expected");
        QTest::newRow("200 x 150") << R"("n_layers":200,"n_heads":150)"
                                   << "cfg: a graph of 200 layers, 150 heads, 150 key/value heads has 1355360301 edges, "
                                      "more than this build accepts (33554432)";
        QTest::newRow("2 x 2^24") << R"("n_layers":2,"n_heads":16777216)"
                                  << "cfg: a graph of 2 layers, 16777216 heads, 16777216 key/value heads is larger than this "
                                     "build accepts (at most 1024 layers and 1024 heads)";
        QTest::newRow("2^30 x 2^30") << R"("n_layers":1073741824,"n_heads":1073741824)"
                                     << "cfg: a graph of 1073741824 layers, 1073741824 heads, 1073741824 key/value heads is "
                                        "larger than this build accepts (at most 1024 layers and 1024 heads)";
    }

    void circuitCfgSizesAreCheckedFirst()
    {
        QFETCH(QString, cfg);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "circuit.json";
        write(file, R"({"cfg":{)" + cfg.toStdString() + R"(,"parallel_attn_mlp":false,"d_model":8},"edges":{}})");
        const QString what = errorOf([](const fs::path& f) { readCircuit(f); }, file);
        QCOMPARE(what, QString::fromStdString(file.string()) + ": " + expected);
    }

    void everyReaderRefusesFilesThatAreNotFiles_data()
    {
        QTest::addColumn<int>("reader");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        for (std::size_t i = 0; i < allReaders().size(); ++i) {
            const char* name = allReaders()[i].name;
            QTest::addRow("%s: /dev/zero", name) << int(i) << "zero" << ": is not a regular file (a character device)";
            QTest::addRow("%s: FIFO", name) << int(i) << "fifo" << ": is not a regular file (a FIFO)";
            QTest::addRow("%s: directory", name) << int(i) << "directory" << ": is a directory";
        }
    }

    // A symlink to /dev/zero used to be read until memory ran out; a FIFO blocked forever
    // in open(); a directory gave "unexpected end of input".
    void everyReaderRefusesFilesThatAreNotFiles()
    {
        QFETCH(int, reader);
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const auto& r = allReaders()[std::size_t(reader)];
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / r.fileName;
        if (kind == "zero")
            fs::create_symlink("/dev/zero", file);
        else if (kind == "fifo")
            QCOMPARE(::mkfifo(file.c_str(), 0600), 0);
        else
            fs::create_directory(file);
        const QString what = errorOf(r.read, file);
        QVERIFY2(what.startsWith(QString::fromStdString(file.string()) + expected), qPrintable(what));
    }

    void textFilesAreCapped()
    {
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "big.txt";
        write(file, std::string(100, 'x'));
        QCOMPARE(readTextFile(file, 100).size(), std::size_t(100));
        try {
            readTextFile(file, 99);
            QFAIL("no error");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString::fromStdString(file.string())
                                            + ": the file is larger than the 99 bytes this reader accepts (100 bytes or "
                                              "more; see docs/resource-policy.md)");
        }
        QCOMPARE(kMaxTextFileBytes, std::uint64_t(256) << 20);
    }

    // One vocab entry with id 16,777,215 made `tokenize` take 1.3 GB and succeed: tables
    // are indexed by id, so ids must be dense 0..n-1 as in every real tokenizer.
    void tokenIdsMustBeDense_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("added");
        QTest::addColumn<QString>("expected");
        QTest::newRow("huge id") << R"({"a":0,"b":16777215})" << "[]"
                                 << ": model.vocab \"b\": id 16777215 is not below the number of tokens (2); token ids "
                                    "must run 0..n-1 without gaps";
        QTest::newRow("huge added id") << R"({"a":0,"b":1})" << R"([{"id":1000000,"content":"<x>"}])"
                                       << ": added_tokens[0]: id 1000000 is not below the number of tokens (3)";
        // <s> is in the vocabulary and among the added tokens (as GPT-2's <|endoftext|>),
        // so four entries name three tokens and leave id 2 unused.
        QTest::newRow("hole") << R"({"a":0,"<s>":1,"c":3})" << R"([{"id":1,"content":"<s>","special":true}])"
                              << ": no token has id 2 (the largest is 3); token ids must run 0..n-1 without gaps";
    }

    void tokenIdsMustBeDense()
    {
        QFETCH(QString, model);
        QFETCH(QString, added);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "t.json";
        write(file, R"({"model":{"type":"WordLevel","unk_token":"a","vocab":)" + model.toStdString() + R"(},"added_tokens":)"
                        + added.toStdString() + "}");
        const QString what = errorOf([](const fs::path& f) { Tokenizer::fromTokenizerJson(f); }, file);
        QVERIFY2(what.startsWith(QString::fromStdString(file.string()) + expected), qPrintable(what));

        // vocab.json + merges.txt: the same rule.
        write(dir.path().toStdString() + "/vocab.json", R"({"a":0,"b":16777215})");
        write(dir.path().toStdString() + "/merges.txt", "#version: 0.2\n");
        const QString vm = errorOf([](const fs::path& d) { Tokenizer::fromVocabAndMerges(d / "vocab.json", d / "merges.txt"); },
                                   fs::path(dir.path().toStdString()));
        QVERIFY2(vm.contains("vocab.json \"b\": id 16777215 is not below the number of tokens (2)"), qPrintable(vm));
    }

    void circuitNodeNamesAreStrict()
    {
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "circuit.json";
        for (const char* name : {"m01", "m+1", "m 1", "a0.h+1", "a0.h-0"}) {
            write(file, std::string(R"({"cfg":{"n_layers":2,"n_heads":2,"parallel_attn_mlp":false,"d_model":8},)")
                            + R"("edges":{},"nodes":{")" + name + R"(":{"in_graph":true}}})");
            const QString what = errorOf([](const fs::path& f) { readCircuit(f); }, file);
            QCOMPARE(what, QString::fromStdString(file.string()) + ": unknown node \"" + name
                               + "\" (not a node of a graph with 2 layers, 2 heads, sequential blocks)");
        }
    }

    // Old-Mac CR line endings used to read as one header line: "empty file".
    void csvWithCarriageReturnLineEndings()
    {
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "pairs.csv";
        write(file, "clean,corrupted,answer,wrong_answer\rWhen Mary and John, When Alice and Bob, John, Mary\r"
                    "\"a\rb\",c, d, e\r");
        const Dataset data = readDataset(file);
        QCOMPARE(data.pairs.size(), std::size_t(2));
        QCOMPARE(data.pairs[0].clean, std::string("When Mary and John"));
        QCOMPARE(data.pairs[1].clean, std::string("a\rb")); // inside quotes it is text
        QCOMPARE(data.pairs[1].answers, std::vector<std::string>{" d"});
    }

    // Outputs went to a fixed OUT.part opened without refusing an existing file or link:
    // a pre-placed OUT.part symlink made `circuit convert --out OUT` overwrite its target.
    void outputsNeverWriteThroughAPreplacedFile()
    {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        write(root / "victim.txt", "precious");
        fs::create_symlink(root / "victim.txt", root / "out.json.part");
        Circuit c(Graph(1, 2, 2, false));
        writeCircuit(c, root / "out.json", CircuitFormat::Native);
        QCOMPARE(readTextFile(root / "victim.txt"), std::string("precious"));
        QCOMPARE(readCircuit(root / "out.json").graph.edgeCount(), c.graph.edgeCount());
        // Nothing else is left beside the output: only what the test made, and out.json.
        std::set<std::string> names;
        for (const auto& e : fs::directory_iterator(root))
            names.insert(e.path().filename().string());
        QCOMPARE(names, (std::set<std::string>{"out.json", "out.json.part", "victim.txt"}));
    }

    void outputsKeepTheModeOfTheFileTheyReplace()
    {
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "private.json";
        write(file, "old");
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
        writeTextFileReplacing(file, "new");
        QCOMPARE(readTextFile(file), std::string("new"));
        QCOMPARE(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    }

    void failedOutputsLeaveNothingBehind()
    {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        fs::create_directory(root / "taken");
        write(root / "taken" / "inside", "x");
        const QString what = errorOf([](const fs::path& f) { writeTextFileReplacing(f, "text"); }, root / "taken");
        QCOMPARE(what, QString::fromStdString((root / "taken").string()) + ": is a directory, not a file");
        const QString missing =
            errorOf([](const fs::path& f) { writeTextFileReplacing(f, "text"); }, root / "no-such-dir" / "out.json");
        QVERIFY2(missing.startsWith(QString::fromStdString((root / "no-such-dir" / "out.json").string()) + ": cannot open for writing ("),
                 qPrintable(missing));
        std::size_t entries = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(root))
            ++entries;
        QCOMPARE(entries, std::size_t(1)); // only "taken"
    }

    // The fuzzers start from these; a seed that does not read would only teach them errors.
    void sessionFuzzSeedReads()
    {
        const fs::path seed = fs::path(PATCHBAY_TEST_DATA_DIR) / ".." / ".." / "fuzz" / "seeds" / "session" / "tiny.pbsession";
        const Session s = readSession(seed);
        QCOMPARE(s.runs.size(), std::size_t(1));
        QVERIFY(s.canvas.has_value());
        QCOMPARE(s.canvas->graph.nKvHeads(), 1);
        QCOMPARE(s.dataset->pairs.size(), std::size_t(2));
        QCOMPARE(readSession(seed).runs[0].scores.nodeScores.size(), std::size_t(4));
    }

    // Inputs that once crashed, hung or exhausted a reader (issue 23's, and what the fuzz
    // targets of fuzz/ find), replayed through the reader of their target: each must end
    // in a value or a core::Error.
    void fuzzFindingsAreHandled_data()
    {
        QTest::addColumn<QString>("file");
        const fs::path root = fs::path(PATCHBAY_TEST_DATA_DIR) / "fuzz";
        for (const auto& target : fs::directory_iterator(root))
            for (const auto& input : fs::directory_iterator(target.path()))
                QTest::addRow("%s/%s", target.path().filename().c_str(), input.path().filename().c_str())
                    << QString::fromStdString(input.path().string());
    }

    void fuzzFindingsAreHandled()
    {
        QFETCH(QString, file);
        const fs::path input = file.toStdString();
        const std::string target = input.parent_path().filename().string();
        const std::string bytes = readTextFile(input);
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        // As the fuzz target feeds its reader (fuzz/<target>.cpp).
        const std::map<std::string, std::function<void()>> replay = {
            {"fuzz_json", [&] { jsonForMessage(parseJsonText(bytes, "input")); }},
            {"fuzz_safetensors", [&] { write(root / "m.safetensors", bytes); SafetensorsFile{root / "m.safetensors"}; }},
            {"fuzz_gguf",
             [&] {
                 write(root / "m.gguf", bytes);
                 const GgufFile gguf(root / "m.gguf");
                 for (const auto& t : gguf.tensors())
                     if (t.numel <= (int64_t{1} << 24) && ggmlTypeDequantizable(t.type))
                         (void)gguf.dequantize(t);
                 Tokenizer::fromGguf(gguf).encode("Hello world, 42 \xC3\xBCn\xC3\xAF" "code");
             }},
            {"fuzz_config", [&] { write(root / "config.json", bytes); readModelConfig(root); }},
            {"fuzz_tokenizer_json",
             [&] {
                 write(root / "t.json", bytes);
                 Tokenizer::fromTokenizerJson(root / "t.json").encode(" Hello, world! caf\xC3\xA9");
             }},
            {"fuzz_vocab_merges",
             [&] {
                 const auto nul = bytes.find('\0');
                 write(root / "vocab.json", bytes.substr(0, nul));
                 write(root / "merges.txt", nul == std::string::npos ? std::string() : bytes.substr(nul + 1));
                 Tokenizer::fromVocabAndMerges(root / "vocab.json", root / "merges.txt").encode(" Hello");
             }},
            {"fuzz_dataset",
             [&] {
                 const fs::path f = root / (!bytes.empty() && (bytes[0] & 1) ? "p.json" : "p.csv");
                 write(f, bytes.empty() ? bytes : bytes.substr(1));
                 readDataset(f);
             }},
            {"fuzz_circuit", [&] { write(root / "c.json", bytes); readCircuit(root / "c.json"); }},
            {"fuzz_session", [&] { write(root / "s.pbsession", bytes); sessionToString(readSession(root / "s.pbsession")); }},
        };
        const auto it = replay.find(target);
        QVERIFY2(it != replay.end(), target.c_str());
        try {
            it->second();
        } catch (const Error&) {
        }
    }

    void safetensorsHeaderRefusesDeepNesting()
    {
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "model.safetensors";
        const std::string header = "{\"a\":" + deepArray(60000) + "}";
        std::string bytes(8, '\0');
        for (int i = 0; i < 8; ++i)
            bytes[std::size_t(i)] = char((header.size() >> (8 * i)) & 0xFF);
        write(file, bytes + header);
        const QString what = errorOf([](const fs::path& f) { SafetensorsFile{f}; }, file);
        QVERIFY2(what.contains("header: invalid JSON (arrays and objects nested deeper"), qPrintable(what));
    }
};

QTEST_GUILESS_MAIN(TestUntrusted)
#include "test_untrusted.moc"
