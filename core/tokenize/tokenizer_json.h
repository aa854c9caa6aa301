// SPDX-License-Identifier: MIT
#pragma once

// Loading a tokenizer: Tokenizer::fromTokenizerJson (a Hugging Face tokenizer.json, and the
// tokenizer_config.json / special_tokens_map.json beside it) in tokenizer_json.cpp, and what
// every loader shares: the readers of tokenizer.json fields (with the "where.key must be"
// messages of this format), the vocabulary, the special-token config, and finish(), which
// builds the tables encoding reads. Private to core; any thread.

#include "core/tokenize/tokenizer.h"
#include "core/tokenize/added_tokens.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::core::tokenize {

// Ids above this are refused: a vocabulary is at most a few hundred thousand tokens, and a
// corrupt id must not make us allocate gigabytes.
constexpr int64_t kMaxTokenId = (int64_t{1} << 24) - 1;

// Field readers: `where.key must be …` errors (core::Error).
bool optBool(const nlohmann::json& object, const char* key, bool fallback, const std::string& where);
std::optional<std::string> optString(const nlohmann::json& object, const char* key, const std::string& where);
// The "type" of an object; throws when `object` is not an object or has no type.
std::string typeOf(const nlohmann::json& object, const std::string& where);

// Sets id's raw string and adds `flags` (IdFlag), growing the per-id tables.
void setId(Tokenizer::Impl& impl, int32_t id, const std::string& text, uint8_t flags);

// A token -> id object into impl.vocab. `tokens`: how many tokens the files define (this
// vocabulary and the added tokens); every id must be below it.
void readVocab(Tokenizer::Impl& impl, const nlohmann::json& vocab, const std::string& where, std::size_t tokens);

// A special token named in tokenizer_config.json / special_tokens_map.json.
struct ConfiguredToken
{
    bool set = false;            // the key was present
    std::optional<std::string> content; // null in the file -> explicitly none
};

struct SpecialConfig
{
    ConfiguredToken bos, eos, pad, unk;
    std::optional<bool> addBos;
    std::vector<AddedToken> addedTokensDecoder; // tokenizer_config.json "added_tokens_decoder"
};

// tokenizer_config.json overrides special_tokens_map.json; both are optional.
SpecialConfig readSpecialConfig(const std::filesystem::path& dir);

// Registers added tokens (ids already set) and builds the matchers and per-id tables;
// then the special ids from `config`, else the post-processor template's BOS `templBos`,
// else GPT-2's <|endoftext|> (`gpt2Files`: vocab.json + merges.txt). Throws core::Error
// for ids with holes.
void finish(Tokenizer::Impl& impl, const SpecialConfig& config, const std::optional<std::string>& templBos,
            bool gpt2Files);

} // namespace patchbay::core::tokenize
