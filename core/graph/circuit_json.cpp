// SPDX-License-Identifier: MIT
// The JSON circuit formats, read and written: EAP-IG's (cfg, nodes, edges; also its
// multi-head layout of a grouped-query circuit) and Patchbay's native one (EAP-IG's content
// plus model identity, provenance and labels).
#include "core/graph/circuit_p.h"

#include "core/common/error.h"
#include "core/common/json.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace patchbay::core::detail {

namespace {

constexpr int kNativeVersion = 1;

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Edge order of EAP-IG's Graph.from_model (and so of its JSON files), for a multi-head
// graph: per layer, each residual-stream sender in turn feeds every head's q, k and v
// (head-major); then the layer's MLP reads the stream (in a parallel block, each sender
// feeds the MLP right after the heads); finally everything feeds the logits. A grouped-query
// graph follows the same pattern with each key/value head's <k>, <v> right after the <q> of
// the last query head of its group (for multi-head graphs, the group is the head itself).
std::vector<std::size_t> eapIgEdgeOrder(const Graph& g)
{
    std::vector<std::size_t> order;
    order.reserve(g.edgeCount());
    const int group = g.groupSize();
    for (int l = 0; l < g.nLayers(); ++l) {
        const int before = g.sendersBefore(g.receiverIndex(l, Graph::Port::Q, 0));
        const int mlp = g.mlpReceiverIndex(l);
        for (int s = 0; s < before; ++s) {
            for (int h = 0; h < g.nHeads(); ++h) {
                order.push_back(*g.edgeIndex(s, g.receiverIndex(l, Graph::Port::Q, h)));
                if (h % group == group - 1) {
                    order.push_back(*g.edgeIndex(s, g.receiverIndex(l, Graph::Port::K, h / group)));
                    order.push_back(*g.edgeIndex(s, g.receiverIndex(l, Graph::Port::V, h / group)));
                }
            }
            if (g.parallelAttnMlp())
                order.push_back(*g.edgeIndex(s, mlp));
        }
        if (!g.parallelAttnMlp())
            for (int s = 0; s < g.sendersBefore(mlp); ++s)
                order.push_back(*g.edgeIndex(s, mlp));
    }
    const int logits = g.logitsReceiverIndex();
    for (int s = 0; s < g.sendersBefore(logits); ++s)
        order.push_back(*g.edgeIndex(s, logits));
    return order;
}

// --- writing -----------------------------------------------------------------------
// Node and edge maps are written as text, one entry a line: nlohmann's ordered_json
// looks keys up linearly on insertion, which is quadratic for 32k edges. Numbers and
// strings still go through nlohmann so that they round-trip exactly.

std::string jsonString(const std::string& s)
{
    // A label with broken UTF-8 is saved with U+FFFD rather than failing the whole save.
    return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string jsonNumber(double x)
{
    return Json(x).dump(); // shortest text that reads back as the same double; NaN -> null
}

// EAP-IG's cfg; n_kv_heads is added where it carries information (a grouped-query graph,
// or any native file), so that a multi-head EAP-IG file stays exactly EAP-IG's.
std::string cfgJson(const Circuit& c, bool native)
{
    const Graph& g = c.graph;
    OrderedJson cfg;
    cfg["n_layers"] = g.nLayers();
    cfg["n_heads"] = g.nHeads();
    if (native || g.nKvHeads() != g.nHeads())
        cfg["n_kv_heads"] = g.nKvHeads();
    cfg["parallel_attn_mlp"] = g.parallelAttnMlp();
    cfg["d_model"] = c.dModel;
    // Which of a grouped-query model's two graphs this is (a multi-head model has one).
    if (g.nKvHeads() != g.nHeads()) {
        cfg["gqa_layout"] = "grouped";
    } else if (c.modelKvHeads > 0 && c.modelKvHeads != g.nHeads()) {
        cfg["gqa_layout"] = "ungrouped";
        cfg["model_n_kv_heads"] = c.modelKvHeads;
    }
    return cfg.dump();
}

// Provenance (method, metric, reference, score sign) as top-level members: EAP-IG's reader
// ignores members it does not know, and a file we wrote says what its scores mean wherever
// it goes. Only what is known is written, so a peer's file read and written back is unchanged.
std::string provenanceJson(const Circuit& c)
{
    std::string out;
    for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"method", c.method},
                                     {"metric", c.metric},
                                     {"reference", c.reference},
                                     {"score_sign", c.scoreSign}})
        if (!value.empty())
            out += std::string(",\"") + key + "\":" + jsonString(value);
    return out;
}

