// SPDX-License-Identifier: MIT
// Built with -ffp-contract=off (core/CMakeLists.txt): the dequantizers multiply and add in
// separate float32 steps, as numpy does, so that no fused multiply-add changes a bit.
#include "core/gguf.h"

#include "core/error.h"

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

// --- tensor types ------------------------------------------------------------------------------

const char* ggmlTypeName(GgmlType type)
{
    switch (type) {
    case GgmlType::F32: return "F32";
    case GgmlType::F16: return "F16";
    case GgmlType::Q4_0: return "Q4_0";
    case GgmlType::Q4_1: return "Q4_1";
    case GgmlType::Q5_0: return "Q5_0";
    case GgmlType::Q5_1: return "Q5_1";
    case GgmlType::Q8_0: return "Q8_0";
    case GgmlType::Q8_1: return "Q8_1";
    case GgmlType::Q2_K: return "Q2_K";
    case GgmlType::Q3_K: return "Q3_K";
    case GgmlType::Q4_K: return "Q4_K";
    case GgmlType::Q5_K: return "Q5_K";
    case GgmlType::Q6_K: return "Q6_K";
    case GgmlType::Q8_K: return "Q8_K";
    case GgmlType::IQ2_XXS: return "IQ2_XXS";
    case GgmlType::IQ2_XS: return "IQ2_XS";
    case GgmlType::IQ3_XXS: return "IQ3_XXS";
    case GgmlType::IQ1_S: return "IQ1_S";
    case GgmlType::IQ4_NL: return "IQ4_NL";
    case GgmlType::IQ3_S: return "IQ3_S";
    case GgmlType::IQ2_S: return "IQ2_S";
    case GgmlType::IQ4_XS: return "IQ4_XS";
    case GgmlType::I8: return "I8";
    case GgmlType::I16: return "I16";
    case GgmlType::I32: return "I32";
    case GgmlType::I64: return "I64";
    case GgmlType::F64: return "F64";
    case GgmlType::IQ1_M: return "IQ1_M";
    case GgmlType::BF16: return "BF16";
    case GgmlType::TQ1_0: return "TQ1_0";
    case GgmlType::TQ2_0: return "TQ2_0";
    case GgmlType::MXFP4: return "MXFP4";
    case GgmlType::NVFP4: return "NVFP4";
    case GgmlType::Q1_0: return "Q1_0";
    }
    return nullptr;
}

std::pair<int64_t, int64_t> ggmlBlockLayout(GgmlType type)
{
    switch (type) {
    case GgmlType::F32: return {1, 4};
    case GgmlType::F16: return {1, 2};
    case GgmlType::Q4_0: return {32, 18};
    case GgmlType::Q4_1: return {32, 20};
    case GgmlType::Q5_0: return {32, 22};
    case GgmlType::Q5_1: return {32, 24};
    case GgmlType::Q8_0: return {32, 34};
    case GgmlType::Q8_1: return {32, 40};
    case GgmlType::Q2_K: return {256, 84};
    case GgmlType::Q3_K: return {256, 110};
    case GgmlType::Q4_K: return {256, 144};
    case GgmlType::Q5_K: return {256, 176};
    case GgmlType::Q6_K: return {256, 210};
    case GgmlType::Q8_K: return {256, 292};
    case GgmlType::IQ2_XXS: return {256, 66};
    case GgmlType::IQ2_XS: return {256, 74};
    case GgmlType::IQ3_XXS: return {256, 98};
    case GgmlType::IQ1_S: return {256, 50};
    case GgmlType::IQ4_NL: return {32, 18};
    case GgmlType::IQ3_S: return {256, 110};
    case GgmlType::IQ2_S: return {256, 82};
    case GgmlType::IQ4_XS: return {256, 136};
    case GgmlType::I8: return {1, 1};
    case GgmlType::I16: return {1, 2};
    case GgmlType::I32: return {1, 4};
    case GgmlType::I64: return {1, 8};
    case GgmlType::F64: return {1, 8};
    case GgmlType::IQ1_M: return {256, 56};
    case GgmlType::BF16: return {1, 2};
    case GgmlType::TQ1_0: return {256, 54};
    case GgmlType::TQ2_0: return {256, 66};
    case GgmlType::MXFP4: return {32, 17};
    case GgmlType::NVFP4: return {64, 36};
    case GgmlType::Q1_0: return {128, 18};
    }
    return {0, 0};
}

bool ggmlTypeDequantizable(GgmlType type)
{
    switch (type) {
    case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16: case GgmlType::Q8_0: case GgmlType::Q4_0:
    case GgmlType::Q4_1: case GgmlType::Q5_0: case GgmlType::Q5_1: case GgmlType::Q2_K: case GgmlType::Q3_K:
    case GgmlType::Q4_K: case GgmlType::Q5_K: case GgmlType::Q6_K: return true;
    default: return false;
    }
}

// --- dequantization ------------------------------------------------------------------------------
//
// Each function mirrors the float32 arithmetic of gguf.quants (gguf-py) step by step: scales
// are products rounded to float32 first, then the per-element product, then the offset.

