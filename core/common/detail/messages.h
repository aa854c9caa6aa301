// SPDX-License-Identifier: MIT
#pragma once

// Helpers for the text of core::Error messages, shared by the readers of core (tokenizer
// files, datasets). Private to core; stateless; any thread.

#include <string>
#include <string_view>

namespace patchbay::core::detail {

// `s` between double quotes, as messages name a token, column or key: "clean".
inline std::string inQuotes(std::string_view s)
{
    return "\"" + std::string(s) + "\"";
}

} // namespace patchbay::core::detail