void appendNodes(std::string& out, const Circuit& c, bool native)
{
    out += "\"nodes\":{\n";
    for (std::size_t n = 0; n < c.nodeCount(); ++n) {
        const std::string name = c.nodeName(n);
        out += jsonString(name);
        out += c.nodeInGraph[n] ? ":{\"in_graph\":true" : ":{\"in_graph\":false";
        if (!c.nodeScores.empty()) {
            out += ",\"score\":";
            out += jsonNumber(c.nodeScores[n]);
        }
        if (native) {
            if (const auto it = c.labels.find(name); it != c.labels.end())
                out += ",\"label\":" + jsonString(it->second);
            if (const auto it = c.groups.find(name); it != c.groups.end())
                out += ",\"group\":" + jsonString(it->second);
        }
        out += n + 1 < c.nodeCount() ? "},\n" : "}\n";
    }
    out += "}";
}

void appendEdge(std::string& out, const std::string& name, const std::optional<double>& score, bool inGraph, bool last)
{
    out += jsonString(name);
    out += ":{";
    if (score) {
        out += "\"score\":";
        out += jsonNumber(*score);
        out += ',';
    }
    out += inGraph ? "\"in_graph\":true" : "\"in_graph\":false";
    out += last ? "}\n" : "},\n";
}

} // namespace

std::string eapIgText(const Circuit& c)
{
    const Graph& g = c.graph;
    std::string out;
    out.reserve(64 * g.edgeCount() + 32 * c.nodeCount());
    out += "{\"cfg\":" + cfgJson(c, false) + provenanceJson(c) + ",\n";
    appendNodes(out, c, false);
    out += ",\n\"edges\":{\n";
    const auto order = eapIgEdgeOrder(g);
    for (std::size_t i = 0; i < order.size(); ++i) {
        // EAP-IG's reader needs a number: a circuit without scores is written with 0.
        const double score = c.hasScores() ? c.edgeScores[order[i]] : 0.0;
        appendEdge(out, g.edgeName(order[i]), score, c.edgeInGraph[order[i]] != 0, i + 1 == order.size());
    }
    out += "}}\n";
    return out;
}

std::string eapIgPerQueryHeadText(const Circuit& c)
{
    const Graph& g = c.graph;
    if (g.nKvHeads() == g.nHeads())
        return eapIgText(c);
    if (c.hasScores())
        throw Error("write circuit: the per-query-head EAP-IG layout needs a score per query head, but this "
                    "grouped-query circuit (" + g.describe() + ") has one score per key/value head; write the "
                    "grouped layout (format eap-ig: names like a3.kv1<k>, cfg.n_kv_heads) or native instead, or "
                    "drop the scores");
    const Graph mha(g.nLayers(), g.nHeads(), g.nHeads(), g.parallelAttnMlp());
    Circuit expanded(mha, c.dModel);
    expanded.modelKvHeads = g.nKvHeads(); // the ungrouped graph of the same model
    for (std::size_t i = 0; i < mha.edgeCount(); ++i) {
        const auto& e = mha.edges()[i];
        expanded.edgeInGraph[i] = c.edgeInGraph[*g.edgeIndex(e.sender, gqaReceiver(mha, e.receiver, g))];
    }
    expanded.nodeInGraph = c.nodeInGraph;
    expanded.nodeScores = c.nodeScores;
    expanded.method = c.method;
    expanded.metric = c.metric;
    expanded.reference = c.reference;
    expanded.scoreSign = c.scoreSign;
    return eapIgText(expanded);
}

std::string nativeText(const Circuit& c)
{
    OrderedJson head;
    head["format"] = kNativeFormat;
    head["version"] = kNativeVersion;
    std::string out = head.dump();
    out.pop_back(); // reopen the object
    out += ",\"cfg\":" + cfgJson(c, true);
    OrderedJson model;
    model["architecture"] = c.modelArchitecture;
    model["name"] = c.modelName;
    model["weights_hash"] = c.weightsHash;
    out += ",\"model\":" + model.dump();
    out += ",\"method\":" + jsonString(c.method);
    out += ",\"metric\":" + jsonString(c.metric);
    out += ",\"reference\":" + jsonString(c.reference);
    out += ",\"score_sign\":" + jsonString(c.scoreSign);
    out += ",\n";
    appendNodes(out, c, true);
    out += ",\n\"edges\":{\n";
    const Graph& g = c.graph;
    for (std::size_t i = 0; i < g.edgeCount(); ++i)
        appendEdge(out, g.edgeName(i), c.hasScores() ? std::optional<double>(c.edgeScores[i]) : std::nullopt,
                   c.edgeInGraph[i] != 0, i + 1 == g.edgeCount());
    out += "}}\n";
    return out;
}

// --- reading -----------------------------------------------------------------------

namespace {

struct NameIndex
{
    std::unordered_map<std::string_view, int> senders;
    std::unordered_map<std::string_view, int> receivers;

