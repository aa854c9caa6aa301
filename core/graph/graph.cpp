// SPDX-License-Identifier: MIT
#include "core/graph/graph.h"

#include "core/common/error.h"

#include <string_view>

namespace patchbay::core {

Graph::Graph(const ModelConfig& c) : Graph(c.nLayers, c.nHeads, c.nKvHeads, c.parallelAttnMlp) {}

std::uint64_t Graph::edgeCountFor(int nLayers, int nHeads, int nKvHeads, bool parallelAttnMlp)
{
    if (nLayers <= 0 || nHeads <= 0 || nKvHeads <= 0 || nHeads % nKvHeads != 0 || nLayers > kMaxLayers
        || nHeads > kMaxHeads)
        return 0;
    // Within the limits every term fits easily in 64 bits (at most ~2^41).
    const std::uint64_t L = std::uint64_t(nLayers), H = std::uint64_t(nHeads), Hkv = std::uint64_t(nKvHeads);
    std::uint64_t edges = 1 + L * (H + 1); // into logits: every sender
    for (std::uint64_t l = 0; l < L; ++l) {
        const std::uint64_t before = 1 + l * (H + 1);
        edges += (H + 2 * Hkv) * before + (parallelAttnMlp ? before : before + H);
    }
    return edges;
}

std::string Graph::shapeProblem(int nLayers, int nHeads, int nKvHeads, bool parallelAttnMlp)
{
    const std::string shape = std::to_string(nLayers) + " layers, " + std::to_string(nHeads) + " heads, "
        + std::to_string(nKvHeads) + " key/value heads";
    if (nLayers <= 0 || nHeads <= 0 || nKvHeads <= 0 || nHeads % nKvHeads != 0)
        return "invalid shape (" + shape + ")";
    if (nLayers > kMaxLayers || nHeads > kMaxHeads)
        return "a graph of " + shape + " is larger than this build accepts (at most " + std::to_string(kMaxLayers)
            + " layers and " + std::to_string(kMaxHeads) + " heads)";
    const std::uint64_t edges = edgeCountFor(nLayers, nHeads, nKvHeads, parallelAttnMlp);
    if (edges > kMaxEdges)
        return "a graph of " + shape + " has " + std::to_string(edges) + " edges, more than this build accepts ("
            + std::to_string(kMaxEdges) + ")";
    return {};
}

Graph::Graph(int nLayers, int nHeads, int nKvHeads, bool parallelAttnMlp)
    : m_layers(nLayers), m_heads(nHeads), m_kvHeads(nKvHeads), m_parallel(parallelAttnMlp)
{
    if (const std::string problem = shapeProblem(nLayers, nHeads, nKvHeads, parallelAttnMlp); !problem.empty())
        throw Error("graph: " + problem);
    build();
}

int Graph::receiverIndex(int layer, Port port, int head) const
{
    const int base = layer * receiverStride();
    switch (port) {
    case Port::Q: return base + head;
    case Port::K: return base + m_heads + head;
    case Port::V: return base + m_heads + m_kvHeads + head;
    case Port::None: break;
    }
    return mlpReceiverIndex(layer);
}

void Graph::build()
{
    const bool gqa = m_kvHeads != m_heads;
    m_senders.push_back({NodeKind::Input, -1, -1, "input"});
    for (int l = 0; l < m_layers; ++l) {
        for (int h = 0; h < m_heads; ++h)
            m_senders.push_back({NodeKind::Head, l, h, "a" + std::to_string(l) + ".h" + std::to_string(h)});
        m_senders.push_back({NodeKind::Mlp, l, -1, "m" + std::to_string(l)});
    }
    for (int l = 0; l < m_layers; ++l) {
        const std::string a = "a" + std::to_string(l);
        // Everything of earlier layers (and the input) feeds a layer's heads.
        const int before = 1 + l * (m_heads + 1);
        for (int h = 0; h < m_heads; ++h) {
            const std::string node = a + ".h" + std::to_string(h);
            m_receivers.push_back({NodeKind::Head, l, h, Port::Q, node + "<q>", node});
            m_sendersBefore.push_back(before);
        }
        for (Port port : {Port::K, Port::V}) {
            for (int g = 0; g < m_kvHeads; ++g) {
                const std::string node = a + (gqa ? ".kv" : ".h") + std::to_string(g);
                m_receivers.push_back({NodeKind::Head, l, g, port, node + (port == Port::K ? "<k>" : "<v>"), node});
                m_sendersBefore.push_back(before);
            }
        }
        // The MLP also reads its own layer's heads, unless attention and MLP run in parallel.
        m_receivers.push_back({NodeKind::Mlp, l, -1, Port::None, "m" + std::to_string(l), "m" + std::to_string(l)});
        m_sendersBefore.push_back(m_parallel ? before : before + m_heads);
    }
    m_receivers.push_back({NodeKind::Logits, m_layers, -1, Port::None, "logits", "logits"});
    m_sendersBefore.push_back(static_cast<int>(m_senders.size()));

    m_edges.reserve(static_cast<std::size_t>(edgeCountFor(m_layers, m_heads, m_kvHeads, m_parallel)));
    for (std::size_t r = 0; r < m_receivers.size(); ++r) {
        m_firstEdgeOfReceiver.push_back(m_edges.size());
        for (int s = 0; s < m_sendersBefore[r]; ++s) {
            // A parallel block's MLP does not read its own layer's heads: the senders before
            // it stop at the previous layer's MLP, which sendersBefore already encodes.
            m_edges.push_back({s, static_cast<int>(r)});
        }
    }
}

std::string Graph::edgeName(const Edge& e) const
{
    return m_senders[static_cast<std::size_t>(e.sender)].name + "->" + m_receivers[static_cast<std::size_t>(e.receiver)].name;
}

namespace {

// A layer or head index exactly as names write it: decimal digits, no sign, no leading
// zero, no spaces ("m01", "m+1", "a0.h-0" are not names; strtol accepted them).
std::optional<int> parseIndex(std::string_view s)
{
    if (s.empty() || s.size() > 9 || (s.size() > 1 && s[0] == '0'))
        return std::nullopt;
    int value = 0;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

std::optional<int> Graph::findSender(const std::string& name) const
{
    if (name == "input")
        return 0;
    const std::string_view n(name);
    if (n.size() > 1 && n[0] == 'm') { // m{l}
        const auto l = parseIndex(n.substr(1));
        if (l && *l < m_layers)
            return mlpSenderIndex(*l);
        return std::nullopt;
    }
    if (n.size() > 1 && n[0] == 'a') { // a{l}.h{h}
        const auto dot = n.find(".h");
        if (dot == std::string_view::npos)
            return std::nullopt;
        const auto l = parseIndex(n.substr(1, dot - 1));
        const auto h = parseIndex(n.substr(dot + 2));
        if (l && h && *l < m_layers && *h < m_heads)
            return senderIndex(*l, *h);
    }
    return std::nullopt;
}

std::optional<int> Graph::findReceiver(const std::string& name) const
{
    // Receivers are few (hundreds): a linear scan keeps the parser honest and simple.
    for (std::size_t r = 0; r < m_receivers.size(); ++r)
        if (m_receivers[r].name == name)
            return static_cast<int>(r);
    return std::nullopt;
}

std::optional<std::size_t> Graph::edgeIndex(int sender, int receiver) const
{
    if (receiver < 0 || receiver >= static_cast<int>(m_receivers.size()) || sender < 0
        || sender >= m_sendersBefore[static_cast<std::size_t>(receiver)])
        return std::nullopt;
    return m_firstEdgeOfReceiver[static_cast<std::size_t>(receiver)] + static_cast<std::size_t>(sender);
}

std::optional<std::size_t> Graph::findEdge(const std::string& name) const
{
    const auto arrow = name.find("->");
    if (arrow == std::string::npos)
        return std::nullopt;
    const auto s = findSender(name.substr(0, arrow));
    const auto r = findReceiver(name.substr(arrow + 2));
    if (!s || !r)
        return std::nullopt;
    return edgeIndex(*s, *r);
}

std::string Graph::describe() const
{
    std::string s = std::to_string(m_layers) + " layers, " + std::to_string(m_heads) + " heads";
    if (m_kvHeads != m_heads)
        s += " (" + std::to_string(m_kvHeads) + " key/value heads)";
    s += m_parallel ? ", parallel attention+MLP blocks" : ", sequential blocks";
    return s;
}

Graph::NodeRange Graph::readersOf(int receiver) const
{
    const auto& r = m_receivers[static_cast<std::size_t>(receiver)];
    switch (r.kind) {
    case NodeKind::Head: {
        if (r.port == Port::Q)
            return {senderIndex(r.layer, r.head), senderIndex(r.layer, r.head) + 1};
        const int first = senderIndex(r.layer, r.head * groupSize());
        return {first, first + groupSize()};
    }
    case NodeKind::Mlp: return {mlpSenderIndex(r.layer), mlpSenderIndex(r.layer) + 1};
    case NodeKind::Input:
    case NodeKind::Logits: break;
    }
    return {logitsNode(), logitsNode() + 1};
}

std::vector<int> Graph::receiversOf(int node) const
{
    if (node == logitsNode())
        return {logitsReceiverIndex()};
    const auto& s = m_senders[static_cast<std::size_t>(node)];
    switch (s.kind) {
    case NodeKind::Head:
        return {receiverIndex(s.layer, Port::Q, s.head), receiverIndex(s.layer, Port::K, kvHeadOf(s.head)),
                receiverIndex(s.layer, Port::V, kvHeadOf(s.head))};
    case NodeKind::Mlp: return {mlpReceiverIndex(s.layer)};
    case NodeKind::Input:
    case NodeKind::Logits: break;
    }
    return {};
}

} // namespace patchbay::core
