// SPDX-License-Identifier: MIT
// The GGUF container: header, metadata and tensor infos, every extent checked against the
// file. The tensor types and their dequantizers are in gguf_quants.cpp.
#include "core/io/gguf.h"
#include "core/common/detail/little_endian.h"

#include "core/common/error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace patchbay::core {

namespace fs = std::filesystem;

// --- limits on what a file may declare (beyond fitting in the file) -------------------------

namespace {

constexpr uint64_t kMaxKeys = 1u << 20;          // metadata entries
constexpr uint64_t kMaxTensors = 1u << 20;       // tensor infos
constexpr uint64_t kMaxArrayElements = 1u << 26; // one array (a vocabulary is ~10^5)
constexpr int kMaxArrayDepth = 4;                // arrays of arrays
constexpr uint32_t kMaxDims = 4;                 // GGML_MAX_DIMS
constexpr uint64_t kMaxAlignment = 1u << 20;

} // namespace

const char* ggufTypeName(GgufType type)
{
    switch (type) {
    case GgufType::U8: return "uint8";
    case GgufType::I8: return "int8";
    case GgufType::U16: return "uint16";
    case GgufType::I16: return "int16";
    case GgufType::U32: return "uint32";
    case GgufType::I32: return "int32";
    case GgufType::F32: return "float32";
    case GgufType::Bool: return "bool";
    case GgufType::String: return "string";
    case GgufType::Array: return "array";
    case GgufType::U64: return "uint64";
    case GgufType::I64: return "int64";
    case GgufType::F64: return "float64";
    }
    return "?";
}

bool GgufValue::isInteger() const
{
    switch (type) {
    case GgufType::U8: case GgufType::I8: case GgufType::U16: case GgufType::I16: case GgufType::U32:
    case GgufType::I32: case GgufType::U64: case GgufType::I64: return true;
    default: return false;
    }
}

bool GgufValue::isFloat() const { return type == GgufType::F32 || type == GgufType::F64; }

namespace {

std::string quoted(const std::string& s, std::size_t max = 60)
{
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > max)
        out += "...";
    return out + "\"";
}

std::string realString(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

} // namespace

std::string GgufValue::describe() const
{
    if (type == GgufType::Bool)
        return integer ? "true" : "false";
    if (isInteger())
        return integer < 0 && type == GgufType::U64 ? std::to_string(unsignedInteger) : std::to_string(integer);
    if (isFloat())
        return realString(real);
    if (type == GgufType::String)
        return quoted(string);
    std::string out = "[" + std::to_string(count) + " x " + ggufTypeName(elementType);
    if (count > 0 && count <= 8) {
        out += ":";
        for (uint64_t i = 0; i < count; ++i) {
            out += " ";
            if (elementType == GgufType::String)
                out += quoted(strings[i], 24);
            else if (elementType == GgufType::F32 || elementType == GgufType::F64)
                out += realString(reals[i]);
            else if (elementType == GgufType::Array)
                out += arrays[i].describe();
            else
                out += std::to_string(integers[i]);
        }
    }
    return out + "]";
}

std::string GgufTensorInfo::typeName() const
{
    const char* n = ggmlTypeName(type);
    return n ? std::string(n) : "type " + std::to_string(uint32_t(type));
}

// --- the file ------------------------------------------------------------------------------------

namespace {

using detail::bitsToFloat;
using detail::u16;
using detail::u32;

// Reads little-endian values from the map, checking each extent against the file size.
class Cursor
{
public:
    Cursor(const unsigned char* base, uint64_t size, const std::string& where) : m_base(base), m_size(size), m_where(where) {}

    uint64_t pos() const { return m_pos; }
    uint64_t remaining() const { return m_size - m_pos; }

    void need(uint64_t n, const std::string& what) const
    {
        if (n > remaining())
            throw Error(m_where + ": " + what + " runs past the end of the file (" + std::to_string(n)
                        + " bytes needed at offset " + std::to_string(m_pos) + ", file has " + std::to_string(m_size)
                        + "; truncated or damaged)");
    }

    const unsigned char* take(uint64_t n, const std::string& what)
    {
        need(n, what);
        const unsigned char* p = m_base + m_pos;
        m_pos += n;
        return p;
    }

