// SPDX-License-Identifier: MIT
// auto-circuit's JSON format: {"prompts":[{"clean","corrupt","answers":[…],"wrong_answers":[…]}], …},
// prompts and answers as text only.
#include "core/data/formats.h"
#include "core/data/json_rows.h"

#include "core/common/error.h"

#include <nlohmann/json.hpp>

#include <set>

namespace patchbay::core::data {

void readAutoCircuitJson(const nlohmann::json& root, const JsonSource& src, Dataset& data)
{
    const auto& prompts = root.at("prompts");
    if (!prompts.is_array())
        throw Error(src.where + ": key \"prompts\" must be an array, got " + std::string(prompts.type_name()));
    static const std::set<std::string> known{"clean", "corrupt", "answers", "wrong_answers"};
    const auto seen = readJsonRows(prompts, src, known, data, [](const JsonRow& row) {
        PromptPair p;
        p.clean = row.string("clean");
        p.corrupted = row.string("corrupt");
        p.answers = row.strings("answers");
        p.wrongAnswers = row.strings("wrong_answers");
        return p;
    });
    if (!data.pairs.empty())
        for (const std::string key : {"clean", "corrupt", "answers"})
            requireKey(seen, {key}, src.where);
}

// auto-circuit tokenizes everything itself: prompts and answers must be text. More ids
// than text answers on a side means some answer was given only as an id.
std::string autoCircuitJson(const Dataset& data)
{
    const std::string where = sourceName(data);
    std::vector<nlohmann::ordered_json> rows;
    for (const auto& p : data.pairs) {
        if (p.clean.empty() || p.corrupted.empty() || p.answers.empty()
            || p.answerIds.size() > p.answers.size() || p.wrongAnswerIds.size() > p.wrongAnswers.size())
            throw Error(rowPrefix(where, p.row) + "cannot write as auto-circuit JSON: it holds prompts and answers as "
                        "text, and the pair has " + (p.clean.empty() || p.corrupted.empty() ? "a prompt" : "answers")
                        + " given only as token ids");
        rows.push_back({{"clean", p.clean}, {"corrupt", p.corrupted}, {"answers", p.answers}, {"wrong_answers", p.wrongAnswers}});
    }
    return "{\"prompts\": " + jsonLines(rows) + "}\n";
}

} // namespace patchbay::core::data
