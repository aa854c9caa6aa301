// SPDX-License-Identifier: MIT
#pragma once

// The Metaspace pre-tokenizer (and the options its decoder shares), as Hugging Face
// `tokenizers` runs it for SentencePiece-style vocabularies (Llama-2, Mistral, T5):
// every " " becomes the replacement character (U+2581 "▁"), and "▁" is prepended to the
// text by the prepend scheme. Private to core; stateless; any thread.

#include "core/common/detail/unicode.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace patchbay::core::tokenize {

struct MetaspaceOptions
{
    // first: only to the segment that starts the input (not after an added token);
    // always: to every segment that does not already start with the replacement; never.
    enum class Prepend { First, Always, Never };

    std::string replacement = "\u2581"; // one character, UTF-8
    Prepend prepend = Prepend::Always;
    bool split = true; // split before each replacement character (pieces ▁word)
};

// Reads a Metaspace pre-tokenizer or decoder object: "replacement", "prepend_scheme",
// "split", and the older "add_prefix_space" (true = always, false = never). Throws
// core::Error naming `where` for a malformed field.
MetaspaceOptions readMetaspace(const nlohmann::json& j, const std::string& where);

// Spaces replaced and, when `prependHere`, the replacement prepended unless the text
// already starts with it. The prepended bytes align with an empty range at the start.
// `atInputStart` tells the First scheme whether this segment begins the whole input.
detail::AlignedText metaspaceTransform(const detail::AlignedText& in, const MetaspaceOptions& options,
                                       bool atInputStart);

} // namespace patchbay::core::tokenize
