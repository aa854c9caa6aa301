// SPDX-License-Identifier: MIT
// Shared by the fuzz targets: the readers under test take files, so each input is written
// to a file in a private directory on tmpfs (or $TMPDIR) and read back through the same
// code path the app and the CLI use.
#pragma once

#include "core/common/error.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace patchbay::fuzz {

// A directory of this process's own, removed at exit.
inline const std::filesystem::path& scratchDir()
{
    static const std::filesystem::path dir = [] {
        const char* base = std::getenv("PATCHBAY_FUZZ_TMP");
        std::filesystem::path root = base ? base : (std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp");
        auto d = root / ("patchbay-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        static struct Cleanup
        {
            std::filesystem::path path;
            ~Cleanup()
            {
                std::error_code ignored;
                std::filesystem::remove_all(path, ignored);
            }
        } cleanup{d};
        return d;
    }();
    return dir;
}

// Writes `size` bytes to scratchDir()/name and returns its path.
inline std::filesystem::path writeInput(const std::string& name, const std::uint8_t* data, std::size_t size)
{
    const auto file = scratchDir() / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return file;
}

// Runs `read`; a core::Error is the expected answer to bad input, anything else that
// escapes (std::bad_alloc, nlohmann's exceptions, std::out_of_range…) is a bug and aborts
// so that libFuzzer records the input.
template <class F>
void expectOnlyCoreErrors(F&& read)
{
    try {
        read();
    } catch (const core::Error&) {
    }
}

} // namespace patchbay::fuzz
