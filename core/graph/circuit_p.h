// SPDX-License-Identifier: MIT
#pragma once

// What the circuit sources share: core/graph/circuit.cpp (the Circuit, format dispatch, model
// matching), circuit_json.cpp (the EAP-IG and native JSON formats, read and written),
// circuit_dot.cpp (Graphviz DOT export) and circuit_selection.cpp (selection, pruning, ROC).
// Private to core; stateless; any thread.

#include "core/graph/circuit.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>

namespace patchbay::core::detail {

inline std::size_t toSize(int i)
{
    return static_cast<std::size_t>(i);
}

// Receiver `r` of a multi-head graph `mha` seen in the grouped-query graph `gqa` of the
// same layers and heads: a head's <k>/<v> input becomes its key/value head's.
int gqaReceiver(const Graph& mha, int r, const Graph& gqa);

// Throws core::Error (starting with `what`) when the circuit's edge/node vectors do not
// match its graph.
void checkShape(const Circuit& c, const char* what);

// The native format's "format" member.
inline constexpr const char* kNativeFormat = "patchbay-circuit";

// The file texts (circuit_json.cpp, circuit_dot.cpp), of a circuit whose shape the caller
// checked (circuitToString()).
//
// EAP-IG's layout on the circuit's own graph: one entry per edge, a grouped-query graph's
// key/value inputs under their own names (a3.kv1<k>) and cfg.n_kv_heads, so that every edge
// has one score and one name and the file reads back as the same circuit.
std::string eapIgText(const Circuit& c);
// EAP-IG's multi-head layout for a grouped-query circuit: a <k>/<v> receiver per query head.
// Membership expands exactly (patching a shared key/value input patches it for every query
// head of its group); scores would not, since a key/value edge's score is measured on the
// shared input and how it divides among the query heads is not known. So a scored circuit
// is refused rather than written with invented per-query-head numbers.
std::string eapIgPerQueryHeadText(const Circuit& c);
// EAP-IG's content plus model identity, method, metric, reference, sign, labels.
std::string nativeText(const Circuit& c);
// Graphviz DOT of the edges in the circuit.
std::string dotText(const Circuit& c);

// A parsed EAP-IG (`format` EapIg) or native circuit file; `file` names it in messages.
// Throws core::Error naming the first bad field, edge or node.
Circuit parseCircuit(const nlohmann::json& j, const std::string& file, CircuitFormat format);

} // namespace patchbay::core::detail
