// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

namespace patchbay::core {

// The one exception type the core throws for bad input (files, data, arguments).
// Messages always name the file, tensor, field or row at fault, because they are
// shown to users verbatim (GUI error area, CLI stderr).
class Error : public std::runtime_error
{
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

} // namespace patchbay::core
