// SPDX-License-Identifier: MIT
#pragma once

#include "core/graph/graph.h"
#include "core/methods/metrics.h"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::core {

struct ModelConfig;

enum class CircuitFormat {
    // {"cfg":{n_layers,n_heads[,n_kv_heads],parallel_attn_mlp,d_model},"nodes":{…},"edges":{name:{score,in_graph}}}
    // plus, when known, "method", "metric", "reference", "score_sign". A grouped-query
    // circuit keeps its key/value inputs (a3.kv1<k>) and says n_kv_heads: one edge, one name.
    EapIg,
    // EAP-IG's multi-head layout (a <k>/<v> receiver per query head), which EAP-IG's own
    // reader loads. The same as EapIg for multi-head graphs; a grouped-query circuit is
    // expanded only without scores (writing throws otherwise: see writeCircuit).
    EapIgPerQueryHead,
    Native, // EAP-IG's content plus model identity, method, metric, reference, sign, labels
    Dot,    // Graphviz DOT of the edges in the circuit (export only)
};
std::string circuitFormatName(CircuitFormat format);        // "eap-ig", "eap-ig-per-query-head", "native", "dot"
CircuitFormat parseCircuitFormat(const std::string& name);  // throws Error listing the valid names

// A circuit: a subset of the graph's edges (and the nodes they touch), with optional
// per-edge scores and what produced them. Nodes are the graph's senders followed by
// `logits` (node index = sender index; logits = senders().size()), as in EAP-IG files.
// A plain value; any thread.
struct Circuit
{
    Graph graph;
    int dModel = 0; // recorded in files (EAP-IG's cfg.d_model); 0 = unknown
    // The model's key/value heads when the graph is a grouped-query model's *ungrouped*
    // graph (a <k>/<v> receiver per query head, MIB's layout; files say cfg.gqa_layout
    // "ungrouped" and cfg.model_n_kv_heads); 0 = not known or not such a graph. A grouped
    // graph says its key/value heads itself (graph.nKvHeads(), cfg.gqa_layout "grouped").
    int modelKvHeads = 0;

    std::vector<char> edgeInGraph;  // per graph edge (Graph::edges() order)
    std::vector<double> edgeScores; // per graph edge; empty when the circuit has no scores
    std::vector<char> nodeInGraph;  // per node (senders, then logits)
    std::vector<double> nodeScores; // per node; empty when absent

    // Provenance (native format; empty when unknown).
    std::string modelArchitecture; // "gpt2"
    std::string modelName;         // directory name or hub id
    std::string weightsHash;       // WeightStore fingerprint
    std::string method;            // "eap", "eap-ig", "acdc", "manual", …
    std::string metric;            // "logit-diff", …
    std::string reference;         // "corrupted", "zero", "mean", "mean-all-positions"
    // What a positive score means; ours: "metric change when the edge is patched"
    // (design.md §4). Files from other tools keep what they say, or stay empty.
    std::string scoreSign;
    std::map<std::string, std::string> labels; // node name -> user label ("previous-token head")
    std::map<std::string, std::string> groups; // node name -> group name

    Circuit() = default;
    explicit Circuit(Graph g, int dModel = 0); // every edge and node out of the circuit, no scores

    bool hasScores() const { return !edgeScores.empty(); }
    std::size_t nodeCount() const { return graph.senders().size() + 1; }
    std::string nodeName(std::size_t node) const;
    std::optional<std::size_t> findNode(const std::string& name) const;
    std::size_t edgesInGraph() const;
    std::size_t nodesInGraph() const;
    // Sets nodeInGraph from the edges: a node is in when an edge in the circuit touches it.
    void nodesFromEdges();
};

// Reads an EAP-IG or native circuit file (detected from the content). Throws core::Error
// naming the file and the first bad edge or node (unknown name, missing score/in_graph,
// cfg fields missing or not positive).
Circuit readCircuit(const std::filesystem::path& file, CircuitFormat* detected = nullptr);
// The same from parsed JSON (a circuit embedded in another file, e.g. a session);
// `where` names it in messages.
Circuit parseCircuitJson(const nlohmann::json& j, const std::string& where, CircuitFormat* detected = nullptr);
// Writes in `format`; EAP-IG files list nodes and edges in EAP-IG's own order, so a file
// read and written back is the same JSON. A grouped-query circuit is written on its own
// graph (key/value receivers a3.kv1<k>, cfg.n_kv_heads) in every format but
// EapIgPerQueryHead, which expands key/value edges per query head and throws core::Error for
// a circuit with scores: a shared input's score does not divide among the query heads.
// Throws core::Error on I/O failure.
void writeCircuit(const Circuit& circuit, const std::filesystem::path& file, CircuitFormat format);
std::string circuitToString(const Circuit& circuit, CircuitFormat format);

