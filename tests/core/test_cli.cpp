// SPDX-License-Identifier: MIT
// patchbay-cli as a user runs it: exit codes, messages, and JSON that matches the
// transformers reference fixtures.
#include "core/graph/circuit.h"
#include "core/data/dataset.h"
#include "core/data/tasks.h"
#include "core/tokenize/tokenizer.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

namespace fs = std::filesystem;

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result runCli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(PATCHBAY_CLI_PATH), args);
    if (!p.waitForFinished(120000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

const QString kModels = QStringLiteral(PATCHBAY_TEST_DATA_DIR "/models");
const QString kMib = QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/circuits/mib_ioi_gpt2_eap-ig.json");
const QString kPairs = QStringLiteral(PATCHBAY_TEST_DATA_DIR "/evaluate/gpt2-fixture-pairs.json");

nlohmann::json parse(const QString& s) { return nlohmann::json::parse(s.toStdString()); }
nlohmann::json readJson(const QString& file)
{
    std::ifstream in(file.toStdString());
    return nlohmann::json::parse(in);
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionAndHelp()
    {
        const auto v = runCli({QStringLiteral("--version")});
        QCOMPARE(v.exitCode, 0);
        QVERIFY(v.out.startsWith(QStringLiteral("patchbay-cli ")));
        const auto h = runCli({QStringLiteral("--help")});
        QCOMPARE(h.exitCode, 0);
        for (const char* cmd : {"info", "tokenize", "logits", "circuit", "evaluate", "attribute", "validate", "dataset"})
            QVERIFY2(h.out.contains(QLatin1String(cmd)), cmd);
    }

    void unknownCommandAndOption()
    {
        const auto r = runCli({QStringLiteral("frobnicate")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("frobnicate")), qPrintable(r.err));
        const auto o = runCli({QStringLiteral("info"), QStringLiteral("--colour"), QStringLiteral("red")});
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(QStringLiteral("--colour")), qPrintable(o.err));
    }

    void infoSystem()
    {
        const auto r = runCli({QStringLiteral("info"), QStringLiteral("--system")});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(j["threads"].get<int>() >= 1);
        QVERIFY(j.contains("blas"));
        QVERIFY(j.contains("device"));

        // Issue 27: OMP_NUM_THREADS is honoured (it was overridden by every core), and the
        // OpenMP wait policy the runtime read is reported.
        auto run = [](const QStringList& env) {
            QProcess p;
            QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
            for (const char* name : {"OMP_WAIT_POLICY", "OMP_NUM_THREADS"})
                e.remove(QString::fromLatin1(name));
            for (const QString& kv : env)
                e.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
            p.setProcessEnvironment(e);
            p.start(QStringLiteral(PATCHBAY_CLI_PATH), {QStringLiteral("info"), QStringLiteral("--system")});
            p.waitForFinished(120000);
            return nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        };
        QCOMPARE(run({})["omp_wait_policy"].get<std::string>(), std::string());
        QCOMPARE(run({QStringLiteral("OMP_WAIT_POLICY=PASSIVE")})["omp_wait_policy"].get<std::string>(), std::string("PASSIVE"));
        QCOMPARE(run({QStringLiteral("OMP_NUM_THREADS=1")})["threads"].get<int>(), 1);
        const auto all = run({});
        QCOMPARE(all["threads"].get<int>(), all["cores"].get<int>());
    }

    void infoModel()
    {
        const auto r = runCli({QStringLiteral("info"), QStringLiteral("--model"), kModels + QStringLiteral("/llama-gqa")});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        std::ifstream refFile(fs::path(kModels.toStdString()) / "llama-gqa" / "reference.json");
        const auto ref = nlohmann::json::parse(refFile)["config_summary"];
        QCOMPARE(j["family"].get<std::string>(), std::string("llama"));
        QCOMPARE(j["layers"].get<int>(), ref["n_layers"].get<int>());
        QCOMPARE(j["heads"].get<int>(), ref["n_heads"].get<int>());
        QCOMPARE(j["kv_heads"].get<int>(), ref["n_kv_heads"].get<int>());
        QCOMPARE(j["d_model"].get<int>(), ref["d_model"].get<int>());
        QCOMPARE(j["d_head"].get<int>(), ref["d_head"].get<int>());
        QCOMPARE(j["d_mlp"].get<int>(), ref["d_mlp"].get<int>());
        QCOMPARE(j["vocab"].get<int>(), ref["vocab"].get<int>());
        QCOMPARE(j["context"].get<int>(), ref["n_ctx"].get<int>());
        QCOMPARE(j["parameters"].get<int64_t>(), ref["n_params"].get<int64_t>());
        QCOMPARE(j["dtype"].get<std::string>(), std::string("float32"));
        QVERIFY(j.contains("tokenizer"));
        QVERIFY(j.contains("prepend_bos"));
    }

    // GGUF files everywhere a model or tokenizer is named (issue 21): info shows the
    // quantization types found; tokenize follows tokenizer.ggml.pre.
    void ggufModelAndTokenizer()
    {
        const QString gguf = QStringLiteral(PATCHBAY_TEST_DATA_DIR "/gguf");
        const auto r = runCli({QStringLiteral("info"), QStringLiteral("--model"), gguf + "/models/llama-q8_0.gguf"});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["family"].get<std::string>(), std::string("llama"));
        QCOMPARE(j["weights_format"].get<std::string>(), std::string("gguf"));
        QCOMPARE(j["weights_dtype"].get<std::string>(), std::string("Q8_0 x23, F32 x7"));
        QCOMPARE(j["weights"].get<std::string>(), std::string("llama-q8_0.gguf"));

        std::ifstream expectedFile(fs::path(gguf.toStdString()) / "tokenizer-expected.json");
        const auto expected = nlohmann::json::parse(expectedFile)["ids"]["smollm"]["Numbers  42"];
        const auto t = runCli({QStringLiteral("tokenize"), QStringLiteral("--tokenizer"), gguf + "/tokenizer-smollm.gguf",
                               QStringLiteral("--text"), QStringLiteral("Numbers  42")});
        QCOMPARE(t.exitCode, 0);
        const auto ids = nlohmann::json::parse(t.out.toStdString())["ids"];
        QVERIFY2(ids == expected, (ids.dump() + " vs " + expected.dump()).c_str());
    }

    void logitsMatchReference()
    {
        std::ifstream refFile(fs::path(kModels.toStdString()) / "pythia" / "reference.json");
        const auto ref = nlohmann::json::parse(refFile)["single"];
        QStringList ids;
        for (const auto& v : ref["input_ids"])
            ids << QString::number(v.get<int>());
        const auto r = runCli({QStringLiteral("logits"), QStringLiteral("--model"), kModels + QStringLiteral("/pythia"),
                               QStringLiteral("--ids"), ids.join(QLatin1Char(','))});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY2(j["positions"] == nlohmann::json({ids.size() - 1}), j["positions"].dump().c_str());
        const auto& row = j["logits"][0];
        QCOMPARE(row.size(), ref["logits_last"].size());
        double maxDiff = 0;
        for (std::size_t i = 0; i < row.size(); ++i)
            maxDiff = std::max(maxDiff, std::abs(row[i].get<double>() - ref["logits_last"][i].get<double>()));
        QVERIFY2(maxDiff <= 1e-4, qPrintable(QString::number(maxDiff)));

        // --top-k agrees with the full row.
        const auto t = runCli({QStringLiteral("logits"), QStringLiteral("--model"), kModels + QStringLiteral("/pythia"),
                               QStringLiteral("--ids"), ids.join(QLatin1Char(',')), QStringLiteral("--top-k"), QStringLiteral("3")});
        QCOMPARE(t.exitCode, 0);
        const auto top = nlohmann::json::parse(t.out.toStdString())["top_k"][0];
        QCOMPARE(top.size(), std::size_t(3));
        int argmax = 0;
        for (std::size_t i = 1; i < row.size(); ++i)
            if (row[i].get<double>() > row[static_cast<std::size_t>(argmax)].get<double>())
                argmax = static_cast<int>(i);
        QCOMPARE(top[0]["id"].get<int>(), argmax);
        QVERIFY(top[0]["logit"].get<double>() >= top[1]["logit"].get<double>());
    }

    void logitsAllPositions()
    {
        const auto r = runCli({QStringLiteral("logits"), QStringLiteral("--model"), kModels + QStringLiteral("/gpt2"),
                               QStringLiteral("--ids"), QStringLiteral("1,2,3"), QStringLiteral("--positions"),
                               QStringLiteral("all")});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY2(j["positions"] == nlohmann::json({0, 1, 2}), j["positions"].dump().c_str());
        QCOMPARE(j["logits"].size(), std::size_t(3));
        QCOMPARE(j["logits"][2].size(), std::size_t(256));
    }

    // --top-k shows each token's text and its raw vocabulary piece ("ĠMary" reads " Mary").
    void logitsTopKShowsTextAndPiece_data()
    {
        QTest::addColumn<QString>("style");
        QTest::newRow("byte-level") << QStringLiteral("byte-level");
        QTest::newRow("sentencepiece") << QStringLiteral("sentencepiece");
    }

    void logitsTopKShowsTextAndPiece()
    {
        QFETCH(QString, style);
        const bool byteLevel = style == QStringLiteral("byte-level");
        // The gpt2 fixture model (256 ids) with a tokenizer whose pieces need decoding.
        QTemporaryDir dir;
        const fs::path d = dir.path().toStdString();
        const fs::path model = fs::path(kModels.toStdString()) / "gpt2";
        fs::copy_file(model / "config.json", d / "config.json");
        fs::copy_file(model / "model.safetensors", d / "model.safetensors");
        // piece -> the text it must read as (hand-written, not from the tokenizer)
        const std::vector<std::pair<std::string, std::string>> known =
            byteLevel ? std::vector<std::pair<std::string, std::string>>{{"\xC4\xA0Mary", " Mary"}, {"\xC4\xA0", " "},
                                                                          {"\xC4\x8A", "\n"}, {"caf\xC3\x83\xC2\xA9", "caf\xC3\xA9"}}
                      : std::vector<std::pair<std::string, std::string>>{{"\xE2\x96\x81Mary", " Mary"}, {"<0x0A>", "\n"},
                                                                          {"\xE2\x96\x81", " "}, {"<s>", "<s>"}};
        nlohmann::json vocab = nlohmann::json::object();
        int next = 0;
        for (const auto& entry : known)
            vocab[entry.first] = next++;
        while (next < 256) {
            vocab["p" + std::to_string(next)] = next;
            ++next;
        }
        nlohmann::json tok = {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}}};
        if (byteLevel) {
            tok["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}};
            tok["decoder"] = {{"type", "ByteLevel"}};
        } else {
            tok["model"]["byte_fallback"] = true;
            tok["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", "first"}, {"split", false}};
            tok["decoder"] = {{"type", "Sequence"},
                              {"decoders", {{{"type", "Replace"}, {"pattern", {{"String", "\xE2\x96\x81"}}}, {"content", " "}},
                                            {{"type", "ByteFallback"}}, {{"type", "Fuse"}},
                                            {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}};
            tok["added_tokens"] = {{{"id", 3}, {"content", "<s>"}, {"special", true}}};
        }
        std::ofstream(d / "tokenizer.json") << tok.dump();

        const auto r = runCli({QStringLiteral("logits"), QStringLiteral("--model"), dir.path(), QStringLiteral("--ids"),
                               QStringLiteral("5,6,7"), QStringLiteral("--top-k"), QStringLiteral("256")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto top = parse(r.out)["top_k"][0];
        QCOMPARE(top.size(), std::size_t(256));
        std::map<std::string, std::string> expected(known.begin(), known.end());
        std::size_t checked = 0;
        for (const auto& e : top) {
            const std::string piece = e["piece"].get<std::string>();
            QCOMPARE(vocab[piece].get<int>(), e["id"].get<int>());
            const auto it = expected.find(piece);
            const std::string want = it != expected.end() ? it->second : piece; // fillers read as themselves
            QCOMPARE(QString::fromStdString(e["text"].get<std::string>()), QString::fromStdString(want));
            checked += it != expected.end();
        }
        QCOMPARE(checked, known.size());
    }

    void errorsNameTheProblem()
    {
        const auto missing = runCli({QStringLiteral("info"), QStringLiteral("--model"), QStringLiteral("/nonexistent/model")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains(QStringLiteral("/nonexistent/model")), qPrintable(missing.err));
        const auto badIds = runCli({QStringLiteral("logits"), QStringLiteral("--model"), kModels + QStringLiteral("/gpt2"),
                                    QStringLiteral("--ids"), QStringLiteral("1,x,3")});
        QCOMPARE(badIds.exitCode, 2);
        QVERIFY2(badIds.err.contains(QStringLiteral("\"x\"")), qPrintable(badIds.err));
        const auto oov = runCli({QStringLiteral("logits"), QStringLiteral("--model"), kModels + QStringLiteral("/gpt2"),
                                 QStringLiteral("--ids"), QStringLiteral("1,999")});
        QCOMPARE(oov.exitCode, 1);
        QVERIFY2(oov.err.contains(QStringLiteral("999")), qPrintable(oov.err));
    }

    void tokenizeGpt2()
    {
        const QString tok = QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/gpt2-tokenizer");
        const auto r = runCli({QStringLiteral("tokenize"), QStringLiteral("--tokenizer"), tok, QStringLiteral("--text"),
                               QStringLiteral("When Mary and John went to the store, John gave a drink to")});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        // The first case of the shared golden tokenization (OpenAI's reference encoder).
        QVERIFY2(j["ids"] == nlohmann::json({2215, 5335, 290, 1757, 1816, 284, 262, 3650, 11, 1757, 2921, 257, 4144, 284}), j["ids"].dump().c_str());
        QCOMPARE(j["tokens"][1].get<std::string>(), std::string("\xC4\xA0Mary")); // "ĠMary"
        QVERIFY2(j["offsets"][1] == nlohmann::json({4, 9}), j["offsets"][1].dump().c_str());
    }

    // 8 MB of text used to take ~430 bytes of memory per input byte (the whole output
    // built as one JSON document) and abort with bad_alloc. Under a 2 GB address-space
    // limit the streamed output must come whole and equal the tokenizer's own encoding.
    void tokenizeLargeTextStreams()
    {
        QTemporaryDir dir;
        const QString textFile = dir.filePath(QStringLiteral("big.txt"));
        std::string text;
        const char* words[] = {" the", " cat", " sat", " on", " a", " mat", " 12", ",", " caf\xC3\xA9", "!\n"};
        for (std::size_t i = 0; text.size() < 8'000'000; ++i)
            text += words[(i * 7 + i / 3) % 10];
        std::ofstream(textFile.toStdString(), std::ios::binary) << text;
        const QString tok = QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/gpt2-tokenizer");
        // AddressSanitizer maps terabytes of shadow memory at start: under it (the CI
        // sanitizer stage) the limit cannot apply, and the output is still checked whole.
#if defined(__SANITIZE_ADDRESS__)
        const QString limit = QStringLiteral("true");
#else
        const QString limit = QStringLiteral("ulimit -v 2000000");
#endif
        QProcess p;
        p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), limit + QStringLiteral(" && exec \"$0\" tokenize "
                                                                                          "--tokenizer \"$1\" --text-file \"$2\""),
                                            QStringLiteral(PATCHBAY_CLI_PATH), tok, textFile});
        QVERIFY(p.waitForFinished(300000));
        QCOMPARE(p.exitCode(), 0);
        const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        const auto spans = patchbay::core::Tokenizer::load(tok.toStdString()).encodeWithSpans(text);
        QCOMPARE(j["ids"].size(), spans.size());
        QCOMPARE(j["tokens"].size(), spans.size());
        for (std::size_t i = 0; i < spans.size(); i += 997) {
            QCOMPARE(j["ids"][i].get<int32_t>(), spans[i].id);
            QVERIFY(j["offsets"][i] == nlohmann::json::array({spans[i].begin, spans[i].end}));
        }
        QVERIFY(j["offsets"].back() == nlohmann::json::array({spans.back().begin, text.size()}));
    }

    void circuitInfoMib()
    {
        const auto r = runCli({QStringLiteral("circuit"), QStringLiteral("info"), kMib});
        QCOMPARE(r.exitCode, 0);
        const auto j = parse(r.out);
        QCOMPARE(j["format"].get<std::string>(), std::string("eap-ig"));
        QCOMPARE(j["edges"].get<int>(), 32491);
        QCOMPARE(j["edges_in_circuit"].get<int>(), 756);
        QCOMPARE(j["nodes"].get<int>(), 158);
        QCOMPARE(j["nodes_in_circuit"].get<int>(), 81);
        QCOMPARE(j["cfg"]["n_layers"].get<int>(), 12);
    }

    // EAP-IG -> native -> EAP-IG gives back the same JSON; DOT has one line per edge in.
    void circuitConvertRoundTrip()
    {
        QTemporaryDir dir;
        const auto native = dir.filePath(QStringLiteral("c.native.json"));
        const auto back = dir.filePath(QStringLiteral("c.eap-ig.json"));
        const auto dot = dir.filePath(QStringLiteral("c.dot"));
        auto r = runCli({QStringLiteral("circuit"), QStringLiteral("convert"), QStringLiteral("--in"), kMib,
                         QStringLiteral("--out"), native, QStringLiteral("--format"), QStringLiteral("native")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({QStringLiteral("circuit"), QStringLiteral("convert"), QStringLiteral("--in"), native,
                    QStringLiteral("--out"), back, QStringLiteral("--format"), QStringLiteral("eap-ig")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(readJson(back) == readJson(kMib));
        r = runCli({QStringLiteral("circuit"), QStringLiteral("convert"), QStringLiteral("--in"), kMib,
                    QStringLiteral("--out"), dot, QStringLiteral("--format"), QStringLiteral("dot")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        std::ifstream in(dot.toStdString());
        std::string line;
        int arrows = 0;
        while (std::getline(in, line))
            arrows += line.find("->") != std::string::npos;
        QCOMPARE(arrows, 756);
        r = runCli({QStringLiteral("circuit"), QStringLiteral("convert"), QStringLiteral("--in"), kMib,
                    QStringLiteral("--out"), dot, QStringLiteral("--format"), QStringLiteral("graphml")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("graphml")), qPrintable(r.err));
    }

    // The top-756 edges by |score| as a reference: the scores rank it perfectly (AUC 1).
    void circuitRocAgainstTopN()
    {
        QTemporaryDir dir;
        const auto top = dir.filePath(QStringLiteral("top.json"));
        auto r = runCli({QStringLiteral("circuit"), QStringLiteral("convert"), QStringLiteral("--in"), kMib,
                         QStringLiteral("--out"), top, QStringLiteral("--format"), QStringLiteral("eap-ig"),
                         QStringLiteral("--top-n"), QStringLiteral("756")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({QStringLiteral("circuit"), QStringLiteral("roc"), QStringLiteral("--scored"), kMib,
                    QStringLiteral("--reference"), top});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = parse(r.out);
        QCOMPARE(j["edge_auc"].get<double>(), 1.0);
        QCOMPARE(j["reference_edges"].get<int>(), 756);
    }

    // evaluate against the logits command: the clean metric is the mean logit difference
    // of each prompt run alone; all edges kept = faithfulness 1, none = 0.
    void evaluateFixture()
    {
        using namespace patchbay::core;
        QTemporaryDir dir;
        const auto circuitFile = dir.filePath(QStringLiteral("circuit.json"));
        Circuit c(Graph(3, 4, 4, false), 32);
        c.edgeScores.resize(c.graph.edgeCount());
        for (std::size_t e = 0; e < c.edgeScores.size(); ++e)
            c.edgeScores[e] = static_cast<double>((e * 7919) % 101) - 50.0;
        writeCircuit(c, circuitFile.toStdString(), CircuitFormat::EapIg);
        const auto model = kModels + QStringLiteral("/gpt2");
        const QStringList base = {QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                                  QStringLiteral("--circuit"), circuitFile, QStringLiteral("--batch-size"), QStringLiteral("2")};

        auto r = runCli(base + QStringList{QStringLiteral("--top-n"), QString::number(c.graph.edgeCount())});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto j = parse(r.out);
        QCOMPARE(j["examples"].get<int>(), 3);
        QCOMPARE(j["metric"].get<std::string>(), std::string("logit-diff"));
        QVERIFY(std::abs(j["circuit"]["faithfulness"].get<double>() - 1.0) < 1e-4);

        double expected = 0;
        const auto pairs = readJson(kPairs);
        for (const auto& pair : pairs["pairs"]) {
            QStringList ids;
            for (const auto& id : pair["clean_ids"])
                ids << QString::number(id.get<int>());
            const auto lr = runCli({QStringLiteral("logits"), QStringLiteral("--model"), model, QStringLiteral("--ids"), ids.join(u',')});
            QVERIFY2(lr.exitCode == 0, qPrintable(lr.err));
            const auto logits = parse(lr.out)["logits"][0];
            expected += (logits[pair["answer_ids"][0].get<int>()].get<double>() - logits[pair["wrong_answer_ids"][0].get<int>()].get<double>()) / 3;
        }
        QVERIFY2(std::abs(j["clean_metric"].get<double>() - expected) < 1e-4,
                 qPrintable(QStringLiteral("%1 vs %2").arg(j["clean_metric"].get<double>()).arg(expected)));

        // Without --circuit: how well the model does the task, the same clean metric, and
        // per pair the ids read and the logit difference the logits command gives.
        r = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--per-pair")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto task = parse(r.out);
        QCOMPARE(task["metric"].get<std::string>(), std::string("logit-diff"));
        QVERIFY(std::abs(task["clean"]["metric"].get<double>() - expected) < 1e-4);
        QVERIFY(std::abs(task["corrupted"]["metric"].get<double>() - j["reference_metric"].get<double>()) < 1e-4);
        QCOMPARE(task["pairs"].size(), std::size_t{3});
        double correct = 0;
        for (std::size_t i = 0; i < 3; ++i) {
            const auto& row = task["pairs"][i];
            QVERIFY(row["clean_ids"] == pairs["pairs"][i]["clean_ids"]);
            QStringList ids;
            for (const auto& id : row["clean_ids"])
                ids << QString::number(id.get<int>());
            const auto lr = runCli({QStringLiteral("logits"), QStringLiteral("--model"), model, QStringLiteral("--ids"), ids.join(u',')});
            const auto logits = parse(lr.out)["logits"][0];
            const double diff = logits[row["answer_ids"][0].get<int>()].get<double>() - logits[row["wrong_answer_ids"][0].get<int>()].get<double>();
            QVERIFY(std::abs(row["logit_diff"].get<double>() - diff) < 1e-4);
            QCOMPARE(row["correct"].get<bool>(), diff > 0);
            correct += diff > 0;
        }
        QCOMPARE(task["clean"]["accuracy"].get<double>(), correct / 3);
        r = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--sweep")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--circuit")), qPrintable(r.err));
        r = runCli(base + QStringList{QStringLiteral("--per-pair")});
        QCOMPARE(r.exitCode, 2);

        r = runCli(base + QStringList{QStringLiteral("--top-n"), QStringLiteral("0")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(std::abs(parse(r.out)["circuit"]["faithfulness"].get<double>()) < 1e-4);

        r = runCli(base + QStringList{QStringLiteral("--sweep"), QStringLiteral("--reference"), QStringLiteral("mean")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        j = parse(r.out);
        // MIB's protocol: a curve ranked by signed score for CPR and one by |score| for CMD,
        // each at 0.1 % … 100 % (no point at 0). The file has no score_sign (EAP-IG's
        // convention), so the signed curve takes the largest scores first.
        const auto& sw = j["sweep"];
        QCOMPARE(sw["signed"]["order"].get<std::string>(), std::string("largest-first"));
        QCOMPARE(sw["magnitude"]["order"].get<std::string>(), std::string("magnitude"));
        QVERIFY(sw["pruned"].get<bool>());
        QCOMPARE(sw["selection"].get<std::string>(), std::string("top-n"));
        const auto areas = [](const nlohmann::json& points) {
            // Trapezoids over the printed points (the same double arithmetic; the points
            // print as shortest round-trip text).
            double under = 0, from1 = 0;
            for (std::size_t i = 1; i < points.size(); ++i) {
                const double dx = points[i]["fraction"].get<double>() - points[i - 1]["fraction"].get<double>();
                const double f0 = points[i - 1]["faithfulness"].get<double>(), f1 = points[i]["faithfulness"].get<double>();
                under += dx * (f0 + f1) / 2;
                from1 += dx * (std::abs(1 - f0) + std::abs(1 - f1)) / 2;
            }
            return std::pair{under, from1};
        };
        for (const char* curve : {"signed", "magnitude"}) {
            const auto& points = sw[curve]["points"];
            QCOMPARE(points.size(), std::size_t(10));
            QCOMPARE(points[0]["fraction"].get<double>(), 0.001);
            // ⌊p × edges⌋ selected, as MIB's int(); pruning only removes.
            for (const auto& p : points) {
                QCOMPARE(p["edges"].get<std::size_t>(),
                         static_cast<std::size_t>(p["fraction"].get<double>() * static_cast<double>(c.graph.edgeCount())));
                QVERIFY(p["kept"].get<std::size_t>() <= p["edges"].get<std::size_t>());
            }
            QCOMPARE(points[9]["kept"].get<std::size_t>(), c.graph.edgeCount());
            QVERIFY(std::abs(points[9]["faithfulness"].get<double>() - 1.0) < 1e-4);
            const auto [under, from1] = areas(points);
            QVERIFY2(std::abs(sw[curve]["area"].get<double>() - under) <= 1e-12, sw.dump().c_str());
            QVERIFY2(std::abs(sw[curve]["area_from_1"].get<double>() - from1) <= 1e-12, sw.dump().c_str());
        }
        QCOMPARE(sw["cpr"].get<double>(), sw["signed"]["area"].get<double>());
        QCOMPARE(sw["cmd"].get<double>(), sw["magnitude"]["area_from_1"].get<double>());

        r = runCli(base + QStringList{QStringLiteral("--sweep"), QStringLiteral("--sweep-order"), QStringLiteral("smallest-first"),
                                      QStringLiteral("--sweep-unpruned")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        j = parse(r.out);
        QCOMPARE(j["sweep"]["signed"]["order"].get<std::string>(), std::string("smallest-first"));
        QVERIFY(!j["sweep"]["pruned"].get<bool>());
        for (const auto& p : j["sweep"]["signed"]["points"])
            QCOMPARE(p["kept"].get<std::size_t>(), p["edges"].get<std::size_t>());
        // Greedy: each |score| point is the circuit --greedy N --prune evaluates.
        r = runCli(base + QStringList{QStringLiteral("--sweep"), QStringLiteral("--sweep-selection"), QStringLiteral("greedy")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        j = parse(r.out);
        QCOMPARE(j["sweep"]["selection"].get<std::string>(), std::string("greedy"));
        const auto& greedyPoint = j["sweep"]["magnitude"]["points"][5];
        r = runCli(base + QStringList{QStringLiteral("--greedy"), QString::number(greedyPoint["edges"].get<std::size_t>()),
                                      QStringLiteral("--prune")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(parse(r.out)["circuit"]["edges"].get<std::size_t>(), greedyPoint["kept"].get<std::size_t>());
        QVERIFY(std::abs(parse(r.out)["circuit"]["metric"].get<double>() - greedyPoint["metric"].get<double>()) < 1e-5);
        r = runCli(base + QStringList{QStringLiteral("--sweep"), QStringLiteral("--sweep-selection"), QStringLiteral("paths")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("greedy")), qPrintable(r.err));
        r = runCli(base + QStringList{QStringLiteral("--sweep-selection"), QStringLiteral("greedy")});
        QCOMPARE(r.exitCode, 2);
        r = runCli(base + QStringList{QStringLiteral("--sweep"), QStringLiteral("--sweep-order"), QStringLiteral("magnitude")});
        QCOMPARE(r.exitCode, 2);
        r = runCli(base + QStringList{QStringLiteral("--sweep-order"), QStringLiteral("largest-first")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--sweep")), qPrintable(r.err));

        r = runCli(base + QStringList{QStringLiteral("--metric"), QStringLiteral("accuracy")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("accuracy")), qPrintable(r.err));
    }

    // A GPT-2-small circuit on a 3-layer, 4-head model: refused, saying what differs.
    void evaluateMismatchedCircuit()
    {
        const auto r = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), kModels + QStringLiteral("/gpt2"),
                               QStringLiteral("--data"), kPairs, QStringLiteral("--circuit"), kMib});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("layers 12 vs 3")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("heads 12 vs 4")), qPrintable(r.err));
    }

    // attribute --method eap writes the EAP-IG file whose scores match TransformerLens's
    // (the same fixture test_attribution checks in-process); ACDC reports one run per τ.
    void attributeEap()
    {
        QTemporaryDir dir;
        const auto out = dir.filePath(QStringLiteral("eap.json"));
        const auto model = kModels + QStringLiteral("/gpt2");
        auto r = runCli({QStringLiteral("attribute"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                         QStringLiteral("--method"), QStringLiteral("eap"), QStringLiteral("--out"), out,
                         QStringLiteral("--top-n"), QStringLiteral("25")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto j = parse(r.out);
        QCOMPARE(j["edges_in_circuit"].get<int>(), 25);
        const auto written = readJson(out);
        const auto peer = readJson(QStringLiteral(PATCHBAY_TEST_DATA_DIR "/attribution/gpt2-eap.json"));
        std::map<std::string, std::size_t> senderIndex, receiverIndex;
        for (std::size_t i = 0; i < peer["senders"].size(); ++i)
            senderIndex[peer["senders"][i].get<std::string>()] = i;
        for (std::size_t i = 0; i < peer["receivers"].size(); ++i)
            receiverIndex[peer["receivers"][i].get<std::string>()] = i;
        QCOMPARE(written["edges"].size(), std::size_t(262)); // 3 layers, 4 heads: 12+5 + 72+10 + 132+15 + 16
        int in = 0;
        for (const auto& [name, edge] : written["edges"].items()) {
            const auto arrow = name.find("->");
            const double want = peer["eap"][senderIndex.at(name.substr(0, arrow))][receiverIndex.at(name.substr(arrow + 2))].get<double>();
            QVERIFY2(std::abs(edge["score"].get<double>() - want) <= 1e-5, name.c_str());
            in += edge["in_graph"].get<bool>();
        }
        QCOMPARE(in, 25);

        r = runCli({QStringLiteral("attribute"), QStringLiteral("--model"), kModels + QStringLiteral("/gpt2-sparse"),
                    QStringLiteral("--data"), kPairs, QStringLiteral("--method"), QStringLiteral("acdc"), QStringLiteral("--metric"),
                    QStringLiteral("kl"), QStringLiteral("--tau"), QStringLiteral("0.001,1e9"), QStringLiteral("--out"), out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        j = parse(r.out);
        QCOMPARE(j["acdc"].size(), std::size_t(2));
        QVERIFY(j["acdc"][0]["edges"].get<int>() > 0);
        QCOMPARE(j["acdc"][1]["edges"].get<int>(), 0);
        QCOMPARE(parse(runCli({QStringLiteral("circuit"), QStringLiteral("info"), out}).out)["edges_in_circuit"].get<int>(),
                 j["acdc"][0]["edges"].get<int>());

        r = runCli({QStringLiteral("attribute"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--method"), QStringLiteral("eap-integrated"), QStringLiteral("--out"), out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("eap-ig")), qPrintable(r.err));
    }

    // A grouped-query model (llama-gqa: 3 layers, 4 query heads, 2 key/value heads): one edge,
    // one score, one name in every output; provenance survives conversion; convert --top-n
    // and evaluate --top-n pick the same circuit; the per-query-head layout is refused for scores.
    void attributeGroupedQuery()
    {
        using namespace patchbay::core;
        QTemporaryDir dir;
        const auto out = dir.filePath(QStringLiteral("eap.json"));
        const auto model = kModels + QStringLiteral("/llama-gqa");
        auto r = runCli({QStringLiteral("attribute"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                         QStringLiteral("--method"), QStringLiteral("eap"), QStringLiteral("--out"), out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto stdoutJson = parse(r.out);
        const Graph g(3, 4, 2, false);
        const auto written = readJson(out);
        QCOMPARE(written["cfg"]["n_kv_heads"].get<int>(), 2);
        QCOMPARE(written["edges"].size(), g.edgeCount());
        QCOMPARE(written["method"].get<std::string>(), std::string("eap"));
        for (const auto& [name, edge] : written["edges"].items())
            QVERIFY2(g.findEdge(name).has_value(), name.c_str());
        for (const auto& top : stdoutJson["top_edges"]) { // the names and scores of the file
            const auto name = top["name"].get<std::string>();
            QVERIFY2(written["edges"].contains(name), name.c_str());
            QCOMPARE(written["edges"][name]["score"].get<double>(), top["score"].get<double>());
        }
        // Seconds: the whole and its parts.
        const auto& parts = stdoutJson["seconds_parts"];
        double sum = 0;
        for (const char* key : {"load", "prepare_data", "clean_pass", "reference_pass", "method", "write"}) {
            QVERIFY2(parts.contains(key) && parts[key].get<double>() >= 0, key);
            sum += parts[key].get<double>();
        }
        QVERIFY(sum <= stdoutJson["seconds"].get<double>());

        const auto native = dir.filePath(QStringLiteral("native.json"));
        r = runCli({QStringLiteral("circuit"), QStringLiteral("convert"), QStringLiteral("--in"), out, QStringLiteral("--out"), native,
                    QStringLiteral("--format"), QStringLiteral("native")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto n = readJson(native);
        QCOMPARE(n["cfg"]["n_kv_heads"].get<int>(), 2);
        QCOMPARE(n["method"].get<std::string>(), std::string("eap"));
        QCOMPARE(n["metric"].get<std::string>(), std::string("logit-diff"));
        QCOMPARE(n["reference"].get<std::string>(), std::string("corrupted"));
        QVERIFY(!n["score_sign"].get<std::string>().empty());

        const auto top = dir.filePath(QStringLiteral("top.json"));
        r = runCli({QStringLiteral("circuit"), QStringLiteral("convert"), QStringLiteral("--in"), out, QStringLiteral("--out"), top,
                    QStringLiteral("--format"), QStringLiteral("eap-ig"), QStringLiteral("--top-n"), QStringLiteral("20")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto converted = parse(r.out);
        r = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--circuit"), out, QStringLiteral("--top-n"), QStringLiteral("20")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto evaluated = parse(r.out);
        QCOMPARE(evaluated["circuit"]["edges"].get<int>(), converted["edges_in_circuit"].get<int>());
        QCOMPARE(evaluated["circuit"]["nodes"].get<int>(), converted["nodes_in_circuit"].get<int>());
        // ...and evaluating the converted file (all its 20 edges) gives the same metric.
        r = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--circuit"), top});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(parse(r.out)["circuit"]["metric"].get<double>(), evaluated["circuit"]["metric"].get<double>());

        r = runCli({QStringLiteral("circuit"), QStringLiteral("convert"), QStringLiteral("--in"), out, QStringLiteral("--out"), top,
                    QStringLiteral("--format"), QStringLiteral("eap-ig-per-query-head")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("per query head")), qPrintable(r.err));
    }

    // The ungrouped graph of a grouped-query model (--gqa ungrouped: a <k>/<v> receiver per
    // query head, MIB's layout), and an MIB-style file (EAP-IG's plain cfg, per-query-head
    // names) imported and evaluated on it as it is, without renaming or merging.
    void ungroupedGraphAndMibFiles()
    {
        using namespace patchbay::core;
        QTemporaryDir dir;
        const auto out = dir.filePath(QStringLiteral("eap.json"));
        const auto model = kModels + QStringLiteral("/llama-gqa");
        auto r = runCli({QStringLiteral("attribute"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                         QStringLiteral("--method"), QStringLiteral("eap"), QStringLiteral("--gqa"), QStringLiteral("ungrouped"),
                         QStringLiteral("--out"), out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(parse(r.out)["gqa_layout"].get<std::string>(), std::string("ungrouped"));
        auto written = readJson(out);
        const Graph ungrouped(3, 4, 4, false);
        QVERIFY(!written["cfg"].contains("n_kv_heads")); // EAP-IG's cfg, as MIB's files have it
        QCOMPARE(written["cfg"]["gqa_layout"].get<std::string>(), std::string("ungrouped"));
        QCOMPARE(written["cfg"]["model_n_kv_heads"].get<int>(), 2);
        QCOMPARE(written["edges"].size(), ungrouped.edgeCount());
        QVERIFY(written["edges"].contains("a0.h1->a1.h3<k>"));
        QVERIFY(written["edges"]["a0.h1->a1.h3<k>"]["score"].get<double>() != 0);

        // The file as MIB writes it: no gqa_layout, no provenance; 30 edges in the circuit.
        written["cfg"].erase("gqa_layout");
        written["cfg"].erase("model_n_kv_heads");
        for (const char* key : {"method", "metric", "reference", "score_sign"})
            written.erase(key);
        std::vector<std::pair<double, std::string>> byScore;
        for (const auto& [name, edge] : written["edges"].items())
            byScore.emplace_back(-std::abs(edge["score"].get<double>()), name);
        std::sort(byScore.begin(), byScore.end());
        for (auto& [name, edge] : written["edges"].items())
            edge["in_graph"] = false;
        int kvIn = 0;
        for (std::size_t i = 0; i < 30; ++i) {
            written["edges"][byScore[i].second]["in_graph"] = true;
            kvIn += byScore[i].second.find("<k>") != std::string::npos || byScore[i].second.find("<v>") != std::string::npos;
        }
        QVERIFY(kvIn > 0); // per-query-head key/value edges are part of it
        const auto mib = dir.filePath(QStringLiteral("mib.json"));
        {
            std::ofstream f(mib.toStdString());
            f << written.dump();
        }
        r = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--circuit"), mib});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto asMib = parse(r.out);
        QCOMPARE(asMib["gqa_layout"].get<std::string>(), std::string("ungrouped"));
        QCOMPARE(asMib["circuit"]["edges"].get<int>(), 30); // not merged per key/value head
        // The same 30 edges selected from our own file: the same metric.
        r = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--circuit"), out, QStringLiteral("--top-n"), QStringLiteral("30")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(parse(r.out)["circuit"]["metric"].get<double>(), asMib["circuit"]["metric"].get<double>());
        // Merged onto the grouped graph on request: fewer edges (a group's k/v edges are one).
        r = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--circuit"), mib, QStringLiteral("--gqa"), QStringLiteral("grouped")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(parse(r.out)["gqa_layout"].get<std::string>(), std::string("grouped"));
        QVERIFY(parse(r.out)["circuit"]["edges"].get<int>() <= 30);

        // Native keeps the layout; it reads back as the ungrouped graph.
        const auto native = dir.filePath(QStringLiteral("native.json"));
        r = runCli({QStringLiteral("circuit"), QStringLiteral("convert"), QStringLiteral("--in"), out, QStringLiteral("--out"), native,
                    QStringLiteral("--format"), QStringLiteral("native")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto n = readJson(native);
        QCOMPARE(n["cfg"]["gqa_layout"].get<std::string>(), std::string("ungrouped"));
        QCOMPARE(n["cfg"]["n_kv_heads"].get<int>(), 4);
        QCOMPARE(n["cfg"]["model_n_kv_heads"].get<int>(), 2);
        QCOMPARE(n["edges"].size(), ungrouped.edgeCount());
        // A grouped file says so too.
        r = runCli({QStringLiteral("attribute"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--method"), QStringLiteral("eap"), QStringLiteral("--out"), out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(readJson(out)["cfg"]["gqa_layout"].get<std::string>(), std::string("grouped"));
        // A grouped circuit is refused on the ungrouped graph, with the reason.
        r = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                    QStringLiteral("--circuit"), out, QStringLiteral("--gqa"), QStringLiteral("ungrouped")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("grouped graph")), qPrintable(r.err));
    }

    // exact on a shortlist: --edges LIST and --top-k N of a ranking method, with agreement.
    void exactShortlist()
    {
        QTemporaryDir dir;
        const auto out = dir.filePath(QStringLiteral("exact.json"));
        const auto model = kModels + QStringLiteral("/llama-gqa");
        const QStringList base = {QStringLiteral("attribute"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs,
                                  QStringLiteral("--method"), QStringLiteral("exact"), QStringLiteral("--out"), out};
        auto r = runCli(base + QStringList{QStringLiteral("--top-k"), QStringLiteral("15"), QStringLiteral("--rank-by"), QStringLiteral("eap")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto j = parse(r.out);
        QCOMPARE(j["shortlist"]["edges"].get<int>(), 15);
        QCOMPARE(j["shortlist"]["ranking"].get<std::string>(), std::string("eap"));
        QCOMPARE(j["agreement"]["edges"].get<int>(), 15);
        QVERIFY(j["agreement"]["spearman"].is_number());
        QCOMPARE(j["agreement"]["top_overlap"][0]["n"].get<int>(), 7); // sizes: half of 15, then 10
        QCOMPARE(j["edges_in_circuit"].get<int>(), 15);
        QVERIFY(j["seconds_parts"].contains("ranking"));
        const auto first = readJson(out);

        // The same edges named on the command line: the same exact scores.
        QStringList names;
        for (const auto& [name, edge] : first["edges"].items())
            if (edge["in_graph"].get<bool>())
                names << QString::fromStdString(name);
        r = runCli(base + QStringList{QStringLiteral("--edges"), names.join(u',')});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto second = readJson(out);
        for (const auto& name : names) {
            const auto key = name.toStdString();
            // Other copies share a forward (the list's order differs): float32 rounding only.
            const double a = second["edges"][key]["score"].get<double>(), b = first["edges"][key]["score"].get<double>();
            QVERIFY2(std::abs(a - b) <= 1e-6 + 1e-5 * std::abs(b), key.c_str());
        }
        QVERIFY(!parse(r.out).contains("agreement")); // a plain list has no ranking

        r = runCli(base + QStringList{QStringLiteral("--edges"), QStringLiteral("a0.h1->a1.h3<k>")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("a0.h1->a1.h3<k>")) && r.err.contains(QStringLiteral("kv")), qPrintable(r.err));
        r = runCli({QStringLiteral("attribute"), QStringLiteral("--model"), model, QStringLiteral("--data"), kPairs, QStringLiteral("--method"),
                    QStringLiteral("eap"), QStringLiteral("--out"), out, QStringLiteral("--top-k"), QStringLiteral("5")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("exact")), qPrintable(r.err));
    }

    // validate: a good file passes (exit 0); a file with bad rows lists each one (exit 1),
    // and --drop-invalid writes the others (exit 0).
    void validateCommand()
    {
        const QString tokenizer = QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/gpt2-tokenizer");
        const QString datasets = QStringLiteral(PATCHBAY_TEST_DATA_DIR "/datasets");
        const QStringList base{QStringLiteral("validate"), QStringLiteral("--tokenizer"), tokenizer, QStringLiteral("--data")};

        auto r = runCli(base + QStringList{datasets + QStringLiteral("/native_text.csv")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto j = parse(r.out);
        QCOMPARE(j["format"].get<std::string>(), std::string("native-csv"));
        QCOMPARE(j["rows"].get<int>(), 3);
        QCOMPARE(j["valid_rows"].get<int>(), 3);
        QVERIFY(j["errors"].empty());
        QCOMPARE(j["warnings"].size(), std::size_t(1)); // the unknown "note" column, for the whole file
        QCOMPARE(j["warnings"][0]["row"].get<int>(), 0);

        const QString bad = datasets + QStringLiteral("/invalid/several_errors.csv");
        r = runCli(base + QStringList{bad});
        QCOMPARE(r.exitCode, 1);
        j = parse(r.out);
        QCOMPARE(j["rows"].get<int>(), 6);
        QCOMPARE(j["valid_rows"].get<int>(), 4);
        QCOMPARE(j["errors"].size(), std::size_t(2));
        QCOMPARE(j["errors"][0]["row"].get<int>(), 2);
        QVERIFY(j["errors"][0]["message"].get<std::string>().find("row 2: clean has 2 tokens, corrupted 3 (1 more)") != std::string::npos);
        QCOMPARE(j["errors"][1]["row"].get<int>(), 3);
        QVERIFY(j["errors"][1]["message"].get<std::string>().find("row 3: answer \" Mary Ann\" is 2 tokens") != std::string::npos);
        QCOMPARE(j["warnings"].size(), std::size_t(1));
        QVERIFY(j["warnings"][0]["message"].get<std::string>().find("row 5: duplicates row 1") != std::string::npos);

        r = runCli(base + QStringList{bad, QStringLiteral("--multi-token-answers")});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(parse(r.out)["errors"].size(), std::size_t(1));

        QTemporaryDir dir;
        const auto kept = dir.filePath(QStringLiteral("kept.json"));
        r = runCli(base + QStringList{bad, QStringLiteral("--drop-invalid"), QStringLiteral("--out"), kept,
                                      QStringLiteral("--format"), QStringLiteral("native-json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        j = parse(r.out);
        QCOMPARE(j["dropped"].get<int>(), 2);
        QCOMPARE(j["errors"].size(), std::size_t(2)); // still reported
        r = runCli(base + QStringList{kept});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out));
        QCOMPARE(parse(r.out)["rows"].get<int>(), 4);

        r = runCli(base + QStringList{bad, QStringLiteral("--drop-invalid")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--out")), qPrintable(r.err));
    }

    // dataset convert: auto-circuit JSON (text answers) to EAP-IG CSV needs the tokenizer;
    // EAP-IG CSV -> native CSV -> native JSON -> EAP-IG CSV gives the same bytes back.
    void datasetConvertCommand()
    {
        const QString tokenizer = QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/gpt2-tokenizer");
        const QString source = QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/tasks/peer-formats/auto-circuit_ioi_ABBA_template_0.json");
        QTemporaryDir dir;
        auto convert = [&](const QString& in, const QString& out, const char* format, const QStringList& extra = {}) {
            return runCli(QStringList{QStringLiteral("dataset"), QStringLiteral("convert"), QStringLiteral("--in"), in,
                                      QStringLiteral("--out"), out, QStringLiteral("--format"), QLatin1String(format)}
                          + extra);
        };
        const auto eapIg = dir.filePath(QStringLiteral("ioi.csv"));
        auto r = convert(source, eapIg, "eap-ig-csv");
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--tokenizer")), qPrintable(r.err));

        r = convert(source, eapIg, "eap-ig-csv", {QStringLiteral("--tokenizer"), tokenizer});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto j = parse(r.out);
        QCOMPARE(j["rows"].get<int>(), 1000);
        QCOMPARE(j["in_format"].get<std::string>(), std::string("auto-circuit-json"));
        auto readAll = [](const QString& file) {
            std::ifstream in(file.toStdString(), std::ios::binary);
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        const std::string written = readAll(eapIg);
        QVERIFY(written.rfind("clean,corrupted,correct_idx,incorrect_idx\n"
                              "\"Then, Scott and Jeremy went to the hospital. Jeremy gave a snack to\",", 0) == 0);

        const auto native = dir.filePath(QStringLiteral("ioi-native.csv"));
        const auto json = dir.filePath(QStringLiteral("ioi-native.json"));
        const auto back = dir.filePath(QStringLiteral("ioi-back.csv"));
        QCOMPARE(convert(eapIg, native, "native-csv").exitCode, 0);
        QCOMPARE(convert(native, json, "native-json").exitCode, 0);
        r = convert(json, back, "eap-ig-csv");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(readAll(back) == written);

        r = convert(source, back, "parquet");
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("native-csv")), qPrintable(r.err));
    }

    // generate-task writes the pairs the core generates for the same options, in a file
    // readDataset() reads back (greater-than as a greater-than dataset).
    void generateTask_data()
    {
        QTest::addColumn<QString>("task");
        QTest::addColumn<QString>("file");
        QTest::newRow("ioi csv") << "ioi" << "ioi.csv";
        QTest::newRow("greater-than csv") << "greater-than" << "greater-than.csv";
        QTest::newRow("induction json") << "induction" << "induction.json";
        QTest::newRow("docstring json") << "docstring" << "docstring.json";
    }

    void generateTask()
    {
        QFETCH(QString, task);
        QFETCH(QString, file);
        const QString tokenizer = QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/gpt2-tokenizer");
        QTemporaryDir dir;
        const QString out = dir.filePath(file);
        const auto r = runCli({QStringLiteral("generate-task"), task, QStringLiteral("--tokenizer"), tokenizer,
                               QStringLiteral("--n"), QStringLiteral("20"), QStringLiteral("--seed"), QStringLiteral("9"),
                               QStringLiteral("--out"), out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = parse(r.out);
        QCOMPARE(j["task"].get<std::string>(), task.toStdString());
        QCOMPARE(j["n"].get<int>(), 20);
        QCOMPARE(j["seed"].get<int>(), 9);
        QCOMPARE(j["file"].get<std::string>(), out.toStdString());
        QCOMPARE(j["metric"].get<std::string>(), std::string(task == QLatin1String("greater-than") ? "prob-diff" : "logit-diff"));
        QVERIFY(j["notes"].is_array());
        QVERIFY(j["skipped"].is_object());

        patchbay::core::TaskOptions options;
        options.task = task.toStdString();
        options.n = 20;
        options.seed = 9;
        const auto expected = patchbay::core::generateTask(options, patchbay::core::Tokenizer::load(tokenizer.toStdString())).data;
        const auto data = patchbay::core::readDataset(out.toStdString());
        QCOMPARE(data.task, expected.task);
        QCOMPARE(data.pairs.size(), expected.pairs.size());
        for (std::size_t i = 0; i < data.pairs.size(); ++i) {
            QCOMPARE(data.pairs[i].clean, expected.pairs[i].clean);
            QCOMPARE(data.pairs[i].corrupted, expected.pairs[i].corrupted);
            QCOMPARE(data.pairs[i].answers, expected.pairs[i].answers);
            QCOMPARE(data.pairs[i].wrongAnswers, expected.pairs[i].wrongAnswers);
        }
    }

    void generateTaskUsage()
    {
        const QString tokenizer = QStringLiteral(PATCHBAY_SHARED_DATA_DIR "/gpt2-tokenizer");
        QTemporaryDir dir;
        auto generate = [&](const QString& task, const QString& out, const QStringList& extra = {}) {
            return runCli(QStringList{QStringLiteral("generate-task"), task, QStringLiteral("--tokenizer"), tokenizer,
                                      QStringLiteral("--out"), dir.filePath(out)}
                          + extra);
        };
        auto r = generate(QStringLiteral("ioj"), QStringLiteral("x.csv"));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("unknown task \"ioj\"")), qPrintable(r.err));
        r = generate(QStringLiteral("ioi"), QStringLiteral("x.txt"));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral(".csv or .json")), qPrintable(r.err));
        r = generate(QStringLiteral("ioi"), QStringLiteral("x.csv"), {QStringLiteral("--length"), QStringLiteral("4")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--length")), qPrintable(r.err));
        r = generate(QStringLiteral("ioi"), QStringLiteral("x.csv"), {QStringLiteral("--seed"), QStringLiteral("-1")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--seed")), qPrintable(r.err));
        r = generate(QStringLiteral("ioi"), QStringLiteral("x.csv"), {QStringLiteral("--corruption"), QStringLiteral("s1")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("unknown corruption \"s1\"")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
