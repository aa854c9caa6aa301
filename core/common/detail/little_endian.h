// SPDX-License-Identifier: MIT
// Private header: little-endian reads from untrusted bytes (the caller has bounds-checked
// them), shared by the GGUF reader and its dequantizers.
#pragma once

#include <cstdint>
#include <cstring>

namespace patchbay::core::detail {

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

} // namespace patchbay::core::detail