    uint8_t u8(const std::string& what) { return *take(1, what); }
    uint16_t u16v(const std::string& what) { return u16(take(2, what)); }
    uint32_t u32v(const std::string& what) { return u32(take(4, what)); }
    uint64_t u64v(const std::string& what)
    {
        const unsigned char* p = take(8, what);
        return uint64_t(u32(p)) | (uint64_t(u32(p + 4)) << 32);
    }

    std::string string(const std::string& what)
    {
        const uint64_t len = u64v(what + " (length)");
        const unsigned char* p = take(len, what + " (" + std::to_string(len) + " bytes)");
        return std::string(reinterpret_cast<const char*>(p), std::size_t(len));
    }

private:
    const unsigned char* m_base;
    uint64_t m_size;
    uint64_t m_pos = 0;
    const std::string& m_where;
};

uint64_t scalarSize(GgufType t)
{
    switch (t) {
    case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
    case GgufType::U16: case GgufType::I16: return 2;
    case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
    case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
    default: return 0;
    }
}

bool validValueType(uint32_t t) { return t <= 12; }

// Reads one scalar of type `t` (not string/array) as integer or real.
void readScalar(Cursor& c, GgufType t, const std::string& what, int64_t& integer, uint64_t& unsignedInteger,
                double& real)
{
    switch (t) {
    case GgufType::U8: integer = c.u8(what); break;
    case GgufType::I8: integer = static_cast<int8_t>(c.u8(what)); break;
    case GgufType::Bool: {
        const uint8_t v = c.u8(what);
        if (v > 1)
            throw Error(what + ": bool value " + std::to_string(v) + " is neither 0 nor 1");
        integer = v;
        break;
    }
    case GgufType::U16: integer = c.u16v(what); break;
    case GgufType::I16: integer = static_cast<int16_t>(c.u16v(what)); break;
    case GgufType::U32: integer = c.u32v(what); break;
    case GgufType::I32: integer = static_cast<int32_t>(c.u32v(what)); break;
    case GgufType::U64: {
        const uint64_t v = c.u64v(what);
        unsignedInteger = v;
        integer = v > uint64_t(std::numeric_limits<int64_t>::max()) ? -1 : int64_t(v);
        return;
    }
    case GgufType::I64: integer = static_cast<int64_t>(c.u64v(what)); break;
    case GgufType::F32: {
        real = bitsToFloat(c.u32v(what));
        return;
    }
    case GgufType::F64: {
        const uint64_t bits = c.u64v(what);
        std::memcpy(&real, &bits, sizeof real);
        return;
    }
    default: throw Error(what + ": not a scalar type");
    }
    unsignedInteger = uint64_t(integer);
}

GgufValue readValue(Cursor& c, GgufType type, const std::string& what, int depth)
{
    GgufValue v;
    v.type = type;
    if (type == GgufType::String) {
        v.string = c.string(what);
        return v;
    }
    if (type != GgufType::Array) {
        readScalar(c, type, what, v.integer, v.unsignedInteger, v.real);
        return v;
    }
    if (depth >= kMaxArrayDepth)
        throw Error(what + ": arrays nested deeper than " + std::to_string(kMaxArrayDepth) + " levels");
    const uint32_t et = c.u32v(what + " (array element type)");
    if (!validValueType(et))
        throw Error(what + ": unknown array element type " + std::to_string(et));
    v.elementType = static_cast<GgufType>(et);
    v.count = c.u64v(what + " (array length)");
    // Each element needs at least this many bytes of the file: a hostile count fails here,
    // before anything is allocated.
    const uint64_t minElem = v.elementType == GgufType::String ? 8
                             : v.elementType == GgufType::Array ? 12
                                                                : scalarSize(v.elementType);
    if (v.count > kMaxArrayElements)
        throw Error(what + ": array of " + std::to_string(v.count) + " elements exceeds the limit of "
                    + std::to_string(kMaxArrayElements));
    if (v.count > c.remaining() / minElem)
        c.need(v.count * minElem, what + " (array of " + std::to_string(v.count) + " "
                                      + ggufTypeName(v.elementType) + ")");
    const auto n = std::size_t(v.count);
    switch (v.elementType) {
    case GgufType::String:
        v.strings.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            v.strings.push_back(c.string(what + "[" + std::to_string(i) + "]"));
        break;
    case GgufType::Array:
        v.arrays.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            v.arrays.push_back(readValue(c, GgufType::Array, what + "[" + std::to_string(i) + "]", depth + 1));
        break;
    case GgufType::F32:
    case GgufType::F64: {
        v.reals.resize(n);
        int64_t ig;
        uint64_t ug;
        for (std::size_t i = 0; i < n; ++i)
            readScalar(c, v.elementType, what, ig, ug, v.reals[i]);
        break;
    }
    default: {
        v.integers.resize(n);
        uint64_t ug;
        double r;
        for (std::size_t i = 0; i < n; ++i)
            readScalar(c, v.elementType, what, v.integers[i], ug, r);
        break;
    }
    }
    return v;
}

} // namespace

