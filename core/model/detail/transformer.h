// SPDX-License-Identifier: MIT
// Private header (torch inside): the one transformer forward every family shares.
#pragma once

#include "core/model/modelconfig.h"

#include <torch/torch.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace patchbay::core::detail {

// Weights of one block in TransformerLens orientation ([in, out] matrices), in the compute
// dtype on the compute device. Undefined tensors mean "absent" (no bias, RMSNorm has no
// shift, non-gated MLPs have no W_gate).
struct LayerWeights
{
    torch::Tensor ln1W, ln1B;       // [d_model]
    torch::Tensor wQ, bQ;           // [d_model, n_heads * d_head], [n_heads * d_head]
    torch::Tensor wK, bK;           // [d_model, n_kv_heads * d_head], [n_kv_heads * d_head]
    torch::Tensor wV, bV;           // [d_model, n_kv_heads * d_head], [n_kv_heads * d_head]
    torch::Tensor wO, bO;           // [n_heads * d_head, d_model], [d_model]
    torch::Tensor qNormW, kNormW;   // q/k RMSNorm gains: [d_head] (per head) or [n_heads * d_head] / [n_kv_heads * d_head] (all heads)
    torch::Tensor ln1PostW;         // [d_model] post-attention norm (ModelConfig::postNorms; TransformerLens' ln1_post)
    torch::Tensor ln2W, ln2B;       // [d_model]
    torch::Tensor wIn, bIn;         // [d_model, d_mlp], [d_mlp]
    torch::Tensor wGate;            // [d_model, d_mlp] (gated MLPs only)
    torch::Tensor wOut, bOut;       // [d_mlp, d_model], [d_model]
    torch::Tensor ln2PostW;         // [d_model] post-MLP norm (TransformerLens' ln2_post)
};

struct TransformerWeights
{
    torch::Tensor wE;           // [d_vocab, d_model]
    torch::Tensor wPos;         // [n_ctx, d_model] (learned positions only)
    std::vector<LayerWeights> layers;
    torch::Tensor lnFinalW, lnFinalB; // [d_model]
    torch::Tensor wU;           // [d_model, d_vocab]
    torch::Tensor bU;           // [d_vocab]
};

// Named activations (TransformerLens hook names) recorded during a forward. Which names
// are recorded is decided up front, so an uncached forward pays nothing.
class ActivationCache
{
public:
    ActivationCache() = default; // records nothing
    static ActivationCache all();
    static ActivationCache only(std::vector<std::string> names);

    bool wants(const std::string& name) const;
    void record(const std::string& name, const torch::Tensor& value);
    bool has(const std::string& name) const { return m_values.count(name) != 0; }
    const torch::Tensor& at(const std::string& name) const; // throws core::Error when absent
    const std::map<std::string, torch::Tensor>& values() const { return m_values; }

private:
    bool m_all = false;
    std::vector<std::string> m_names;
    std::map<std::string, torch::Tensor> m_values;
};

// What one attention layer returns.
struct AttentionOutput
{
    torch::Tensor out;     // [batch, pos, d_model], includes b_O (undefined when not projected)
    torch::Tensor z;       // [batch, pos, n_heads, d_head]
};

// Zero tensors that require grad, added to the q/k/v projections of one attention layer
// (before rotary embedding and before grouped heads are repeated), so that a backward pass
// yields ∂M/∂q, ∂M/∂k, ∂M/∂v per head: [batch, pos, n_heads | n_kv_heads, d_head].
struct AttentionProbes
{
    torch::Tensor q, k, v;
};

// The shared forward. Its only state after construction is a cache of rotary tables
// (behind a mutex); const methods may run from one thread at a time per tensor set (the
// compute worker's).
class Transformer
{
public:
    Transformer(ModelConfig config, TransformerWeights weights);

    const ModelConfig& config() const { return m_config; }
    const TransformerWeights& weights() const { return m_weights; }
    torch::Device device() const { return m_weights.wE.device(); }
    torch::ScalarType dtype() const { return m_weights.wE.scalar_type(); }

