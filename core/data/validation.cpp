// SPDX-License-Identifier: MIT
// validateDataset() and what builds on it: every row's prompts and answers checked and
// tokenized at once, each problem reported with its row and field, so a user fixes (or
// drops) the rows in one go.
#include "core/data/dataset.h"

#include "core/data/formats.h"
#include "core/common/error.h"
#include "core/tokenize/tokenizer.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

namespace patchbay::core {

using data::appendUnique;
using data::inQuotes;
using data::joinIds;
using data::rowPrefix;
using data::sourceName;

namespace {

bool isJsonFormat(DatasetFormat format)
{
    return format == DatasetFormat::NativeJson || format == DatasetFormat::AutoCircuitJson;
}

// For each pair, the row of the first earlier pair with the same clean, corrupted and
// answers (0 when none): usually a generator that sampled with replacement. Harmless for
// the methods, but it weights the pair twice, so the user hears of it.
std::vector<int> earlierDuplicates(const Dataset& data)
{
    std::map<std::string, int> firstRow;
    std::vector<int> earlier;
    earlier.reserve(data.pairs.size());
    for (const auto& p : data.pairs) {
        std::string key = p.clean + '\x1f' + p.corrupted + '\x1f' + joinIds(p.cleanIds) + '\x1f' + joinIds(p.corruptedIds)
                          + '\x1f' + joinIds(p.answerIds) + '\x1f';
        for (const auto& a : p.answers)
            key += a + '\x1e';
        const auto [it, inserted] = firstRow.emplace(std::move(key), p.row);
        earlier.push_back(inserted ? 0 : it->second);
    }
    return earlier;
}

enum class Field { Clean, Corrupted, Answer, WrongAnswer };

// The column (CSV) or key (JSON) a field is read from in `format`, as text or as ids.
std::string fieldKey(DatasetFormat format, Field field, bool ids)
{
    const auto f = static_cast<std::size_t>(field);
    static const char* const native[4][2] = {
        {"clean", "clean_ids"}, {"corrupted", "corrupted_ids"}, {"answer", "answer_id"}, {"wrong_answer", "wrong_answer_id"}};
    static const char* const nativeJson[4][2] = {
        {"clean", "clean_ids"}, {"corrupted", "corrupted_ids"}, {"answer", "answer_ids"}, {"wrong_answer", "wrong_answer_ids"}};
    static const char* const eapIg[4] = {"clean", "corrupted", "correct_idx", "incorrect_idx"};
    static const char* const autoCircuit[4] = {"clean", "corrupt", "answers", "wrong_answers"};
    switch (format) {
    case DatasetFormat::NativeCsv:
        return native[f][ids];
    case DatasetFormat::NativeJson:
        return nativeJson[f][ids];
    case DatasetFormat::EapIgCsv:
        return eapIg[f];
    case DatasetFormat::AutoCircuitJson:
        return autoCircuit[f];
    }
    return {};
}

// `column "clean_ids"` or `key "corrupt"`.
std::string fieldName(DatasetFormat format, Field field, bool ids)
{
    return (isJsonFormat(format) ? "key " : "column ") + inQuotes(fieldKey(format, field, ids));
}

// Why a field is empty: `column "clean" is empty`, or `columns "clean" and "clean_ids"
// are empty` where the format takes text or ids.
std::string emptyField(DatasetFormat format, Field field)
{
    const bool json = isJsonFormat(format);
    const std::string text = fieldKey(format, field, false), ids = fieldKey(format, field, true);
    const std::string state = json ? "missing or empty" : "empty";
    if (text == ids)
        return (json ? "key " : "column ") + inQuotes(text) + " is " + state;
    return (json ? "keys " : "columns ") + inQuotes(text) + " and " + inQuotes(ids) + " are " + state;
}

} // namespace

ValidationReport validateDataset(Dataset& data, const Tokenizer& tokenizer, const PromptEncoder& encodePrompt,
                                 const ValidationOptions& options)
{
    using Severity = DatasetIssue::Severity;
    const std::string where = sourceName(data);
    const int32_t vocab = tokenizer.vocabSize();
    const auto format = data.format;

    ValidationReport report;
    report.rows = static_cast<int>(data.pairs.size());
    for (const auto& w : data.warnings)
        report.issues.push_back({0, Severity::Warning, w});
    const std::vector<int> earlier = earlierDuplicates(data); // before ids are filled, as the file gives them

    for (std::size_t i = 0; i < data.pairs.size(); ++i) {
        auto& p = data.pairs[i];
        const std::string prefix = rowPrefix(where, p.row);
        bool bad = false;
        auto error = [&](const std::string& message) {
            report.issues.push_back({p.row, Severity::Error, prefix + message});
            bad = true;
        };
        // One message per field, naming every id outside the vocabulary.
        auto checkIds = [&](const std::vector<int32_t>& ids, Field field, bool fromIds, const char* what) {
            std::vector<int32_t> outside;
            for (int32_t id : ids)
                if (id < 0 || id >= vocab)
                    appendUnique(outside, id);
            if (outside.empty())
                return true;
            std::string list;
            for (int32_t id : outside)
                list += (list.empty() ? "" : ", ") + std::to_string(id);
            error(fieldName(format, field, fromIds) + ": " + what + (outside.size() == 1 ? " id " : " ids ") + list
                  + (outside.size() == 1 ? " is" : " are") + " outside the vocabulary (size " + std::to_string(vocab) + ")");
            return false;
        };
        // Ids given in the file win over the text (EAP-IG gives only text, so none there).
        auto prompt = [&](const std::string& text, std::vector<int32_t>& ids, Field field, const char* what) {
            if (!ids.empty())
                return checkIds(ids, field, true, what);
            if (text.empty()) {
                error(std::string("no ") + what + " prompt (" + emptyField(format, field) + ")");
                return false;
            }
            try {
                ids = encodePrompt ? encodePrompt(text) : tokenizer.encode(text);
            } catch (const Error& e) {
                error(fieldName(format, field, false) + ": " + e.what());
                return false;
            }
            if (ids.empty()) {
                error(fieldName(format, field, false) + ": the " + what + " prompt has no tokens");
                return false;
            }
            return checkIds(ids, field, false, what);
        };
        const bool cleanOk = prompt(p.clean, p.cleanIds, Field::Clean, "clean");
        const bool corruptedOk = prompt(p.corrupted, p.corruptedIds, Field::Corrupted, "corrupted");
        if (cleanOk && corruptedOk && p.cleanIds.size() != p.corruptedIds.size()) {
            const auto clean = static_cast<long>(p.cleanIds.size()), corrupted = static_cast<long>(p.corruptedIds.size());
            error("clean has " + std::to_string(clean) + " tokens, corrupted " + std::to_string(corrupted) + " ("
                  + std::to_string(std::labs(corrupted - clean)) + (corrupted > clean ? " more" : " fewer")
                  + "); patching needs prompts of equal length");
        }

        // Metrics read one logit per answer, so each answer must be exactly one token
        // unless the metric scores longer answers itself.
        auto answers = [&](const std::vector<std::string>& texts, std::vector<int32_t>& ids, Field field, const char* what) {
            checkIds(ids, field, true, what);
            for (const auto& text : texts) {
                std::vector<int32_t> tokens;
                try {
                    tokens = tokenizer.encode(text);
                } catch (const Error& e) {
                    error(std::string(what) + " " + inQuotes(text) + ": " + e.what());
                    continue;
                }
                if (tokens.size() == 1) {
                    appendUnique(ids, tokens.front());
                    continue;
                }
                if (options.multiTokenAnswers && !tokens.empty())
                    continue;
                std::string pieces;
                for (int32_t t : tokens)
                    pieces += (pieces.empty() ? "" : " + ") + inQuotes(tokenizer.tokenText(t));
                error(std::string(what) + " " + inQuotes(text) + " is " + std::to_string(tokens.size()) + " tokens"
                      + (pieces.empty() ? std::string() : " (" + pieces + ")") + ", not one");
            }
        };
        answers(p.answers, p.answerIds, Field::Answer, "answer");
        answers(p.wrongAnswers, p.wrongAnswerIds, Field::WrongAnswer, "wrong answer");
        if (p.answers.empty() && p.answerIds.empty())
            error("the pair has no answer (" + emptyField(format, Field::Answer) + ")");

        if (earlier[i] != 0)
            report.issues.push_back({p.row, Severity::Warning,
                                     prefix + "duplicates row " + std::to_string(earlier[i])
                                         + " (same clean, corrupted and answers)"});
        if (bad)
            report.badRows.push_back(p.row);
        else
            ++report.validRows;
    }
    std::sort(report.badRows.begin(), report.badRows.end());
    return report;
}

int dropInvalidRows(Dataset& data, const ValidationReport& report)
{
    const std::set<int> bad(report.badRows.begin(), report.badRows.end());
    const auto before = data.pairs.size();
    const auto isBad = [&](const PromptPair& p) { return bad.count(p.row) > 0; };
    data.pairs.erase(std::remove_if(data.pairs.begin(), data.pairs.end(), isBad), data.pairs.end());
    return static_cast<int>(before - data.pairs.size());
}

void tokenizeDataset(Dataset& data, const Tokenizer& tokenizer, const PromptEncoder& encodePrompt)
{
    const auto report = validateDataset(data, tokenizer, encodePrompt);
    const auto errors = std::count_if(report.issues.begin(), report.issues.end(),
                                      [](const DatasetIssue& i) { return i.severity == DatasetIssue::Severity::Error; });
    if (errors == 0)
        return;
    const auto first = std::find_if(report.issues.begin(), report.issues.end(),
                                    [](const DatasetIssue& i) { return i.severity == DatasetIssue::Severity::Error; });
    std::string message = first->message;
    if (errors > 1)
        message += " (and " + std::to_string(errors - 1) + " more error" + (errors > 2 ? "s" : "") + "; "
                   + std::to_string(report.badRows.size()) + " rows have errors)";
    throw Error(message);
}

} // namespace patchbay::core
