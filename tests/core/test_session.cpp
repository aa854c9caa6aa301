// SPDX-License-Identifier: MIT
// Session files: everything written comes back equal (scores bit for bit, NaN included,
// pairs as edited, ACDC runs, the circuit with its labels); damaged or foreign files are
// refused with a message naming the file and the field; a write never leaves half a file.
#include "core/common/error.h"
#include "core/data/session.h"

#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

const fs::path kData = PATCHBAY_TEST_DATA_DIR;

Session sample()
{
    Session s;
    s.modelPath = "/models/gpt2";
    s.modelFingerprint = "abc123";
    s.device = "cuda:0";
    s.dtype = "bfloat16";
    s.dataset = readDataset(kData / "datasets" / "native_text.csv");
    s.dataset->pairs[0].clean = "edited in the table";
    s.dataset->task = "greater-than";
    s.datasetFile = (kData / "datasets" / "native_text.csv").string();
    s.settings = {{"method", "acdc"}, {"metric", "kl"}, {"taus", "0.01,0.1"}};
    s.labels = {{"a1.h3", "previous-token head"}};
    s.groups = {{"a1.h3", "induction"}, {"a0.h0", "induction"}};
    s.view = {{"pair", "2"}, {"node", "a1.h3"}, {"attention_layer", "1"}};

    const Graph graph(2, 4, 4, false);
    SessionRun run;
    run.key = "abc123|d1|acdc|kl";
    run.settings = s.settings;
    run.modelKey = "abc123";
    run.datasetKey = "d1";
    run.pairs = 7;
    run.scores.method = Method::Acdc;
    for (std::size_t e = 0; e < graph.edges().size(); ++e)
        run.scores.edgeScores.push_back(std::ldexp(1.0 / 3.0, static_cast<int>(e % 40) - 20) * (e % 2 ? -1 : 1));
    run.scores.edgeScores[3] = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t n = 0; n < graph.senders().size(); ++n)
        run.scores.nodeScores.push_back(n == 2 ? 1e-300 : 0.1 * static_cast<double>(n) - 0.35);
    for (std::size_t i = 0; i < graph.senders().size() * 3; ++i)
        run.scores.nodePositionScores.push_back(static_cast<double>(i) / 7.0);
    run.scores.positions = 3;
    run.scores.cleanMetric = 2.718281828459045;
    run.scores.referenceMetric = -0.5;
    run.scores.seconds = 1.25;
    AcdcRun acdc;
    acdc.tau = 0.01;
    acdc.kept.assign(graph.edges().size(), 0);
    acdc.kept[5] = 1;
    acdc.metric = 1.5;
    acdc.evaluations = 42;
    run.scores.acdc.push_back(acdc);
    Circuit circuit(graph, 64);
    circuit.edgeScores = run.scores.edgeScores;
    circuit.edgeScores[3] = 0.0;
    circuit.edgeInGraph[5] = 1;
    circuit.method = "acdc";
    circuit.labels = s.labels;
    run.circuit = circuit;
    s.runs.push_back(run);
    s.currentRun = run.key;
    s.canvas = circuit;
    s.canvas->edgeInGraph[6] = 1;
    s.canvasTitle = "EAP, edited";
    return s;
}

bool sameDoubles(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))))
            return false;
    return true;
}

void expectError(const std::string& text, const std::string& needle)
{
    try {
        parseSession(text, "s.pbsession");
    } catch (const Error& e) {
        const std::string message = e.what();
        QVERIFY2(message.find("s.pbsession") != std::string::npos && message.find(needle) != std::string::npos,
                 message.c_str());
        return;
    }
    QFAIL(("accepted: " + text.substr(0, 80)).c_str());
}

} // namespace

class TestSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrips()
    {
        const Session a = sample();
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "work.pbsession";
        writeSession(a, file);
        const Session b = readSession(file);
        QCOMPARE(b.modelPath, a.modelPath);
        QCOMPARE(b.modelFingerprint, a.modelFingerprint);
        QCOMPARE(b.device, a.device);
        QCOMPARE(b.dtype, a.dtype);
        QCOMPARE(b.settings, a.settings);
        QCOMPARE(b.labels, a.labels);
        QCOMPARE(b.groups, a.groups);
        QCOMPARE(b.view, a.view);
        QCOMPARE(b.currentRun, a.currentRun);
        QCOMPARE(b.datasetFile, a.datasetFile);
        QVERIFY(b.dataset.has_value());
        QCOMPARE(b.dataset->task, std::string("greater-than"));
        QCOMPARE(b.dataset->pairs.size(), a.dataset->pairs.size());
        for (std::size_t i = 0; i < a.dataset->pairs.size(); ++i) {
            QCOMPARE(b.dataset->pairs[i].clean, a.dataset->pairs[i].clean);
            QCOMPARE(b.dataset->pairs[i].corrupted, a.dataset->pairs[i].corrupted);
            QCOMPARE(b.dataset->pairs[i].answers, a.dataset->pairs[i].answers);
            QCOMPARE(b.dataset->pairs[i].wrongAnswers, a.dataset->pairs[i].wrongAnswers);
        }
        QCOMPARE(b.runs.size(), std::size_t{1});
        const SessionRun& ra = a.runs[0];
        const SessionRun& rb = b.runs[0];
        QCOMPARE(rb.key, ra.key);
        QCOMPARE(rb.settings, ra.settings);
        QCOMPARE(rb.modelKey, ra.modelKey);
        QCOMPARE(rb.datasetKey, ra.datasetKey);
        QCOMPARE(rb.pairs, ra.pairs);
        QVERIFY(rb.scores.method == Method::Acdc);
        QVERIFY(sameDoubles(rb.scores.edgeScores, ra.scores.edgeScores)); // bit for bit, NaN kept
        QVERIFY(sameDoubles(rb.scores.nodeScores, ra.scores.nodeScores));
        QVERIFY(sameDoubles(rb.scores.nodePositionScores, ra.scores.nodePositionScores));
        QCOMPARE(rb.scores.positions, 3);
        QCOMPARE(rb.scores.cleanMetric, ra.scores.cleanMetric);
        QCOMPARE(rb.scores.referenceMetric, ra.scores.referenceMetric);
        QCOMPARE(rb.scores.acdc.size(), std::size_t{1});
        QCOMPARE(rb.scores.acdc[0].kept, ra.scores.acdc[0].kept);
        QCOMPARE(rb.scores.acdc[0].evaluations, std::size_t{42});
        QVERIFY(rb.circuit.has_value());
        QCOMPARE(rb.circuit->edgeInGraph, ra.circuit->edgeInGraph);
        QVERIFY(sameDoubles(rb.circuit->edgeScores, ra.circuit->edgeScores));
        QCOMPARE(rb.circuit->labels, ra.circuit->labels);
        QCOMPARE(rb.circuit->graph.edges().size(), ra.circuit->graph.edges().size());
        QVERIFY(b.canvas.has_value());
        QCOMPARE(b.canvas->edgeInGraph, a.canvas->edgeInGraph);
        QCOMPARE(b.canvasTitle, a.canvasTitle);
        // A second write of what was read is the same text.
        QCOMPARE(sessionToString(b), sessionToString(a));
    }

    void refusesDamagedFiles()
    {
        const std::string good = sessionToString(sample());
        expectError("", "not a session file");
        expectError(good.substr(0, good.size() / 2), "not a session file");
        expectError(R"({"format": "patchbay-circuit", "version": 1})", "not a Patchbay session");
        expectError(R"({"format": "patchbay-session", "version": 99, "model": {}})", "newer");
        expectError(R"({"format": "patchbay-session", "version": 1})", "\"model\" is missing");
        expectError(R"({"format": "patchbay-session", "model": {}, "labels": {"a0.h0": 3}})", "labels");
        auto j = nlohmann::json::parse(good);
        j["runs"][0]["scores"]["edge_scores"][7] = "x";
        expectError(j.dump(), "runs[0].scores: \"edge_scores\"[7]");
        j = nlohmann::json::parse(good);
        j["runs"][0]["scores"]["acdc"][0]["kept"].erase(0);
        expectError(j.dump(), "runs[0].scores.acdc[0]");
        j = nlohmann::json::parse(good);
        j["runs"][0]["scores"]["method"] = "magic";
        expectError(j.dump(), "magic");
        j = nlohmann::json::parse(good);
        j["runs"][0]["scores"]["edge_scores"].erase(0);
        j["runs"][0]["scores"].erase("acdc");
        expectError(j.dump(), "runs[0].scores: \"edge_scores\" has 109 entries for a circuit of 110 edges");
        // Too few edge scores, with an ACDC run that is right: the message blames the
        // scores (it used to blame acdc[0].kept).
        j = nlohmann::json::parse(good);
        j["runs"][0]["scores"]["edge_scores"].erase(0);
        expectError(j.dump(), "runs[0].scores: \"edge_scores\" has 109 entries for a circuit of 110 edges");
        j = nlohmann::json::parse(good);
        j["runs"][0]["scores"]["node_position_scores"].erase(0);
        expectError(j.dump(), "node_position_scores");
        j = nlohmann::json::parse(good);
        j["runs"][0].erase("circuit");
        expectError(j.dump(), "\"circuit\" is missing");
        j = nlohmann::json::parse(good);
        j["runs"][0]["scores"]["acdc"][0]["kept"][0] = 2;
        expectError(j.dump(), "other than 0 and 1");
        expectError(R"({"format": 7, "model": {}})", "not a Patchbay session");
        j = nlohmann::json::parse(good);
        j["dataset"]["pairs"] = nlohmann::json::array();
        expectError(j.dump(), "dataset");
    }

    void writeReplacesWholeFileOnly()
    {
        QTemporaryDir dir;
        const fs::path file = fs::path(dir.path().toStdString()) / "work.pbsession";
        writeSession(sample(), file);
        const auto before = fs::file_size(file);
        // A folder in the way of the new file: the write fails, the old file stays whole.
        const fs::path blocked = fs::path(dir.path().toStdString()) / "missing" / "work.pbsession";
        QVERIFY_THROWS_EXCEPTION(Error, writeSession(sample(), blocked));
        QCOMPARE(fs::file_size(file), before);
        QVERIFY_THROWS_EXCEPTION(Error, readSession(fs::path(dir.path().toStdString()) / "nothing.pbsession"));
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "test_session.moc"
