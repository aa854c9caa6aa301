// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/modelconfig.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::core {

// The computational graph of design.md §2, compatible with EAP-IG / MIB / auto-circuit:
// senders (input, a{l}.h{h}, m{l}) write into the residual stream; receivers (the q/k/v
// inputs of each head, each MLP's input, the logits) read the sum of the senders before
// them. An edge is a (sender, receiver) pair where the sender is computed earlier.
//
// Index layout (EAP-IG's, so score matrices interchange):
//   sender  input = 0, a{l}.h{h} = 1 + l(H+1) + h, m{l} = 1 + l(H+1) + H
//   receiver a{l}.h{h}<q> = l·R + h, <k> = l·R + H + g, <v> = l·R + H + Hkv + g,
//            m{l} = l·R + H + 2Hkv, logits = L·R, with R = H + 2Hkv + 1
// (for multi-head attention Hkv = H and this is EAP-IG's l(3H+1) + qkv·H + h). With
// grouped-query attention the k/v receivers exist per key/value head g and are named
// a{l}.kv{g}<k> / a{l}.kv{g}<v>.
//
// Immutable value; any thread.
class Graph
{
public:
    enum class NodeKind { Input, Head, Mlp, Logits };
    enum class Port { Q = 0, K = 1, V = 2, None = 3 };

    struct Sender
    {
        NodeKind kind;
        int layer; // -1 for input
        int head;  // -1 unless a head
        std::string name;
    };
    struct Receiver
    {
        NodeKind kind; // Head (with port), Mlp or Logits
        int layer;     // n_layers for logits
        int head;      // query head for <q>, key/value head for <k>/<v>, -1 otherwise
        Port port;
        std::string name; // "a3.h2<q>", "a3.kv1<k>", "m5", "logits"
        std::string nodeName; // the node it belongs to: "a3.h2", "a3.kv1"... , "m5", "logits"
    };
    struct Edge
    {
        int sender;   // sender index
        int receiver; // receiver index
    };

    // The largest graph any model or file may ask for (docs/resource-policy.md): a graph
    // is built whole, every edge at once, so its size is checked before anything is
    // allocated. 2^25 edges is ~0.5 GB with a circuit's scores; GPT-2 small has 32,491.
    static constexpr int kMaxLayers = 1024;
    static constexpr int kMaxHeads = 1024;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    // Fuzz builds (fuzz/): 2^22 edges, still 2.6 times Llama-3.1-8B's ungrouped graph. A
    // 90-byte cfg asking for 15.6 M edges reads in 0.64 s (424 MB) in a release build but
    // took over libFuzzer's 10 s under ASan and coverage; the check is the same code.
    static constexpr std::uint64_t kMaxEdges = std::uint64_t{1} << 22;
#else
    static constexpr std::uint64_t kMaxEdges = std::uint64_t{1} << 25;
#endif

    // The number of edges of a graph of this shape, computed without overflow; 0 for a
    // shape that is not a graph (non-positive counts, heads not a multiple of kv heads).
    static std::uint64_t edgeCountFor(int nLayers, int nHeads, int nKvHeads, bool parallelAttnMlp);
    // Why a graph of this shape cannot be built ("0 layers", "2 layers x 16777216 heads is
    // more than the 1024 heads ..."), or an empty string when it can.
    static std::string shapeProblem(int nLayers, int nHeads, int nKvHeads, bool parallelAttnMlp);

    Graph() = default;
    explicit Graph(const ModelConfig& config);
    // Throws core::Error with shapeProblem()'s text for a shape that cannot be built.
    Graph(int nLayers, int nHeads, int nKvHeads, bool parallelAttnMlp);

    int nLayers() const { return m_layers; }
    int nHeads() const { return m_heads; }
    int nKvHeads() const { return m_kvHeads; }
    bool parallelAttnMlp() const { return m_parallel; }

    const std::vector<Sender>& senders() const { return m_senders; }
    const std::vector<Receiver>& receivers() const { return m_receivers; }
    // Edges in canonical order: by receiver index, then sender index.
    const std::vector<Edge>& edges() const { return m_edges; }
    std::size_t edgeCount() const { return m_edges.size(); }

    int senderIndex(int layer, int head) const { return 1 + layer * (m_heads + 1) + head; }
    int mlpSenderIndex(int layer) const { return 1 + layer * (m_heads + 1) + m_heads; }
    int receiverStride() const { return m_heads + 2 * m_kvHeads + 1; }
    int receiverIndex(int layer, Port port, int head) const;
    int mlpReceiverIndex(int layer) const { return layer * receiverStride() + m_heads + 2 * m_kvHeads; }
    int logitsReceiverIndex() const { return m_layers * receiverStride(); }
    // The first sender index that is *not* computed before receiver r (senders [0, n) feed r).
    int sendersBefore(int receiver) const { return m_sendersBefore[static_cast<std::size_t>(receiver)]; }
    // Edges into receiver r are contiguous: [firstEdge(r), firstEdge(r) + sendersBefore(r)).
    std::size_t firstEdge(int receiver) const { return m_firstEdgeOfReceiver[static_cast<std::size_t>(receiver)]; }

    // Grouped-query attention: query heads per key/value head (1 without it). A <k>/<v>
    // receiver's `head` is a key/value head, read by query heads [g·groupSize(), (g+1)·groupSize()).
    int groupSize() const { return m_heads / m_kvHeads; }
    int kvHeadOf(int queryHead) const { return queryHead / groupSize(); }
    // Nodes are numbered as senders, with `logits` after them (senders().size()).
    int logitsNode() const { return static_cast<int>(m_senders.size()); }
    // The nodes that read receiver r, [begin, end): a <q> input's head, a <k>/<v> input's
    // query heads (the whole group), an MLP input's MLP, the logits' logits node.
    struct NodeRange
    {
        int begin;
        int end;
    };
    NodeRange readersOf(int receiver) const;
    // The inverse: the receivers a node reads (a head's <q> and its key/value head's <k>, <v>;
    // an MLP's input; the logits); none for the input.
    std::vector<int> receiversOf(int node) const;
    // Same layers, heads, key/value heads and block layout (so the same nodes and edges).
    bool sameShape(const Graph& other) const
    {
        return m_layers == other.m_layers && m_heads == other.m_heads && m_kvHeads == other.m_kvHeads
            && m_parallel == other.m_parallel;
    }

    std::string edgeName(const Edge& e) const; // "a3.h2->a5.h1<q>"
    std::string edgeName(std::size_t edge) const { return edgeName(m_edges[edge]); }
    // Parses "input->a0.h1<q>", "a3.h2->m5", "m11->logits"; nullopt when the name is not
    // an edge of this graph.
    std::optional<std::size_t> findEdge(const std::string& name) const;
    std::optional<int> findSender(const std::string& name) const;
    std::optional<int> findReceiver(const std::string& name) const;
    // Edge index of (sender, receiver), or nullopt when that pair is not an edge.
    std::optional<std::size_t> edgeIndex(int sender, int receiver) const;

    // "12 layers, 12 heads, sequential blocks" for messages.
    std::string describe() const;

private:
    void build();

    int m_layers = 0;
    int m_heads = 0;
    int m_kvHeads = 0;
    bool m_parallel = false;
    std::vector<Sender> m_senders;
    std::vector<Receiver> m_receivers;
    std::vector<Edge> m_edges;
    std::vector<int> m_sendersBefore;
    std::vector<std::size_t> m_firstEdgeOfReceiver; // edges of r are [first[r], first[r] + sendersBefore(r))
};

} // namespace patchbay::core
