// SPDX-License-Identifier: MIT
#include "core/tokenize/added_tokens.h"

#include "core/common/error.h"
#include "core/tokenize/tokenizer_json.h"

#include <nlohmann/json.hpp>

namespace patchbay::core::tokenize {

using nlohmann::json;

AddedToken readAddedToken(const json& j, const std::string& where, bool defaultSpecial)
{
    if (!j.is_object())
        throw Error(where + " must be an object");
    AddedToken t;
    const auto content = optString(j, "content", where);
    if (!content || content->empty())
        throw Error(where + ".content must be a non-empty string");
    t.content = *content;
    t.special = optBool(j, "special", defaultSpecial, where);
    t.singleWord = optBool(j, "single_word", false, where);
    t.lstrip = optBool(j, "lstrip", false, where);
    t.rstrip = optBool(j, "rstrip", false, where);
    t.normalized = optBool(j, "normalized", !t.special, where);
    return t;
}

} // namespace patchbay::core::tokenize
