// SPDX-License-Identifier: MIT
#pragma once

// The pre-tokenizers of a tokenizer.json ("pre_tokenizer") that split text with a regex:
// Split, Digits, Whitespace, WhitespaceSplit, and ByteLevel (GPT-2's pattern, and the
// prefix space), as Hugging Face `tokenizers` runs them; Metaspace (tokenize/metaspace.h) is
// read here as the first step. Tokenizer::Impl::applySplit and preTokenize, defined in
// pre_tokenizers.cpp, run the steps. Private to core; steps are immutable, any thread.

#include "core/tokenize/metaspace.h"
#include "core/tokenize/regex.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace patchbay::core::tokenize {

// GPT-2's pre-tokenizer pattern, as Hugging Face's ByteLevel pre-tokenizer uses it.
inline constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// What a split keeps of the matches and the text between them (Hugging Face's
// SplitDelimiterBehavior).
enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct SplitStep
{
    std::shared_ptr<const Regex> regex;
    Behavior behavior = Behavior::Isolated;
    bool invert = false;
};

struct ByteLevelStep
{
    bool addPrefixSpace = false;
    std::shared_ptr<const Regex> regex; // null when use_regex is false
};

// One step of the pre-tokenizer, in the order the file lists them.
using PreTokenizerStep = std::variant<SplitStep, ByteLevelStep>;

// Appends the steps of a tokenizer.json "pre_tokenizer" (null: none) to `out`, Sequences
// flattened; a Metaspace step sets `metaspace` instead (and adds its split). Throws
// core::Error naming `where` for a type that is not supported or a malformed field.
void readPreTokenizer(const nlohmann::json& j, const std::string& where, std::vector<PreTokenizerStep>& out,
                      std::optional<MetaspaceOptions>& metaspace);

} // namespace patchbay::core::tokenize
