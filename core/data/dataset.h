// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace patchbay::core {

class Tokenizer;

// The file formats prompt pairs are read from (design.md §6).
enum class DatasetFormat {
    NativeCsv,       // clean,corrupted,answer,wrong_answer (text) or clean_ids,corrupted_ids,answer_id,wrong_answer_id;
                     // several text answers: answers,wrong_answers cells holding a JSON array of strings
    NativeJson,      // [{"clean","corrupted","answer","wrong_answer"}…] or {"pairs":[…]}; answers may be arrays
    EapIgCsv,        // [index,]clean,corrupted[,corrupted_hard],correct_idx[,incorrect_idx] (token ids)
    AutoCircuitJson, // {"prompts":[{"clean","corrupt","answers":[…],"wrong_answers":[…]}], …}
};
std::string datasetFormatName(DatasetFormat format); // "native-csv", "native-json", "eap-ig-csv", "auto-circuit-json"
DatasetFormat parseDatasetFormat(const std::string& name); // throws Error listing the valid names

// One clean/corrupted prompt pair. A source gives either text or token ids for each field;
// tokenizeDataset() fills the ids from the text.
struct PromptPair
{
    int row = 0; // 1-based data row in the source file (CSV: record after the header; JSON: element)
    std::string clean;
    std::string corrupted;
    std::vector<int32_t> cleanIds;     // as the model reads them (BOS included when the model adds one)
    std::vector<int32_t> corruptedIds;
    // Answer tokens: text (a leading space is part of the token) and/or ids. Several answers
    // on a side are allowed; metrics average (logit-diff) or sum (prob-diff) over each side.
    std::vector<std::string> answers;
    std::vector<std::string> wrongAnswers;
    std::vector<int32_t> answerIds;
    std::vector<int32_t> wrongAnswerIds;
};

struct Dataset
{
    std::filesystem::path source;
    DatasetFormat format = DatasetFormat::NativeCsv;
    // "greater-than" when the file is a greater-than task (EAP-IG CSV without incorrect_idx,
    // whose correct_idx is the year YY: answers are the years after YY, wrong answers the
    // others, as two-digit tokens), else empty. The default metric of such data is prob-diff.
    std::string task;
    std::vector<PromptPair> pairs;
    std::vector<std::string> warnings; // non-fatal findings about the file (ignored columns…), one line each
};

// Reads prompt pairs, detecting the format from the extension and the content (a CSV
// header with correct_idx is EAP-IG's; a JSON object with "prompts" is auto-circuit's).
// Throws core::Error naming the file and the row (and column) at fault when the file
// cannot be read as a table of pairs: missing file, empty file, missing column, bad UTF-8,
// malformed CSV quoting, a wrong field count, a non-integer id. What is wrong with the
// content of a row (an empty prompt, no answer, duplicates) is left to validateDataset(),
// which reports every such row. Any thread.
Dataset readDataset(const std::filesystem::path& file);
// The same for parsed native or auto-circuit JSON (pairs embedded in another file, e.g. a
// session); `where` names them in messages.
Dataset parseDatasetJson(const nlohmann::json& root, const std::string& where);

// Writes prompt pairs; the file is replaced only once the whole text is written.
//   native CSV/JSON: each field as text when the pair has text, else as token ids (ids that
//     were filled from text are not written: a reader derives them again with its own
//     model's BOS policy). Several text answers in CSV go in "answers"/"wrong_answers"
//     cells as a JSON array of strings (readDataset reads them back); several answer ids
//     in one "answer_id" cell, blank-separated.
//   EAP-IG CSV: clean,corrupted,correct_idx,incorrect_idx with prompt text and exactly one
//     answer and one wrong-answer id per pair (tokenizeDataset() first when the answers
//     are text); a greater-than dataset is written as clean,corrupted,correct_idx with the
//     year YY, as EAP-IG writes it.
//   auto-circuit JSON: prompt and answer text only.
// Throws core::Error naming the source row when a pair cannot be expressed in `format`,
// and the file when it cannot be written. Any thread.
void writeDataset(const Dataset& data, const std::filesystem::path& file, DatasetFormat format);
std::string datasetToString(const Dataset& data, DatasetFormat format);

// ---- validation -------------------------------------------------------------------------

// Encodes a prompt as the model reads it (its BOS policy), e.g. Model::encode.
using PromptEncoder = std::function<std::vector<int32_t>(const std::string&)>;

struct DatasetIssue
{
    enum class Severity { Error, Warning };
    int row = 0; // PromptPair::row; 0 for the file as a whole
    Severity severity = Severity::Error;
    std::string message; // complete for display: "file: row N: what is wrong"
};

struct ValidationOptions
{
    // The metric scores answers of several tokens itself, so such an answer is no error;
    // it then gets no entry in answerIds/wrongAnswerIds (which hold single tokens).
    bool multiTokenAnswers = false;
};

struct ValidationReport
{
    int rows = 0;      // pairs checked
    int validRows = 0; // pairs without errors (warnings allowed)
    std::vector<DatasetIssue> issues; // file-level warnings first, then by row
    std::vector<int> badRows;         // rows with at least one error, ascending

    bool hasErrors() const { return !badRows.empty(); }
};

// Checks every pair and fills its ids as tokenizeDataset() does, in place, without
// throwing: each offending row gets one issue per problem. Errors: a prompt that is empty
// or has no tokens, clean and corrupted token counts that differ, an answer of several
// tokens (unless options.multiTokenAnswers), an id outside the vocabulary, a pair without
// answer. Warnings: data.warnings (row 0) and a row that repeats an earlier one. Rows with
// errors may be left with some ids filled. Any thread.
ValidationReport validateDataset(Dataset& data, const Tokenizer& tokenizer, const PromptEncoder& encodePrompt,
                                 const ValidationOptions& options = {});

// Removes the pairs of report.badRows (matched by PromptPair::row, which keeps its number
// from the source file) and returns how many were removed.
int dropInvalidRows(Dataset& data, const ValidationReport& report);

// Fills every pair's id fields from its text: prompts through `encodePrompt` (the model's
// BOS policy, e.g. Model::encode; the plain tokenizer when empty), answers through the
// tokenizer without BOS. Ids already present are kept and checked against the vocabulary.
// Throws the first error validateDataset() finds (saying how many more there are).
void tokenizeDataset(Dataset& data, const Tokenizer& tokenizer, const PromptEncoder& encodePrompt);

} // namespace patchbay::core
