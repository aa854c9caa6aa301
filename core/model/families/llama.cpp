// SPDX-License-Identifier: MIT
// Llama and its close relatives (Mistral, Qwen2, Qwen3): RMSNorm, full rotary with
// rope_theta and optional scaling (llama3, linear, dynamic, yarn), SwiGLU MLP, grouped-query
// attention, optional q/k/v biases (Qwen2), q/k RMSNorm per head (Qwen3), sliding windows
// (Mistral: every layer; Qwen2/3: only with use_sliding_window, on the layers
// layer_types or max_window_layers name), tied or untied embeddings. Two relatives differ
// only in tensor layout or norm placement and are read here too: Phi-3 (fused qkv_proj and
// gate_up_proj, partial rotary) and OLMo-2 (no pre-norms; post_attention_layernorm and
// post_feedforward_layernorm normalise the attention and MLP outputs; q/k RMSNorm over all
// heads at once).
#include "core/model/detail/architecture.h"
#include "core/common/error.h"
#include "core/common/json.h"

namespace patchbay::core::detail {

namespace {

ModelConfig parseLlama(const nlohmann::json& j, const std::string& where)
{
    ModelConfig c;
    c.modelType = jsonOptionalString(j, "model_type", "llama", where);
    c.family = "llama";
    c.nLayers = jsonPositiveInt(j, "num_hidden_layers", where);
    c.nHeads = jsonPositiveInt(j, "num_attention_heads", where);
    c.nKvHeads = jsonOptionalInt(j, "num_key_value_heads", c.nHeads, where);
    if (c.nKvHeads <= 0 || c.nHeads % c.nKvHeads != 0)
        throw Error(where + ": num_attention_heads " + std::to_string(c.nHeads)
                    + " is not a multiple of num_key_value_heads " + std::to_string(c.nKvHeads));
    c.dModel = jsonPositiveInt(j, "hidden_size", where);
    c.dHead = jsonOptionalInt(j, "head_dim", 0, where);
    if (c.dHead == 0) {
        if (c.dModel % c.nHeads != 0)
            throw Error(where + ": hidden_size is not divisible by num_attention_heads (and no head_dim given)");
        c.dHead = c.dModel / c.nHeads;
    }
    c.dMlp = jsonPositiveInt(j, "intermediate_size", where);
    c.dVocab = jsonPositiveInt(j, "vocab_size", where);
    c.nCtx = jsonOptionalInt(j, "max_position_embeddings", 2048, where);
    c.norm = ModelConfig::Norm::RMSNorm;
    c.normEps = jsonOptionalNumber(j, "rms_norm_eps", 1e-6, where);
    c.activation = jsonOptionalString(j, "hidden_act", "silu", where);
    if (c.activation != "silu" && c.activation != "gelu" && c.activation != "gelu_pytorch_tanh" && c.activation != "relu")
        throw Error(where + ": hidden_act \"" + c.activation + "\" is not supported");
    c.gatedMlp = true;
    c.tiedEmbeddings = jsonOptionalBool(j, "tie_word_embeddings", false, where);
    c.learnedPositions = false;
    double pct = jsonOptionalNumber(j, "partial_rotary_factor", 1.0, where); // Phi-3 family
    if (const auto* params = jsonMember(j, "rope_parameters"); params && params->is_object())
        pct = jsonOptionalNumber(*params, "partial_rotary_factor", pct, where);
    c.rotaryDim = static_cast<int>(c.dHead * pct);
    if (!(pct > 0 && pct <= 1) || c.rotaryDim % 2 != 0 || c.rotaryDim == 0)
        throw Error(where + ": partial_rotary_factor " + std::to_string(pct) + " gives " + std::to_string(c.rotaryDim)
                    + " rotary dimensions of " + std::to_string(c.dHead) + "; they must be even and positive");
    readRope(j, c, 10000.0, where);
    const bool qwen2 = c.modelType == "qwen2";
    const bool qwen = qwen2 || c.modelType == "qwen3";
    if (qwen) {
        // Qwen2/3 configs carry a sliding_window (32768 in Qwen2.5's) that transformers
        // applies only with use_sliding_window, and then only to the layers named by
        // layer_types, or else to those from max_window_layers on.
        if (jsonOptionalBool(j, "use_sliding_window", false, where)) {
            c.slidingWindow = jsonOptionalInt(j, "sliding_window", 0, where);
            c.slidingLayers = slidingLayersFrom(j, c.nLayers, where);
            if (c.slidingLayers.empty()) {
                const int from = jsonOptionalInt(j, "max_window_layers", c.nLayers, where);
                for (int l = 0; l < c.nLayers; ++l)
                    c.slidingLayers.push_back(l >= from);
            }
        }
    } else {
        if (jsonOptionalBool(j, "use_sliding_window", false, where))
            throw Error(where + ": use_sliding_window = true is not supported for model_type \"" + c.modelType + "\"");
        c.slidingWindow = jsonOptionalInt(j, "sliding_window", 0, where); // Mistral: every layer
    }
    if (c.slidingWindow < 0)
        throw Error(where + ": sliding_window must not be negative");
    if (c.modelType == "qwen3")
        c.qkNorm = ModelConfig::QkNorm::PerHead;
    if (c.modelType == "olmo2") {
        c.qkNorm = ModelConfig::QkNorm::AllHeads;
        c.preNorms = false;
        c.postNorms = true;
    }
    c.qkvBias = qwen2 || jsonOptionalBool(j, "attention_bias", false, where);
    c.attnOutBias = !qwen2 && jsonOptionalBool(j, "attention_bias", false, where);
    c.mlpBias = jsonOptionalBool(j, "mlp_bias", false, where);
    return c;
}

TransformerWeights loadLlama(const ModelConfig& c, const WeightLoader& w)
{
    const std::string p = w.detectPrefix({"model.", ""}, "embed_tokens.weight");
    const int64_t d = c.dModel, H = c.nHeads, Hkv = c.nKvHeads, dh = c.dHead, mlp = c.dMlp;
    // nn.Linear stores [out, in]; TransformerLens orientation is [in, out].
    auto linear = [&](const std::string& name, int64_t out, int64_t in) { return w.get(name, {out, in}).t().contiguous(); };
    const bool phi3 = c.modelType == "phi3";
    TransformerWeights t;
    t.wE = w.get(p + "embed_tokens.weight", {c.dVocab, d});
    for (int l = 0; l < c.nLayers; ++l) {
        const std::string b = p + "layers." + std::to_string(l) + ".";
        LayerWeights L;
        if (c.preNorms)
            L.ln1W = w.get(b + "input_layernorm.weight", {d});
        if (phi3) {
            // qkv_proj rows: all query heads, then the key heads, then the value heads.
            const auto qkv = w.get(b + "self_attn.qkv_proj.weight", {(H + 2 * Hkv) * dh, d});
            L.wQ = qkv.narrow(0, 0, H * dh).t().contiguous();
            L.wK = qkv.narrow(0, H * dh, Hkv * dh).t().contiguous();
            L.wV = qkv.narrow(0, (H + Hkv) * dh, Hkv * dh).t().contiguous();
        } else {
            L.wQ = linear(b + "self_attn.q_proj.weight", H * dh, d);
            L.wK = linear(b + "self_attn.k_proj.weight", Hkv * dh, d);
            L.wV = linear(b + "self_attn.v_proj.weight", Hkv * dh, d);
        }
        if (c.qkvBias) {
            L.bQ = w.get(b + "self_attn.q_proj.bias", {H * dh});
            L.bK = w.get(b + "self_attn.k_proj.bias", {Hkv * dh});
            L.bV = w.get(b + "self_attn.v_proj.bias", {Hkv * dh});
        }
        if (c.qkNorm == ModelConfig::QkNorm::PerHead) {
            L.qNormW = w.get(b + "self_attn.q_norm.weight", {dh});
            L.kNormW = w.get(b + "self_attn.k_norm.weight", {dh});
        } else if (c.qkNorm == ModelConfig::QkNorm::AllHeads) {
            L.qNormW = w.get(b + "self_attn.q_norm.weight", {H * dh});
            L.kNormW = w.get(b + "self_attn.k_norm.weight", {Hkv * dh});
        }
        L.wO = linear(b + "self_attn.o_proj.weight", d, H * dh);
        if (c.attnOutBias)
            L.bO = w.get(b + "self_attn.o_proj.bias", {d});
        if (c.postNorms) { // OLMo-2: the same names, after attention and MLP instead of before
            L.ln1PostW = w.get(b + "post_attention_layernorm.weight", {d});
            L.ln2PostW = w.get(b + "post_feedforward_layernorm.weight", {d});
        } else {
            L.ln2W = w.get(b + "post_attention_layernorm.weight", {d});
        }
        if (phi3) {
            // gate_up_proj rows: the gate, then the up projection (transformers' chunk(2)).
            const auto gateUp = w.get(b + "mlp.gate_up_proj.weight", {2 * mlp, d});
            L.wGate = gateUp.narrow(0, 0, mlp).t().contiguous();
            L.wIn = gateUp.narrow(0, mlp, mlp).t().contiguous();
        } else {
            L.wGate = linear(b + "mlp.gate_proj.weight", mlp, d);
            L.wIn = linear(b + "mlp.up_proj.weight", mlp, d);
        }
        L.wOut = linear(b + "mlp.down_proj.weight", d, mlp);
        if (c.mlpBias) {
            L.bIn = w.get(b + "mlp.up_proj.bias", {mlp});
            L.bOut = w.get(b + "mlp.down_proj.bias", {d});
            if (w.has(b + "mlp.gate_proj.bias"))
                throw Error(b + "mlp.gate_proj.bias: a gate bias is not supported");
        }
        t.layers.push_back(std::move(L));
    }
    t.lnFinalW = w.get(p + "norm.weight", {d});
    if (c.tiedEmbeddings && !w.has("lm_head.weight"))
        t.wU = t.wE.t();
    else if (c.tiedEmbeddings)
        t.wU = t.wE.t(); // tied: an lm_head copy in the file (some exports keep one) is ignored
    else
        t.wU = w.get("lm_head.weight", {c.dVocab, d}).t().contiguous();
    return t;
}

} // namespace

const Architecture& llamaArchitecture()
{
    static const Architecture arch{"llama", {"llama", "mistral", "qwen2", "qwen3", "olmo2", "phi3"}, &parseLlama, &loadLlama};
    return arch;
}

} // namespace patchbay::core::detail
