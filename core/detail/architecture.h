// SPDX-License-Identifier: MIT
// Private header (torch inside): the family registry. A family is one file in
// core/families/ that parses its config.json and maps its checkpoint's tensor names onto
// the shared TransformerWeights; adding a family is that file plus one registry line in
// architecture.cpp.
#pragma once

#include "core/detail/transformer.h"
#include "core/modelconfig.h"
#include "core/weights.h"

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace patchbay::core::detail {

// Reads checkpoint tensors into the compute dtype and device, checking names and shapes.
class WeightLoader
{
public:
    WeightLoader(const WeightStore& store, torch::ScalarType dtype, torch::Device device);

    // The first of `prefixes` under which `probe` exists (e.g. "transformer." or "" for
    // GPT-2); throws core::Error listing what was tried.
    std::string detectPrefix(const std::vector<std::string>& prefixes, const std::string& probe) const;
    bool has(const std::string& name) const;
    // The tensor `name` with exactly `shape`, converted; throws core::Error naming the
    // tensor, its shape and the expected one.
    torch::Tensor get(const std::string& name, const std::vector<int64_t>& shape) const;
    // As get(), nullopt-like undefined tensor when absent.
    torch::Tensor optional(const std::string& name, const std::vector<int64_t>& shape) const;

    torch::ScalarType dtype() const { return m_dtype; }
    torch::Device device() const { return m_device; }
    // The tensors get()/optional() have read so far.
    const std::set<std::string>& used() const { return m_used; }

private:
    const WeightStore& m_store;
    torch::ScalarType m_dtype;
    torch::Device m_device;
    mutable std::set<std::string> m_used;
};

struct Architecture
{
    std::string family;                  // "gpt2", "gpt_neox", "llama"
    std::vector<std::string> modelTypes; // config.json model_type values it serves
    ModelConfig (*parseConfig)(const nlohmann::json& config, const std::string& where);
    TransformerWeights (*loadWeights)(const ModelConfig& config, const WeightLoader& loader);
};

const std::vector<const Architecture*>& architectures();
// Throws core::Error naming the file and the supported model types.
const Architecture& architectureFor(const std::string& modelType, const std::string& where);

// Helpers shared by the family files.
ModelConfig::Norm normFromString(const std::string& s);
// Rotary base from "rope_theta", "rotary_emb_base" or "rope_parameters": {"rope_theta"}.
double ropeThetaFrom(const nlohmann::json& config, double fallback, const std::string& where);
// Refuses rope scaling variants the forward does not implement.
void checkRopeScaling(const nlohmann::json& config, const std::string& where);

} // namespace patchbay::core::detail
