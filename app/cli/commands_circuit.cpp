// SPDX-License-Identifier: MIT
// circuit info / convert / roc and evaluate: circuit files and their faithfulness.
#include "app/cli/cli.h"

#include "core/methods/attribution.h"
#include "core/graph/circuit.h"
#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/methods/evaluation.h"
#include "core/common/json.h"
#include "core/model/model.h"
#include "core/common/system.h"
#include "core/methods/taskperformance.h"
#include "core/tokenize/tokenizer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <sstream>

namespace patchbay::cli {

namespace {

nlohmann::json cfgJson(const core::Circuit& c)
{
    return {{"n_layers", c.graph.nLayers()},
            {"n_heads", c.graph.nHeads()},
            {"n_kv_heads", c.graph.nKvHeads()},
            {"parallel_attn_mlp", c.graph.parallelAttnMlp()},
            {"d_model", c.dModel}};
}

// NaN (faithfulness of a task the model does not do) as JSON null.
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// --top-n N | --threshold T | --greedy N, then --prune: the edges kept. Returns whether a
// selection was made.
bool applySelection(const Args& args, core::Circuit& c)
{
    const int chosen = int(args.has("top-n")) + int(args.has("threshold")) + int(args.has("greedy"));
    if (chosen > 1)
        throw UsageError("give at most one of --top-n, --threshold and --greedy");
    if (args.has("top-n")) {
        const int n = args.intValue("top-n", -1);
        if (n < 0)
            throw UsageError("--top-n must be a non-negative integer");
        core::selectTopN(c, static_cast<std::size_t>(n));
    } else if (args.has("greedy")) {
        const int n = args.intValue("greedy", -1);
        if (n < 0)
            throw UsageError("--greedy must be a non-negative integer");
        core::selectGreedy(c, static_cast<std::size_t>(n));
    } else if (args.has("threshold")) {
        double t = 0;
        try {
            t = std::stod(args.value("threshold"));
        } catch (const std::exception&) {
            throw UsageError("--threshold must be a number");
        }
        core::selectThreshold(c, t);
    }
    if (args.flags.count("prune"))
        core::prune(c);
    return chosen > 0 || args.flags.count("prune");
}

int cmdCircuit(const Args& args)
{
    if (args.positional.empty())
        throw UsageError("circuit needs a subcommand: info, convert or roc");
    const std::string sub = args.positional[0];
    if (sub == "info") {
        if (args.positional.size() != 2)
            throw UsageError("circuit info takes one FILE");
        core::CircuitFormat format{};
        const auto c = core::readCircuit(args.positional[1], &format);
        nlohmann::json out = {{"file", args.positional[1]},
                              {"format", core::circuitFormatName(format)},
                              {"cfg", cfgJson(c)},
                              {"nodes", c.nodeCount()},
                              {"edges", c.graph.edgeCount()},
                              {"nodes_in_circuit", c.nodesInGraph()},
                              {"edges_in_circuit", c.edgesInGraph()},
                              {"has_scores", c.hasScores()}};
        for (const auto& [key, value] : {std::pair{"method", c.method}, {"metric", c.metric}, {"reference", c.reference},
                                         {"score_sign", c.scoreSign}, {"model", c.modelName}, {"architecture", c.modelArchitecture}})
            if (!value.empty())
                out[key] = value;
        printJson(out);
        return 0;
    }
    if (sub == "convert") {
        auto c = core::readCircuit(args.required("in"));
        const auto format = core::parseCircuitFormat(args.required("format"));
        applySelection(args, c);
        core::writeCircuit(c, args.required("out"), format);
        printJson({{"out", args.value("out")},
                   {"format", core::circuitFormatName(format)},
                   {"edges", c.graph.edgeCount()},
                   {"edges_in_circuit", c.edgesInGraph()},
                   {"nodes_in_circuit", c.nodesInGraph()}});
        return 0;
    }
    if (sub == "roc") {
        auto scored = core::readCircuit(args.required("scored"));
        const auto reference = core::readCircuit(args.required("reference"));
        auto curve = [](const std::vector<core::RocPoint>& points) {
            nlohmann::json j = nlohmann::json::array();
            for (const auto& p : points)
                j.push_back({p.fpr, p.tpr});
            return j;
        };
        const auto edges = core::edgeRoc(scored, reference);
        const auto nodes = core::nodeRoc(scored, reference);
        printJson({{"edge_auc", core::pessimisticAuc(edges)},
                   {"node_auc", core::pessimisticAuc(nodes)},
                   {"reference_edges", reference.edgesInGraph()},
                   {"reference_nodes", reference.nodesInGraph()},
                   {"edge_roc", curve(edges)},
                   {"node_roc", curve(nodes)}});
        return 0;
    }
    throw UsageError("unknown circuit subcommand '" + sub + "' (info, convert or roc)");
}

// The evaluator every dataset command shares: dataset, model, metric, reference, batches.
struct Loaded
{
    std::shared_ptr<core::Model> model;
    std::unique_ptr<core::Evaluator> evaluator;
    std::size_t examples = 0;
    double loadSeconds = 0; // reading the dataset and the model
};

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// --gqa grouped|ungrouped: which graph of a grouped-query model (EvaluationOptions::ungroupedKv).
// `fallback` is what applies without the option.
bool ungroupedFromArgs(const Args& args, bool fallback)
{
    if (!args.has("gqa"))
        return fallback;
    const std::string v = args.value("gqa");
    if (v != "grouped" && v != "ungrouped")
        throw UsageError("--gqa must be grouped (a key/value receiver per key/value head, a3.kv1<k>) or ungrouped "
                         "(one per query head, a3.h5<k>, MIB's layout), got \"" + v + "\"");
    return v == "ungrouped";
}

Loaded loadEvaluator(const Args& args, bool ungroupedByDefault = false)
{
    Loaded out;
    const auto started = std::chrono::steady_clock::now();
    auto data = core::readDataset(args.required("data"));
    out.model = core::Model::load(args.required("model"), loadOptions(args));
    out.loadSeconds = secondsSince(started);
    core::EvaluationOptions options;
    options.metric = args.has("metric") ? core::parseMetric(args.value("metric")) : core::defaultMetric(data);
    options.reference = core::parseReference(args.value("reference", "corrupted"));
    options.batchSize = args.intValue("batch-size", 16);
    if (options.batchSize <= 0)
        throw UsageError("--batch-size must be positive");
    if (args.has("memory-mb")) {
        const int mb = args.intValue("memory-mb", 0);
        if (mb < 0)
            throw UsageError("--memory-mb must be positive, or 0 for no bound");
        options.memoryBudgetBytes = static_cast<std::size_t>(mb) << 20;
    }
    if (args.flags.count("progress"))
        options.progress = [](double f, const std::string& stage) {
            std::cerr << "\r" << stage << ' ' << static_cast<int>(f * 100) << "%      " << std::flush;
        };
    options.ungroupedKv = ungroupedFromArgs(args, ungroupedByDefault);
    out.examples = data.pairs.size();
    out.evaluator = std::make_unique<core::Evaluator>(out.model, std::move(data), options);
    return out;
}

std::vector<double> parseList(const std::string& s, const char* option)
{
    std::vector<double> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            std::size_t used = 0;
            out.push_back(std::stod(item, &used));
            if (used != item.size())
                throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw UsageError(std::string("--") + option + " expects comma-separated numbers, got \"" + item + "\"");
        }
    }
    return out;
}

