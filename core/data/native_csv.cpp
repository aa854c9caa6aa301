// SPDX-License-Identifier: MIT
// The native CSV format: clean,corrupted,answer[,wrong_answer] as text, or
// clean_ids,corrupted_ids,answer_id[,wrong_answer_id] as blank-separated token ids; several
// text answers in "answers"/"wrong_answers" cells holding a JSON array of strings.
#include "core/data/csv.h"
#include "core/data/formats.h"

#include "core/common/error.h"
#include "core/common/json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <set>

namespace patchbay::core::data {

namespace {

// An "answers" cell: a JSON array of answer strings, the native CSV's way to give several
// text answers (as writeDataset() writes them); an empty cell gives none.
std::vector<std::string> answerList(const CsvRow& row, std::size_t c)
{
    const std::string cell = row.text(c);
    if (trimmed(cell).empty())
        return {};
    const auto fail = [&] {
        return Error(row.prefix() + row.column(c) + ": " + inQuotes(cell)
                     + " is not a JSON array of answer strings (like [\" Paris\", \" Rome\"])");
    };
    nlohmann::json list;
    try {
        list = parseJsonText(cell, row.prefix());
    } catch (const Error&) {
        throw fail();
    }
    if (!list.is_array())
        throw fail();
    std::vector<std::string> out;
    for (const auto& a : list) {
        if (!a.is_string() || a.get<std::string>().empty())
            throw fail();
        out.push_back(a.get<std::string>());
    }
    return out;
}

// One column of the native CSV: its header name and each pair's cell.
struct CsvColumn
{
    std::string name;
    std::function<std::string(const PromptPair&)> cell;
};

} // namespace

void readNativeCsv(const CsvTable& table, const std::string& where, Dataset& data)
{
    const CsvColumns cols(table, where);
    const auto clean = cols.find("clean"), corrupted = cols.find("corrupted");
    const auto cleanIds = cols.find("clean_ids"), corruptedIds = cols.find("corrupted_ids");
    const auto answer = cols.find("answer"), answers = cols.find("answers"), answerId = cols.find("answer_id");
    const auto wrong = cols.find("wrong_answer"), wrongs = cols.find("wrong_answers"), wrongId = cols.find("wrong_answer_id");

    // Prompts come as text or ids (both is fine: the ids win at tokenization).
    if (!clean && !cleanIds)
        cols.require("clean", true);
    if (!corrupted && !corruptedIds)
        cols.require(clean ? "corrupted" : "corrupted_ids");
    if (!answer && !answers && !answerId)
        cols.require(clean ? "answer" : "answer_id");

    std::set<std::size_t> used;
    for (const auto& c : {clean, corrupted, cleanIds, corruptedIds, answer, answers, answerId, wrong, wrongs, wrongId})
        if (c)
            used.insert(*c);
    cols.warnUnused(used, data);

    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const int rowNumber = static_cast<int>(r + 1);
        const CsvRow row(table.rows[r], cols, where, rowNumber);
        PromptPair p;
        p.row = rowNumber;
        if (clean)
            p.clean = row.text(*clean);
        if (corrupted)
            p.corrupted = row.text(*corrupted);
        if (cleanIds)
            p.cleanIds = row.ids(*cleanIds);
        if (corruptedIds)
            p.corruptedIds = row.ids(*corruptedIds);

        // An empty cell means "none given here": a wrong answer is optional per row, and
        // validateDataset() reports a pair left without prompt or answer.
        auto addAnswers = [&](std::optional<std::size_t> single, std::optional<std::size_t> list,
                              std::vector<std::string>& out) {
            if (single) {
                if (auto a = row.text(*single); !a.empty())
                    out.push_back(std::move(a));
            }
            if (list)
                for (auto& a : answerList(row, *list))
                    out.push_back(std::move(a));
        };
        addAnswers(answer, answers, p.answers);
        addAnswers(wrong, wrongs, p.wrongAnswers);
        if (answerId)
            p.answerIds = row.ids(*answerId);
        if (wrongId)
            p.wrongAnswerIds = row.ids(*wrongId);
        data.pairs.push_back(std::move(p));
    }
    detectGreaterThan(data);
}

// Each field as text when the pair has text, else as ids: a field gets its text column
// when some pair has its text (a required field also when no pair has ids), and its ids
// column when some pair has ids only.
std::string nativeCsv(const Dataset& data)
{
    const auto& pairs = data.pairs;
    auto any = [&](auto predicate) { return std::any_of(pairs.begin(), pairs.end(), predicate); };
    std::vector<CsvColumn> columns;
    auto addField = [&](CsvColumn text, const char* idsName, bool required, auto hasText, std::vector<int32_t> PromptPair::*ids) {
        const bool idsNeeded = any([&](const PromptPair& p) { return !hasText(p) && !(p.*ids).empty(); });
        if (any(hasText) || (required && !idsNeeded))
            columns.push_back(std::move(text));
        if (idsNeeded)
            columns.push_back({idsName, [=](const PromptPair& p) { return hasText(p) ? std::string() : joinIds(p.*ids); }});
    };
    // One text answer per cell, or, when some pair has several, a JSON array in every cell.
    auto answerColumn = [&](const char* one, const char* several, std::vector<std::string> PromptPair::*texts) -> CsvColumn {
        if (any([&](const PromptPair& p) { return (p.*texts).size() > 1; }))
            return {several, [=](const PromptPair& p) { return (p.*texts).empty() ? std::string() : nlohmann::json(p.*texts).dump(); }};
        return {one, [=](const PromptPair& p) { return (p.*texts).empty() ? std::string() : (p.*texts).front(); }};
    };
    addField({"clean", [](const PromptPair& p) { return p.clean; }}, "clean_ids", true,
             [](const PromptPair& p) { return !p.clean.empty(); }, &PromptPair::cleanIds);
    addField({"corrupted", [](const PromptPair& p) { return p.corrupted; }}, "corrupted_ids", true,
             [](const PromptPair& p) { return !p.corrupted.empty(); }, &PromptPair::corruptedIds);
    addField(answerColumn("answer", "answers", &PromptPair::answers), "answer_id", true,
             [](const PromptPair& p) { return !p.answers.empty(); }, &PromptPair::answerIds);
    addField(answerColumn("wrong_answer", "wrong_answers", &PromptPair::wrongAnswers), "wrong_answer_id", false,
             [](const PromptPair& p) { return !p.wrongAnswers.empty(); }, &PromptPair::wrongAnswerIds);

    std::vector<std::string> fields;
    for (const auto& c : columns)
        fields.push_back(c.name);
    std::string out = csvRecord(fields);
    for (const auto& p : pairs) {
        fields.clear();
        for (const auto& c : columns)
            fields.push_back(c.cell(p));
        out += csvRecord(fields);
    }
    return out;
}

} // namespace patchbay::core::data