    explicit NameIndex(const Graph& g)
    {
        for (std::size_t i = 0; i < g.senders().size(); ++i)
            senders.emplace(g.senders()[i].name, static_cast<int>(i));
        for (std::size_t i = 0; i < g.receivers().size(); ++i)
            receivers.emplace(g.receivers()[i].name, static_cast<int>(i));
    }

    std::optional<std::size_t> edge(const Graph& g, std::string_view name) const
    {
        const auto arrow = name.find("->");
        if (arrow == std::string_view::npos)
            return std::nullopt;
        const auto s = senders.find(name.substr(0, arrow));
        const auto r = receivers.find(name.substr(arrow + 2));
        if (s == senders.end() || r == receivers.end())
            return std::nullopt;
        return g.edgeIndex(s->second, r->second);
    }
};

bool readInGraph(const Json& entry, const std::string& where)
{
    const auto it = entry.find("in_graph");
    if (it == entry.end())
        throw Error(where + " has no \"in_graph\"");
    if (!it->is_boolean())
        throw Error(where + ": \"in_graph\" must be true or false, got " + jsonForMessage(*it));
    return it->get<bool>();
}

// A score, or nullopt when the entry has none (absent or null, as older EAP-IG wrote).
std::optional<double> readScore(const Json& entry, const std::string& where)
{
    const auto it = entry.find("score");
    if (it == entry.end() || it->is_null())
        return std::nullopt;
    if (!it->is_number())
        throw Error(where + ": \"score\" must be a number, got " + jsonForMessage(*it));
    return it->get<double>();
}

std::string readString(const Json& object, const char* key, const std::string& where)
{
    return jsonOptionalString(object, key, std::string(), where);
}

} // namespace

