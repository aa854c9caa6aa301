// SPDX-License-Identifier: MIT
#pragma once

// Private Unicode helpers for the tokenizer (and the one UTF-8 validator core's readers
// share): UTF-8 decoding that tolerates invalid bytes, NFC and per-character lowercasing
// with byte alignments, and lossy display conversion.
// The tables come from Python's unicodedata (tools/make_unicode_tables.py), not from ICU.
// Everything here is stateless and may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace patchbay::core::detail {

// One decoded code point. `length` is its byte length (1..4); an invalid byte decodes as
// one unit of length 1 with `valid == false` and `cp` set to the byte value.
struct Utf8Unit
{
    char32_t cp = 0;
    uint8_t length = 1;
    bool valid = true;
};

// Decodes the unit starting at text[pos] (pos < text.size()). Rejects overlong forms,
// surrogates and code points above U+10FFFF, like a strict UTF-8 decoder.
Utf8Unit decodeUtf8(std::string_view text, std::size_t pos);

// Decodes the unit that ends just before `end` (end > 0). Used to look one character back.
Utf8Unit decodeUtf8Before(std::string_view text, std::size_t end);

void appendUtf8(std::string& out, char32_t cp);

// Byte offset of the first invalid UTF-8 sequence, or npos when the text is valid.
std::size_t findInvalidUtf8(std::string_view text);

// Replaces every maximal invalid subsequence with U+FFFD, like Rust's
// String::from_utf8_lossy (and so like Hugging Face's decoders).
std::string toValidUtf8Lossy(std::string_view bytes);

// A text after normalization, with, for every byte of `text`, the byte range of the
// *original* text it came from: [begin[i], end[i]). When `identity` is true the text is
// unchanged and the vectors are empty (original offset = offset).
struct AlignedText
{
    std::string text;
    std::vector<uint32_t> begin;
    std::vector<uint32_t> end;
    bool identity = true;

    uint32_t originalBegin(std::size_t i) const { return identity ? uint32_t(i) : begin[i]; }
    uint32_t originalEnd(std::size_t i) const { return identity ? uint32_t(i + 1) : end[i]; }
};

// Unicode canonical composition (NFC, UAX #15) of `in`. Invalid bytes pass through
// unchanged and block composition. A character built from several input characters
// aligns with the union of their ranges, so token spans stay contiguous.
AlignedText nfc(const AlignedText& in);

// Per-character full lowercase mapping (no context: final sigma is not special-cased),
// as Rust's char::to_lowercase, which Hugging Face's Lowercase normalizer uses.
AlignedText lowercase(const AlignedText& in);

// Whether `text` is already in NFC; a fast scan used before nfc().
bool isNfcQuick(std::string_view text);

// Unicode White_Space (what Rust's char::is_whitespace and regex \s test), for the
// lstrip/rstrip of added tokens, which is decided outside PCRE2.
bool isWhiteSpace(char32_t cp);

// Version of the Unicode data the tables were generated from.
const char* unicodeVersion();

} // namespace patchbay::core::detail
