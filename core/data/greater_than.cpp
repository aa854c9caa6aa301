// SPDX-License-Identifier: MIT
// Greater-than (Hanna et al.): answers are the two-digit years after the start year YY,
// wrong answers the others; and greater-than-digit, the same over the digits.
#include "core/data/formats.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace patchbay::core::data {

std::vector<std::string> twoDigitYears(int from, int to)
{
    std::vector<std::string> years;
    for (int y = from; y <= to; ++y)
        years.push_back(std::string(1, static_cast<char>('0' + y / 10)) + static_cast<char>('0' + y % 10));
    return years;
}

std::optional<int> greaterThanYear(const PromptPair& p)
{
    const int yy = 99 - static_cast<int>(p.answers.size());
    if (p.answers.empty() || yy < 0)
        return std::nullopt;
    auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    if (sorted(p.answers) != twoDigitYears(yy + 1, 99) || sorted(p.wrongAnswers) != twoDigitYears(0, yy))
        return std::nullopt;
    return yy;
}

namespace {

// Whether a pair's answers and wrong answers are exactly the 100 two-digit years.
bool splitsTheYears(const PromptPair& p)
{
    if (p.answers.size() + p.wrongAnswers.size() != 100 || !p.answerIds.empty() || !p.wrongAnswerIds.empty())
        return false;
    std::set<std::string> seen;
    for (const auto* side : {&p.answers, &p.wrongAnswers})
        for (const auto& a : *side) {
            if (a.size() != 2 || !std::isdigit(static_cast<unsigned char>(a[0])) || !std::isdigit(static_cast<unsigned char>(a[1])))
                return false;
            seen.insert(a);
        }
    return seen.size() == 100;
}

// Whether a pair is greater-than-digit's: answers the digits above some D, wrong answers
// those below (each a single text digit), D itself in neither.
bool splitsTheDigits(const PromptPair& p)
{
    if (p.answers.empty() || p.wrongAnswers.empty() || p.answers.size() + p.wrongAnswers.size() != 9
        || !p.answerIds.empty() || !p.wrongAnswerIds.empty())
        return false;
    auto digit = [](const std::string& a) { return a.size() == 1 && std::isdigit(static_cast<unsigned char>(a[0])) ? a[0] - '0' : -1; };
    const int d = static_cast<int>(p.wrongAnswers.size()); // the digits below D are 0…D−1
    std::set<int> seen;
    for (const auto& a : p.answers)
        if (digit(a) > d)
            seen.insert(digit(a));
    for (const auto& a : p.wrongAnswers)
        if (digit(a) >= 0 && digit(a) < d)
            seen.insert(digit(a));
    return seen.size() == 9;
}

} // namespace

void detectGreaterThan(Dataset& data)
{
    if (data.pairs.empty())
        return;
    if (std::all_of(data.pairs.begin(), data.pairs.end(), splitsTheYears))
        data.task = "greater-than";
    else if (std::all_of(data.pairs.begin(), data.pairs.end(), splitsTheDigits))
        data.task = "greater-than-digit";
}

} // namespace patchbay::core::data
