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

// What to show a user for an exception that left the core: what() without the C++
// backtrace LibTorch's c10::Error appends ("\nException raised from … (most recent call
// first): frame #0 …"). The CLI prints it on one line, the GUI in its error area.
inline std::string userMessage(const std::exception& e)
{
    std::string what = e.what();
    if (const auto cut = what.find("\nException raised from"); cut != std::string::npos)
        what.erase(cut);
    while (!what.empty() && (what.back() == '\n' || what.back() == ' '))
        what.pop_back();
    return what;
}

// Thrown when a cancel flag (`const std::atomic_bool* cancel` in the options of long
// operations) stopped it: not an error, nothing to show but "cancelled".
struct Cancelled : std::exception
{
    const char* what() const noexcept override { return "cancelled"; }
};

} // namespace patchbay::core