// evaluate without --circuit: how well the model does the task (core::measureTask).
int cmdTaskPerformance(const Args& args)
{
    for (const char* option : {"reference", "sweep", "sweep-order", "sweep-selection", "sweep-unpruned", "top-n", "threshold", "greedy",
                               "prune", "gqa", "memory-mb"})
        if (args.has(option))
            throw UsageError(std::string("--") + option + " shapes a circuit's evaluation; add --circuit FILE");
    const auto started = std::chrono::steady_clock::now();
    auto data = core::readDataset(args.required("data"));
    const auto model = core::Model::load(args.required("model"), loadOptions(args));
    core::PerformanceOptions options;
    if (args.has("metric"))
        options.metric = core::parseMetric(args.value("metric"));
    options.batchSize = args.intValue("batch-size", 16);
    if (options.batchSize <= 0)
        throw UsageError("--batch-size must be positive");
    if (args.flags.count("progress"))
        options.progress = [](double f, const std::string& stage) {
            std::cerr << "\r" << stage << ' ' << static_cast<int>(f * 100) << "%      " << std::flush;
        };
    const bool perPair = args.flags.count("per-pair") > 0;
    if (perPair) // the ids the model reads, for the output
        core::tokenizeForModel(data, *model);
    const auto result = core::measureTask(*model, data, options);
    if (options.progress)
        std::cerr << '\n';
    nlohmann::json out = {{"model", args.value("model")},
                          {"data", args.value("data")},
                          {"examples", result.pairs},
                          {"metric", core::metricName(result.metric)},
                          {"clean", {{"metric", result.cleanMetric}, {"accuracy", result.accuracy}, {"top1", result.top1}}},
                          {"corrupted", {{"metric", result.corruptedMetric}, {"accuracy", result.corruptedAccuracy}}}};
    if (!data.task.empty())
        out["task"] = data.task;
    if (perPair) {
        const auto* tokenizer = model->tokenizer();
        nlohmann::json rows = nlohmann::json::array();
        for (std::size_t i = 0; i < result.perPair.size(); ++i) {
            const auto& r = result.perPair[i];
            const auto& p = data.pairs[i];
            nlohmann::json row = {{"row", r.row},
                                  {"clean_ids", p.cleanIds},
                                  {"corrupted_ids", p.corruptedIds},
                                  {"answer_ids", p.answerIds},
                                  {"wrong_answer_ids", p.wrongAnswerIds},
                                  {"logit_diff", r.logitDiff},
                                  {"prob_diff", r.probDiff},
                                  {"corrupted_logit_diff", r.corruptedLogitDiff},
                                  {"corrupted_prob_diff", r.corruptedProbDiff},
                                  {"prediction", r.prediction},
                                  {"answer_rank", r.answerRank},
                                  {"correct", r.correct},
                                  {"predicts_answer", r.predictsAnswer}};
            if (tokenizer)
                row["prediction_text"] = tokenizer->tokenText(r.prediction);
            rows.push_back(std::move(row));
        }
        out["pairs"] = std::move(rows);
    }
    out["seconds"] = secondsSince(started);
    printJson(out);
    return 0;
}

