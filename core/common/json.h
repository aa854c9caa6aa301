// SPDX-License-Identifier: MIT
#pragma once

#include "core/common/fileio.h" // readTextFile and writeTextFileReplacing, for every JSON reader and writer

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace patchbay::core {

// The deepest nesting of arrays and objects any JSON input may have. Real files nest a
// handful of levels (a session about eight); nlohmann's dump(), copies and comparisons
// recurse once per level, so a file of 50,000 '[' would overflow the stack.
constexpr int kMaxJsonDepth = 128;

// Parses JSON text after checking its nesting depth (kMaxJsonDepth); throws core::Error
// "WHERE: invalid JSON (...)" for malformed text, numbers out of range and too deep
// nesting, never a nlohmann exception. Any thread.
nlohmann::json parseJsonText(std::string_view text, const std::string& where);

// A JSON value for an error message: scalars as JSON (strings cut to a few dozen
// characters), arrays and objects by their size ("an array of 3 elements"). Never
// dump() a value from a file into a message: it may be huge.
std::string jsonForMessage(const nlohmann::json& value);

// Reads and parses a JSON file; throws core::Error naming the file (and the parser's
// position) when it is missing, unreadable or malformed. Any thread.
nlohmann::json readJsonFile(const std::filesystem::path& file);

// The member `key` of `object`, or nullptr when `object` is not an object, lacks the key or
// holds null there.
const nlohmann::json* jsonMember(const nlohmann::json& object, const char* key);

// Typed access to a required or optional field with messages of the form
// "config.json: field \"n_layer\" must be a positive integer".
int jsonPositiveInt(const nlohmann::json& object, const char* key, const std::string& where);
int jsonOptionalInt(const nlohmann::json& object, const char* key, int fallback, const std::string& where);
double jsonOptionalNumber(const nlohmann::json& object, const char* key, double fallback, const std::string& where);
bool jsonOptionalBool(const nlohmann::json& object, const char* key, bool fallback, const std::string& where);
std::string jsonOptionalString(const nlohmann::json& object, const char* key, const std::string& fallback,
                               const std::string& where);

} // namespace patchbay::core
