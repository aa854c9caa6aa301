// SPDX-License-Identifier: MIT
// Llama and its close relatives (Mistral, Qwen2): RMSNorm, full rotary with rope_theta,
// SwiGLU MLP, grouped-query attention, optional q/k/v biases (Qwen2), tied or untied
// embeddings.
#include "core/detail/architecture.h"
#include "core/error.h"
#include "core/json.h"

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
    c.rotaryDim = c.dHead;
    c.ropeTheta = ropeThetaFrom(j, 10000.0, where);
    checkRopeScaling(j, where);
    if (jsonOptionalBool(j, "use_sliding_window", false, where))
        throw Error(where + ": use_sliding_window = true is not supported");
    c.slidingWindow = jsonOptionalInt(j, "sliding_window", 0, where); // Mistral
    const bool qwen2 = c.modelType == "qwen2";
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
    TransformerWeights t;
    t.wE = w.get(p + "embed_tokens.weight", {c.dVocab, d});
    for (int l = 0; l < c.nLayers; ++l) {
        const std::string b = p + "layers." + std::to_string(l) + ".";
        LayerWeights L;
        L.ln1W = w.get(b + "input_layernorm.weight", {d});
        L.wQ = linear(b + "self_attn.q_proj.weight", H * dh, d);
        L.wK = linear(b + "self_attn.k_proj.weight", Hkv * dh, d);
        L.wV = linear(b + "self_attn.v_proj.weight", Hkv * dh, d);
        if (c.qkvBias) {
            L.bQ = w.get(b + "self_attn.q_proj.bias", {H * dh});
            L.bK = w.get(b + "self_attn.k_proj.bias", {Hkv * dh});
            L.bV = w.get(b + "self_attn.v_proj.bias", {Hkv * dh});
        }
        L.wO = linear(b + "self_attn.o_proj.weight", d, H * dh);
        if (c.attnOutBias)
            L.bO = w.get(b + "self_attn.o_proj.bias", {d});
        L.ln2W = w.get(b + "post_attention_layernorm.weight", {d});
        L.wGate = linear(b + "mlp.gate_proj.weight", mlp, d);
        L.wIn = linear(b + "mlp.up_proj.weight", mlp, d);
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
    static const Architecture arch{"llama", {"llama", "mistral", "qwen2"}, &parseLlama, &loadLlama};
    return arch;
}

} // namespace patchbay::core::detail
