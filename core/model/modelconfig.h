// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace patchbay::core {

// The architecture of a loaded model, normalised across families (read from a Hugging
// Face config.json by the family's parser). Names follow TransformerLens.
struct ModelConfig
{
    std::string modelType; // config.json "model_type": gpt2, gpt_neox, llama, mistral, qwen2, ...
    std::string family;    // implementation family: gpt2, gpt_neox, llama, gemma

    int nLayers = 0;
    int nHeads = 0;   // query heads
    int nKvHeads = 0; // key/value heads (< nHeads: grouped-query attention)
    int dModel = 0;
    int dHead = 0;
    int dMlp = 0;
    int dVocab = 0;
    int nCtx = 0; // maximum positions

    // Block structure
    bool parallelAttnMlp = false; // GPT-NeoX: attn and MLP both read the block input
    bool tiedEmbeddings = false;
    enum class Norm { LayerNorm, RMSNorm } norm = Norm::LayerNorm;
    double normEps = 1e-5;
    std::string activation = "gelu_new"; // gelu_new | gelu | gelu_fast | relu | silu
    bool gatedMlp = false;               // SwiGLU: down(act(gate(x)) * up(x))

    // Positions: learned absolute embeddings (rotaryDim == 0) or rotary on the first
    // rotaryDim dimensions of each head (GPT-NeoX partial rotary, Llama full rotary).
    bool learnedPositions = true;
    int rotaryDim = 0;
    double ropeTheta = 10000.0;
    // Rotary scaling ("rope_scaling" / "rope_parameters"), as transformers computes the
    // inverse frequencies inv_i = theta^(-2i/rotaryDim):
    //   linear: inv_i / factor;  llama3: divided by factor below the original context's
    //   wavelengths, smoothed between low/high_freq_factor;  dynamic (NTK): theta grown
    //   with the sequence length past originalContext;  yarn: a ramp between
    //   interpolated and extrapolated frequencies, cos/sin times attentionFactor.
    struct RopeScaling
    {
        std::string type = "default"; // default | linear | dynamic | llama3 | yarn
        double factor = 1.0;
        double lowFreqFactor = 1.0, highFreqFactor = 4.0; // llama3
        int originalContext = 0;       // llama3, yarn; dynamic: max_position_embeddings
        double attentionFactor = 1.0;  // cos and sin are multiplied by it (yarn)
        double betaFast = 32.0, betaSlow = 1.0; // yarn
        bool truncate = true;                   // yarn
    };
    RopeScaling ropeScaling;
    // Local (sliding-window) layers with their own rotary (Gemma-3: rope_local_base_freq);
    // ropeLocalTheta 0: they use ropeTheta / ropeScaling like the others.
    double ropeLocalTheta = 0.0;
    RopeScaling ropeLocalScaling;

    int slidingWindow = 0; // > 0: a query attends to at most this many keys (itself included)
    // Which layers have the window (Gemma-2/3's local layers, Qwen2's past
    // max_window_layers); empty: all of them (Mistral).
    std::vector<bool> slidingLayers;

    bool qkvBias = false;
    bool attnOutBias = false;
    bool mlpBias = false;
    bool unembedBias = false;

    // Gemma / Qwen3 / OLMo-2 features (off for the other families).
    double embedScale = 1.0; // token embeddings are multiplied by it (Gemma: sqrt(d_model))
    bool preNorms = true;    // false: attention and MLP read the stream unnormalised (OLMo-2)
    // Attention and MLP outputs are normalised (RMSNorm) before they join the residual
    // stream (Gemma-2/3's post_attention/post_feedforward_layernorm, OLMo-2). The attention
    // norm acts on the sum of the heads: see docs/post-norm-graph.md for what a head sends.
    bool postNorms = false;
    // RMSNorm of queries and keys after their projection: per head over d_head (Qwen3,
    // Gemma-3) or over all heads at once (OLMo-2).
    enum class QkNorm { None, PerHead, AllHeads } qkNorm = QkNorm::None;
    double attnSoftcap = 0.0;  // > 0: scores = cap * tanh(scores / cap) (Gemma-2)
    double finalSoftcap = 0.0; // > 0: the same on the logits (Gemma-2)
    double queryPreAttnScalar = 0.0; // > 0: scores scaled by its -1/2 power instead of d_head's (Gemma)

    // Where scores are divided: 1/sqrt(query_pre_attn_scalar) or 1/sqrt(d_head).
    double attnScale() const;
    bool isGqa() const { return nKvHeads != nHeads; }
    // Whether layer l attends through the sliding window.
    bool isSliding(int layer) const
    {
        return slidingWindow > 0 && (slidingLayers.empty() || slidingLayers[static_cast<std::size_t>(layer)]);
    }
    bool hasSlidingLayers() const;
    // The theta and scaling of layer l's rotary embedding.
    // 1 for a layer with the local rotary settings (Gemma-3's sliding layers), else 0: the
    // layers of one variant share their rotary tables.
    int ropeVariant(int layer) const { return isSliding(layer) && ropeLocalTheta > 0 ? 1 : 0; }
    double ropeThetaFor(int layer) const { return ropeVariant(layer) ? ropeLocalTheta : ropeTheta; }
    const RopeScaling& ropeScalingFor(int layer) const { return ropeVariant(layer) ? ropeLocalScaling : ropeScaling; }
};

} // namespace patchbay::core
