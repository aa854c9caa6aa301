// SPDX-License-Identifier: MIT
// The weights of a model as the architecture loaders see them: tensors by name, shape and
// values, whatever file format holds them. Two implementations: SafetensorsStore
// (core/io/safetensors.h: Hugging Face directories, shards, single files) and GgufStore
// (core/model/detail/gguf_model.h: a llama.cpp file, its tensors renamed, dequantized and
// un-permuted into the Hugging Face layout the loaders expect).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace patchbay::core {

// Plain element types (as safetensors spells them). Only the floating types load as
// weights; the others are parsed (and validated) so that files carrying e.g. int64
// buffers still open.
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool, F8E4M3, F8E5M2 };

std::size_t dtypeSize(DType dtype);
const char* dtypeName(DType dtype); // "F32", "BF16", ... as spelled in safetensors files

// What a store knows about one tensor without reading it.
struct WeightInfo
{
    std::string name;           // the name the architecture loaders ask for
    std::vector<int64_t> shape; // PyTorch order (row-major)
    std::string storedType;     // as stored: "F32", "BF16", "Q4_1", ...
    std::filesystem::path file; // for messages
    std::string sourceName;     // the name in the file, where it differs ("blk.0.attn_q.weight")
    uint64_t bytes = 0;         // bytes in the file

    int64_t numel() const;
    // "\"model.layers.0.self_attn.q_proj.weight\"" or, renamed, with " (blk.0.attn_q.weight in the file)"
    std::string describe() const;
};

// One tensor's values: borrowed from the file's memory map (`view`, `viewType`, valid
// while the store lives) or, when the store had to convert them (dequantized, permuted),
// owned float32 values in `owned`.
struct WeightData
{
    const std::byte* view = nullptr;
    DType viewType = DType::F32;
    std::vector<float> owned;

    bool isView() const { return view != nullptr; }
};

// A read-only set of named tensors. Thread-safe for concurrent reads after construction.
class WeightStore
{
public:
    virtual ~WeightStore();

    // nullptr when absent.
    virtual const WeightInfo* find(const std::string& name) const = 0;
    // Throws core::Error naming the tensor and the files searched.
    const WeightInfo& require(const std::string& name) const;
    // The values; throws core::Error naming the file and the tensor (e.g. a type that
    // cannot be dequantized).
    virtual WeightData read(const WeightInfo& tensor) const = 0;

    virtual std::vector<std::string> names() const = 0; // sorted
    // "model.safetensors", "3 shards of model.safetensors.index.json", "model.Q4_1.gguf"
    virtual std::string describeFiles() const = 0;
    // The files themselves, comma-separated, for messages.
    virtual std::string fileList() const = 0;
    virtual uint64_t totalBytes() const = 0;
    // A cheap identity of the weights (hex): file headers and sizes and samples of the
    // payload, enough to notice that a session's model changed.
    virtual std::string fingerprint() const = 0;
    // The stored types: "F32", "BF16" or "mixed" for safetensors; for GGUF the
    // quantization types with counts, "Q4_1 x210, F32 x61, Q8_0 x1".
    virtual std::string storedTypes() const = 0;
    // Where the architecture came from, for messages: "config.json" or "the GGUF metadata".
    virtual std::string configSource() const = 0;
    // What the file itself calls tensor `name` (GGUF: "token_embd.weight" for
    // "model.embed_tokens.weight"), for messages about missing tensors; `name` when the same.
    virtual std::string nameInFile(const std::string& name) const { return name; }
};

// FNV-1a, the hash fingerprints are made of.
uint64_t fnv1a(uint64_t hash, const void* data, std::size_t n);
constexpr uint64_t kFnvOffset = 14695981039346656037ull;
std::string hex64(uint64_t value);

} // namespace patchbay::core
