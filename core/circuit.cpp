// SPDX-License-Identifier: MIT
#include "core/circuit.h"

#include "core/error.h"
#include "core/json.h"
#include "core/modelconfig.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <locale>
#include <numeric>
#include <queue>
#include <sstream>
#include <string_view>
#include <system_error>
#include <unordered_map>

namespace patchbay::core {

namespace {

constexpr const char* kNativeFormat = "patchbay-circuit";
constexpr int kNativeVersion = 1;

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

std::size_t toSize(int i)
{
    return static_cast<std::size_t>(i);
}


// Receiver `r` of a multi-head graph `mha` seen in the grouped-query graph `gqa` of the
// same layers and heads: a head's <k>/<v> input becomes its key/value head's.
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

void requireScores(const Circuit& c, const char* what)
{
    checkShape(c, what);
    if (!c.hasScores())
        throw Error(std::string(what) + ": the circuit has no edge scores");
}

// |score| for ranking; NaN ranks below every real score.
double rankKey(double score)
{
    return std::isnan(score) ? -1.0 : std::fabs(score);
}

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

// EAP-IG's layout on the circuit's own graph: one entry per edge, a grouped-query graph's
// key/value inputs under their own names (a3.kv1<k>) and cfg.n_kv_heads, so that every edge
// has one score and one name and the file reads back as the same circuit.
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

// EAP-IG's multi-head layout for a grouped-query circuit: a <k>/<v> receiver per query head.
// Membership expands exactly (patching a shared key/value input patches it for every query
// head of its group); scores would not, since a key/value edge's score is measured on the
// shared input and how it divides among the query heads is not known. So a scored circuit
// is refused rather than written with invented per-query-head numbers.
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

// --- DOT ---------------------------------------------------------------------------

std::string dotId(const std::string& s)
{
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\')
            out += '\\';
        if (ch == '\n') {
            out += "\\n";
            continue;
        }
        out += ch;
    }
    return out + '"';
}

std::string formatNumber(double x, int precision)
{
    // Not printf: a GUI process runs under the user's locale, and DOT wants a '.'.
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s << std::setprecision(precision) << x;
    return s.str();
}

std::string dotText(const Circuit& c)
{
    const Graph& g = c.graph;
    const std::size_t logits = g.senders().size();

    // What is drawn: senders and the logits by node index; for grouped-query graphs the
    // shared key/value inputs are their own nodes ("a3.kv1"), since they belong to no
    // single head.
    std::vector<char> drawn(c.nodeCount(), 0);
    std::vector<char> kvDrawn(g.receivers().size(), 0);
    const bool gqa = g.nKvHeads() != g.nHeads();
    double maxAbs = 0;
    std::size_t edges = 0;
    for (std::size_t i = 0; i < g.edgeCount(); ++i) {
        if (!c.edgeInGraph[i])
            continue;
        ++edges;
        const auto& e = g.edges()[i];
        drawn[toSize(e.sender)] = 1;
        const auto& r = g.receivers()[toSize(e.receiver)];
        if (gqa && r.kind == Graph::NodeKind::Head && r.port != Graph::Port::Q)
            kvDrawn[toSize(e.receiver)] = 1;
        else
            drawn[toSize(g.readersOf(e.receiver).begin)] = 1;
        if (c.hasScores() && !std::isnan(c.edgeScores[i]))
            maxAbs = std::max(maxAbs, std::fabs(c.edgeScores[i]));
    }

    // Groups get fill colours (in name order), so a labelled circuit reads at a glance.
    static const char* const palette[] = {"#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99",
                                          "#8dd3c7", "#bebada", "#80b1d3", "#fccde5"};
    std::map<std::string, const char*> groupColour;
    for (const auto& [node, group] : c.groups)
        groupColour.emplace(group, nullptr);
    std::size_t k = 0;
    for (auto& [group, colour] : groupColour)
        colour = palette[k++ % (sizeof(palette) / sizeof(palette[0]))];

    std::string out = "// Patchbay circuit on " + g.describe() + "; edges in it: " + std::to_string(edges) + "\n";
    out += "digraph circuit {\n";
    out += "  rankdir=BT;\n  newrank=true;\n";
    out += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\", fontname=\"Helvetica\"];\n";
    out += "  edge [arrowsize=0.6];\n";

    auto nodeLine = [&](const std::string& name, std::string label) {
        if (const auto it = c.labels.find(name); it != c.labels.end() && !it->second.empty())
            label += "\n" + it->second;
        std::string attrs = "label=" + dotId(label);
        if (const auto it = c.groups.find(name); it != c.groups.end()) {
            attrs += std::string(", fillcolor=\"") + groupColour[it->second] + "\"";
            attrs += ", tooltip=" + dotId(it->second);
        }
        out += "  " + dotId(name) + " [" + attrs + "];\n";
    };
    // Nodes and their ranks in forward order: input at the bottom, then per layer its
    // heads (with any key/value inputs) on one rank and its MLP on the next, logits on top.
    std::string ranks;
    auto rank = [&](const char* kind, const std::vector<std::string>& names) {
        if (names.empty())
            return;
        ranks += std::string("  { rank=") + kind + ";";
        for (const auto& n : names)
            ranks += " " + dotId(n) + ";";
        ranks += " }\n";
    };
    if (drawn[0]) {
        nodeLine("input", "input");
        rank("min", {"input"});
    }
    for (int l = 0; l < g.nLayers(); ++l) {
        std::vector<std::string> heads;
        for (int h = 0; h < g.nHeads(); ++h) {
            const auto s = toSize(g.senderIndex(l, h));
            if (drawn[s]) {
                nodeLine(g.senders()[s].name, g.senders()[s].name);
                heads.push_back(g.senders()[s].name);
            }
        }
        if (gqa) {
            const int group = g.groupSize();
            for (Graph::Port port : {Graph::Port::K, Graph::Port::V}) {
                for (int kv = 0; kv < g.nKvHeads(); ++kv) {
                    const auto r = toSize(g.receiverIndex(l, port, kv));
                    const std::string& name = g.receivers()[r].nodeName;
                    if (!kvDrawn[r] || std::find(heads.begin(), heads.end(), name) != heads.end())
                        continue;
                    // A node for the shared key/value input, declared once for <k> and <v>.
                    nodeLine(name, name + "\nk/v of heads " + std::to_string(kv * group) + "-"
                                       + std::to_string(kv * group + group - 1));
                    heads.push_back(name);
                }
            }
        }
        rank("same", heads);
        const auto m = toSize(g.mlpSenderIndex(l));
        if (drawn[m]) {
            nodeLine(g.senders()[m].name, g.senders()[m].name);
            rank("same", {g.senders()[m].name});
        }
    }
    if (drawn[logits]) {
        nodeLine("logits", "logits");
        rank("max", {"logits"});
    }
    out += ranks;

    // Edges: colour by sign, width by |score|, line style by the receiving port.
    for (std::size_t i = 0; i < g.edgeCount(); ++i) {
        if (!c.edgeInGraph[i])
            continue;
        const auto& e = g.edges()[i];
        const auto& r = g.receivers()[toSize(e.receiver)];
        const std::string target = (gqa && r.kind == Graph::NodeKind::Head && r.port != Graph::Port::Q)
            ? r.nodeName
            : c.nodeName(toSize(g.readersOf(e.receiver).begin));
        const char* style = "solid";
        if (r.kind == Graph::NodeKind::Head)
            style = r.port == Graph::Port::K ? "dashed" : r.port == Graph::Port::V ? "dotted" : "solid";
        std::string attrs = std::string("style=") + style;
        std::string tooltip = g.edgeName(i);
        if (c.hasScores()) {
            const double s = c.edgeScores[i];
            const double width = maxAbs > 0 && !std::isnan(s) ? 0.5 + 4.5 * std::fabs(s) / maxAbs : 1.0;
            attrs += std::string(", color=\"") + (s < 0 ? "#b2182b" : "#2166ac") + "\"";
            attrs += ", penwidth=" + formatNumber(width, 3);
            tooltip += " (" + formatNumber(s, 4) + ")";
        } else {
            attrs += ", color=\"#404040\"";
        }
        attrs += ", tooltip=" + dotId(tooltip);
        out += "  " + dotId(g.senders()[toSize(e.sender)].name) + " -> " + dotId(target) + " [" + attrs + "];\n";
    }
    out += "}\n";
    return out;
}

// --- reading -----------------------------------------------------------------------

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

} // namespace

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

