// SPDX-License-Identifier: MIT
// A lesson folder (docs/lessons.md) from any folder a user opens: lesson.json and en.md,
// the input split at its first NUL byte, read by the parser and validator the Lessons dock
// and `patchbay-cli check-lesson` use.
#include "core/data/lesson.h"
#include "fuzz_input.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::uint8_t* nul = std::find(data, data + size, std::uint8_t{0});
    const auto json = patchbay::fuzz::writeInput("lesson.json", data, static_cast<std::size_t>(nul - data));
    const std::size_t rest = nul == data + size ? 0 : static_cast<std::size_t>(data + size - nul - 1);
    patchbay::fuzz::writeInput("en.md", nul == data + size ? nul : nul + 1, rest);
    patchbay::fuzz::expectOnlyCoreErrors([&] {
        const auto lesson = patchbay::core::readLesson(json.parent_path(), "en");
        (void)patchbay::core::lessonProblems(json.parent_path());
        (void)lesson;
    });
    return 0;
}
