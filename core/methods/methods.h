// SPDX-License-Identifier: MIT
// The attribution and discovery methods of design.md §4, and the one table that describes
// them: the CLI, the run panel, the result titles, sessions and the result cache read it, so
// adding a method is its computation in attribution.cpp plus one row in methods.cpp.
// Torch-free (the file readers and their fuzz targets use the names).
#pragma once

#include <string>
#include <vector>

namespace patchbay::core {

// Every one is a policy on the one interventional forward; scores are the linear estimate
// (or, for the exact methods, the measured value) of the metric's change when the edge or
// node is patched to its reference.
enum class Method {
    ActivationPatching, // exact, nodes (optionally per position)
    AtP,                // attribution patching, nodes: (a_ref − a)·∂M/∂a
    Eap,                // edges: (a_ref − a)·∂M/∂in_v on the clean run
    EapIg,              // edges: gradients averaged over inputs interpolated from the reference embedding
    EapIgActivations,   // edges: gradients averaged over every sender's output interpolated
    CleanCorrupted,     // edges: gradients averaged over the clean and the reference run
    Exact,              // edges: one masked evaluation per edge
    Acdc,               // edges: greedy removal from the logits backwards, threshold τ
    PathPatching,       // nodes: each sender's effect on chosen receivers through `through` (IOI figures)
};

// One row of the table. The English texts are translated by the window (context "Method").
struct MethodInfo
{
    Method method;
    const char* name;    // "eap-ig": the CLI's --method, files, sessions, cache keys
    const char* title;   // "EAP-IG": result titles
    const char* label;   // "EAP-IG (inputs)": the run panel's choice
    const char* summary; // one line: what it computes
    bool scoresEdges;    // per-edge scores (else per sender, the node methods)
    bool usesSteps;      // takes integration steps (AttributionOptions::steps >= 1)
    bool usesThresholds; // takes ACDC's τ list and top k
    bool perPosition;    // can score per token position (AttributionOptions::perPosition)
    bool ranksShortlist; // a gradient estimate of every edge: may rank exact patching's and ACDC's shortlist
    bool needsReceivers; // needs AttributionOptions::receivers (not offered by the run panel)
};

// Every method, in the order the run panel offers them (the default, EAP, first).
const std::vector<MethodInfo>& methods();
const MethodInfo& methodInfo(Method method);

std::string methodName(Method method); // methodInfo(method).name
Method parseMethod(const std::string& name); // throws Error listing the names
bool methodScoresEdges(Method method);
// The names joined by `separator` ("eap|eap-ig|…"), of every method or of those `keep` accepts.
std::string joinMethodNames(const std::string& separator, bool (*keep)(const MethodInfo&) = nullptr);

} // namespace patchbay::core
