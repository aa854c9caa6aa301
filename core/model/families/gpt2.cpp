// SPDX-License-Identifier: MIT
// GPT-2: learned positions, LayerNorm, GELU (tanh approximation), Conv1D weights stored
// [in, out] (already TransformerLens orientation), tied unembedding.
#include "core/model/detail/architecture.h"
#include "core/common/error.h"
#include "core/common/json.h"

namespace patchbay::core::detail {

namespace {

ModelConfig parseGpt2(const nlohmann::json& j, const std::string& where)
{
    ModelConfig c;
    c.modelType = "gpt2";
    c.family = "gpt2";
    c.nLayers = jsonPositiveInt(j, "n_layer", where);
    c.nHeads = jsonPositiveInt(j, "n_head", where);
    c.nKvHeads = c.nHeads;
    c.dModel = jsonPositiveInt(j, "n_embd", where);
    if (c.dModel % c.nHeads != 0)
        throw Error(where + ": n_embd " + std::to_string(c.dModel) + " is not divisible by n_head "
                    + std::to_string(c.nHeads));
    c.dHead = c.dModel / c.nHeads;
    c.dMlp = jsonOptionalInt(j, "n_inner", 4 * c.dModel, where);
    c.dVocab = jsonPositiveInt(j, "vocab_size", where);
    c.nCtx = jsonOptionalInt(j, "n_positions", jsonOptionalInt(j, "n_ctx", 1024, where), where);
    c.norm = ModelConfig::Norm::LayerNorm;
    c.normEps = jsonOptionalNumber(j, "layer_norm_epsilon", 1e-5, where);
    c.activation = jsonOptionalString(j, "activation_function", "gelu_new", where);
    if (c.activation != "gelu_new" && c.activation != "gelu" && c.activation != "relu" && c.activation != "gelu_fast"
        && c.activation != "gelu_pytorch_tanh")
        throw Error(where + ": activation_function \"" + c.activation + "\" is not supported");
    c.tiedEmbeddings = jsonOptionalBool(j, "tie_word_embeddings", true, where);
    if (jsonOptionalBool(j, "scale_attn_by_inverse_layer_idx", false, where)
        || jsonOptionalBool(j, "reorder_and_upcast_attn", false, where))
        throw Error(where + ": scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn are not supported");
    if (!jsonOptionalBool(j, "scale_attn_weights", true, where))
        throw Error(where + ": scale_attn_weights = false is not supported");
    c.learnedPositions = true;
    c.qkvBias = c.attnOutBias = c.mlpBias = true;
    return c;
}

TransformerWeights loadGpt2(const ModelConfig& c, const WeightLoader& w)
{
    // The original `gpt2` repository stores names without the "transformer." prefix; files
    // written by save_pretrained have it. Buffers (attn.bias, attn.masked_bias) are ignored.
    const std::string p = w.detectPrefix({"transformer.", ""}, "wte.weight");
    const int64_t d = c.dModel, mlp = c.dMlp;
    TransformerWeights t;
    t.wE = w.get(p + "wte.weight", {c.dVocab, d});
    t.wPos = w.get(p + "wpe.weight", {c.nCtx, d});
    for (int l = 0; l < c.nLayers; ++l) {
        const std::string b = p + "h." + std::to_string(l) + ".";
        LayerWeights L;
        L.ln1W = w.get(b + "ln_1.weight", {d});
        L.ln1B = w.get(b + "ln_1.bias", {d});
        auto qkvW = w.get(b + "attn.c_attn.weight", {d, 3 * d}); // [d_model, 3 * d_model], Conv1D
        auto qkvB = w.get(b + "attn.c_attn.bias", {3 * d});
        auto ws = qkvW.split(d, 1);
        auto bs = qkvB.split(d, 0);
        L.wQ = ws[0].contiguous(), L.wK = ws[1].contiguous(), L.wV = ws[2].contiguous();
        L.bQ = bs[0].contiguous(), L.bK = bs[1].contiguous(), L.bV = bs[2].contiguous();
        L.wO = w.get(b + "attn.c_proj.weight", {d, d});
        L.bO = w.get(b + "attn.c_proj.bias", {d});
        L.ln2W = w.get(b + "ln_2.weight", {d});
        L.ln2B = w.get(b + "ln_2.bias", {d});
        L.wIn = w.get(b + "mlp.c_fc.weight", {d, mlp});
        L.bIn = w.get(b + "mlp.c_fc.bias", {mlp});
        L.wOut = w.get(b + "mlp.c_proj.weight", {mlp, d});
        L.bOut = w.get(b + "mlp.c_proj.bias", {d});
        t.layers.push_back(std::move(L));
    }
    t.lnFinalW = w.get(p + "ln_f.weight", {d});
    t.lnFinalB = w.get(p + "ln_f.bias", {d});
    if (c.tiedEmbeddings || !w.has("lm_head.weight"))
        t.wU = t.wE.t(); // [d_model, d_vocab], a view: tied weights stay one tensor
    else
        t.wU = w.get("lm_head.weight", {c.dVocab, d}).t().contiguous();
    return t;
}

} // namespace

const Architecture& gpt2Architecture()
{
    static const Architecture arch{"gpt2", {"gpt2"}, &parseGpt2, &loadGpt2};
    return arch;
}

} // namespace patchbay::core::detail