GgufFile::GgufFile(const fs::path& path) : m_path(path)
{
    const std::string where = path.string();
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        throw Error(where + ": cannot open file (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(where + ": not a regular file");
    }
    m_size = static_cast<std::size_t>(st.st_size);
    if (m_size < 24) {
        ::close(fd);
        throw Error(where + ": not a GGUF file (" + std::to_string(m_size) + " bytes, shorter than a GGUF header)");
    }
    m_map = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m_map == MAP_FAILED) {
        m_map = nullptr;
        throw Error(where + ": cannot memory-map file (" + std::strerror(errno) + ")");
    }
    try {
        const auto* base = static_cast<const unsigned char*>(m_map);
        Cursor c(base, m_size, where);
        const unsigned char* magic = c.take(4, "magic");
        if (std::memcmp(magic, "GGUF", 4) != 0)
            throw Error(where + ": not a GGUF file (the first four bytes are not \"GGUF\")");
        m_version = c.u32v("version");
        if (m_version == 1)
            throw Error(where + ": GGUF version 1 is not supported (only versions 2 and 3); re-convert the model with "
                                "a current llama.cpp");
        if (m_version != 2 && m_version != 3) {
            const uint32_t swapped = __builtin_bswap32(m_version);
            if (swapped == 2 || swapped == 3)
                throw Error(where + ": a big-endian GGUF file; only little-endian files are supported");
            throw Error(where + ": unknown GGUF version " + std::to_string(m_version) + " (supported: 2 and 3)");
        }
        const uint64_t nTensors = c.u64v("tensor count");
        const uint64_t nKeys = c.u64v("metadata count");
        if (nKeys > kMaxKeys || nKeys > c.remaining() / 13)
            throw Error(where + ": metadata count " + std::to_string(nKeys) + " is implausible for a file of "
                        + std::to_string(m_size) + " bytes");
        if (nTensors > kMaxTensors || nTensors > c.remaining() / 24)
            throw Error(where + ": tensor count " + std::to_string(nTensors) + " is implausible for a file of "
                        + std::to_string(m_size) + " bytes");

        for (uint64_t i = 0; i < nKeys; ++i) {
            const std::string key = c.string("metadata key " + std::to_string(i));
            const std::string what = where + ": metadata \"" + key + "\"";
            if (key.empty())
                throw Error(where + ": metadata key " + std::to_string(i) + " is empty");
            const uint32_t t = c.u32v(what + " (type)");
            if (!validValueType(t))
                throw Error(what + ": unknown value type " + std::to_string(t));
            GgufValue value = readValue(c, static_cast<GgufType>(t), what, 0);
            if (!m_metadata.emplace(key, std::move(value)).second)
                throw Error(what + " appears twice");
            m_keys.push_back(key);
        }

        if (const GgufValue* a = find("general.alignment")) {
            if (!a->isInteger() || a->integer <= 0 || uint64_t(a->integer) > kMaxAlignment
                || (uint64_t(a->integer) & (uint64_t(a->integer) - 1)) != 0)
                throw Error(where + ": metadata \"general.alignment\" = " + a->describe()
                            + " must be a power of two up to " + std::to_string(kMaxAlignment));
            m_alignment = uint64_t(a->integer);
        }
        if (const GgufValue* s = find("split.count"); s && s->isInteger() && s->integer > 1)
            throw Error(where + ": a split GGUF file (part of " + std::to_string(s->integer)
                        + "); merge the parts first (llama-gguf-split --merge)");

        m_tensors.reserve(std::size_t(nTensors));
        for (uint64_t i = 0; i < nTensors; ++i) {
            GgufTensorInfo t;
            t.name = c.string("tensor info " + std::to_string(i) + " (name)");
            const std::string what = where + ": tensor \"" + t.name + "\"";
            if (t.name.empty())
                throw Error(where + ": tensor info " + std::to_string(i) + " has an empty name");
            const uint32_t nDims = c.u32v(what + " (dimension count)");
            if (nDims == 0 || nDims > kMaxDims)
                throw Error(what + ": " + std::to_string(nDims) + " dimensions (1 to " + std::to_string(kMaxDims)
                            + " are valid)");
            uint64_t numel = 1;
            for (uint32_t d = 0; d < nDims; ++d) {
                const uint64_t dim = c.u64v(what + " (dimension)");
                if (dim > uint64_t(std::numeric_limits<int64_t>::max())
                    || (dim != 0 && numel > uint64_t(std::numeric_limits<int64_t>::max()) / dim))
                    throw Error(what + ": dimensions overflow");
                numel *= dim;
                t.dims.push_back(int64_t(dim));
            }
            t.shape.assign(t.dims.rbegin(), t.dims.rend());
            t.numel = int64_t(numel);
            const uint32_t type = c.u32v(what + " (type)");
            t.type = static_cast<GgmlType>(type);
            const auto [block, blockBytes] = ggmlBlockLayout(t.type);
            if (block == 0 || !ggmlTypeName(t.type))
                throw Error(what + ": unknown tensor type " + std::to_string(type));
            if (t.dims[0] % block != 0)
                throw Error(what + ": first dimension " + std::to_string(t.dims[0]) + " is not a multiple of the "
                            + t.typeName() + " block size " + std::to_string(block));
            const uint64_t blocks = numel / uint64_t(block);
            if (blocks > std::numeric_limits<uint64_t>::max() / uint64_t(blockBytes))
                throw Error(what + ": byte size overflows");
            t.bytes = blocks * uint64_t(blockBytes);
            t.offset = c.u64v(what + " (offset)");
            if (t.offset % m_alignment != 0)
                throw Error(what + ": data offset " + std::to_string(t.offset) + " is not a multiple of the alignment "
                            + std::to_string(m_alignment));
            if (!m_tensorIndex.emplace(t.name, m_tensors.size()).second)
                throw Error(what + " appears twice");
            m_tensors.push_back(std::move(t));
        }

        // The data section starts at the next multiple of the alignment.
        const uint64_t pos = c.pos();
        m_dataOffset = (pos + m_alignment - 1) / m_alignment * m_alignment;
        if (m_dataOffset > m_size && !m_tensors.empty())
            throw Error(where + ": the data section starts past the end of the file (truncated?)");
        const uint64_t dataSize = m_dataOffset <= m_size ? m_size - m_dataOffset : 0;

        std::vector<std::pair<std::pair<uint64_t, uint64_t>, std::size_t>> ranges;
        for (std::size_t i = 0; i < m_tensors.size(); ++i) {
            GgufTensorInfo& t = m_tensors[i];
            if (t.offset > dataSize || t.bytes > dataSize - t.offset)
                throw Error(where + ": tensor \"" + t.name + "\" (" + t.typeName() + ", " + std::to_string(t.bytes)
                            + " bytes at data offset " + std::to_string(t.offset) + ") runs past the end of the file ("
                            + std::to_string(dataSize) + " bytes of data; truncated?)");
            t.data = reinterpret_cast<const std::byte*>(base + m_dataOffset + t.offset);
            ranges.push_back({{t.offset, t.offset + t.bytes}, i});
        }
        std::sort(ranges.begin(), ranges.end());
        for (std::size_t i = 1; i < ranges.size(); ++i) {
            const auto& prev = ranges[i - 1];
            const auto& cur = ranges[i];
            if (cur.first.first < prev.first.second && cur.first.first != cur.first.second)
                throw Error(where + ": tensors \"" + m_tensors[prev.second].name + "\" and \""
                            + m_tensors[cur.second].name + "\" overlap");
        }
    } catch (...) {
        ::munmap(m_map, m_size);
        m_map = nullptr;
        throw;
    }
}

