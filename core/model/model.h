// SPDX-License-Identifier: MIT
#pragma once

#include "core/common/error.h"
#include "core/model/modelconfig.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::core {

struct Dataset;
class Tokenizer;
namespace detail {
class Transformer;
}

// A plain float array with its shape (row-major), the value type that crosses the core's
// public edge instead of a torch::Tensor.
struct FloatArray
{
    std::vector<int64_t> shape;
    std::vector<float> values;

    int64_t numel() const;
    float at(std::initializer_list<int64_t> index) const;
};

// The logit lens at one position: the residual stream after each stage decoded by the
// model's own final norm and unembedding. Stage 0 is the embeddings, stage l + 1 the
// stream after block l; the last stage is the model's output itself.
struct LogitLens
{
    int64_t position = 0; // the position decoded (a negative request counts from the end)
    int stages = 0;       // n_layers + 1
    int topK = 0;
    std::vector<int32_t> topIds;      // [stages * topK], most likely first
    std::vector<float> topProbs;      // [stages * topK]
    std::vector<int32_t> tracked;     // the ids asked for (answers)
    std::vector<float> trackedProbs;  // [stages * tracked]
    std::vector<int64_t> trackedRanks; // [stages * tracked], 1 = most likely

    std::string stageLabel(int stage) const; // "embed", "after 0", ...
};

struct LoadOptions
{
    std::string device = "cpu";    // "cpu", "cuda", "cuda:N" or "auto" (CUDA when present)
    std::string dtype = "float32"; // compute dtype: "float32", "bfloat16", "float16"
    // Whether encode() prepends the BOS token. Auto follows the tokenizer's own
    // post-processor (Hugging Face behaviour: none for GPT-2 and Pythia, <|begin_of_text|>
    // for Llama 3); TransformerLens prepends one for GPT-2, so choose Always to match it.
    enum class Bos { Auto, Always, Never } bos = Bos::Auto;
    // Called with a fraction in [0,1] and a short stage text; may be empty. After every
    // weight tensor it reports kLoadingWeights (the file is read and checked by then).
    std::function<void(double, const std::string&)> progress;
    const std::atomic_bool* cancel = nullptr; // checked with each report; throws Cancelled
    static constexpr const char* kLoadingWeights = "Loading weights";
};

struct ModelInfo
{
    std::filesystem::path path; // the directory, or the file when a file was opened
    ModelConfig config;
    int64_t parameterCount = 0;
    std::string dtype;  // compute dtype
    std::string device; // "cpu", "cuda:0"
    std::string weightsFormat; // "safetensors" or "gguf"
    // As stored: "F32", "BF16", "F16" (or "mixed"); GGUF: the quantization types found
    // with their tensor counts, "Q4_1 x210, F32 x61, Q8_0 x1".
    std::string weightsDtype;
    std::string weightFiles;  // "model.safetensors", "N shards of ...", "model.Q4_1.gguf"
    std::string weightsFingerprint;
    std::string tokenizerKind; // "" when the directory has no tokenizer
    bool prependBos = false;
    std::optional<int32_t> bosId;
    double loadSeconds = 0.0;
};

// A loaded transformer and its tokenizer. Loading validates config.json (or the GGUF
// metadata) and every tensor the architecture needs (names, shapes, dtypes) and throws
// core::Error naming the file and the field or tensor at fault.
//
// What `path` may be: a Hugging Face model directory (config.json, model.safetensors or
// its shards, tokenizer files); one `.safetensors` file or a `*.safetensors.index.json`
// (config.json and the tokenizer are read from the directory it is in); or a `.gguf` file
// (architecture, weights and tokenizer all from the file; quantized weights are
// dequantized to the compute dtype). A file argument always means that file: pickled
// checkpoints (`pytorch_model.bin`, ...) and other files are refused with a message. A Model is used by one thread at a time (in the app:
// the compute worker's); info() and config() may be read from any thread.
class Model
{
public:
    static std::shared_ptr<Model> load(const std::filesystem::path& path, const LoadOptions& options = {});
    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    const ModelInfo& info() const;
    const ModelConfig& config() const;
    const Tokenizer* tokenizer() const; // nullptr when the directory has none

    // Text to ids under the BOS policy; throws core::Error without a tokenizer.
    std::vector<int32_t> encode(const std::string& text) const;

    // Logits of token sequences of any lengths (right-padded and masked internally).
    // allPositions: [batch, max_pos, d_vocab] (padding rows are zero); otherwise the last
    // token of each sequence: [batch, d_vocab]. Ids are checked against the vocabulary.
    FloatArray logits(const std::vector<std::vector<int32_t>>& batch, bool allPositions) const;

    // Attention patterns of one sequence: [n_layers, n_heads, pos (query), pos (key)],
    // each query row a probability distribution over the keys up to it (fp32, CPU).
    FloatArray attentionPatterns(const std::vector<int32_t>& ids) const;

    // The logit lens of one sequence at `position` (negative: from the end, -1 = last
    // token), with the topK most likely tokens per stage and the probability and rank of
    // each `tracked` id. Ids and position are bounds-checked (core::Error).
    LogitLens logitLens(const std::vector<int32_t>& ids, int64_t position, int topK,
                        const std::vector<int32_t>& tracked = {}) const;

    // The torch side, for the core's own algorithms (the private headers of model/ and methods/).
    const detail::Transformer& transformer() const;

private:
    Model();
    struct Impl;
    std::unique_ptr<Impl> d;
};

// Fills the ids that pairs lack from their text, with the model's tokenizer and BOS policy
// (tokenizeDataset with Model::encode); nothing to do when every pair has its ids. Throws
// core::Error naming the dataset when the prompts are text and the model has no tokenizer,
// and what tokenizeDataset throws. The model's thread.
void tokenizeForModel(Dataset& data, const Model& model);

// Parses the architecture alone (no weights) of anything Model::load accepts: a
// directory's config.json, the config.json beside a weights file, or a GGUF file's
// metadata. What circuit files are checked against. Throws core::Error.
ModelConfig readModelConfig(const std::filesystem::path& path);

// Whether `path` names a GGUF file (by its extension or its first bytes).
bool isGgufPath(const std::filesystem::path& path);

} // namespace patchbay::core
