// SPDX-License-Identifier: MIT
// Gemma-2 and Gemma-3 (text): RMSNorm with gain (1 + w), token embeddings scaled by
// sqrt(d_model), norms before *and after* attention and MLP (post-norms), gated GELU (tanh),
// head_dim independent of d_model / n_heads, scores scaled by query_pre_attn_scalar^-1/2,
// sliding-window and global layers (layer_types, or the family's default pattern), tied
// embeddings. Gemma-2 soft-caps attention scores and logits; Gemma-3 normalises queries and
// keys per head and gives its local layers their own rotary base (rope_local_base_freq).
#include "core/model/detail/architecture.h"
#include "core/common/error.h"
#include "core/common/json.h"

#include <cmath>

namespace patchbay::core::detail {

namespace {

// A soft cap from `key`: absent -> the family default, null -> none.
double softcap(const nlohmann::json& j, const char* key, double fallback, const std::string& where)
{
    if (j.find(key) == j.end())
        return fallback;
    const double v = jsonOptionalNumber(j, key, 0.0, where);
    if (v < 0)
        throw Error(where + ": \"" + key + "\" must not be negative");
    return v;
}

ModelConfig parseGemma(const nlohmann::json& j, const std::string& where)
{
    ModelConfig c;
    c.modelType = jsonOptionalString(j, "model_type", "gemma2", where);
    const bool gemma3 = c.modelType == "gemma3_text";
    c.family = "gemma";
    c.nLayers = jsonPositiveInt(j, "num_hidden_layers", where);
    c.nHeads = jsonPositiveInt(j, "num_attention_heads", where);
    c.nKvHeads = jsonOptionalInt(j, "num_key_value_heads", c.nHeads, where);
    if (c.nKvHeads <= 0 || c.nHeads % c.nKvHeads != 0)
        throw Error(where + ": num_attention_heads " + std::to_string(c.nHeads)
                    + " is not a multiple of num_key_value_heads " + std::to_string(c.nKvHeads));
    c.dModel = jsonPositiveInt(j, "hidden_size", where);
    c.dHead = jsonOptionalInt(j, "head_dim", 256, where);
    if (c.dHead <= 0 || c.dHead % 2 != 0)
        throw Error(where + ": head_dim must be positive and even");
    c.dMlp = jsonPositiveInt(j, "intermediate_size", where);
    c.dVocab = jsonPositiveInt(j, "vocab_size", where);
    c.nCtx = jsonOptionalInt(j, "max_position_embeddings", 8192, where);
    c.norm = ModelConfig::Norm::RMSNorm;
    c.normEps = jsonOptionalNumber(j, "rms_norm_eps", 1e-6, where);
    c.activation = jsonOptionalString(j, "hidden_activation", jsonOptionalString(j, "hidden_act", "gelu_pytorch_tanh", where), where);
    if (c.activation != "gelu_pytorch_tanh" && c.activation != "gelu" && c.activation != "gelu_new")
        throw Error(where + ": hidden_activation \"" + c.activation + "\" is not supported");
    c.gatedMlp = true;
    c.tiedEmbeddings = jsonOptionalBool(j, "tie_word_embeddings", true, where);
    c.learnedPositions = false;
    c.rotaryDim = c.dHead;
    c.embedScale = std::sqrt(static_cast<double>(c.dModel));
    c.postNorms = true;
    c.queryPreAttnScalar = jsonOptionalNumber(j, "query_pre_attn_scalar", 256, where);
    if (!(c.queryPreAttnScalar > 0))
        throw Error(where + ": query_pre_attn_scalar must be positive");
    // Gemma-3's attention ignores attn_logit_softcapping (transformers passes none).
    c.attnSoftcap = gemma3 ? 0.0 : softcap(j, "attn_logit_softcapping", 50.0, where);
    c.finalSoftcap = softcap(j, "final_logit_softcapping", gemma3 ? 0.0 : 30.0, where);
    if (jsonOptionalBool(j, "use_bidirectional_attention", false, where))
        throw Error(where + ": use_bidirectional_attention = true (an encoder) is not supported");
    c.qkvBias = c.attnOutBias = jsonOptionalBool(j, "attention_bias", false, where);
    if (gemma3)
        c.qkNorm = ModelConfig::QkNorm::PerHead;

    // Local (sliding) and global layers: layer_types, else every 2nd (Gemma-2) or every
    // sliding_window_pattern-th (Gemma-3, default 6) layer global.
    c.slidingWindow = jsonOptionalInt(j, "sliding_window", 4096, where);
    if (c.slidingWindow < 0)
        throw Error(where + ": sliding_window must not be negative");
    c.slidingLayers = slidingLayersFrom(j, c.nLayers, where);
    if (c.slidingLayers.empty()) {
        const int pattern = gemma3 ? jsonOptionalInt(j, "sliding_window_pattern", 6, where) : 2;
        if (pattern <= 0)
            throw Error(where + ": sliding_window_pattern must be positive");
        for (int l = 0; l < c.nLayers; ++l)
            c.slidingLayers.push_back((l + 1) % pattern != 0);
    }

    if (!gemma3) {
        readRope(j, c, 10000.0, where);
        return c;
    }
    // Gemma-3: transformers 5 writes rope_parameters per layer type; older configs
    // rope_theta (global), rope_local_base_freq (local) and rope_scaling (global only).
    const int maxPositions = c.nCtx;
    const auto* params = jsonMember(j, "rope_parameters");
    if (params && params->is_object() && (params->contains("full_attention") || params->contains("sliding_attention"))) {
        auto part = [&](const char* type, double defaultTheta, double& theta, ModelConfig::RopeScaling& scaling) {
            const auto* p = jsonMember(*params, type);
            theta = defaultTheta;
            if (!p)
                return;
            const std::string w = where + " rope_parameters." + type;
            theta = jsonOptionalNumber(*p, "rope_theta", defaultTheta, w);
            scaling = ropeScalingFrom(*p, j, maxPositions, w);
        };
        part("full_attention", jsonOptionalNumber(j, "rope_theta", 1e6, where), c.ropeTheta, c.ropeScaling);
        part("sliding_attention", jsonOptionalNumber(j, "rope_local_base_freq", 1e4, where), c.ropeLocalTheta, c.ropeLocalScaling);
    } else {
        c.ropeTheta = jsonOptionalNumber(j, "rope_theta", 1e6, where);
        c.ropeLocalTheta = jsonOptionalNumber(j, "rope_local_base_freq", 1e4, where);
        if (const auto* scaling = jsonMember(j, "rope_scaling"))
            c.ropeScaling = ropeScalingFrom(*scaling, j, maxPositions, where + " rope_scaling");
    }
    if (!(c.ropeTheta > 0) || !(c.ropeLocalTheta > 0))
        throw Error(where + ": rope_theta and rope_local_base_freq must be positive");
    if (c.ropeScaling.type == "dynamic" || c.ropeLocalScaling.type == "dynamic")
        c.nCtx = static_cast<int>(c.nCtx * std::max(c.ropeScaling.factor, c.ropeLocalScaling.factor));
    return c;
}

TransformerWeights loadGemma(const ModelConfig& c, const WeightLoader& w)
{
    const std::string p = w.detectPrefix({"model.", ""}, "embed_tokens.weight");
    const int64_t d = c.dModel, H = c.nHeads, Hkv = c.nKvHeads, dh = c.dHead, mlp = c.dMlp;
    auto linear = [&](const std::string& name, int64_t out, int64_t in) { return w.get(name, {out, in}).t().contiguous(); };
    // Gemma's RMSNorm multiplies by (1 + w), computed in float32 as transformers does; the
    // gain is folded once here so that the shared forward's RMSNorm serves it unchanged.
    // (Exact in float32; a bf16 checkpoint's w is exact in float32 too.)
    auto gain = [&](const std::string& name, int64_t n) {
        return w.toCompute(w.get(name, {n}).to(torch::kFloat32) + 1.0);
    };
    TransformerWeights t;
    t.wE = w.get(p + "embed_tokens.weight", {c.dVocab, d});
    for (int l = 0; l < c.nLayers; ++l) {
        const std::string b = p + "layers." + std::to_string(l) + ".";
        LayerWeights L;
        L.ln1W = gain(b + "input_layernorm.weight", d);
        L.wQ = linear(b + "self_attn.q_proj.weight", H * dh, d);
        L.wK = linear(b + "self_attn.k_proj.weight", Hkv * dh, d);
        L.wV = linear(b + "self_attn.v_proj.weight", Hkv * dh, d);
        if (c.qkvBias) {
            L.bQ = w.get(b + "self_attn.q_proj.bias", {H * dh});
            L.bK = w.get(b + "self_attn.k_proj.bias", {Hkv * dh});
            L.bV = w.get(b + "self_attn.v_proj.bias", {Hkv * dh});
        }
        if (c.qkNorm == ModelConfig::QkNorm::PerHead) {
            L.qNormW = gain(b + "self_attn.q_norm.weight", dh);
            L.kNormW = gain(b + "self_attn.k_norm.weight", dh);
        }
        L.wO = linear(b + "self_attn.o_proj.weight", d, H * dh);
        if (c.attnOutBias)
            L.bO = w.get(b + "self_attn.o_proj.bias", {d});
        L.ln1PostW = gain(b + "post_attention_layernorm.weight", d);
        L.ln2W = gain(b + "pre_feedforward_layernorm.weight", d);
        L.wGate = linear(b + "mlp.gate_proj.weight", mlp, d);
        L.wIn = linear(b + "mlp.up_proj.weight", mlp, d);
        L.wOut = linear(b + "mlp.down_proj.weight", d, mlp);
        L.ln2PostW = gain(b + "post_feedforward_layernorm.weight", d);
        t.layers.push_back(std::move(L));
    }
    t.lnFinalW = gain(p + "norm.weight", d);
    if (c.tiedEmbeddings)
        t.wU = t.wE.t(); // an lm_head copy in the file (some exports keep one) is ignored
    else
        t.wU = w.get("lm_head.weight", {c.dVocab, d}).t().contiguous();
    return t;
}

} // namespace

const Architecture& gemmaArchitecture()
{
    // Trained in bfloat16, their residual stream leaves float16's range: Gemma-3-270M reaches
    // |x| = 103,795 on an IOI prompt, float16 ends at 65,504, and transformers' float16
    // logits are NaN.
    static const Architecture arch{"gemma", {"gemma2", "gemma3_text"}, &parseGemma, &loadGemma,
                                   "its activations exceed float16's range (65,504) and the logits come out NaN"};
    return arch;
}

} // namespace patchbay::core::detail
