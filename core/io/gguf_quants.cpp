// SPDX-License-Identifier: MIT
// ggml's tensor types and the dequantizers of the ones Patchbay loads. Built with
// -ffp-contract=off (core/CMakeLists.txt): every product and sum is rounded to float32 in
// the order gguf-py (numpy) computes it, so that no fused multiply-add changes a bit.
#include "core/io/gguf.h"
#include "core/common/detail/little_endian.h"

#include "core/common/error.h"

#include <cstring>
#include <string>

namespace patchbay::core {

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

using detail::bitsToFloat;
using detail::u16;
using detail::u32;

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
    if (count == 0) // an empty tensor (a dimension of 0): nothing to read, and `data` may be null
        return;
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

} // namespace patchbay::core