int cmdEvaluate(const Args& args)
{
    if (!args.has("circuit"))
        return cmdTaskPerformance(args);
    if (args.has("per-pair"))
        throw UsageError("--per-pair lists the model's score on each pair; drop --circuit for it");
    const auto started = std::chrono::steady_clock::now();
    // The circuit is checked against config.json before anything heavy is loaded. A
    // per-query-head (MIB) circuit of a grouped-query model is evaluated on the ungrouped
    // graph it was made on, exactly, unless --gqa grouped asks to merge it.
    const auto config = core::readModelConfig(args.required("model"));
    auto circuit = core::readCircuit(args.required("circuit"));
    const bool ungrouped = ungroupedFromArgs(args, core::isPerQueryHeadCircuitOf(circuit, config));
    circuit = core::adaptCircuit(circuit, config, ungrouped);
    const auto loaded = loadEvaluator(args, ungrouped);
    const auto& evaluator = *loaded.evaluator;
    const auto& options = evaluator.options();
    if (options.progress)
        std::cerr << '\n';
    const auto examples = loaded.examples;

    nlohmann::json out = {{"model", args.value("model")},
                          {"data", args.value("data")},
                          {"circuit_file", args.value("circuit")},
                          {"examples", examples},
                          {"metric", core::metricName(options.metric)},
                          {"reference", core::referenceName(options.reference)},
                          {"clean_metric", evaluator.cleanMetric()},
                          {"reference_metric", evaluator.referenceMetric()}};
    if (config.nKvHeads > 0 && config.nKvHeads != config.nHeads)
        out["gqa_layout"] = ungrouped ? "ungrouped" : "grouped";
    if (args.flags.count("sweep")) {
        if (args.has("top-n") || args.has("threshold") || args.has("greedy"))
            throw UsageError("--sweep ranks the circuit's scores itself; drop --top-n/--threshold/--greedy");
        core::SweepOptions sweepOptions;
        sweepOptions.prune = !args.flags.count("sweep-unpruned");
        if (args.has("sweep-order")) {
            sweepOptions.signedOrder = core::parseEdgeOrder(args.value("sweep-order"));
            if (*sweepOptions.signedOrder == core::EdgeOrder::Magnitude)
                throw UsageError("--sweep-order is the signed curve's order: largest-first or smallest-first");
        }
        if (args.has("sweep-selection"))
            sweepOptions.selection = core::parseSweepSelection(args.value("sweep-selection"));
        const auto sweep = evaluator.sweep(circuit, sweepOptions);
        const auto curveJson = [](const core::SweepCurve& curve) {
            nlohmann::json points = nlohmann::json::array();
            for (const auto& p : curve.points)
                points.push_back({{"fraction", p.fraction}, {"edges", p.edges}, {"kept", p.kept},
                                  {"metric", p.metric}, {"faithfulness", number(p.faithfulness)}});
            return nlohmann::json{{"order", core::edgeOrderName(curve.order)}, {"points", points},
                                  {"area", number(curve.area)}, {"area_from_1", number(curve.areaFrom1)}};
        };
        out["sweep"] = {{"cpr", number(sweep.cpr)},
                        {"cmd", number(sweep.cmd)},
                        {"pruned", sweepOptions.prune},
                        {"selection", core::sweepSelectionName(sweepOptions.selection)},
                        {"signed", curveJson(sweep.bySign)},
                        {"magnitude", curveJson(sweep.byMagnitude)}};
    } else {
        if (args.has("sweep-order") || args.has("sweep-selection") || args.flags.count("sweep-unpruned"))
            throw UsageError("--sweep-order, --sweep-selection and --sweep-unpruned shape a --sweep; add --sweep");
        applySelection(args, circuit);
        const double m = evaluator.evaluate(circuit);
        out["circuit"] = {{"edges", circuit.edgesInGraph()},
                          {"nodes", circuit.nodesInGraph()},
                          {"metric", m},
                          {"faithfulness", number(evaluator.faithfulness(m))}};
    }
    out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    printJson(out);
    return 0;
}

