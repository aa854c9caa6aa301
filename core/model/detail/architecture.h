// SPDX-License-Identifier: MIT
// Private header (torch inside): the family registry. A family is one file in
// core/model/families/ that parses its config.json and maps its checkpoint's tensor names onto
// the shared TransformerWeights; adding a family is that file plus one registry line in
// architecture.cpp.
#pragma once

#include "core/model/detail/transformer.h"
#include "core/model/modelconfig.h"
#include "core/io/weights.h"

#include <nlohmann/json.hpp>

#include <functional>
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
    // A tensor a family computed from loaded ones (Gemma's gains 1 + w, in float32)
    // converted to the compute dtype and device.
    torch::Tensor toCompute(const torch::Tensor& t) const { return t.to(m_device, m_dtype); }

    torch::ScalarType dtype() const { return m_dtype; }
    torch::Device device() const { return m_device; }
    // The tensors get()/optional() have read so far.
    const std::set<std::string>& used() const { return m_used; }
    // Called after each tensor get() converted, with the count read so far: the load's
    // progress and its cancel point (a callback that throws Cancelled stops the load
    // between tensors; what was loaded is freed).
    void onTensor(std::function<void(std::size_t read)> f) { m_onTensor = std::move(f); }

    // Throws core::Error naming the tensors of the checkpoint that no get() read: a
    // config.json that disagrees with its weights (n_layer 1 on a 2-layer checkpoint)
    // must not run silently. Buffers that are recomputed (GPT-2's attn.bias/masked_bias
    // causal masks, rotary inv_freq) and a tied model's copy of lm_head.weight are not
    // weights and may stay unread.
    void checkAllUsed(const ModelConfig& config) const;

private:
    const WeightStore& m_store;
    torch::ScalarType m_dtype;
    torch::Device m_device;
    mutable std::set<std::string> m_used;
    std::function<void(std::size_t)> m_onTensor;
};

struct Architecture
{
    std::string family;                  // "gpt2", "gpt_neox", "llama"
    std::vector<std::string> modelTypes; // config.json model_type values it serves
    ModelConfig (*parseConfig)(const nlohmann::json& config, const std::string& where);
    TransformerWeights (*loadWeights)(const ModelConfig& config, const WeightLoader& loader);
    // Why the family cannot compute in float16 (Model::load refuses it), or nullptr.
    const char* float16Refusal = nullptr;
};

const std::vector<const Architecture*>& architectures();
// Throws core::Error naming the file and the supported model types.
const Architecture& architectureFor(const std::string& modelType, const std::string& where);

// config.json (parsed) to a ModelConfig: the family of its model_type parses it, then
// checkConfigRanges() refuses numbers no model has. Throws core::Error naming `where`.
ModelConfig parseModelConfig(const nlohmann::json& config, const std::string& where);
// Every size and number of a parsed config in its plausible range (docs/resource-policy.md):
// layer norm epsilon in (0, 1e10], rotary base in (1, 1e12], dimensions within the limits
// the graph and the tokenizer accept. Throws core::Error naming `where` and the field.
void checkConfigRanges(const ModelConfig& config, const std::string& where);

// Helpers shared by the family files.
ModelConfig::Norm normFromString(const std::string& s);
// Rotary base from "rope_theta", "rotary_emb_base" or "rope_parameters": {"rope_theta"}.
double ropeThetaFrom(const nlohmann::json& config, double fallback, const std::string& where);
// Refuses rope scaling variants (families whose forward implements none: GPT-NeoX).
void checkRopeScaling(const nlohmann::json& config, const std::string& where);
// The rotary scaling described by one parameter object (a "rope_scaling" or a
// "rope_parameters" entry; null: none) of a config whose top level is `config`:
// default, linear, dynamic, llama3 and yarn as transformers computes them; other types
// are refused naming the field. maxPositions is max_position_embeddings.
ModelConfig::RopeScaling ropeScalingFrom(const nlohmann::json& params, const nlohmann::json& config, int maxPositions,
                                         const std::string& where);
// Sets c.ropeTheta and c.ropeScaling from either layout: transformers 5's
// "rope_parameters" {rope_theta, rope_type, ...} or the older "rope_theta" +
// "rope_scaling" {type | rope_type, ...}. Needs c.nCtx (max_position_embeddings); a
// dynamic scaling extends c.nCtx to max_position_embeddings x factor.
void readRope(const nlohmann::json& config, ModelConfig& c, double defaultTheta, const std::string& where);
// Which layers slide, from "layer_types" (transformers 5: "sliding_attention" /
// "full_attention" per layer); empty when the config has no such list.
std::vector<bool> slidingLayersFrom(const nlohmann::json& config, int nLayers, const std::string& where);

} // namespace patchbay::core::detail
