// SPDX-License-Identifier: MIT
// The method table (methods.h). Apart from attribution.cpp, which needs LibTorch, so that
// the file readers (sessions store the method of each run) and their fuzz targets build
// without it.
#include "core/methods/methods.h"

#include "core/common/error.h"

// The English texts below are translated by the window; tools/update-translations.sh has
// lupdate read this macro as QT_TRANSLATE_NOOP.
#define PATCHBAY_TRANSLATE_NOOP(context, text) text

namespace patchbay::core {

namespace {

// clang-format off
const std::vector<MethodInfo> kMethods = {
    // method, name, title, label, summary,
    //   scoresEdges, usesSteps, usesThresholds, perPosition, ranksShortlist, needsReceivers
    {Method::Eap, "eap",
     PATCHBAY_TRANSLATE_NOOP("Method", "EAP"), PATCHBAY_TRANSLATE_NOOP("Method", "EAP"),
     PATCHBAY_TRANSLATE_NOOP("Method", "Edge attribution patching: gradients on the clean run, every edge at once"),
     true, false, false, false, true, false},
    {Method::EapIg, "eap-ig",
     PATCHBAY_TRANSLATE_NOOP("Method", "EAP-IG"), PATCHBAY_TRANSLATE_NOOP("Method", "EAP-IG (inputs)"),
     PATCHBAY_TRANSLATE_NOOP("Method", "EAP with integrated gradients over inputs interpolated from the reference"),
     true, true, false, false, true, false},
    {Method::EapIgActivations, "eap-ig-activations",
     PATCHBAY_TRANSLATE_NOOP("Method", "EAP-IG (activations)"), PATCHBAY_TRANSLATE_NOOP("Method", "EAP-IG (activations)"),
     PATCHBAY_TRANSLATE_NOOP("Method", "EAP with integrated gradients over interpolated sender activations"),
     true, true, false, false, true, false},
    {Method::CleanCorrupted, "clean-corrupted",
     PATCHBAY_TRANSLATE_NOOP("Method", "Clean-corrupted"), PATCHBAY_TRANSLATE_NOOP("Method", "Clean-corrupted"),
     PATCHBAY_TRANSLATE_NOOP("Method", "Gradients averaged over the clean and the reference run"),
     true, false, false, false, true, false},
    {Method::AtP, "atp",
     PATCHBAY_TRANSLATE_NOOP("Method", "AtP"), PATCHBAY_TRANSLATE_NOOP("Method", "AtP (nodes)"),
     PATCHBAY_TRANSLATE_NOOP("Method", "Attribution patching of every component"),
     false, false, false, false, false, false},
    {Method::ActivationPatching, "activation-patching",
     PATCHBAY_TRANSLATE_NOOP("Method", "Activation patching"), PATCHBAY_TRANSLATE_NOOP("Method", "Activation patching (nodes)"),
     PATCHBAY_TRANSLATE_NOOP("Method", "Patch every component to its reference, one at a time (exact)"),
     false, false, false, true, false, false},
    {Method::Exact, "exact",
     PATCHBAY_TRANSLATE_NOOP("Method", "Exact patching"), PATCHBAY_TRANSLATE_NOOP("Method", "Exact edge patching"),
     PATCHBAY_TRANSLATE_NOOP("Method", "One masked evaluation per edge (exact; slow on large models)"),
     true, false, false, false, false, false},
    {Method::Acdc, "acdc",
     PATCHBAY_TRANSLATE_NOOP("Method", "ACDC"), PATCHBAY_TRANSLATE_NOOP("Method", "ACDC"),
     PATCHBAY_TRANSLATE_NOOP("Method", "Greedy edge removal from the logits backwards with threshold τ"),
     true, false, true, false, false, false},
    {Method::PathPatching, "path-patching",
     PATCHBAY_TRANSLATE_NOOP("Method", "Path patching"), PATCHBAY_TRANSLATE_NOOP("Method", "Path patching (nodes)"),
     PATCHBAY_TRANSLATE_NOOP("Method", "Each sender's effect on chosen receivers, through the chosen senders only"),
     false, false, false, false, false, true},
};
// clang-format on

} // namespace

const std::vector<MethodInfo>& methods() { return kMethods; }

const MethodInfo& methodInfo(Method method)
{
    for (const auto& m : kMethods)
        if (m.method == method)
            return m;
    throw Error("method " + std::to_string(static_cast<int>(method)) + " is missing from the method table");
}

std::string methodName(Method method) { return methodInfo(method).name; }

Method parseMethod(const std::string& name)
{
    for (const auto& m : kMethods)
        if (name == m.name)
            return m.method;
    throw Error("unknown method \"" + name + "\" (expected " + joinMethodNames(", ") + ")");
}

bool methodScoresEdges(Method method) { return methodInfo(method).scoresEdges; }

std::string joinMethodNames(const std::string& separator, bool (*keep)(const MethodInfo&))
{
    std::string all;
    for (const auto& m : kMethods)
        if (!keep || keep(m))
            all += (all.empty() ? "" : separator) + m.name;
    return all;
}

} // namespace patchbay::core
