// SPDX-License-Identifier: MIT
#pragma once

// Decoders of a tokenizer.json ("decoder") for SentencePiece-style vocabularies, as
// Hugging Face `tokenizers` chains them: Replace (a literal string), ByteFallback ("<0xNN>"
// tokens back to bytes), Fuse, Strip, Metaspace, and Sequence of those. (The ByteLevel
// decoder of GPT-2-style vocabularies is tokenize/byte_level.h.) Private to core; immutable
// after construction, so any thread may use one instance.

#include "core/tokenize/metaspace.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace patchbay::core::tokenize {

// The byte a byte-fallback token stands for: "<0xNN>" with two hex digits (Rust's
// u8::from_str_radix, which also takes "+N"), else nullopt.
std::optional<uint8_t> byteFallbackByte(std::string_view token);

// The byte-fallback token of a byte: "<0x0A>".
std::string byteFallbackToken(uint8_t byte);

class DecoderChain
{
public:
    struct Step
    {
        enum class Kind { Replace, ByteFallback, Fuse, Strip, Metaspace };
        Kind kind = Kind::Fuse;
        std::string pattern, content;       // Replace
        char32_t stripChar = U' ';          // Strip
        std::size_t stripStart = 0, stripStop = 0;
        MetaspaceOptions metaspace;         // Metaspace
    };

    // A decoder object (Sequences flattened). Throws core::Error naming `where` for a type
    // that is not supported (ByteLevel is handled by the caller) or a malformed field.
    static DecoderChain read(const nlohmann::json& j, const std::string& where);
    explicit DecoderChain(std::vector<Step> steps) : m_steps(std::move(steps)) {}

    // Hugging Face's decode: every step's decode_chain over the token strings, then the
    // results concatenated. Byte runs that are not valid UTF-8 become one U+FFFD per byte.
    std::string decode(std::vector<std::string> tokens) const;

    // What one token contributes to a text when it is not the first: the per-token steps
    // only (a Strip after a Fuse trims the whole text's ends, so it is left out; the
    // Metaspace decoder keeps the leading space it drops from a first token), and a lone
    // byte-fallback token becomes its raw byte (maybe part of a UTF-8 character).
    std::string decodeAlone(const std::string& token) const;

    const std::vector<Step>& steps() const { return m_steps; }

private:
    std::vector<Step> m_steps;
};

} // namespace patchbay::core::tokenize
