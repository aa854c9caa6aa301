// SPDX-License-Identifier: MIT
#include "app/cli/cli.h"

#include "core/common/error.h"
#include "core/model/model.h"
#include "core/common/version.h"

#include <algorithm>
#include <iostream>

namespace patchbay::cli {

std::string Args::value(const std::string& key, const std::string& fallback) const
{
    const auto it = values.find(key);
    return it == values.end() ? fallback : it->second;
}

std::string Args::required(const std::string& key) const
{
    const auto it = values.find(key);
    if (it == values.end())
        throw UsageError("missing required option --" + key);
    return it->second;
}

int Args::intValue(const std::string& key, int fallback) const
{
    const auto it = values.find(key);
    if (it == values.end())
        return fallback;
    try {
        std::size_t used = 0;
        const int v = std::stoi(it->second, &used);
        if (used != it->second.size())
            throw std::invalid_argument("trailing characters");
        return v;
    } catch (const std::exception&) {
        throw UsageError("--" + key + " expects an integer, got \"" + it->second + "\"");
    }
}

void printJson(const nlohmann::json& value)
{
    // Invalid UTF-8 (a token that is half a character) is replaced, never a crash.
    std::cout << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

namespace {

std::vector<Command> allCommands()
{
    std::vector<Command> all;
    for (auto& c : modelCommands())
        all.push_back(std::move(c));
    for (auto& c : circuitCommands())
        all.push_back(std::move(c));
    for (auto& c : dataCommands())
        all.push_back(std::move(c));
    for (auto& c : taskCommands())
        all.push_back(std::move(c));
    return all;
}

void printHelp(const std::vector<Command>& commands)
{
    std::cout << "patchbay-cli " << PATCHBAY_VERSION
              << " - find and inspect circuits in transformer language models (headless)\n\n"
                 "Usage: patchbay-cli <command> [options]   (results are JSON on stdout)\n\n"
                 "Commands:\n";
    for (const auto& c : commands)
        std::cout << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ') << c.summary
                  << '\n';
    std::cout << "\nGlobal options:\n  --help       this text, or a command's usage after its name\n"
                 "  --version    print the version\n\n";
    for (const auto& c : commands)
        std::cout << "  " << c.usage << '\n';
}

Args parseArgs(const Command& command, int argc, char** argv, int first)
{
    Args args;
    args.command = command.name;
    for (int i = first; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--", 0) == 0 && a.size() > 2) {
            std::string key = a.substr(2);
            std::string inlineValue;
            bool hasInline = false;
            if (const auto eq = key.find('='); eq != std::string::npos) {
                inlineValue = key.substr(eq + 1);
                key = key.substr(0, eq);
                hasInline = true;
            }
            const bool takesValue = std::count(command.valueOptions.begin(), command.valueOptions.end(), key) > 0;
            const bool isFlag = std::count(command.flagOptions.begin(), command.flagOptions.end(), key) > 0;
            if (takesValue) {
                if (hasInline) {
                    args.values[key] = inlineValue;
                } else {
                    if (i + 1 >= argc)
                        throw UsageError("option --" + key + " needs a value");
                    args.values[key] = argv[++i];
                }
            } else if (isFlag && !hasInline) {
                args.flags.insert(key);
            } else {
                throw UsageError("unknown option --" + key + " for '" + command.name + "'");
            }
        } else {
            args.positional.push_back(a);
        }
    }
    return args;
}

} // namespace

int run(int argc, char** argv)
{
    const auto commands = allCommands();
    if (argc < 2) {
        printHelp(commands);
        return 2;
    }
    const std::string first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
        printHelp(commands);
        return 0;
    }
    if (first == "--version" || first == "-V") {
        std::cout << "patchbay-cli " << PATCHBAY_VERSION << '\n';
        return 0;
    }
    const auto it = std::find_if(commands.begin(), commands.end(), [&](const Command& c) { return c.name == first; });
    if (it == commands.end()) {
        std::cerr << "patchbay-cli: unknown command '" << first << "' (see patchbay-cli --help)\n";
        return 2;
    }
    for (int i = 2; i < argc; ++i) {
        if (std::string(argv[i]) == "--help") {
            std::cout << "Usage: " << it->usage << '\n';
            return 0;
        }
    }
    try {
        const Args args = parseArgs(*it, argc, argv, 2);
        return it->run(args);
    } catch (const UsageError& e) {
        std::cerr << "patchbay-cli " << it->name << ": " << e.what() << "\nUsage: " << it->usage << '\n';
        return 2;
    } catch (const core::Cancelled&) {
        std::cerr << "patchbay-cli " << it->name << ": cancelled\n";
        return 130;
    } catch (const std::exception& e) {
        // core::Error and LibTorch's c10::Error alike: one clear line, no crash.
        std::cerr << "patchbay-cli " << it->name << ": error: " << core::userMessage(e) << '\n';
        return 1;
    }
}

} // namespace patchbay::cli
