// SPDX-License-Identifier: MIT
// GGUF (llama.cpp's checkpoint format), versions 2 and 3: a memory-mapped reader of the
// header, the metadata and the tensor infos, and dequantization of the block formats
// into float32. No torch here; core/model/detail/gguf_model.h maps a file onto the families.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::core {

// Metadata value types, numbered as in the file.
enum class GgufType : uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7, String = 8, Array = 9,
    U64 = 10, I64 = 11, F64 = 12,
};
const char* ggufTypeName(GgufType type); // "uint32", "string", ...

// One metadata value. Scalars: integers (and bool) in `integer` (a uint64 above INT64_MAX
// in `unsignedInteger` alone, with `integer` = -1), floats in `real`, strings in `string`.
// Arrays: `elementType`, `count` and the elements in the vector of their kind (integers
// and bools in `integers`, floats in `reals`, strings in `strings`, nested arrays in
// `arrays`).
struct GgufValue
{
    GgufType type = GgufType::U8;
    int64_t integer = 0;
    uint64_t unsignedInteger = 0;
    double real = 0.0;
    std::string string;

    GgufType elementType = GgufType::U8;
    uint64_t count = 0;
    std::vector<int64_t> integers;
    std::vector<double> reals;
    std::vector<std::string> strings;
    std::vector<GgufValue> arrays;

    bool isInteger() const;
    bool isFloat() const;
    // A short rendering for `info` and messages: `30`, `1e-05`, `"llama"`, `[49152 x string]`.
    std::string describe() const;
};

// Tensor element types (ggml_type), numbered as in the file. Only the ones named in
// ggmlTypeName() are known; of those, ggmlTypeDequantizable() says which load.
enum class GgmlType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22, IQ4_XS = 23,
    I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
    TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39, NVFP4 = 40, Q1_0 = 41,
};
// "Q4_K", ...; nullptr for a number that is no known type.
const char* ggmlTypeName(GgmlType type);
// Elements per block and bytes per block; {0, 0} for an unknown type.
std::pair<int64_t, int64_t> ggmlBlockLayout(GgmlType type);
// F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K.
bool ggmlTypeDequantizable(GgmlType type);

// Dequantizes `count` elements (a multiple of the type's block size) stored at `data`
// into `out`, bit for bit as the `gguf` Python package's gguf.quants.dequantize (and
// llama.cpp's dequantize_row_*) computes them in float32. Throws core::Error for a type
// ggmlTypeDequantizable() refuses.
void dequantizeGgml(GgmlType type, const std::byte* data, int64_t count, float* out);

struct GgufTensorInfo
{
    std::string name;
    std::vector<int64_t> dims;  // as in the file: dims[0] varies fastest (ggml's ne)
    std::vector<int64_t> shape; // the same reversed: the PyTorch shape (row-major)
    GgmlType type = GgmlType::F32;
    uint64_t offset = 0;        // from the start of the data section
    uint64_t bytes = 0;
    int64_t numel = 0;
    const std::byte* data = nullptr; // into the memory map

    std::string typeName() const; // "Q4_1", or "type 99" when unknown
};

// A memory-mapped `.gguf` file. The file is untrusted: the constructor checks the magic,
// the version (2 or 3; version 1 and big-endian files are refused), and every count,
// string length, array length, dimension, type, offset and extent against the file size
// before using it, and throws core::Error naming the file and the key or tensor at
// fault. Tensors of types it cannot dequantize open fine; dequantize() refuses them.
// Read-only after construction: any thread.
class GgufFile
{
public:
    explicit GgufFile(const std::filesystem::path& path);
    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    uint32_t version() const { return m_version; }
    uint64_t alignment() const { return m_alignment; }
    uint64_t fileSize() const { return m_size; }
    uint64_t dataOffset() const { return m_dataOffset; }

    // Metadata keys in file order, and lookup.
    const std::vector<std::string>& keys() const { return m_keys; }
    const GgufValue* find(const std::string& key) const;

    // Typed access; the required forms throw core::Error naming the file and the key when
    // it is absent or of another type.
    std::string getString(const std::string& key) const;
    std::optional<std::string> optString(const std::string& key) const;
    int64_t getInt(const std::string& key) const; // any integer type
    std::optional<int64_t> optInt(const std::string& key) const;
    double getFloat(const std::string& key) const; // any float or integer type
    std::optional<double> optFloat(const std::string& key) const;
    std::optional<bool> optBool(const std::string& key) const;
    // Arrays (nullptr when absent; throws when present with another element type).
    const std::vector<std::string>* stringArray(const std::string& key) const;
    const std::vector<int64_t>* intArray(const std::string& key) const;
    const std::vector<double>* floatArray(const std::string& key) const;

    const std::vector<GgufTensorInfo>& tensors() const { return m_tensors; }
    const GgufTensorInfo* findTensor(const std::string& name) const;

    // The tensor's values as float32 in `out` (numel elements, PyTorch row-major order).
    // Throws core::Error naming the file, the tensor and its type for a type that does not
    // dequantize (IQ*, TQ*, integer types, ...).
    void dequantize(const GgufTensorInfo& tensor, float* out) const;
    std::vector<float> dequantize(const GgufTensorInfo& tensor) const;

    // The tensor types present, with counts: "Q4_1 x210, F32 x61, Q8_0 x1" (most first).
    std::string typeSummary() const;

private:
    std::filesystem::path m_path;
    void* m_map = nullptr;
    std::size_t m_size = 0;
    uint32_t m_version = 0;
    uint64_t m_alignment = 32;
    uint64_t m_dataOffset = 0;
    std::vector<std::string> m_keys;
    std::map<std::string, GgufValue> m_metadata;
    std::vector<GgufTensorInfo> m_tensors;
    std::map<std::string, std::size_t> m_tensorIndex;
};

// Whether `path` starts with the GGUF magic (false when it cannot be read).
bool looksLikeGguf(const std::filesystem::path& path);

} // namespace patchbay::core
