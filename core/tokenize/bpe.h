// SPDX-License-Identifier: MIT
#pragma once

// The BPE model (byte-level, character-level, or with byte_fallback "<0xNN>" tokens), as
// Hugging Face `tokenizers` runs it: a piece's symbols merged pair by pair, lowest merge rank
// first. Tokenizer::Impl::bpe, defined in bpe.cpp, is the algorithm; Impl holds the
// vocabulary and the merges. Private to core.

#include "core/tokenize/tokenizer.h"

#include <cstdint>
#include <string>

namespace patchbay::core::tokenize {

// One merge of a pair of token ids: its rank (lower merges first) and the merged token's id.
struct MergeInfo
{
    int32_t rank;
    int32_t id;
};

// Registers the merge "a b" with `rank` in impl.merges (a repeated pair takes its later
// rank). Throws core::Error naming `where` when a, b or the merged token (b's
// continuing_subword_prefix dropped) is not in impl.vocab.
void addMerge(Tokenizer::Impl& impl, const std::string& a, const std::string& b, int32_t rank, const std::string& where);

} // namespace patchbay::core::tokenize
