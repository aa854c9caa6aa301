// SPDX-License-Identifier: MIT
// GPT-NeoX (Pythia): parallel attention + MLP (optionally sequential), partial rotary,
// LayerNorm, exact GELU, fused query_key_value laid out per head, untied unembedding.
#include "core/model/detail/architecture.h"
#include "core/common/error.h"
#include "core/common/json.h"

namespace patchbay::core::detail {

namespace {

ModelConfig parseNeoX(const nlohmann::json& j, const std::string& where)
{
    ModelConfig c;
    c.modelType = "gpt_neox";
    c.family = "gpt_neox";
    c.nLayers = jsonPositiveInt(j, "num_hidden_layers", where);
    c.nHeads = jsonPositiveInt(j, "num_attention_heads", where);
    c.nKvHeads = c.nHeads;
    c.dModel = jsonPositiveInt(j, "hidden_size", where);
    if (c.dModel % c.nHeads != 0)
        throw Error(where + ": hidden_size is not divisible by num_attention_heads");
    c.dHead = c.dModel / c.nHeads;
    c.dMlp = jsonPositiveInt(j, "intermediate_size", where);
    c.dVocab = jsonPositiveInt(j, "vocab_size", where);
    c.nCtx = jsonOptionalInt(j, "max_position_embeddings", 2048, where);
    c.norm = ModelConfig::Norm::LayerNorm;
    c.normEps = jsonOptionalNumber(j, "layer_norm_eps", 1e-5, where);
    c.activation = jsonOptionalString(j, "hidden_act", "gelu", where);
    if (c.activation != "gelu" && c.activation != "gelu_new" && c.activation != "gelu_fast" && c.activation != "relu"
        && c.activation != "silu" && c.activation != "gelu_pytorch_tanh")
        throw Error(where + ": hidden_act \"" + c.activation + "\" is not supported");
    c.parallelAttnMlp = jsonOptionalBool(j, "use_parallel_residual", true, where);
    c.tiedEmbeddings = jsonOptionalBool(j, "tie_word_embeddings", false, where);
    double pct = jsonOptionalNumber(j, "rotary_pct", 0.25, where);
    pct = jsonOptionalNumber(j, "partial_rotary_factor", pct, where);
    const auto params = j.find("rope_parameters");
    if (params != j.end() && params->is_object())
        pct = jsonOptionalNumber(*params, "partial_rotary_factor", pct, where);
    if (!(pct > 0 && pct <= 1))
        throw Error(where + ": rotary_pct must be in (0, 1]");
    c.rotaryDim = static_cast<int>(c.dHead * pct);
    if (c.rotaryDim % 2 != 0 || c.rotaryDim == 0)
        throw Error(where + ": rotary dimensions d_head x rotary_pct = " + std::to_string(c.rotaryDim)
                    + " must be even and positive");
    c.ropeTheta = ropeThetaFrom(j, 10000.0, where);
    checkRopeScaling(j, where);
    c.learnedPositions = false;
    const bool bias = jsonOptionalBool(j, "attention_bias", true, where);
    c.qkvBias = c.attnOutBias = bias;
    c.mlpBias = true;
    return c;
}

TransformerWeights loadNeoX(const ModelConfig& c, const WeightLoader& w)
{
    const std::string p = w.detectPrefix({"gpt_neox.", ""}, "embed_in.weight");
    const int64_t d = c.dModel, H = c.nHeads, dh = c.dHead, mlp = c.dMlp;
    TransformerWeights t;
    t.wE = w.get(p + "embed_in.weight", {c.dVocab, d});
    for (int l = 0; l < c.nLayers; ++l) {
        const std::string b = p + "layers." + std::to_string(l) + ".";
        LayerWeights L;
        L.ln1W = w.get(b + "input_layernorm.weight", {d});
        L.ln1B = w.get(b + "input_layernorm.bias", {d});
        // query_key_value rows are [head, (q|k|v), d_head]: split per head, then re-pack
        // each of q, k, v head-major as [d_model, n_heads * d_head].
        auto qkv = w.get(b + "attention.query_key_value.weight", {3 * H * dh, d}).view({H, 3, dh, d});
        auto unpack = [&](int i) { return qkv.select(1, i).reshape({H * dh, d}).t().contiguous(); };
        L.wQ = unpack(0), L.wK = unpack(1), L.wV = unpack(2);
        if (c.qkvBias) {
            auto qkvB = w.get(b + "attention.query_key_value.bias", {3 * H * dh}).view({H, 3, dh});
            L.bQ = qkvB.select(1, 0).reshape({H * dh}).contiguous();
            L.bK = qkvB.select(1, 1).reshape({H * dh}).contiguous();
            L.bV = qkvB.select(1, 2).reshape({H * dh}).contiguous();
        }
        L.wO = w.get(b + "attention.dense.weight", {d, H * dh}).t().contiguous();
        if (c.attnOutBias)
            L.bO = w.get(b + "attention.dense.bias", {d});
        L.ln2W = w.get(b + "post_attention_layernorm.weight", {d});
        L.ln2B = w.get(b + "post_attention_layernorm.bias", {d});
        L.wIn = w.get(b + "mlp.dense_h_to_4h.weight", {mlp, d}).t().contiguous();
        L.bIn = w.get(b + "mlp.dense_h_to_4h.bias", {mlp});
        L.wOut = w.get(b + "mlp.dense_4h_to_h.weight", {d, mlp}).t().contiguous();
        L.bOut = w.get(b + "mlp.dense_4h_to_h.bias", {d});
        t.layers.push_back(std::move(L));
    }
    t.lnFinalW = w.get(p + "final_layer_norm.weight", {d});
    t.lnFinalB = w.get(p + "final_layer_norm.bias", {d});
    if (c.tiedEmbeddings && !w.has("embed_out.weight"))
        t.wU = t.wE.t();
    else
        t.wU = w.get("embed_out.weight", {c.dVocab, d}).t().contiguous();
    return t;
}

} // namespace

const Architecture& gptNeoXArchitecture()
{
    static const Architecture arch{"gpt_neox", {"gpt_neox"}, &parseNeoX, &loadNeoX};
    return arch;
}

} // namespace patchbay::core::detail
