// SPDX-License-Identifier: MIT
// Graphviz DOT export of a circuit: the edges in it, coloured by the sign of their score and
// as wide as its magnitude, the nodes ranked in forward order, labels and groups shown.
#include "core/graph/circuit_p.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <locale>
#include <map>
#include <sstream>

namespace patchbay::core::detail {

namespace {

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

} // namespace

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

} // namespace patchbay::core::detail
