// SPDX-License-Identifier: MIT
#pragma once

// The JSON dataset formats' common ground: parsing a file whose bad UTF-8 is reported by
// row and key, typed access to one row object, the row loop, and the writer's one pair a
// line. Private to core; stateless; any thread.

#include "core/data/formats.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace patchbay::core::data {

struct JsonSource
{
    std::string where;
    std::size_t firstBadByte = std::string::npos; // in the file, when the file has bad UTF-8
};

// Parses a dataset file's text. nlohmann's parser rejects ill-formed UTF-8 with a byte
// position but cannot say which row the bytes belong to. So each bad byte is replaced by a
// sentinel (the noncharacter U+FFFF, which no text a model reads contains), the file is
// parsed, and the row whose string holds the sentinel names the row and key (JsonRow).
// Sets src.firstBadByte; throws core::Error naming src.where for malformed JSON.
nlohmann::json parseJson(std::string text, JsonSource& src);

// Typed access to one row object; every message names the row and the key.
class JsonRow
{
public:
    // Throws core::Error when `value` is not an object.
    JsonRow(const nlohmann::json& value, const JsonSource& src, int row);

    // The member `key`, or nullptr when absent or null.
    const nlohmann::json* find(const char* key) const;

    // A string ("" when absent); throws core::Error for another type or bad UTF-8.
    std::string string(const char* key) const;

    // A string or an array of strings; empty strings are refused because they cannot be
    // an answer token.
    std::vector<std::string> strings(const char* key) const;

    // An integer or an array of integers, each a token id.
    std::vector<int32_t> ids(const char* key) const;

    const std::string& prefix() const { return m_prefix; }

private:
    std::string checked(std::string s, const char* key) const;

    const nlohmann::json& m_value;
    const JsonSource& m_src;
    std::string m_prefix;
};

// One warning naming every key in `unknown` (none when empty).
void warnUnknownKeys(const std::set<std::string>& unknown, const std::string& where, Dataset& data);

// The JSON counterpart of a missing column: no row has any of `keys` (a row without
// them is validateDataset()'s to report; a file without rows is readDataset()'s).
void requireKey(const std::set<std::string>& seen, const std::vector<std::string>& keys, const std::string& where);

// Reads an array of pair objects: `makePair` builds each pair from its row; keys outside
// `known` are reported once, and a greater-than split is detected at the end. Returns
// the keys that some row has.
template <typename MakePair>
std::set<std::string> readJsonRows(const nlohmann::json& rows, const JsonSource& src, const std::set<std::string>& known,
                                   Dataset& data, MakePair makePair)
{
    std::set<std::string> seen, unknown;
    int rowNumber = 0;
    for (const auto& value : rows) {
        ++rowNumber;
        const JsonRow row(value, src, rowNumber);
        for (const auto& item : value.items()) {
            seen.insert(item.key());
            if (!known.count(item.key()))
                unknown.insert(item.key());
        }
        PromptPair p = makePair(row);
        p.row = rowNumber;
        data.pairs.push_back(std::move(p));
    }
    warnUnknownKeys(unknown, src.where, data);
    detectGreaterThan(data);
    return seen;
}

// One pair object per line, so a diff shows the pairs that changed.
std::string jsonLines(const std::vector<nlohmann::ordered_json>& rows);

} // namespace patchbay::core::data