namespace {

inline uint16_t u16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t u32(const unsigned char* p)
{
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

inline float bitsToFloat(uint32_t bits)
{
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

// IEEE half -> float, exact (subnormals, infinities and NaN payloads included).
inline float halfToFloat(uint16_t h)
{
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    if (exp == 0x1F)
        return bitsToFloat(sign | 0x7F800000u | (mant << 13));
    if (exp == 0) {
        if (mant == 0)
            return bitsToFloat(sign);
        // subnormal: normalise
        int e = -1;
        do {
            ++e;
            mant <<= 1;
        } while ((mant & 0x400) == 0);
        mant &= 0x3FF;
        return bitsToFloat(sign | (uint32_t(127 - 15 - e) << 23) | (mant << 13));
    }
    return bitsToFloat(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

inline float f16At(const unsigned char* p) { return halfToFloat(u16(p)); }

void deqQ4_0(const unsigned char* b, float* y)
{
    const float d = f16At(b);
    const unsigned char* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = d * float(int(qs[j] & 0x0F) - 8);
        y[j + 16] = d * float(int(qs[j] >> 4) - 8);
    }
}

void deqQ4_1(const unsigned char* b, float* y)
{
    const float d = f16At(b);
    const float m = f16At(b + 2);
    const unsigned char* qs = b + 4;
    for (int j = 0; j < 16; ++j) {
        const float lo = d * float(qs[j] & 0x0F);
        const float hi = d * float(qs[j] >> 4);
        y[j] = lo + m;
        y[j + 16] = hi + m;
    }
}

void deqQ5_0(const unsigned char* b, float* y)
{
    const float d = f16At(b);
    const uint32_t qh = u32(b + 2);
    const unsigned char* qs = b + 6;
    for (int j = 0; j < 16; ++j) {
        const int lo = int((qs[j] & 0x0F) | (((qh >> j) & 1u) << 4)) - 16;
        const int hi = int((qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4)) - 16;
        y[j] = d * float(lo);
        y[j + 16] = d * float(hi);
    }
}

void deqQ5_1(const unsigned char* b, float* y)
{
    const float d = f16At(b);
    const float m = f16At(b + 2);
    const uint32_t qh = u32(b + 4);
    const unsigned char* qs = b + 8;
    for (int j = 0; j < 16; ++j) {
        const float lo = d * float((qs[j] & 0x0F) | (((qh >> j) & 1u) << 4));
        const float hi = d * float((qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4));
        y[j] = lo + m;
        y[j + 16] = hi + m;
    }
}

void deqQ8_0(const unsigned char* b, float* y)
{
    const float d = f16At(b);
    for (int j = 0; j < 32; ++j)
        y[j] = float(static_cast<int8_t>(b[2 + j])) * d;
}

// Q2_K: scales[16] (low nibble scale, high nibble min), qs[64], d, dmin.
void deqQ2_K(const unsigned char* b, float* y)
{
    const unsigned char* scales = b;
    const unsigned char* qs = b + 16;
    const float d = f16At(b + 80);
    const float dmin = f16At(b + 82);
    float dl[16], ml[16];
    for (int g = 0; g < 16; ++g) {
        dl[g] = d * float(scales[g] & 0x0F);
        ml[g] = dmin * float(scales[g] >> 4);
    }
    for (int f = 0; f < 256; ++f) {
        const int c = f / 128, s = (f % 128) / 32, i = f % 32;
        const int q = (qs[c * 32 + i] >> (2 * s)) & 3;
        const float p = dl[f / 16] * float(q);
        y[f] = p - ml[f / 16];
    }
}

// Q3_K: hmask[32], qs[64], scales[12] (16 six-bit signed scales), d.
void deqQ3_K(const unsigned char* b, float* y)
{
    const unsigned char* hmask = b;
    const unsigned char* qs = b + 32;
    const unsigned char* sc = b + 96;
    const float d = f16At(b + 108);
    float dl[16];
    for (int i = 0; i < 16; ++i) {
        const int low = (sc[i % 8] >> (4 * (i / 8))) & 0x0F;
        const int high = (sc[8 + i % 4] >> (2 * (i / 4))) & 0x03;
        const int scale = static_cast<int8_t>(static_cast<uint8_t>(low | (high << 4))) - 32;
        dl[i] = d * float(scale);
    }
    for (int f = 0; f < 256; ++f) {
        const int c = f / 128, s = (f % 128) / 32, i = f % 32;
        const int ql = (qs[c * 32 + i] >> (2 * s)) & 3;
        const int qh = ((hmask[i] >> (f / 32)) & 1) ^ 1;
        y[f] = dl[f / 16] * float(ql - (qh << 2));
    }
}

// The eight 6-bit scales and mins of Q4_K / Q5_K.
void kScaleMin(const unsigned char* s, int sc[8], int mn[8])
{
    for (int j = 0; j < 4; ++j) {
        sc[j] = s[j] & 0x3F;
        mn[j] = s[4 + j] & 0x3F;
        sc[4 + j] = (s[8 + j] & 0x0F) | ((s[j] >> 2) & 0x30);
        mn[4 + j] = (s[8 + j] >> 4) | ((s[4 + j] >> 2) & 0x30);
    }
}

// Q4_K: d, dmin, scales[12], qs[128].
void deqQ4_K(const unsigned char* b, float* y)
{
    const float d = f16At(b);
    const float dmin = f16At(b + 2);
    int sc[8], mn[8];
    kScaleMin(b + 4, sc, mn);
    const unsigned char* qs = b + 16;
    for (int g = 0; g < 8; ++g) {
        const float dg = d * float(sc[g]);
        const float mg = dmin * float(mn[g]);
        const int c = g / 2, shift = 4 * (g % 2);
        for (int i = 0; i < 32; ++i) {
            const float p = dg * float((qs[c * 32 + i] >> shift) & 0x0F);
            y[g * 32 + i] = p - mg;
        }
    }
}

// Q5_K: d, dmin, scales[12], qh[32], qs[128].
void deqQ5_K(const unsigned char* b, float* y)
{
    const float d = f16At(b);
    const float dmin = f16At(b + 2);
    int sc[8], mn[8];
    kScaleMin(b + 4, sc, mn);
    const unsigned char* qh = b + 16;
    const unsigned char* qs = b + 48;
    for (int g = 0; g < 8; ++g) {
        const float dg = d * float(sc[g]);
        const float mg = dmin * float(mn[g]);
        const int c = g / 2, shift = 4 * (g % 2);
        for (int i = 0; i < 32; ++i) {
            const int q = ((qs[c * 32 + i] >> shift) & 0x0F) | (((qh[i] >> g) & 1) << 4);
            const float p = dg * float(q);
            y[g * 32 + i] = p - mg;
        }
    }
}

// Q6_K: ql[128], qh[64], scales[16] (int8), d.
void deqQ6_K(const unsigned char* b, float* y)
{
    const unsigned char* ql = b;
    const unsigned char* qh = b + 128;
    const unsigned char* sc = b + 192;
    const float d = f16At(b + 208);
    float dl[16];
    for (int i = 0; i < 16; ++i)
        dl[i] = d * float(static_cast<int8_t>(sc[i]));
    for (int f = 0; f < 256; ++f) {
        const int c = f / 128;
        const int low = (ql[c * 64 + f % 64] >> (4 * ((f % 128) / 64))) & 0x0F;
        const int high = (qh[c * 32 + f % 32] >> (2 * ((f % 128) / 32))) & 0x03;
        const int q = static_cast<int8_t>(static_cast<uint8_t>(low | (high << 4))) - 32;
        y[f] = dl[f / 16] * float(q);
    }
}

} // namespace

void dequantizeGgml(GgmlType type, const std::byte* data, int64_t count, float* out)
{
    const auto [block, bytes] = ggmlBlockLayout(type);
    if (!ggmlTypeDequantizable(type) || block == 0) {
        const char* name = ggmlTypeName(type);
        throw Error(std::string("tensor type ") + (name ? name : "#" + std::to_string(uint32_t(type)))
                    + " cannot be dequantized (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, "
                      "Q4_K, Q5_K, Q6_K)");
    }
    if (count < 0 || count % block != 0)
        throw Error(std::string("dequantize: ") + std::to_string(count) + " elements is not a whole number of "
                    + ggmlTypeName(type) + " blocks of " + std::to_string(block));
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    const int64_t blocks = count / block;
    switch (type) {
    case GgmlType::F32:
        std::memcpy(out, p, std::size_t(count) * 4);
        return;
    case GgmlType::F16:
        for (int64_t i = 0; i < count; ++i)
            out[i] = f16At(p + 2 * i);
        return;
    case GgmlType::BF16:
        for (int64_t i = 0; i < count; ++i)
            out[i] = bitsToFloat(uint32_t(u16(p + 2 * i)) << 16);
        return;
    default: break;
    }
    void (*fn)(const unsigned char*, float*) = nullptr;
    switch (type) {
    case GgmlType::Q4_0: fn = deqQ4_0; break;
    case GgmlType::Q4_1: fn = deqQ4_1; break;
    case GgmlType::Q5_0: fn = deqQ5_0; break;
    case GgmlType::Q5_1: fn = deqQ5_1; break;
    case GgmlType::Q8_0: fn = deqQ8_0; break;
    case GgmlType::Q2_K: fn = deqQ2_K; break;
    case GgmlType::Q3_K: fn = deqQ3_K; break;
    case GgmlType::Q4_K: fn = deqQ4_K; break;
    case GgmlType::Q5_K: fn = deqQ5_K; break;
    case GgmlType::Q6_K: fn = deqQ6_K; break;
    default: break;
    }
    for (int64_t i = 0; i < blocks; ++i)
        fn(p + i * bytes, out + i * block);
}

std::string GgufTensorInfo::typeName() const
{
    const char* n = ggmlTypeName(type);
    return n ? std::string(n) : "type " + std::to_string(uint32_t(type));
}

// --- the file ------------------------------------------------------------------------------------

namespace {

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
