// SPDX-License-Identifier: MIT
// The Circuit value, the format dispatch (the formats are circuit_json.cpp and
// circuit_dot.cpp), and matching a circuit to a model's graph (grouped-query attention).
// Selection and ROC are circuit_selection.cpp.
#include "core/graph/circuit.h"

#include "core/graph/circuit_p.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/model/modelconfig.h"

#include <algorithm>

namespace patchbay::core {

namespace detail {

int gqaReceiver(const Graph& mha, int r, const Graph& gqa)
{
    const auto& rec = mha.receivers()[toSize(r)];
    switch (rec.kind) {
    case Graph::NodeKind::Head: {
        const int head = rec.port == Graph::Port::Q ? rec.head : gqa.kvHeadOf(rec.head);
        return gqa.receiverIndex(rec.layer, rec.port, head);
    }
    case Graph::NodeKind::Mlp: return gqa.mlpReceiverIndex(rec.layer);
    case Graph::NodeKind::Input:
    case Graph::NodeKind::Logits: break;
    }
    return gqa.logitsReceiverIndex();
}

void checkShape(const Circuit& c, const char* what)
{
    if (c.edgeInGraph.size() != c.graph.edgeCount() || c.nodeInGraph.size() != c.nodeCount()
        || (!c.edgeScores.empty() && c.edgeScores.size() != c.graph.edgeCount()))
        throw Error(std::string(what) + ": the circuit's edge/node vectors do not match its graph ("
                    + c.graph.describe() + ")");
}

} // namespace detail

using detail::checkShape;
using detail::dotText;
using detail::eapIgPerQueryHeadText;
using detail::eapIgText;
using detail::gqaReceiver;
using detail::kNativeFormat;
using detail::nativeText;
using detail::parseCircuit;
using detail::toSize;

// --- Circuit -----------------------------------------------------------------------

Circuit::Circuit(Graph g, int dModel_)
    : graph(std::move(g)), dModel(dModel_), edgeInGraph(graph.edgeCount(), 0), nodeInGraph(nodeCount(), 0)
{
}

std::string Circuit::nodeName(std::size_t node) const
{
    return node < graph.senders().size() ? graph.senders()[node].name : std::string("logits");
}

std::optional<std::size_t> Circuit::findNode(const std::string& name) const
{
    if (name == "logits")
        return graph.senders().size();
    if (const auto s = graph.findSender(name))
        return toSize(*s);
    return std::nullopt;
}

std::size_t Circuit::edgesInGraph() const
{
    return static_cast<std::size_t>(std::count_if(edgeInGraph.begin(), edgeInGraph.end(), [](char b) { return b != 0; }));
}

std::size_t Circuit::nodesInGraph() const
{
    return static_cast<std::size_t>(std::count_if(nodeInGraph.begin(), nodeInGraph.end(), [](char b) { return b != 0; }));
}

void Circuit::nodesFromEdges()
{
    checkShape(*this, "circuit");
    std::fill(nodeInGraph.begin(), nodeInGraph.end(), 0);
    for (std::size_t i = 0; i < graph.edgeCount(); ++i) {
        if (!edgeInGraph[i])
            continue;
        const auto& e = graph.edges()[i];
        nodeInGraph[toSize(e.sender)] = 1;
        const auto nodes = graph.readersOf(e.receiver);
        std::fill(nodeInGraph.begin() + nodes.begin, nodeInGraph.begin() + nodes.end, 1);
    }
}

// --- formats -----------------------------------------------------------------------

std::string circuitFormatName(CircuitFormat format)
{
    switch (format) {
    case CircuitFormat::EapIg: return "eap-ig";
    case CircuitFormat::EapIgPerQueryHead: return "eap-ig-per-query-head";
    case CircuitFormat::Native: return "native";
    case CircuitFormat::Dot: return "dot";
    }
    return "native";
}

CircuitFormat parseCircuitFormat(const std::string& name)
{
    for (CircuitFormat f : {CircuitFormat::EapIg, CircuitFormat::EapIgPerQueryHead, CircuitFormat::Native, CircuitFormat::Dot})
        if (name == circuitFormatName(f))
            return f;
    throw Error("unknown circuit format \"" + name + "\" (expected eap-ig, eap-ig-per-query-head, native or dot)");
}

Circuit parseCircuitJson(const nlohmann::json& j, const std::string& where, CircuitFormat* detected)
{
    CircuitFormat format;
    if (j.is_object() && j.contains("format") && j["format"] == kNativeFormat)
        format = CircuitFormat::Native;
    else if (j.is_object() && j.contains("cfg") && j.contains("edges"))
        format = CircuitFormat::EapIg;
    else
        throw Error(where + ": not a circuit file (expected an EAP-IG circuit with \"cfg\" and \"edges\", or "
                            "\"format\": \"patchbay-circuit\")");
    Circuit c = parseCircuit(j, where, format);
    if (detected)
        *detected = format;
    return c;
}

Circuit readCircuit(const std::filesystem::path& file, CircuitFormat* detected)
{
    return parseCircuitJson(readJsonFile(file), file.string(), detected);
}

std::string circuitToString(const Circuit& circuit, CircuitFormat format)
{
    checkShape(circuit, "write circuit");
    if (!circuit.nodeScores.empty() && circuit.nodeScores.size() != circuit.nodeCount())
        throw Error("write circuit: node scores do not match the graph");
    switch (format) {
    case CircuitFormat::EapIg: return eapIgText(circuit);
    case CircuitFormat::EapIgPerQueryHead: return eapIgPerQueryHeadText(circuit);
    case CircuitFormat::Native: return nativeText(circuit);
    case CircuitFormat::Dot: return dotText(circuit);
    }
    return nativeText(circuit);
}

void writeCircuit(const Circuit& circuit, const std::filesystem::path& file, CircuitFormat format)
{
    writeTextFileReplacing(file, circuitToString(circuit, format));
}

// --- model compatibility -----------------------------------------------------------

std::string circuitMismatch(const Circuit& circuit, const ModelConfig& config)
{
    const Graph& g = circuit.graph;
    const int modelKv = config.nKvHeads > 0 ? config.nKvHeads : config.nHeads;
    std::vector<std::string> diffs;
    if (g.nLayers() != config.nLayers)
        diffs.push_back("layers " + std::to_string(g.nLayers()) + " vs " + std::to_string(config.nLayers));
    if (g.nHeads() != config.nHeads)
        diffs.push_back("heads " + std::to_string(g.nHeads()) + " vs " + std::to_string(config.nHeads));
    if (g.parallelAttnMlp() != config.parallelAttnMlp)
        diffs.push_back(g.parallelAttnMlp() ? "parallel attention+MLP blocks vs sequential"
                                            : "sequential blocks vs parallel attention+MLP");
    if (circuit.dModel != 0 && circuit.dModel != config.dModel)
        diffs.push_back("d_model " + std::to_string(circuit.dModel) + " vs " + std::to_string(config.dModel));
    // A multi-head circuit (EAP-IG's, per query head) merges onto any grouping of the
    // same heads; a grouped circuit only fits its own grouping.
    if (g.nKvHeads() != g.nHeads() && g.nKvHeads() != modelKv)
        diffs.push_back("key/value heads " + std::to_string(g.nKvHeads()) + " vs " + std::to_string(modelKv));
    if (diffs.empty())
        return {};

    std::string model = std::to_string(config.nLayers) + " layers, " + std::to_string(config.nHeads) + " heads";
    if (modelKv != config.nHeads)
        model += " (" + std::to_string(modelKv) + " key/value heads)";
    model += config.parallelAttnMlp ? ", parallel attention+MLP blocks" : ", sequential blocks";
    std::string text = "circuit made for " + g.describe() + "; model has " + model + ": differs in ";
    for (std::size_t i = 0; i < diffs.size(); ++i)
        text += (i ? ", " : "") + diffs[i];
    return text;
}

bool isPerQueryHeadCircuitOf(const Circuit& circuit, const ModelConfig& config)
{
    const int modelKv = config.nKvHeads > 0 ? config.nKvHeads : config.nHeads;
    return modelKv != config.nHeads && circuit.graph.nKvHeads() == circuit.graph.nHeads()
        && circuit.graph.nHeads() == config.nHeads;
}

Circuit adaptCircuit(const Circuit& circuit, const ModelConfig& config, bool ungroupedKv)
{
    checkShape(circuit, "adapt circuit");
    if (const auto why = circuitMismatch(circuit, config); !why.empty())
        throw Error(why);
    const Graph& from = circuit.graph;
    const int modelKv = config.nKvHeads > 0 ? config.nKvHeads : config.nHeads;
    if (ungroupedKv && modelKv != config.nHeads) {
        if (!isPerQueryHeadCircuitOf(circuit, config))
            throw Error("circuit made for the grouped graph (" + from.describe() + ") cannot be used on the ungrouped "
                        "graph, a key/value receiver per query head: use the grouped graph");
        Circuit out = circuit;
        out.modelKvHeads = modelKv;
        return out;
    }
    if (from.nKvHeads() == modelKv)
        return circuit;

    // A per-query-head circuit on a grouped-query model: merge each group's <k>/<v> edges.
    Circuit out(Graph(config.nLayers, config.nHeads, modelKv, config.parallelAttnMlp), circuit.dModel);
    const Graph& to = out.graph;
    if (circuit.hasScores())
        out.edgeScores.assign(to.edgeCount(), 0.0);
    for (std::size_t i = 0; i < from.edgeCount(); ++i) {
        const auto& e = from.edges()[i];
        const auto target = *to.edgeIndex(e.sender, gqaReceiver(from, e.receiver, to));
        out.edgeInGraph[target] = static_cast<char>(out.edgeInGraph[target] || circuit.edgeInGraph[i]);
        if (circuit.hasScores())
            out.edgeScores[target] += circuit.edgeScores[i];
    }
    // Nodes are the senders (and logits), the same on both graphs.
    out.nodeInGraph = circuit.nodeInGraph;
    out.nodeScores = circuit.nodeScores;
    out.modelArchitecture = circuit.modelArchitecture;
    out.modelName = circuit.modelName;
    out.weightsHash = circuit.weightsHash;
    out.method = circuit.method;
    out.metric = circuit.metric;
    out.reference = circuit.reference;
    out.scoreSign = circuit.scoreSign;
    out.labels = circuit.labels;
    out.groups = circuit.groups;
    return out;
}

} // namespace patchbay::core
