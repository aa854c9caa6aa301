// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace patchbay::core {

// Element types a safetensors file may declare. Only the floating types are loadable as
// weights; the others are parsed (and validated) so that files carrying e.g. int64
// buffers still open.
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool, F8E4M3, F8E5M2 };

std::size_t dtypeSize(DType dtype);
const char* dtypeName(DType dtype); // "F32", "BF16", ... as spelled in the file

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

// All weights of a model directory: `model.safetensors`, or the shards named by
// `model.safetensors.index.json`. Pickled checkpoints (`pytorch_model.bin`, `*.pt`,
// `*.pth`, `*.ckpt`) are refused with a message saying how to convert them; they are never
// read, since unpickling executes code.
class WeightStore
{
public:
    static std::unique_ptr<WeightStore> open(const std::filesystem::path& modelDir);

    // nullptr when absent.
    const TensorView* find(const std::string& name) const;
    // Throws core::Error naming the tensor and the files searched.
    const TensorView& require(const std::string& name) const;
    std::vector<std::string> names() const;
    std::string describeFiles() const; // "model.safetensors" or "3 shards of model.safetensors.index.json"
    uint64_t totalBytes() const;
    // A cheap identity of the weights: FNV-1a over the file headers and sizes (not the
    // whole payload), enough to notice that a session's model changed.
    std::string fingerprint() const;

private:
    std::vector<std::unique_ptr<SafetensorsFile>> m_files;
    std::map<std::string, const TensorView*> m_index;
    std::string m_description;
    std::string m_fingerprint;
};

} // namespace patchbay::core