std::vector<std::string> commaList(const std::string& list)
{
    std::vector<std::string> out;
    std::stringstream in(list);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

// Exact on a shortlist: --edges FILE|LIST, or --top-k N of --rank-by FILE|METHOD. Sets the
// options and returns a description of the shortlist for the output.
nlohmann::json exactShortlist(const Args& args, const core::Evaluator& ev, const core::ModelConfig& config,
                              core::AttributionOptions& o)
{
    const auto& g = ev.graph();
    nlohmann::json out;
    if (args.has("edges") && args.has("top-k"))
        throw UsageError("give --edges or --top-k, not both");
    if (args.has("edges")) {
        const std::string spec = args.value("edges");
        std::vector<std::string> names;
        std::error_code ec;
        if (std::filesystem::is_regular_file(spec, ec)) {
            const std::string text = core::readTextFile(spec);
            const auto first = text.find_first_not_of(" \t\r\n");
            if (first != std::string::npos && text[first] == '{') {
                // A circuit file: its edges in the circuit; its scores, when it has them,
                // are the ranking the exact scores are compared with.
                const auto c = core::adaptCircuit(core::readCircuit(spec), config, ev.options().ungroupedKv);
                for (std::size_t e = 0; e < c.graph.edgeCount(); ++e)
                    if (c.edgeInGraph[e])
                        o.exactEdges.push_back(e);
                if (c.hasScores())
                    o.ranking = c.edgeScores;
                out["source"] = "circuit file " + spec;
            } else {
                std::stringstream in(text);
                std::string line;
                while (std::getline(in, line)) {
                    line.erase(line.find_last_not_of(" \t\r") + 1);
                    line.erase(0, line.find_first_not_of(" \t"));
                    if (!line.empty() && line.front() != '#')
                        names.push_back(line);
                }
                out["source"] = "edge list " + spec;
            }
        } else {
            names = commaList(spec);
            out["source"] = "command line";
        }
        for (const auto& n : names) {
            const auto e = g.findEdge(n);
            if (!e)
                throw UsageError("--edges: \"" + n + "\" is not an edge of this model (" + g.describe()
                                 + "; names like a3.h2->a5.h1<q>, a3.h2->a5.kv0<k> for grouped key/value heads, m2->logits)");
            o.exactEdges.push_back(*e);
        }
        if (o.exactEdges.empty())
            throw UsageError("--edges names no edge (" + spec + ")");
    } else if (args.has("top-k")) {
        const int k = args.intValue("top-k", 0);
        if (k <= 0)
            throw UsageError("--top-k must be a positive integer");
        o.exactTopK = static_cast<std::size_t>(k);
        const std::string by = args.value("rank-by", "eap");
        std::error_code ec;
        if (std::filesystem::is_regular_file(by, ec)) {
            const auto c = core::adaptCircuit(core::readCircuit(by), config, ev.options().ungroupedKv);
            if (!c.hasScores())
                throw UsageError("--rank-by: " + by + " has no edge scores to rank by");
            o.ranking = c.edgeScores;
            out["source"] = "top " + std::to_string(k) + " of " + by;
        } else {
            try {
                o.rankingMethod = core::parseMethod(by);
            } catch (const core::Error&) {
                throw UsageError("--rank-by: \"" + by + "\" is neither a circuit file nor a method ("
                                 + core::joinMethodNames(", ", [](const core::MethodInfo& m) { return m.ranksShortlist; })
                                 + ")");
            }
            out["source"] = "top " + std::to_string(k) + " of " + by;
        }
    } else if (args.has("rank-by")) {
        throw UsageError("--rank-by goes with --top-k N");
    }
    return out;
}

nlohmann::json agreementJson(const core::RankAgreement& a)
{
    nlohmann::json overlaps = nlohmann::json::array();
    for (const auto& t : a.overlaps)
        overlaps.push_back({{"n", t.n}, {"shared", t.shared}});
    return {{"edges", a.edges},
            {"spearman", number(a.spearman)},
            {"spearman_abs", number(a.spearmanMagnitude)},
            {"sign_agreement", a.signAgreement},
            {"top_overlap", overlaps}};
}

int cmdAttribute(const Args& args)
{
    const auto started = std::chrono::steady_clock::now();
    core::AttributionOptions o;
    o.method = core::parseMethod(args.required("method"));
    o.steps = args.intValue("steps", 5);
    if (o.steps < 1)
        throw UsageError("--steps must be at least 1");
    if (args.has("tau"))
        o.taus = parseList(args.value("tau"), "tau");
    if (args.has("acdc-top-k")) {
        const int k = args.intValue("acdc-top-k", 0);
        if (k <= 0)
            throw UsageError("--acdc-top-k must be a positive integer");
        o.acdcTopK = static_cast<std::size_t>(k);
    }
    o.perPosition = args.flags.count("per-position") > 0;
    if (core::methodInfo(o.method).needsReceivers && !args.has("receivers"))
        throw UsageError("path patching needs --receivers, e.g. --receivers 'a9.h9<q>,a9.h6<q>'");
    const auto format = core::parseCircuitFormat(args.value("format", "eap-ig"));
    const std::string outFile = args.required("out");

    const bool shortlisted = args.has("edges") || args.has("top-k") || args.has("rank-by");
    if (shortlisted && o.method != core::Method::Exact)
        throw UsageError("--edges, --top-k and --rank-by limit exact patching (--method exact) to a shortlist");

    // As many threads as the cores other processes leave free (OMP_NUM_THREADS overrides).
    const int threads = core::adaptThreadsToLoad();
    const auto loaded = loadEvaluator(args);
    const auto& ev = *loaded.evaluator;
    nlohmann::json shortlist;
    if (shortlisted)
        shortlist = exactShortlist(args, ev, loaded.model->config(), o);
    if (o.method == core::Method::PathPatching) {
        const auto& g = ev.graph();
        auto names = [](const std::string& list) {
            std::vector<std::string> out;
            std::stringstream in(list);
            std::string item;
            while (std::getline(in, item, ','))
                if (!item.empty())
                    out.push_back(item);
            return out;
        };
        for (const auto& n : names(args.value("receivers"))) {
            const auto r = g.findReceiver(n);
            if (!r)
                throw UsageError("--receivers: \"" + n + "\" is not a receiver of this model (like a9.h9<q>, m3, logits)");
            o.receivers.push_back(*r);
        }
        // As in the IOI paper, a receiver's node runs free in the first pass; when it feeds
        // another receiver of the set, that one records its patched output too. Say so.
        for (const auto r1 : o.receivers) {
            const auto& rec = g.receivers()[static_cast<std::size_t>(r1)];
            const int owner = g.readersOf(r1).begin; // the (first) node this receiver belongs to
            for (const auto r2 : o.receivers)
                if (owner != g.logitsNode() && r2 != r1 && owner < g.sendersBefore(r2)) {
                    std::cerr << "patchbay-cli attribute: note: receiver " << rec.name << " feeds receiver "
                              << g.receivers()[static_cast<std::size_t>(r2)].name
                              << "; its first-pass output (patched) reaches it too (IOI paper semantics)\n";
                    break;
                }
        }
        const std::string through = args.value("through", "mlps");
        if (through == "mlps") {
            o.through = core::Evaluator::mlpSenders(g);
        } else if (through != "none") {
            for (const auto& n : names(through)) {
                const auto u = g.findSender(n);
                if (!u)
                    throw UsageError("--through: \"" + n + "\" is not a node of this model (mlps, none, or names like m3,a2.h1)");
                o.through.push_back(*u);
            }
        }
    }
    const auto result = core::attribute(ev, o);
    if (args.flags.count("progress"))
        std::cerr << '\n';
    auto circuit = core::attributionCircuit(ev, result);
    if (!result.evaluatedEdges.empty()) {
        // Exact on a shortlist: the edges measured are the circuit (the others score 0).
        for (const auto e : result.evaluatedEdges)
            circuit.edgeInGraph[e] = 1;
        circuit.nodesFromEdges();
    }
    if (args.has("top-n") && core::methodScoresEdges(o.method)) {
        const int n = args.intValue("top-n", -1);
        if (n < 0)
            throw UsageError("--top-n must be a non-negative integer");
        core::selectTopN(circuit, static_cast<std::size_t>(n));
    }
    const auto writeStarted = std::chrono::steady_clock::now();
    core::writeCircuit(circuit, outFile, format);
    const double writeSeconds = secondsSince(writeStarted);
    const auto timings = ev.timings();

    const auto& g = ev.graph();
    nlohmann::json out = {{"method", core::methodName(o.method)},
                          {"metric", core::metricName(ev.options().metric)},
                          {"reference", core::referenceName(ev.options().reference)},
                          {"examples", loaded.examples},
                          {"clean_metric", result.cleanMetric},
                          {"reference_metric", result.referenceMetric},
                          {"out", outFile},
                          {"format", core::circuitFormatName(format)},
                          {"edges_in_circuit", circuit.edgesInGraph()}};
    if (const auto& mc = loaded.model->config(); mc.nKvHeads > 0 && mc.nKvHeads != mc.nHeads)
        out["gqa_layout"] = ev.options().ungroupedKv ? "ungrouped" : "grouped";
    auto top = [](const std::vector<double>& scores, std::size_t k, auto name) {
        std::vector<std::size_t> order(scores.size());
        std::iota(order.begin(), order.end(), 0);
        k = std::min(k, order.size());
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                          [&](auto a, auto b) { return std::abs(scores[a]) > std::abs(scores[b]); });
        nlohmann::json j = nlohmann::json::array();
        for (std::size_t i = 0; i < k; ++i)
            j.push_back({{"name", name(order[i])}, {"score", scores[order[i]]}});
        return j;
    };
    if (!result.edgeScores.empty())
        out["top_edges"] = top(result.edgeScores, 10, [&](std::size_t e) { return g.edgeName(e); });
    if (!result.nodeScores.empty())
        out["top_nodes"] = top(result.nodeScores, 10, [&](std::size_t u) { return g.senders()[u].name; });
    if (!result.nodeScores.empty()) {
        // Layer × (heads, then the MLP), as the heatmap views show node scores.
        nlohmann::json rows = nlohmann::json::array();
        for (int l = 0; l < g.nLayers(); ++l) {
            std::vector<double> row;
            for (int h = 0; h < g.nHeads(); ++h)
                row.push_back(result.nodeScores[static_cast<std::size_t>(g.senderIndex(l, h))]);
            row.push_back(result.nodeScores[static_cast<std::size_t>(g.mlpSenderIndex(l))]);
            rows.push_back(row);
        }
        out["node_heatmap"] = {{"input", result.nodeScores[0]}, {"layers", rows}};
    }
    if (!result.nodePositionScores.empty()) {
        nlohmann::json rows = nlohmann::json::array();
        const auto P = static_cast<std::size_t>(result.positions);
        for (std::size_t u = 0; u < g.senders().size(); ++u)
            rows.push_back(std::vector<double>(result.nodePositionScores.begin() + static_cast<std::ptrdiff_t>(u * P),
                                               result.nodePositionScores.begin() + static_cast<std::ptrdiff_t>((u + 1) * P)));
        out["node_position_scores"] = {{"senders", g.senders().size()}, {"positions", P}, {"values", rows}};
    }
    if (!result.evaluatedEdges.empty() || result.hasAgreement) {
        shortlist["edges"] = result.evaluatedEdges.empty() ? g.edgeCount() : result.evaluatedEdges.size();
        if (!result.rankingMethod.empty())
            shortlist["ranking"] = result.rankingMethod;
        out["shortlist"] = shortlist;
    }
    if (result.hasAgreement)
        out["agreement"] = agreementJson(result.agreement);
    if (!result.acdc.empty()) {
        nlohmann::json runs = nlohmann::json::array();
        for (const auto& run : result.acdc)
            runs.push_back({{"tau", run.tau},
                            {"edges", std::count(run.kept.begin(), run.kept.end(), 1)},
                            {"metric", run.metric},
                            {"evaluations", run.evaluations}});
        out["acdc"] = runs;
    }
    // The whole command's time and its parts (the parts leave out parsing and printing).
    nlohmann::json parts = {{"load", loaded.loadSeconds},
                            {"prepare_data", timings.prepare},
                            {"clean_pass", timings.cleanPass},
                            {"reference_pass", timings.referencePass}};
    if (result.rankingSeconds > 0)
        parts["ranking"] = result.rankingSeconds;
    parts["method"] = result.seconds - result.rankingSeconds;
    parts["write"] = writeSeconds;
    out["seconds"] = secondsSince(started);
    out["seconds_parts"] = parts;
    out["threads"] = threads;
    printJson(out);
    return 0;
}

} // namespace

