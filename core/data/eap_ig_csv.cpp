// SPDX-License-Identifier: MIT
// EAP-IG's CSV format: [index,]clean,corrupted[,corrupted_hard],correct_idx[,incorrect_idx]
// with prompt text and token ids; without incorrect_idx, a greater-than file whose
// correct_idx is the year YY.
#include "core/data/csv.h"
#include "core/data/formats.h"

#include "core/common/error.h"

#include <set>

namespace patchbay::core::data {

void readEapIgCsv(const CsvTable& table, const std::string& where, Dataset& data)
{
    const CsvColumns cols(table, where);
    const std::size_t clean = cols.require("clean");
    const std::size_t corrupted = cols.require("corrupted");
    const std::size_t correct = cols.require("correct_idx");
    const auto incorrect = cols.find("incorrect_idx");
    const auto hard = cols.find("corrupted_hard");

    // EAP-IG writes greater-than without incorrect_idx: correct_idx is then the year YY and
    // the metric compares the probability of the years after it with the others.
    const bool greaterThan = !incorrect;
    if (greaterThan)
        data.task = "greater-than";
    if (hard)
        data.warnings.push_back(where + ": column \"corrupted_hard\" ignored (Patchbay patches with \"corrupted\")");

    std::set<std::size_t> used{clean, corrupted, correct};
    if (incorrect)
        used.insert(*incorrect);
    if (hard)
        used.insert(*hard);
    cols.warnUnused(used, data);

    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const int rowNumber = static_cast<int>(r + 1);
        const CsvRow row(table.rows[r], cols, where, rowNumber);
        PromptPair p;
        p.row = rowNumber;
        p.clean = row.text(clean);
        p.corrupted = row.text(corrupted);
        const int32_t value = row.id(correct);
        if (greaterThan) {
            if (value > 99)
                throw Error(row.prefix() + row.column(correct) + ": year " + std::to_string(value)
                            + " is not in 0..99 (a greater-than file's correct_idx is the two-digit year YY)");
            if (value == 99)
                throw Error(row.prefix() + row.column(correct) + ": year 99 leaves no later two-digit year, so the pair has no answers");
            p.answers = twoDigitYears(value + 1, 99);
            p.wrongAnswers = twoDigitYears(0, value);
        } else {
            p.answerIds.push_back(value);
            p.wrongAnswerIds.push_back(row.id(*incorrect));
        }
        data.pairs.push_back(std::move(p));
    }
}

// EAP-IG tokenizes the prompt text itself and reads one answer and one wrong-answer token id
// per pair; greater-than files give the year YY instead and have no incorrect_idx.
std::string eapIgCsv(const Dataset& data)
{
    const std::string where = sourceName(data);
    const bool greaterThan = data.task == "greater-than";
    std::string out = greaterThan ? csvRecord({"clean", "corrupted", "correct_idx"})
                                  : csvRecord({"clean", "corrupted", "correct_idx", "incorrect_idx"});
    for (const auto& p : data.pairs) {
        auto refuse = [&](const std::string& why) {
            return Error(rowPrefix(where, p.row) + "cannot write as EAP-IG CSV: " + why);
        };
        if (p.clean.empty() || p.corrupted.empty())
            throw refuse("the pair has no prompt text (EAP-IG tokenizes the prompts itself)");
        if (greaterThan) {
            const auto yy = greaterThanYear(p);
            if (!yy)
                throw refuse("a greater-than pair needs the years YY+1..99 as answers and 00..YY as wrong answers");
            out += csvRecord({p.clean, p.corrupted, std::to_string(*yy)});
            continue;
        }
        auto oneId = [&](const std::vector<int32_t>& ids, const std::vector<std::string>& texts, const char* what,
                         const char* column) {
            if (ids.size() == 1)
                return ids.front();
            if (ids.empty() && !texts.empty())
                throw refuse(std::string("the ") + what + " is text without a token id (tokenize the dataset first; "
                             + column + " is a token id)");
            throw refuse("the pair has " + std::to_string(ids.size()) + " " + what + " ids, but " + column
                         + " holds exactly one");
        };
        const int32_t correct = oneId(p.answerIds, p.answers, "answer", "correct_idx");
        const int32_t incorrect = oneId(p.wrongAnswerIds, p.wrongAnswers, "wrong answer", "incorrect_idx");
        out += csvRecord({p.clean, p.corrupted, std::to_string(correct), std::to_string(incorrect)});
    }
    return out;
}

} // namespace patchbay::core::data
