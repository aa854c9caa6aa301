// SPDX-License-Identifier: MIT
// Private header: a GGUF file as a model. The metadata becomes the equivalent of a Hugging
// Face config.json (so the families' own parsers validate it) and the tensors are offered
// under Hugging Face names, dequantized to float32 and brought back to the Hugging Face
// layout where llama.cpp's converter changed it (rotary Q/K row order, GPT-2's transposed
// Conv1D weights, GPT-NeoX's fused QKV order, Gemma's norm offset) — all from one table of
// architectures in gguf_model.cpp.
#pragma once

#include "core/io/gguf.h"
#include "core/io/weights.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace patchbay::core::detail {

struct GgufModel
{
    std::shared_ptr<const GgufFile> file;
    std::string architecture; // general.architecture
    nlohmann::json config;    // Hugging Face config.json keys: model_type, num_hidden_layers, ...
    std::unique_ptr<WeightStore> weights;
};

// Opens `path` and maps it; throws core::Error naming the file and the key or tensor at
// fault (an architecture without a table entry, a tensor no entry names, rope scaling,
// ...). `withWeights` false: the config alone (what readModelConfig needs).
GgufModel openGgufModel(const std::filesystem::path& path, bool withWeights = true);

// The Hugging Face config keys of a GGUF file (the config part of openGgufModel).
nlohmann::json ggufConfig(const GgufFile& file);

} // namespace patchbay::core::detail