// Why `circuit` cannot be used with a model of `config`, naming every difference
// ("layers 12 vs 2, heads 12 vs 4"), or an empty string when it can.
std::string circuitMismatch(const Circuit& circuit, const ModelConfig& config);
// The circuit on the model's graph: identical when the shapes agree. A per-query-head
// (EAP-IG/MIB) circuit of a grouped-query model is on that model's ungrouped graph: kept as
// it is when `ungroupedKv` (evaluate it with EvaluationOptions::ungroupedKv, exactly), else
// merged onto the grouped graph, its <k>/<v> edges per key/value head (scores summed, in
// when any is in). A grouped circuit asked for on the ungrouped graph throws, as does a
// shape that does not fit (circuitMismatch()'s text).
Circuit adaptCircuit(const Circuit& circuit, const ModelConfig& config, bool ungroupedKv = false);
// Whether `circuit` is a grouped-query model's ungrouped (per-query-head) circuit: a
// multi-head-shaped graph for a model with fewer key/value heads than heads.
bool isPerQueryHeadCircuitOf(const Circuit& circuit, const ModelConfig& config);

// The order a top-n selection takes edges in: by |score| (the default; EAP-IG's and MIB's
// absolute=True), or by the signed score, largest or smallest first (MIB ranks signed
// scores for CPR so that the edges the behaviour needs come first). NaN scores come last.
enum class EdgeOrder {
    Magnitude,
    LargestFirst,
    SmallestFirst,
};
std::string edgeOrderName(EdgeOrder order);        // "magnitude", "largest-first", "smallest-first"
EdgeOrder parseEdgeOrder(const std::string& name); // throws Error listing the valid names
// The signed order that puts the edges the behaviour needs first. Patchbay's scores are the
// metric's change when the edge is patched (score_sign "metric change when the edge …"):
// negative for a needed edge when the scoring metric is higher-is-better (logit-diff,
// prob-diff; `circuit.metric`, or `fallback` when the circuit does not say), positive for
// kl and loss. Scores from EAP-IG or MIB (no such score_sign) were taken of a loss (MIB:
// minus the logit difference), so a needed edge scores positive there.
EdgeOrder neededFirst(const Circuit& circuit, Metric fallback);

// Selection (design.md §5). All need scores, set edgeInGraph and then nodesFromEdges().
// The n first edges in `order`, ties by edge index.
void selectTopN(Circuit& circuit, std::size_t n, EdgeOrder order = EdgeOrder::Magnitude);
void selectThreshold(Circuit& circuit, double threshold);  // |score| >= threshold
// Grows from `logits`: repeatedly adds the first edge in `order` whose receiver's node is
// already in the circuit, until n edges are in (or none can be added). EAP-IG's
// Graph.apply_greedy (absolute=True by default: by |score|).
void selectGreedy(Circuit& circuit, std::size_t n, EdgeOrder order = EdgeOrder::Magnitude);
// Removes edges and nodes that are not on a path from `input` to `logits`; returns how
// many edges were removed.
std::size_t prune(Circuit& circuit);

// ROC of a score ranking against a reference circuit (design.md §5). Points are
// (false-positive rate, true-positive rate) after each distinct |score| level, from (0,0)
// to (1,1).
struct RocPoint
{
    double fpr = 0;
    double tpr = 0;
};
std::vector<RocPoint> rocCurve(const std::vector<double>& scores, const std::vector<char>& truth);
// Staircase area over the Pareto points of `curve` with (0,0) and (1,1) added (ACDC's
// pessimistic AUC).
double pessimisticAuc(const std::vector<RocPoint>& curve);
// Edge level: `scored`'s |edge scores| against `reference`'s edgeInGraph. Node level: a
// node's score is the largest |score| of an edge that touches it, truth its nodeInGraph.
// Both circuits must be on the same graph (throws Error otherwise).
std::vector<RocPoint> edgeRoc(const Circuit& scored, const Circuit& reference);
std::vector<RocPoint> nodeRoc(const Circuit& scored, const Circuit& reference);

} // namespace patchbay::core
