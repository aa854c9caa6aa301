// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace patchbay::core {

class Tokenizer;

// The file formats prompt pairs are read from (design.md §6).
enum class DatasetFormat {
    NativeCsv,       // clean,corrupted,answer,wrong_answer (text) or clean_ids,corrupted_ids,answer_id,wrong_answer_id
    NativeJson,      // [{"clean","corrupted","answer","wrong_answer"}…] or {"pairs":[…]}; answers may be arrays
    EapIgCsv,        // [index,]clean,corrupted[,corrupted_hard],correct_idx[,incorrect_idx] (token ids)
    AutoCircuitJson, // {"prompts":[{"clean","corrupt","answers":[…],"wrong_answers":[…]}], …}
};
std::string datasetFormatName(DatasetFormat format); // "native-csv", "native-json", "eap-ig-csv", "auto-circuit-json"

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
    std::vector<std::string> warnings; // non-fatal findings, one line each, naming the row
};

// Reads prompt pairs, detecting the format from the extension and the content (a CSV
// header with correct_idx is EAP-IG's; a JSON object with "prompts" is auto-circuit's).
// Throws core::Error naming the file and the row (and column) at fault: missing file,
// empty file, missing column, bad UTF-8, malformed CSV quoting, a non-integer id, a pair
// without answers. Any thread.
Dataset readDataset(const std::filesystem::path& file);

// Fills every pair's id fields from its text: prompts through `encodePrompt` (the model's
// BOS policy, e.g. Model::encode), answers through the tokenizer without BOS. Ids already
// present are checked against the vocabulary. Throws core::Error naming the row when an
// answer is not a single token, an id is outside the vocabulary, a prompt is empty, or the
// clean and corrupted prompts have different token counts (saying both counts).
void tokenizeDataset(Dataset& data, const Tokenizer& tokenizer,
                     const std::function<std::vector<int32_t>(const std::string&)>& encodePrompt);

} // namespace patchbay::core
