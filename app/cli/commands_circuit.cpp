// SPDX-License-Identifier: MIT
// circuit info / convert / roc and evaluate: circuit files and their faithfulness.
#include "app/cli/cli.h"

#include "core/circuit.h"
#include "core/dataset.h"
#include "core/error.h"
#include "core/evaluation.h"
#include "core/model.h"

#include <chrono>
#include <cmath>
#include <iostream>

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

int cmdEvaluate(const Args& args)
{
    const auto started = std::chrono::steady_clock::now();
    auto data = core::readDataset(args.required("data"));
    const auto model = core::Model::load(args.required("model"), loadOptions(args));
    auto circuit = core::adaptCircuit(core::readCircuit(args.required("circuit")), model->config());

    core::EvaluationOptions options;
    const std::string defaultMetric = data.task == "greater-than" ? "prob-diff" : "logit-diff";
    options.metric = core::parseMetric(args.value("metric", defaultMetric));
    options.reference = core::parseReference(args.value("reference", "corrupted"));
    options.batchSize = args.intValue("batch-size", 16);
    if (options.batchSize <= 0)
        throw UsageError("--batch-size must be positive");
    if (args.flags.count("progress"))
        options.progress = [](double f, const std::string& stage) {
            std::cerr << "\r" << stage << ' ' << static_cast<int>(f * 100) << "%   " << std::flush;
        };
    const auto examples = data.pairs.size();
    const core::Evaluator evaluator(model, std::move(data), options);
    if (options.progress)
        std::cerr << '\n';

    nlohmann::json out = {{"model", args.value("model")},
                          {"data", args.value("data")},
                          {"circuit_file", args.value("circuit")},
                          {"examples", examples},
                          {"metric", core::metricName(options.metric)},
                          {"reference", core::referenceName(options.reference)},
                          {"clean_metric", evaluator.cleanMetric()},
                          {"reference_metric", evaluator.referenceMetric()}};
    if (args.flags.count("sweep")) {
        if (args.has("top-n") || args.has("threshold") || args.has("greedy"))
            throw UsageError("--sweep ranks the circuit's scores itself; drop --top-n/--threshold/--greedy");
        const auto sweep = evaluator.sweep(circuit);
        nlohmann::json points = nlohmann::json::array();
        for (const auto& p : sweep.points)
            points.push_back({{"edges", p.edges}, {"fraction", p.fraction}, {"metric", p.metric},
                              {"faithfulness", number(p.faithfulness)}});
        out["sweep"] = {{"points", points}, {"cpr", number(sweep.cpr)}, {"cmd", number(sweep.cmd)}};
    } else {
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

} // namespace

std::vector<Command> circuitCommands()
{
    std::vector<std::string> evalOpts = {"data", "circuit", "metric", "reference", "batch-size", "top-n", "threshold", "greedy"};
    evalOpts.insert(evalOpts.end(), modelOptionNames.begin(), modelOptionNames.end());
    return {
        {"circuit", "inspect, convert and compare circuit files (EAP-IG JSON, native JSON, DOT)",
         "patchbay-cli circuit (info FILE | convert --in FILE --out FILE --format eap-ig|native|dot "
         "[--top-n N | --threshold T | --greedy N] [--prune] | roc --scored FILE --reference FILE)",
         {"in", "out", "format", "top-n", "threshold", "greedy", "scored", "reference"}, {"prune"}, &cmdCircuit},
        {"evaluate", "metric and normalised faithfulness of a circuit on a dataset",
         "patchbay-cli evaluate --model DIR --data FILE --circuit FILE [--metric logit-diff|prob-diff|kl|loss] "
         "[--reference corrupted|zero|mean|mean-all-positions] [--batch-size B] "
         "[--top-n N | --threshold T | --greedy N] [--prune] [--sweep] [--progress] [--device D] [--dtype T] [--bos B]",
         evalOpts, {"sweep", "prune", "progress"}, &cmdEvaluate},
    };
}

} // namespace patchbay::cli