// --- selection ---------------------------------------------------------------------

std::string edgeOrderName(EdgeOrder order)
{
    switch (order) {
    case EdgeOrder::Magnitude: return "magnitude";
    case EdgeOrder::LargestFirst: return "largest-first";
    case EdgeOrder::SmallestFirst: return "smallest-first";
    }
    return "magnitude";
}

EdgeOrder parseEdgeOrder(const std::string& name)
{
    for (auto o : {EdgeOrder::Magnitude, EdgeOrder::LargestFirst, EdgeOrder::SmallestFirst})
        if (edgeOrderName(o) == name)
            return o;
    throw Error("unknown edge order '" + name + "' (magnitude, largest-first, smallest-first)");
}

EdgeOrder neededFirst(const Circuit& circuit, Metric fallback)
{
    if (circuit.scoreSign.rfind("metric change when the edge", 0) != 0)
        return EdgeOrder::LargestFirst; // EAP-IG / MIB: scores of a loss
    Metric metric = fallback;
    if (!circuit.metric.empty()) {
        try {
            metric = parseMetric(circuit.metric);
        } catch (const Error&) {
            // a metric this build does not know: the evaluation's
        }
    }
    return metricHigherIsBetter(metric) ? EdgeOrder::SmallestFirst : EdgeOrder::LargestFirst;
}