Circuit parseCircuit(const Json& j, const std::string& file, CircuitFormat format)
{
    const bool native = format == CircuitFormat::Native;
    if (native) {
        const auto v = j.find("version");
        if (v == j.end() || !v->is_number_integer())
            throw Error(file + ": missing or invalid \"version\"");
        if (v->get<int64_t>() != kNativeVersion)
            throw Error(file + ": circuit format version " + jsonForMessage(*v) + " is not supported (this build reads version "
                        + std::to_string(kNativeVersion) + ")");
    }

    const auto cfgIt = j.find("cfg");
    if (cfgIt == j.end() || !cfgIt->is_object())
        throw Error(file + ": \"cfg\" must be an object with n_layers, n_heads, parallel_attn_mlp, d_model");
    const Json& cfg = *cfgIt;
    const std::string cfgWhere = file + ": cfg";
    const int layers = jsonPositiveInt(cfg, "n_layers", cfgWhere);
    const int heads = jsonPositiveInt(cfg, "n_heads", cfgWhere);
    // EAP-IG's own files have no key/value heads (multi-head); ours carry n_kv_heads for
    // a grouped-query graph.
    const int kvHeads = cfg.contains("n_kv_heads") ? jsonPositiveInt(cfg, "n_kv_heads", cfgWhere) : heads;
    if (!cfg.contains("parallel_attn_mlp"))
        throw Error(cfgWhere + ": missing field \"parallel_attn_mlp\"");
    const bool parallel = jsonOptionalBool(cfg, "parallel_attn_mlp", false, cfgWhere);
    const int dModel = jsonOptionalInt(cfg, "d_model", 0, cfgWhere);
    if (heads % kvHeads != 0)
        throw Error(cfgWhere + ": n_heads (" + std::to_string(heads) + ") is not a multiple of n_kv_heads ("
                    + std::to_string(kvHeads) + ")");

    // The graph is built whole, every edge at once: its size is checked first, so a
    // few bytes of cfg cannot ask for gigabytes.
    if (const std::string problem = Graph::shapeProblem(layers, heads, kvHeads, parallel); !problem.empty())
        throw Error(cfgWhere + ": " + problem);
    Circuit c(Graph(layers, heads, kvHeads, parallel), dModel);
    const std::string layout = jsonOptionalString(cfg, "gqa_layout", "", cfgWhere);
    if (layout == "ungrouped") {
        if (kvHeads != heads)
            throw Error(cfgWhere + ": gqa_layout \"ungrouped\" has a key/value receiver per query head, but n_kv_heads is "
                        + std::to_string(kvHeads) + " of " + std::to_string(heads) + " heads");
        c.modelKvHeads = jsonOptionalInt(cfg, "model_n_kv_heads", 0, cfgWhere);
        if (c.modelKvHeads < 0 || (c.modelKvHeads > 0 && heads % c.modelKvHeads != 0))
            throw Error(cfgWhere + ": model_n_kv_heads (" + std::to_string(c.modelKvHeads)
                        + ") does not divide n_heads (" + std::to_string(heads) + ")");
    } else if (layout == "grouped") {
        if (kvHeads == heads && heads > 1)
            throw Error(cfgWhere + ": gqa_layout \"grouped\" needs n_kv_heads (fewer than the " + std::to_string(heads)
                        + " heads)");
    } else if (!layout.empty()) {
        throw Error(cfgWhere + ": gqa_layout must be \"grouped\" or \"ungrouped\", got \"" + layout + "\"");
    }
    const Graph& g = c.graph;
    const NameIndex names(g);

    // Edges. A file may leave edges out (they are out of the circuit, score 0); EAP-IG's
    // own files list them all.
    const auto edgesIt = j.find("edges");
    if (edgesIt == j.end() || !edgesIt->is_object())
        throw Error(file + ": \"edges\" must be an object of \"sender->receiver\": {score, in_graph}");
    std::vector<double> scores(g.edgeCount(), 0.0);
    std::string scored, unscored; // one example of each, for the message
    for (const auto& [name, entry] : edgesIt->items()) {
        const std::string where = file + ": edge \"" + name + "\"";
        const auto e = names.edge(g, name);
        if (!e)
            throw Error(file + ": unknown edge \"" + name + "\" (not an edge of a graph with " + g.describe() + ")");
        if (!entry.is_object())
            throw Error(where + " must be an object {\"score\", \"in_graph\"}, got " + jsonForMessage(entry));
        c.edgeInGraph[*e] = readInGraph(entry, where);
        if (const auto s = readScore(entry, where)) {
            scores[*e] = *s;
            if (scored.empty())
                scored = name;
        } else if (unscored.empty()) {
            unscored = name;
        }
    }
    if (!scored.empty() && !unscored.empty())
        throw Error(file + ": edge \"" + unscored + "\" has no score, but other edges have one (e.g. \"" + scored
                    + "\")");
    if (!scored.empty())
        c.edgeScores = std::move(scores);

    // Nodes; without a "nodes" map they follow from the edges.
    const auto nodesIt = j.find("nodes");
    if (nodesIt == j.end() || nodesIt->is_null()) {
        c.nodesFromEdges();
    } else {
        if (!nodesIt->is_object())
            throw Error(file + ": \"nodes\" must be an object of name: {in_graph[, score]}");
        std::vector<double> nodeScores(c.nodeCount(), 0.0);
        std::string nodeScored, nodeUnscored;
        for (const auto& [name, entry] : nodesIt->items()) {
            const std::string where = file + ": node \"" + name + "\"";
            const auto n = c.findNode(name);
            if (!n)
                throw Error(file + ": unknown node \"" + name + "\" (not a node of a graph with " + g.describe() + ")");
            if (entry.is_boolean()) { // early EAP-IG files: "a0.h1": true
                c.nodeInGraph[*n] = entry.get<bool>();
                if (name != "logits")
                    nodeUnscored = name;
                continue;
            }
            if (!entry.is_object())
                throw Error(where + " must be an object {\"in_graph\"[, \"score\"]}, got " + jsonForMessage(entry));
            c.nodeInGraph[*n] = readInGraph(entry, where);
            if (const auto s = readScore(entry, where)) {
                nodeScores[*n] = *s;
                nodeScored = name;
            } else if (name != "logits") { // EAP-IG has no score for the logits node
                nodeUnscored = name;
            }
            if (native) {
                if (auto label = readString(entry, "label", where); !label.empty())
                    c.labels[name] = std::move(label);
                if (auto group = readString(entry, "group", where); !group.empty())
                    c.groups[name] = std::move(group);
            }
        }
        if (!nodeScored.empty() && !nodeUnscored.empty())
            throw Error(file + ": node \"" + nodeUnscored + "\" has no score, but other nodes have one (e.g. \""
                        + nodeScored + "\")");
        if (!nodeScored.empty())
            c.nodeScores = std::move(nodeScores);
    }

    // Provenance: native files, and EAP-IG files we wrote.
    c.method = readString(j, "method", file);
    c.metric = readString(j, "metric", file);
    c.reference = readString(j, "reference", file);
    c.scoreSign = readString(j, "score_sign", file);
    if (native) {
        if (const auto m = j.find("model"); m != j.end() && !m->is_null()) {
            if (!m->is_object())
                throw Error(file + ": \"model\" must be an object {architecture, name, weights_hash}");
            c.modelArchitecture = readString(*m, "architecture", file + ": model");
            c.modelName = readString(*m, "name", file + ": model");
            c.weightsHash = readString(*m, "weights_hash", file + ": model");
        }
    }
    return c;
}

} // namespace patchbay::core::detail