GgufFile::~GgufFile()
{
    if (m_map)
        ::munmap(m_map, m_size);
}

const GgufValue* GgufFile::find(const std::string& key) const
{
    const auto it = m_metadata.find(key);
    return it == m_metadata.end() ? nullptr : &it->second;
}

namespace {

[[noreturn]] void wrongType(const fs::path& file, const std::string& key, const GgufValue& v, const char* wanted)
{
    throw Error(file.string() + ": metadata \"" + key + "\" is " + ggufTypeName(v.type)
                + (v.type == GgufType::Array ? std::string(" of ") + ggufTypeName(v.elementType) : std::string())
                + ", expected " + wanted);
}

[[noreturn]] void missing(const fs::path& file, const std::string& key)
{
    throw Error(file.string() + ": metadata \"" + key + "\" is missing");
}

} // namespace

std::optional<std::string> GgufFile::optString(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufType::String)
        wrongType(m_path, key, *v, "a string");
    return v->string;
}

std::string GgufFile::getString(const std::string& key) const
{
    if (auto s = optString(key))
        return *s;
    missing(m_path, key);
}

std::optional<int64_t> GgufFile::optInt(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return std::nullopt;
    if (!v->isInteger())
        wrongType(m_path, key, *v, "an integer");
    if (v->type == GgufType::U64 && v->integer < 0)
        throw Error(m_path.string() + ": metadata \"" + key + "\" = " + v->describe() + " is out of range");
    return v->integer;
}