namespace {
// A score's rank in `order`: higher comes first; NaN last in every order.
double orderKey(double score, EdgeOrder order)
{
    if (order == EdgeOrder::Magnitude)
        return rankKey(score);
    if (std::isnan(score))
        return -std::numeric_limits<double>::infinity();
    return order == EdgeOrder::LargestFirst ? score : -score;
}
} // namespace

void selectTopN(Circuit& circuit, std::size_t n, EdgeOrder edgeOrder)
{
    requireScores(circuit, "top-n selection");
    const auto& s = circuit.edgeScores;
    std::vector<std::size_t> order(s.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    n = std::min(n, order.size());
    const auto key = [edgeOrder](double score) { return orderKey(score, edgeOrder); };
    auto better = [&s, &key](std::size_t a, std::size_t b) {
        const double ka = key(s[a]), kb = key(s[b]);
        return ka > kb || (ka == kb && a < b);
    };
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(), better);
    std::fill(circuit.edgeInGraph.begin(), circuit.edgeInGraph.end(), 0);
    for (std::size_t i = 0; i < n; ++i)
        circuit.edgeInGraph[order[i]] = 1;
    circuit.nodesFromEdges();
}

void selectThreshold(Circuit& circuit, double threshold)
{
    requireScores(circuit, "threshold selection");
    for (std::size_t i = 0; i < circuit.edgeScores.size(); ++i)
        circuit.edgeInGraph[i] = rankKey(circuit.edgeScores[i]) >= threshold ? 1 : 0;
    circuit.nodesFromEdges();
}

