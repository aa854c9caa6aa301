// SPDX-License-Identifier: MIT
#pragma once

// GPT-2's reversible byte <-> printable character mapping (bytes_to_unicode), which the
// ByteLevel pre-tokenizer and decoder of byte-level BPE vocabularies use. Private to core;
// the map is built once and immutable, so any thread may use it.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace patchbay::core::tokenize {

struct ByteMap
{
    std::array<char32_t, 256> byteToChar{};
    std::array<std::string, 256> byteToUtf8;
    std::unordered_map<char32_t, uint8_t> charToByte;

    ByteMap();
};

const ByteMap& byteMap();

// The bytes a byte-level vocabulary string stands for; nullopt if a character is not in
// the byte alphabet (Hugging Face's ByteLevel decoder then keeps the token's own text).
std::optional<std::string> byteLevelDecode(std::string_view token);

} // namespace patchbay::core::tokenize