    // ids [batch, pos] (int64), mask [batch, pos] (1 = token, 0 = right padding; may be
    // undefined = all tokens). Returns logits [batch, pos, d_vocab] in the compute dtype.
    torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask, ActivationCache* cache = nullptr) const;

    // --- building blocks, shared with the interventional forward ---------------------
    // Token (+ learned position) embedding: [batch, pos, d_model]. Records hook_embed,
    // hook_pos_embed.
    torch::Tensor embed(const torch::Tensor& ids, ActivationCache* cache = nullptr) const;
    // Additive attention bias [batch, 1, pos, pos]: 0 where a query may attend, a large
    // negative number elsewhere (causal + key padding, + the sliding window when
    // `sliding`: give config().isSliding(layer)).
    torch::Tensor attentionBias(const torch::Tensor& mask, int64_t batch, int64_t pos, bool sliding) const;
    // The biases of every layer, computed once per forward: [0] full attention, [1] sliding
    // (undefined when no layer slides). forLayer picks layer l's.
    struct Biases
    {
        torch::Tensor full, sliding;
    };
    Biases attentionBiases(const torch::Tensor& mask, int64_t batch, int64_t pos) const;
    const torch::Tensor& biasFor(const Biases& b, int layer) const
    {
        return m_config.isSliding(layer) ? b.sliding : b.full;
    }
    // Rotary inverse frequencies of layer l for a sequence of pos tokens (the scaling of
    // ModelConfig::RopeScaling; dynamic NTK depends on pos): [rotary_dim / 2] float32.
    torch::Tensor inverseFrequencies(int layer, int64_t pos) const;
    // Rotary tables of layer l for positions 0..pos-1: cos, sin [pos, rotary_dim], on the
    // model's device. Computed once per (ModelConfig::ropeVariant, pos) and kept (SmolLM2, 20
    // tokens: 10 kB; at most 64 MiB in all): every
    // forward asks again, and on a GPU each computation uploads the host-made frequencies.
    std::pair<torch::Tensor, torch::Tensor> rotaryTables(int layer, int64_t pos) const;
    // LayerNorm or RMSNorm over the last dimension, computed in fp32. x [..., d_model].
    // An undefined w means no norm (x returned as is).
    torch::Tensor normalize(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) const;
    // The post-attention norm of layer l applied to the attention output (sum of the
    // heads' results + b_O) [batch, pos, d_model]; x itself without post-norms.
    torch::Tensor attentionPostNorm(int layer, const torch::Tensor& x) const;
    // The post-attention norm's Jacobian applied to directions: J(x)·dx for RMSNorm
    // y = w ⊙ x / rms(x), i.e. w ⊙ r (dx − x̂ mean(x̂ ⊙ dx)) with r = 1/rms(x), x̂ = x r.
    // x [rows, d_model], dx [n, rows, d_model] (float32) -> [n, rows, d_model].
    torch::Tensor attentionPostNormJvp(int layer, const torch::Tensor& x, const torch::Tensor& dx) const;
    // Attention of layer l. Each of qIn/kIn/vIn is the residual stream *before* ln1, either
    // shared by all heads [batch, pos, d_model] or per head ([batch, pos, n_heads, d_model]
    // for q, [batch, pos, n_kv_heads, d_model] for k and v), which is how the
    // interventional forward feeds each head its own patched input.
    // projectOut false: no output projection (AttentionOutput::out undefined), for a caller
    // that sums the heads' results itself.
    // ungroupKv (grouped-query models): every query head gets its own key and value,
    // computed with its key/value head's weights (MIB's ungrouped graph, where k/v inputs
    // are per query head). Implied when kIn/vIn come per query head [batch, pos, n_heads,
    // d_model]; needed explicitly for a shared input whose probes must be per query head.
    AttentionOutput attention(int layer, const torch::Tensor& qIn, const torch::Tensor& kIn,
                              const torch::Tensor& vIn, const torch::Tensor& bias, ActivationCache* cache,
                              AttentionProbes* probes = nullptr, bool projectOut = true, bool ungroupKv = false) const;
    // MLP of layer l on the residual stream before ln2: [batch, pos, d_model] (after the
    // post-MLP norm where the family has one: what joins the stream).
    torch::Tensor mlp(int layer, const torch::Tensor& x, ActivationCache* cache) const;
    // Per-head outputs z_h W_O[h] without b_O: [batch, pos, n_heads, d_model], head-major in
    // memory (a permuted view of [n_heads, batch, pos, d_model]). `into`, when given, is a
    // contiguous [n_heads, batch, pos, d_model] tensor the results are written to (no grad).
    torch::Tensor headResults(int layer, const torch::Tensor& z, torch::Tensor into = {}) const;
    // Final norm and unembedding (and the final soft cap): [batch, pos, d_model] ->
    // [batch, pos, d_vocab].
    torch::Tensor unembed(const torch::Tensor& resid, ActivationCache* cache) const;

    int64_t parameterCount() const; // unique parameters (tied matrices counted once)
    // A key/value projection [d_model, n_kv_heads·d_head] (or its bias) repeated per query
    // head: [d_model, n_heads·d_head], query head h reading key/value head h / (H / H_kv).
    torch::Tensor perQueryHead(const torch::Tensor& w) const;

private:
    torch::Tensor project(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, int64_t heads) const;
    torch::Tensor applyRotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) const;

    std::pair<torch::Tensor, torch::Tensor> computeRotaryTables(int layer, int64_t pos) const;

    ModelConfig m_config;
    TransformerWeights m_weights;
    mutable std::mutex m_rotaryMutex;
    mutable std::map<std::pair<int, int64_t>, std::pair<torch::Tensor, torch::Tensor>> m_rotaryTables; // (variant, pos)
    mutable int64_t m_rotaryBytes = 0; // at most 64 MiB kept
};

} // namespace patchbay::core::detail
