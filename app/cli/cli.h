// SPDX-License-Identifier: MIT
// patchbay-cli: subcommands, argument parsing and JSON output.
#pragma once

#include "core/model/model.h"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace patchbay::cli {

// Bad command-line usage: exit code 2 and the command's usage line.
struct UsageError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

struct Args
{
    std::string command;
    std::map<std::string, std::string> values; // --key value
    std::set<std::string> flags;               // --flag
    std::vector<std::string> positional;

    bool has(const std::string& key) const { return values.count(key) || flags.count(key); }
    std::string value(const std::string& key, const std::string& fallback = {}) const;
    std::string required(const std::string& key) const; // throws UsageError
    int intValue(const std::string& key, int fallback) const;
};

struct Command
{
    std::string name;
    std::string summary;
    std::string usage;
    std::vector<std::string> valueOptions;
    std::vector<std::string> flagOptions;
    int (*run)(const Args& args);
};

// Registered commands (each commands_*.cpp contributes a list).
std::vector<Command> modelCommands();
std::vector<Command> circuitCommands();
std::vector<Command> dataCommands();
std::vector<Command> taskCommands();

int run(int argc, char** argv);

// The model-loading options every command shares: --device, --dtype, --bos.
core::LoadOptions loadOptions(const Args& args);
extern const std::vector<std::string> modelOptionNames; // "model", "device", "dtype", "bos"

// Prints one JSON document on stdout.
void printJson(const nlohmann::json& value);

} // namespace patchbay::cli
