// SPDX-License-Identifier: MIT
#pragma once

#include <exception>
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

// Thrown when a cancel flag (`const std::atomic_bool* cancel` in the options of long
// operations) stopped it: not an error, nothing to show but "cancelled".
struct Cancelled : std::exception
{
    const char* what() const noexcept override { return "cancelled"; }
};

} // namespace patchbay::core
