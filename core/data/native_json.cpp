// SPDX-License-Identifier: MIT
// The native JSON format: [{"clean","corrupted","answer","wrong_answer"}…] or {"pairs":[…]};
// prompts as text or *_ids, answers as a string or an array of them, or as ids.
#include "core/data/formats.h"
#include "core/data/json_rows.h"

#include <nlohmann/json.hpp>

#include <set>

namespace patchbay::core::data {

void readNativeJson(const nlohmann::json& rows, const JsonSource& src, Dataset& data)
{
    static const std::set<std::string> known{
        "clean",  "corrupted", "clean_ids",    "corrupted_ids", "answer_id",       "answer_ids",
        "answer", "answers",   "wrong_answer", "wrong_answers", "wrong_answer_id", "wrong_answer_ids"};
    const auto seen = readJsonRows(rows, src, known, data, [](const JsonRow& row) {
        PromptPair p;
        p.clean = row.string("clean");
        p.corrupted = row.string("corrupted");
        p.cleanIds = row.ids("clean_ids");
        p.corruptedIds = row.ids("corrupted_ids");
        for (const char* key : {"answer", "answers"})
            for (auto& a : row.strings(key))
                p.answers.push_back(std::move(a));
        for (const char* key : {"wrong_answer", "wrong_answers"})
            for (auto& a : row.strings(key))
                p.wrongAnswers.push_back(std::move(a));
        for (const char* key : {"answer_id", "answer_ids"})
            for (int32_t id : row.ids(key))
                appendUnique(p.answerIds, id);
        for (const char* key : {"wrong_answer_id", "wrong_answer_ids"})
            for (int32_t id : row.ids(key))
                appendUnique(p.wrongAnswerIds, id);
        return p;
    });
    if (data.pairs.empty())
        return;
    requireKey(seen, {"clean", "clean_ids"}, src.where);
    requireKey(seen, {"corrupted", "corrupted_ids"}, src.where);
    requireKey(seen, {"answer", "answers", "answer_id", "answer_ids"}, src.where);
}

std::string nativeJson(const Dataset& data)
{
    std::vector<nlohmann::ordered_json> rows;
    for (const auto& p : data.pairs) {
        nlohmann::ordered_json row;
        auto prompt = [&](const char* text, const char* ids, const std::string& value, const std::vector<int32_t>& idList) {
            if (!value.empty() || idList.empty())
                row[text] = value;
            else
                row[ids] = idList;
        };
        // "answer": " x" for one, "answers": [...] for several; the same for ids.
        auto answers = [&](const std::string& key, const std::vector<std::string>& texts, const std::vector<int32_t>& ids) {
            if (texts.size() == 1)
                row[key] = texts.front();
            else if (!texts.empty())
                row[key + "s"] = texts;
            else if (ids.size() == 1)
                row[key + "_id"] = ids.front();
            else if (!ids.empty())
                row[key + "_ids"] = ids;
        };
        prompt("clean", "clean_ids", p.clean, p.cleanIds);
        prompt("corrupted", "corrupted_ids", p.corrupted, p.corruptedIds);
        answers("answer", p.answers, p.answerIds);
        answers("wrong_answer", p.wrongAnswers, p.wrongAnswerIds);
        rows.push_back(std::move(row));
    }
    return jsonLines(rows) + "\n";
}

} // namespace patchbay::core::data
