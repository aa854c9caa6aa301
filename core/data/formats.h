// SPDX-License-Identifier: MIT
#pragma once

// What the dataset readers and writers share (core/data/, README.md there): the message
// helpers, the greater-than task's years, and each file format's reader and writer, which
// core/data/dataset.cpp dispatches to. Private to core; stateless; any thread.

#include "core/data/dataset.h"
#include "core/common/detail/messages.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::core::data {

using detail::inQuotes;

// Listed in every "what is this file?" error so the user sees what would have worked.
inline constexpr const char* kAcceptedFormats =
    "accepted formats: native CSV (clean,corrupted,answer[,wrong_answer] or "
    "clean_ids,corrupted_ids,answer_id[,wrong_answer_id]), "
    "native JSON ([{\"clean\",\"corrupted\",\"answer(s)\",\"wrong_answer(s)\"}…] or {\"pairs\":[…]}), "
    "EAP-IG CSV ([index,]clean,corrupted[,corrupted_hard],correct_idx[,incorrect_idx]), "
    "auto-circuit JSON ({\"prompts\":[{\"clean\",\"corrupt\",\"answers\",\"wrong_answers\"}]})";

// "FILE: row N: ", the start of every message about one data row.
std::string rowPrefix(const std::string& where, int row);

// `s` without leading and trailing blanks (spaces, tabs).
std::string trimmed(const std::string& s);

// Appends `id` unless `ids` holds it already.
void appendUnique(std::vector<int32_t>& ids, int32_t id);

// "a", "b", "c": names in quotes, comma-separated.
std::string joinQuoted(const std::vector<std::string>& names);

// "12 7 512": a CSV id-list cell, also part of the duplicate key.
std::string joinIds(const std::vector<int32_t>& ids);

// The dataset's file for messages, or "dataset" when it has none.
std::string sourceName(const Dataset& data);

// ---------------------------------------------------------------------------------------
// Greater-than (Hanna et al.): answers are the two-digit years after the start year YY,
// wrong answers the others (greater_than.cpp).

// "00", "01", …: the two-digit years from..to.
std::vector<std::string> twoDigitYears(int from, int to);

// YY of a pair whose text answers are the years YY+1..99 and wrong answers 00..YY (in any
// order), or nullopt: the pairs EAP-IG's greater-than CSV can express.
std::optional<int> greaterThanYear(const PromptPair& p);

// Text-answer formats carry greater-than as plain answers; recognising it lets the
// evaluation pick prob-diff, as for EAP-IG's greater-than files. Sets data.task to
// "greater-than" or "greater-than-digit" when every pair splits the years or the digits.
void detectGreaterThan(Dataset& data);

// ---------------------------------------------------------------------------------------
// The formats, one file each: a reader that appends the pairs of a parsed file to `data`
// (with its warnings), and a writer that returns the file's text.

struct CsvTable;
struct JsonSource;

void readNativeCsv(const CsvTable& table, const std::string& where, Dataset& data); // native_csv.cpp
std::string nativeCsv(const Dataset& data);
void readEapIgCsv(const CsvTable& table, const std::string& where, Dataset& data); // eap_ig_csv.cpp
std::string eapIgCsv(const Dataset& data);
void readNativeJson(const nlohmann::json& rows, const JsonSource& src, Dataset& data); // native_json.cpp
std::string nativeJson(const Dataset& data);
void readAutoCircuitJson(const nlohmann::json& root, const JsonSource& src, Dataset& data); // auto_circuit_json.cpp
std::string autoCircuitJson(const Dataset& data);

} // namespace patchbay::core::data
