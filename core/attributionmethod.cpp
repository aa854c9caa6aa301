// SPDX-License-Identifier: MIT
// The names of the attribution methods (attribution.h). Apart from attribution.cpp, which
// needs LibTorch, so that the file readers (sessions store the method of each run) and
// their fuzz targets build without it.
#include "core/attribution.h"

#include "core/error.h"

#include <utility>
#include <vector>

namespace patchbay::core {

namespace {

const std::vector<std::pair<Method, const char*>> kMethods = {
    {Method::ActivationPatching, "activation-patching"},
    {Method::AtP, "atp"},
    {Method::Eap, "eap"},
    {Method::EapIg, "eap-ig"},
    {Method::EapIgActivations, "eap-ig-activations"},
    {Method::CleanCorrupted, "clean-corrupted"},
    {Method::Exact, "exact"},
    {Method::Acdc, "acdc"},
    {Method::PathPatching, "path-patching"},
};

} // namespace

std::string methodName(Method method)
{
    for (const auto& [m, name] : kMethods)
        if (m == method)
            return name;
    return "?";
}

Method parseMethod(const std::string& name)
{
    std::string all;
    for (const auto& [m, n] : kMethods) {
        if (name == n)
            return m;
        all += (all.empty() ? "" : ", ") + std::string(n);
    }
    throw Error("unknown method \"" + name + "\" (expected " + all + ")");
}

bool methodScoresEdges(Method method)
{
    return method != Method::ActivationPatching && method != Method::AtP && method != Method::PathPatching;
}

} // namespace patchbay::core
