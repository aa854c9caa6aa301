// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/io/weights.h"

namespace patchbay::core {

// One tensor of an opened file: a view into the memory map, valid while the file lives.
struct TensorView
{
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    const std::byte* data = nullptr;
    std::size_t bytes = 0;
    std::filesystem::path file; // for error messages

    int64_t numel() const;
};

// A memory-mapped `.safetensors` file. The file is untrusted input: the constructor
// validates the whole header (declared length inside the file, known dtypes, offsets in
// range and non-overlapping, byte size = numel x dtype size) and throws core::Error naming
// the file and the tensor at fault. Read-only after construction: any thread.
class SafetensorsFile
{
public:
    explicit SafetensorsFile(const std::filesystem::path& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    const std::map<std::string, TensorView>& tensors() const { return m_tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    const TensorView* find(const std::string& name) const;

private:
    std::filesystem::path m_path;
    void* m_map = nullptr;
    std::size_t m_size = 0;
    std::map<std::string, TensorView> m_tensors;
    std::map<std::string, std::string> m_metadata;
};

// The weights of a Hugging Face checkpoint: a model directory (`model.safetensors`, or the
// shards named by `model.safetensors.index.json`), one `.safetensors` file, or a shard index
// file. Pickled checkpoints (`pytorch_model.bin`, `*.pt`, `*.pth`, `*.ckpt`) are refused
// with a message saying how to convert them; they are never read, since unpickling
// executes code.
class SafetensorsStore : public WeightStore
{
public:
    static std::unique_ptr<SafetensorsStore> open(const std::filesystem::path& path);

    const WeightInfo* find(const std::string& name) const override;
    WeightData read(const WeightInfo& tensor) const override;
    std::vector<std::string> names() const override;
    std::string describeFiles() const override { return m_description; }
    std::string fileList() const override;
    uint64_t totalBytes() const override;
    std::string fingerprint() const override { return m_fingerprint; }
    std::string storedTypes() const override;
    std::string configSource() const override { return "config.json"; }

    // The raw view of a tensor (nullptr when absent).
    const TensorView* view(const std::string& name) const;

private:
    std::vector<std::unique_ptr<SafetensorsFile>> m_files;
    std::map<std::string, std::pair<WeightInfo, const TensorView*>> m_index;
    std::string m_description;
    std::string m_fingerprint;
};

} // namespace patchbay::core
