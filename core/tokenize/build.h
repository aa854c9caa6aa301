// SPDX-License-Identifier: MIT
#pragma once

// The bridge between tokenizer_json.cpp (which reads a tokenizer.json into a
// Tokenizer::Impl) and the builders in this folder that make a tokenizer from something
// other than a tokenizer.json file.
// Private to core.

#include "core/tokenize/tokenizer.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <optional>
#include <string>

namespace patchbay::core::tokenize {

// What tokenizer_config.json would say. Tokens are named by content; nullopt = none.
struct SpecialTokens
{
    std::optional<std::string> bos, eos, pad, unk;
    bool addBos = false;
};

// A tokenizer from an in-memory tokenizer.json object (exactly what
// Tokenizer::fromTokenizerJson accepts); `source` names it in messages. Throws core::Error.
std::shared_ptr<const Tokenizer::Impl> buildFromTokenizerJson(const nlohmann::json& tokenizerJson,
                                                              const std::string& source,
                                                              const SpecialTokens& special);

} // namespace patchbay::core::tokenize
