// SPDX-License-Identifier: MIT
// Command-line arguments the GUI must see before QApplication does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace patchbay::app {

// QGuiApplication takes "-session ID" and "--session ID" for the X11 session manager and
// removes both from argv, so `patchbay --session FILE` lost its file and opened the demo.
// Joined into one argument, "--session=FILE", the option passes Qt by (Qt matches only the
// bare word) and QCommandLineParser reads it as usual. Rewrites argv in place (argc may
// shrink); the joined strings live in `storage`, which must outlive QApplication.
inline void joinSessionOption(int& argc, char** argv, std::vector<std::string>& storage)
{
    storage.reserve(static_cast<std::size_t>(argc)); // no reallocation: argv keeps pointers into it
    int out = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (arg == "--") { // everything after is positional
            while (i < argc)
                argv[out++] = argv[i++];
            break;
        }
        if ((arg == "--session" || arg == "-session") && i + 1 < argc) {
            storage.push_back("--session=" + std::string(argv[++i]));
            argv[out++] = storage.back().data();
            continue;
        }
        argv[out++] = argv[i];
    }
    argc = out;
    argv[argc] = nullptr;
}

} // namespace patchbay::app