std::vector<Command> circuitCommands()
{
    std::vector<std::string> evalOpts = {"data", "circuit", "metric", "reference", "batch-size", "memory-mb", "top-n", "threshold", "greedy", "gqa", "sweep-order", "sweep-selection"};
    evalOpts.insert(evalOpts.end(), modelOptionNames.begin(), modelOptionNames.end());
    std::vector<std::string> attrOpts = {"data", "method", "out", "format", "metric", "reference", "steps", "tau", "acdc-top-k", "batch-size", "memory-mb",
                                         "top-n", "receivers", "through", "edges", "top-k", "rank-by", "gqa"};
    attrOpts.insert(attrOpts.end(), modelOptionNames.begin(), modelOptionNames.end());
    return {
        {"circuit", "inspect, convert and compare circuit files (EAP-IG JSON, native JSON, DOT)",
         "patchbay-cli circuit (info FILE | convert --in FILE --out FILE --format eap-ig|eap-ig-per-query-head|native|dot "
         "[--top-n N | --threshold T | --greedy N] [--prune] | roc --scored FILE --reference FILE)",
         {"in", "out", "format", "top-n", "threshold", "greedy", "scored", "reference"}, {"prune"}, &cmdCircuit},
        {"attribute", "score edges or nodes with an attribution method and write them as a circuit file",
         "patchbay-cli attribute --model PATH --data FILE --method " + core::joinMethodNames("|") + " --out FILE [--format eap-ig|eap-ig-per-query-head|native] [--metric M] [--reference R] "
         "[--steps m] [--tau T[,T...] [--acdc-top-k K]] [--edges FILE|EDGE,... | --top-k K [--rank-by FILE|eap|eap-ig|...] (exact)] [--receivers 'a9.h9<q>,...' [--through mlps|none|m3,a2.h1,...]] [--batch-size B] "
         "[--memory-mb M] [--top-n N] [--gqa grouped|ungrouped] [--per-position] [--progress] [--device D] [--dtype T] [--bos B]",
         attrOpts, {"per-position", "progress"}, &cmdAttribute},
        {"evaluate", "metric and normalised faithfulness of a circuit on a dataset; without --circuit, how well the model does the task",
         "patchbay-cli evaluate --model PATH --data FILE [--metric logit-diff|prob-diff] [--per-pair] [--batch-size B] [--device D] [--dtype T] [--bos B]   "
         "(the task: accuracy, top-1, clean and corrupted metric)\n"
         "  patchbay-cli evaluate --model PATH --data FILE --circuit FILE [--metric logit-diff|prob-diff|kl|loss] "
         "[--reference corrupted|zero|mean|mean-all-positions] [--batch-size B] [--memory-mb M] "
         "[--top-n N | --threshold T | --greedy N] [--prune] [--sweep [--sweep-order largest-first|smallest-first] [--sweep-selection top-n|greedy] [--sweep-unpruned]] "
         "[--gqa grouped|ungrouped] [--progress] [--device D] [--dtype T] [--bos B]",
         evalOpts, {"sweep", "sweep-unpruned", "prune", "progress", "per-pair"}, &cmdEvaluate},
    };
}

} // namespace patchbay::cli