void selectGreedy(Circuit& circuit, std::size_t n, EdgeOrder edgeOrder)
{
    requireScores(circuit, "greedy selection");
    const Graph& g = circuit.graph;
    const auto& s = circuit.edgeScores;
    std::fill(circuit.edgeInGraph.begin(), circuit.edgeInGraph.end(), 0);

    // Candidates: every edge into a receiver of a node already in. Each receiver's edges
    // are pushed once (when its first node enters), so this is O(E log E).
    auto worse = [&s, edgeOrder](std::size_t a, std::size_t b) {
        const double ka = orderKey(s[a], edgeOrder), kb = orderKey(s[b], edgeOrder);
        return ka < kb || (ka == kb && a > b);
    };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(worse)> queue(worse);
    std::vector<char> nodeIn(circuit.nodeCount(), 0);
    std::vector<char> receiverOpen(g.receivers().size(), 0);
    auto enter = [&](std::size_t node) {
        nodeIn[node] = 1;
        for (int r : g.receiversOf(static_cast<int>(node))) {
            if (receiverOpen[toSize(r)])
                continue;
            receiverOpen[toSize(r)] = 1;
            const std::size_t first = g.firstEdge(r);
            for (int k = 0; k < g.sendersBefore(r); ++k)
                queue.push(first + toSize(k));
        }
    };
    enter(g.senders().size()); // logits
    std::size_t added = 0;
    while (added < n && !queue.empty()) {
        const std::size_t e = queue.top();
        queue.pop();
        circuit.edgeInGraph[e] = 1;
        ++added;
        const auto sender = toSize(g.edges()[e].sender);
        if (!nodeIn[sender])
            enter(sender);
    }
    circuit.nodesFromEdges();
}

std::size_t prune(Circuit& circuit)
{
    checkShape(circuit, "prune");
    const Graph& g = circuit.graph;
    const std::size_t logits = g.senders().size();
    const auto nReceivers = static_cast<int>(g.receivers().size());
    std::size_t removed = 0;
    // Receivers are in forward order and every edge runs from an earlier sender, so one
    // forward sweep finds what input reaches and one backward sweep what reaches logits.
    // Dropping the edges that fail either leaves those sets unchanged; the loop is only a
    // guard that the result is a fixpoint.
    for (;;) {
        std::vector<char> fromInput(circuit.nodeCount(), 0);
        fromInput[0] = 1;
        for (int r = 0; r < nReceivers; ++r) {
            const std::size_t first = g.firstEdge(r);
            bool reached = false;
            for (int k = 0; k < g.sendersBefore(r) && !reached; ++k)
                reached = circuit.edgeInGraph[first + toSize(k)] && fromInput[toSize(k)];
            if (reached) {
                const auto nodes = g.readersOf(r);
                for (int n = nodes.begin; n < nodes.end; ++n)
                    fromInput[toSize(n)] = 1;
            }
        }
        std::vector<char> toLogits(circuit.nodeCount(), 0);
        toLogits[logits] = 1;
        std::vector<char> receiverLive(g.receivers().size(), 0);
        for (int r = nReceivers - 1; r >= 0; --r) {
            const auto nodes = g.readersOf(r);
            bool live = false;
            for (int n = nodes.begin; n < nodes.end && !live; ++n)
                live = toLogits[toSize(n)] != 0;
            if (!live)
                continue;
            receiverLive[toSize(r)] = 1;
            const std::size_t first = g.firstEdge(r);
            for (int k = 0; k < g.sendersBefore(r); ++k)
                if (circuit.edgeInGraph[first + toSize(k)])
                    toLogits[toSize(k)] = 1;
        }
        std::size_t pass = 0;
        for (std::size_t i = 0; i < g.edgeCount(); ++i) {
            const auto& e = g.edges()[i];
            if (circuit.edgeInGraph[i] && !(fromInput[toSize(e.sender)] && receiverLive[toSize(e.receiver)])) {
                circuit.edgeInGraph[i] = 0;
                ++pass;
            }
        }
        removed += pass;
        if (pass == 0)
            break;
    }
    circuit.nodesFromEdges();
    return removed;
}

// --- ROC ---------------------------------------------------------------------------