int64_t GgufFile::getInt(const std::string& key) const
{
    if (auto i = optInt(key))
        return *i;
    missing(m_path, key);
}

std::optional<double> GgufFile::optFloat(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return std::nullopt;
    if (v->isFloat())
        return v->real;
    if (v->isInteger())
        return v->type == GgufType::U64 && v->integer < 0 ? double(v->unsignedInteger) : double(v->integer);
    wrongType(m_path, key, *v, "a number");
}

double GgufFile::getFloat(const std::string& key) const
{
    if (auto f = optFloat(key))
        return *f;
    missing(m_path, key);
}

std::optional<bool> GgufFile::optBool(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return std::nullopt;
    if (v->type != GgufType::Bool)
        wrongType(m_path, key, *v, "a bool");
    return v->integer != 0;
}

const std::vector<std::string>* GgufFile::stringArray(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return nullptr;
    if (v->type != GgufType::Array || v->elementType != GgufType::String)
        wrongType(m_path, key, *v, "an array of strings");
    return &v->strings;
}

const std::vector<int64_t>* GgufFile::intArray(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return nullptr;
    if (v->type != GgufType::Array || v->elementType == GgufType::String || v->elementType == GgufType::Array
        || v->elementType == GgufType::F32 || v->elementType == GgufType::F64)
        wrongType(m_path, key, *v, "an array of integers");
    return &v->integers;
}

const std::vector<double>* GgufFile::floatArray(const std::string& key) const
{
    const GgufValue* v = find(key);
    if (!v)
        return nullptr;
    if (v->type != GgufType::Array || (v->elementType != GgufType::F32 && v->elementType != GgufType::F64))
        wrongType(m_path, key, *v, "an array of floats");
    return &v->reals;
}

const GgufTensorInfo* GgufFile::findTensor(const std::string& name) const
{
    const auto it = m_tensorIndex.find(name);
    return it == m_tensorIndex.end() ? nullptr : &m_tensors[it->second];
}

void GgufFile::dequantize(const GgufTensorInfo& tensor, float* out) const
{
    if (!ggmlTypeDequantizable(tensor.type))
        throw Error(m_path.string() + ": tensor \"" + tensor.name + "\" has type " + tensor.typeName()
                    + ", which Patchbay cannot dequantize (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, "
                      "Q2_K, Q3_K, Q4_K, Q5_K, Q6_K); use a file quantized to one of those");
    dequantizeGgml(tensor.type, tensor.data, tensor.numel, out);
}

std::vector<float> GgufFile::dequantize(const GgufTensorInfo& tensor) const
{
    if (!ggmlTypeDequantizable(tensor.type))
        dequantize(tensor, nullptr); // throws the message above
    std::vector<float> out(std::size_t(tensor.numel));
    dequantize(tensor, out.data());
    return out;
}

std::string GgufFile::typeSummary() const
{
    std::map<std::string, int> counts;
    for (const auto& t : m_tensors)
        ++counts[t.typeName()];
    std::vector<std::pair<int, std::string>> sorted;
    for (const auto& [name, n] : counts)
        sorted.push_back({-n, name});
    std::sort(sorted.begin(), sorted.end());
    std::string out;
    for (const auto& [n, name] : sorted)
        out += (out.empty() ? "" : ", ") + name + " x" + std::to_string(-n);
    return out;
}

bool looksLikeGguf(const fs::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st {};
    char magic[4] = {};
    const bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::read(fd, magic, 4) == 4
                    && std::memcmp(magic, "GGUF", 4) == 0;
    ::close(fd);
    return ok;
}

} // namespace patchbay::core
