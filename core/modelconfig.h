// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace patchbay::core {

// The architecture of a loaded model, normalised across families (read from a Hugging
// Face config.json by the family's parser). Names follow TransformerLens.
struct ModelConfig
{
    std::string modelType; // config.json "model_type": gpt2, gpt_neox, llama, mistral, qwen2, ...
    std::string family;    // implementation family: gpt2, gpt_neox, llama

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

    int slidingWindow = 0; // > 0: a query attends to at most this many keys (itself included)

    bool qkvBias = false;
    bool attnOutBias = false;
    bool mlpBias = false;
    bool unembedBias = false;

    // Where scores are divided (1/sqrt(d_head) for every family supported now).
    double attnScale() const;
    bool isGqa() const { return nKvHeads != nHeads; }
};

} // namespace patchbay::core
