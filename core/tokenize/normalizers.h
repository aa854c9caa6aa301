// SPDX-License-Identifier: MIT
#pragma once

// Normalizers of a tokenizer.json ("normalizer"), as Hugging Face `tokenizers` runs them:
// NFC, Lowercase, Replace (a literal string), Prepend, and Sequence of those. Each keeps the
// byte alignment with the original text (detail::AlignedText), so token spans can point
// back into the caller's text. Private to core; stateless; any thread.

#include "core/common/detail/unicode.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace patchbay::core::tokenize {

struct NormalizerStep
{
    enum class Kind { Nfc, Lowercase, Replace, Prepend };
    Kind kind = Kind::Nfc;
    std::string pattern; // Replace: the literal text replaced
    std::string content; // Replace: what replaces it; Prepend: what is prepended
};

// The steps of a tokenizer.json "normalizer" (null: none), Sequences flattened. Throws
// core::Error naming `where` for a type that is not supported or a malformed field.
std::vector<NormalizerStep> readNormalizer(const nlohmann::json& j, const std::string& where);

// Runs `steps` in order on `text`.
detail::AlignedText normalize(const std::vector<NormalizerStep>& steps, detail::AlignedText text);

// Every occurrence of `pattern` (non-empty), left to right and not overlapping, replaced
// by `content`; each byte of `content` aligns with the whole range the occurrence came from.
detail::AlignedText replaceAll(const detail::AlignedText& in, std::string_view pattern, std::string_view content);

// `prefix` before a non-empty text (an empty text stays empty, as in Hugging Face). The
// inserted bytes align with an empty range at the text's start: they come from nowhere.
detail::AlignedText prepend(const detail::AlignedText& in, std::string_view prefix);

} // namespace patchbay::core::tokenize