std::vector<RocPoint> rocCurve(const std::vector<double>& scores, const std::vector<char>& truth)
{
    if (scores.size() != truth.size())
        throw Error("ROC: " + std::to_string(scores.size()) + " scores for " + std::to_string(truth.size())
                    + " reference entries");
    const auto positives = static_cast<std::size_t>(std::count_if(truth.begin(), truth.end(), [](char t) { return t != 0; }));
    const std::size_t negatives = truth.size() - positives;
    if (positives == 0 || negatives == 0)
        throw Error("ROC: the reference needs both members and non-members (has " + std::to_string(positives)
                    + " and " + std::to_string(negatives) + ")");
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return rankKey(scores[a]) > rankKey(scores[b]); });
    std::vector<RocPoint> curve{{0.0, 0.0}};
    std::size_t tp = 0, fp = 0;
    for (std::size_t i = 0; i < order.size();) {
        // Edges of equal |score| enter together: no order among them is better founded.
        const double level = rankKey(scores[order[i]]);
        for (; i < order.size() && rankKey(scores[order[i]]) == level; ++i)
            (truth[order[i]] ? tp : fp)++;
        curve.push_back({static_cast<double>(fp) / static_cast<double>(negatives),
                         static_cast<double>(tp) / static_cast<double>(positives)});
    }
    return curve;
}

double pessimisticAuc(const std::vector<RocPoint>& curve)
{
    std::vector<RocPoint> points = curve;
    points.push_back({0.0, 0.0});
    points.push_back({1.0, 1.0});
    // Pareto frontier: by fpr ascending (tpr descending within a tie), keep a point only
    // when it beats every tpr seen at a lower or equal fpr.
    std::sort(points.begin(), points.end(),
              [](const RocPoint& a, const RocPoint& b) { return a.fpr < b.fpr || (a.fpr == b.fpr && a.tpr > b.tpr); });
    std::vector<RocPoint> frontier;
    for (const auto& p : points)
        if (frontier.empty() || p.tpr > frontier.back().tpr)
            frontier.push_back(p);
    // Staircase: each point's tpr holds until the next point's fpr (the last one to fpr 1).
    double area = 0;
    for (std::size_t i = 0; i < frontier.size(); ++i) {
        const double next = i + 1 < frontier.size() ? frontier[i + 1].fpr : 1.0;
        area += (next - frontier[i].fpr) * frontier[i].tpr;
    }
    return area;
}

namespace {

void checkRocInputs(const Circuit& scored, const Circuit& reference, const char* what)
{
    requireScores(scored, what);
    checkShape(reference, what);
    if (!scored.graph.sameShape(reference.graph))
        throw Error(std::string(what) + ": the circuits are on different graphs (" + scored.graph.describe() + " vs "
                    + reference.graph.describe() + ")");
}

} // namespace

std::vector<RocPoint> edgeRoc(const Circuit& scored, const Circuit& reference)
{
    checkRocInputs(scored, reference, "edge ROC");
    return rocCurve(scored.edgeScores, reference.edgeInGraph);
}

std::vector<RocPoint> nodeRoc(const Circuit& scored, const Circuit& reference)
{
    checkRocInputs(scored, reference, "node ROC");
    const Graph& g = scored.graph;
    std::vector<double> nodeScore(scored.nodeCount(), 0.0);
    for (std::size_t i = 0; i < g.edgeCount(); ++i) {
        const double s = rankKey(scored.edgeScores[i]);
        const auto& e = g.edges()[i];
        auto& sender = nodeScore[toSize(e.sender)];
        sender = std::max(sender, s);
        const auto nodes = g.readersOf(e.receiver);
        for (int n = nodes.begin; n < nodes.end; ++n)
            nodeScore[toSize(n)] = std::max(nodeScore[toSize(n)], s);
    }
    return rocCurve(nodeScore, reference.nodeInGraph);
}

} // namespace patchbay::core
