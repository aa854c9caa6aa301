// SPDX-License-Identifier: MIT
// Task generators (design.md §7). A seed must give the same pairs on every platform, so the
// random numbers come from std::mt19937_64, whose output sequence the standard fixes,
// through our own uniform-integer helper (the std distributions differ between libraries).
#include "core/data/tasks.h"

#include "core/common/error.h"
#include "core/common/json.h"
#include "core/common/system.h"
#include "core/tokenize/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>

namespace patchbay::core {

namespace fs = std::filesystem;

namespace {

// A generator gives up when this many draws per requested pair were rejected: the
// tokenizer does not suit the task, and drawing longer would not help.
constexpr int kMaxDrawsPerPair = 20;

class Random
{
public:
    explicit Random(uint64_t seed) : m_engine(seed) {}

    // Uniform in [0, n), n ≥ 1. Raw draws below 2^64 mod n are rejected, so that every
    // residue is equally likely.
    std::size_t below(std::size_t n)
    {
        const uint64_t bound = n;
        const uint64_t threshold = (0 - bound) % bound; // 2^64 mod n
        uint64_t x = 0;
        do
            x = m_engine();
        while (x < threshold);
        return static_cast<std::size_t>(x % bound);
    }

    template<typename T>
    const T& pick(const std::vector<T>& items)
    {
        return items[below(items.size())];
    }

    // `k` distinct elements of `items` (k ≤ items.size()), in the order drawn.
    template<typename T>
    std::vector<T> distinct(const std::vector<T>& items, std::size_t k)
    {
        std::vector<std::size_t> chosen;
        while (chosen.size() < k) {
            const std::size_t i = below(items.size());
            if (std::find(chosen.begin(), chosen.end(), i) == chosen.end())
                chosen.push_back(i);
        }
        std::vector<T> out;
        for (std::size_t i : chosen)
            out.push_back(items[i]);
        return out;
    }

private:
    std::mt19937_64 m_engine;
};

// ---------------------------------------------------------------------------------------
// What every generator shares

// The token `text` is, when it is exactly one known token. Text a tokenizer cannot encode
// (a word-level vocabulary without an unknown token) is not a token.
std::optional<int32_t> singleToken(const Tokenizer& tokenizer, const std::string& text)
{
    std::vector<int32_t> ids;
    try {
        ids = tokenizer.encode(text);
    } catch (const Error&) {
        return std::nullopt;
    }
    if (ids.size() != 1 || ids.front() == tokenizer.unkId())
        return std::nullopt;
    return ids.front();
}

bool isSingleTokenAfterSpace(const Tokenizer& tokenizer, const std::string& word)
{
    return singleToken(tokenizer, " " + word).has_value();
}

std::string twoDigits(int n) { return std::string{static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)}; }

// "a, b, c and 4 more", for notes.
std::string listSome(const std::vector<std::string>& items)
{
    constexpr std::size_t kShown = 8;
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < kShown; ++i)
        out += (i ? ", " : "") + items[i];
    if (items.size() > kShown)
        out += " and " + std::to_string(items.size() - kShown) + " more";
    return out;
}

void recordSkipped(GeneratedTask& out, const std::string& kind, int count, const std::string& note)
{
    if (count == 0)
        return;
    out.skipped[kind] += count;
    out.notes.push_back(note);
}

// The words `isToken` accepts; the others are recorded under `kind` (e.g. "names").
std::vector<std::string> keepSingleTokens(const std::vector<std::string>& words, const std::string& kind,
                                          const std::string& how, GeneratedTask& out,
                                          const std::function<bool(const std::string&)>& isToken)
{
    std::vector<std::string> kept, dropped;
    for (const auto& w : words)
        (isToken(w) ? kept : dropped).push_back(w);
    if (!dropped.empty())
        out.skippedWords[kind] = dropped;
    recordSkipped(out, kind, static_cast<int>(dropped.size()),
                  "skipped " + std::to_string(dropped.size()) + " of " + std::to_string(words.size()) + " " + kind
                      + " that are not single tokens " + how + " for this tokenizer: " + listSome(dropped));
    return kept;
}

std::vector<std::string> keepSingleTokensAfterSpace(const std::vector<std::string>& words, const std::string& kind,
                                                    const Tokenizer& tokenizer, GeneratedTask& out)
{
    return keepSingleTokens(words, kind, "(after a space)", out,
                            [&](const std::string& w) { return isSingleTokenAfterSpace(tokenizer, w); });
}

void requireAtLeast(const std::vector<std::string>& kept, std::size_t needed, const std::string& kind,
                    const std::string& task, const std::string& where)
{
    if (kept.size() < needed)
        throw Error(where + ": only " + std::to_string(kept.size()) + " " + kind
                    + " are single tokens for this tokenizer; " + task + " needs at least " + std::to_string(needed));
}

std::vector<std::string> stringList(const nlohmann::json& object, const char* key, const std::string& where)
{
    const auto it = object.find(key);
    if (it == object.end() || !it->is_array() || it->empty())
        throw Error(where + ": field \"" + key + "\" must be a non-empty list of strings");
    std::vector<std::string> out;
    for (const auto& v : *it) {
        if (!v.is_string() || v.get<std::string>().empty())
            throw Error(where + ": field \"" + key + "\" must hold only non-empty strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

// Why a pair cannot be patched as built (empty when it can): both prompts must tokenize,
// without unknown tokens, to the same length, position for position.
std::string encodingProblem(const Tokenizer& tokenizer, const PromptPair& pair)
{
    std::vector<int32_t> clean, corrupted;
    try {
        clean = tokenizer.encode(pair.clean);
        corrupted = tokenizer.encode(pair.corrupted);
    } catch (const Error& e) {
        return std::string("a prompt cannot be tokenized (") + e.what() + ")";
    }
    if (const auto unk = tokenizer.unkId())
        for (const auto* ids : {&clean, &corrupted})
            if (std::find(ids->begin(), ids->end(), *unk) != ids->end())
                return "a prompt holds words the tokenizer does not know";
    if (clean.size() != corrupted.size())
        return "clean and corrupted prompts have different token counts";
    return {};
}

// Draws pairs until `n` are accepted. `draw(index)` builds the pair for row index + 1 or
// says why it rejects its draw; pairs with an encodingProblem() are rejected here.
// Rejections are counted under "pairs"; too many end in an Error that says why.
using DrawResult = std::pair<std::optional<PromptPair>, std::string>;

void drawPairs(int n, const Tokenizer& tokenizer, GeneratedTask& out,
               const std::function<DrawResult(std::size_t index)>& draw)
{
    std::map<std::string, int> rejected;
    long long rejections = 0;
    auto& pairs = out.data.pairs;
    while (pairs.size() < static_cast<std::size_t>(n)) {
        auto [pair, why] = draw(pairs.size());
        if (pair && why.empty())
            why = encodingProblem(tokenizer, *pair);
        if (!why.empty()) {
            ++rejected[why];
            if (++rejections > static_cast<long long>(kMaxDrawsPerPair) * n)
                throw Error(out.task + ": made only " + std::to_string(pairs.size()) + " of " + std::to_string(n)
                            + " pairs; " + std::to_string(rejections) + " drawn pairs were rejected, most recently because "
                            + why + " (does this tokenizer suit the task?)");
            continue;
        }
        pair->row = static_cast<int>(pairs.size() + 1);
        pairs.push_back(std::move(*pair));
    }
    for (const auto& [why, count] : rejected)
        recordSkipped(out, "pairs", count,
                      "drew " + std::to_string(count) + " pair" + (count == 1 ? "" : "s") + " again because " + why);
}

DrawResult accepted(PromptPair pair) { return {std::move(pair), {}}; }
DrawResult rejectedBecause(std::string why) { return {std::nullopt, std::move(why)}; }

PromptPair makePair(std::string clean, std::string corrupted, std::vector<std::string> answers,
                    std::vector<std::string> wrongAnswers)
{
    PromptPair p;
    p.clean = std::move(clean);
    p.corrupted = std::move(corrupted);
    p.answers = std::move(answers);
    p.wrongAnswers = std::move(wrongAnswers);
    return p;
}

// ---------------------------------------------------------------------------------------
// IOI (Wang et al. 2022)

enum class IoiSlot { Io, S1, S2, Place, Object };

// A template without its final " [A]": literal text around the slots. [A] is the indirect
// object (IO), the first [B] the subject S1, the second [B] its repetition S2.
struct IoiTemplate
{
    std::vector<std::string> text; // text.size() == slots.size() + 1
    std::vector<IoiSlot> slots;
};

struct IoiFill
{
    std::string io, s1, s2, place, object;
};

IoiTemplate parseIoiTemplate(const std::string& source, bool abba, const std::string& where)
{
    const std::string ending = " [A]";
    if (source.size() <= ending.size() || source.compare(source.size() - ending.size(), ending.size(), ending) != 0)
        throw Error(where + ": must end with \" [A]\" (the answer)");
    const std::string body = source.substr(0, source.size() - ending.size());

    IoiTemplate t;
    t.text.emplace_back();
    int bs = 0;
    for (std::size_t i = 0; i < body.size();) {
        if (body[i] != '[') {
            t.text.back() += body[i++];
            continue;
        }
        const auto close = body.find(']', i);
        const std::string slot = close == std::string::npos ? body.substr(i) : body.substr(i, close + 1 - i);
        if (slot == "[A]")
            t.slots.push_back(IoiSlot::Io);
        else if (slot == "[B]")
            t.slots.push_back(++bs == 1 ? IoiSlot::S1 : IoiSlot::S2);
        else if (slot == "[PLACE]")
            t.slots.push_back(IoiSlot::Place);
        else if (slot == "[OBJECT]")
            t.slots.push_back(IoiSlot::Object);
        else
            throw Error(where + ": unknown slot \"" + slot + "\" (slots are [A], [B], [PLACE] and [OBJECT])");
        t.text.emplace_back();
        i += slot.size();
    }

    std::vector<IoiSlot> names;
    std::copy_if(t.slots.begin(), t.slots.end(), std::back_inserter(names),
                 [](IoiSlot s) { return s == IoiSlot::Io || s == IoiSlot::S1 || s == IoiSlot::S2; });
    const std::vector<IoiSlot> expected = abba ? std::vector{IoiSlot::Io, IoiSlot::S1, IoiSlot::S2}
                                               : std::vector{IoiSlot::S1, IoiSlot::Io, IoiSlot::S2};
    if (names != expected)
        throw Error(where + ": before the final [A], expected the names " + (abba ? "[A] [B] [B]" : "[B] [A] [B]")
                    + " in this order");
    return t;
}

std::string fillIoi(const IoiTemplate& t, const IoiFill& fill)
{
    std::string out = t.text.front();
    for (std::size_t i = 0; i < t.slots.size(); ++i) {
        switch (t.slots[i]) {
        case IoiSlot::Io: out += fill.io; break;
        case IoiSlot::S1: out += fill.s1; break;
        case IoiSlot::S2: out += fill.s2; break;
        case IoiSlot::Place: out += fill.place; break;
        case IoiSlot::Object: out += fill.object; break;
        }
        out += t.text[i + 1];
    }
    return out;
}

std::vector<IoiTemplate> ioiTemplates(const nlohmann::json& j, const char* key, bool abba, const std::string& where)
{
    std::vector<IoiTemplate> out;
    const auto sources = stringList(j, key, where);
    for (std::size_t i = 0; i < sources.size(); ++i)
        out.push_back(parseIoiTemplate(sources[i], abba, where + ": " + key + "[" + std::to_string(i) + "]"));
    return out;
}

void generateIoi(const TaskOptions& options, const fs::path& file, const Tokenizer& tokenizer, Random& random,
                 GeneratedTask& out)
{
    if (options.templates != "mixed" && options.templates != "abba" && options.templates != "baba")
        throw Error("ioi: unknown template family \"" + options.templates + "\" (mixed, abba or baba)");
    const std::string where = file.string();
    const auto j = readJsonFile(file);
    const auto baba = ioiTemplates(j, "templates_baba", false, where);
    const auto abba = ioiTemplates(j, "templates_abba", true, where);
    const auto allNames = stringList(j, "names", where);
    const auto names = keepSingleTokensAfterSpace(allNames, "names", tokenizer, out);
    const auto places = keepSingleTokensAfterSpace(stringList(j, "places", where), "places", tokenizer, out);
    const auto objects = keepSingleTokensAfterSpace(stringList(j, "objects", where), "objects", tokenizer, out);
    if (names.size() < allNames.size() && names.size() >= 2) {
        // What the skipped names cost: fewer distinct (IO, S) pairs, and a circuit found on
        // the names this vocabulary keeps whole, which says nothing of the others (a name
        // split into pieces is copied by the name movers piece by piece, if at all).
        const auto pairs = [](std::size_t n) { return n * (n - 1); };
        out.notes.push_back("ioi draws from " + std::to_string(names.size()) + " of " + std::to_string(allNames.size())
                            + " names: " + std::to_string(pairs(names.size())) + " ordered (IO, S) name pairs instead of "
                            + std::to_string(pairs(allNames.size())) + "; scores and circuits hold for the names "
                            "this tokenizer keeps whole, not for the ones left out (all under skipped_words)");
    }

    // s2: A, B and a third name C for S2; abc: three fresh names for IO, S1 and S2.
    const bool abc = out.corruption == "abc";
    const std::size_t namesPerPair = abc ? 5 : 3;
    requireAtLeast(names, namesPerPair, "names", "ioi with corruption " + out.corruption, where);
    requireAtLeast(places, 1, "places", "ioi", where);
    requireAtLeast(objects, 1, "objects", "ioi", where);

    drawPairs(options.n, tokenizer, out, [&](std::size_t index) {
        const bool useAbba = options.templates == "abba" || (options.templates == "mixed" && index % 2 == 1);
        const auto& t = random.pick(useAbba ? abba : baba);
        const auto picked = random.distinct(names, namesPerPair);
        const auto &a = picked[0], &b = picked[1];
        const auto& place = random.pick(places);
        const auto& object = random.pick(objects);
        const IoiFill corrupted = abc ? IoiFill{picked[2], picked[3], picked[4], place, object}
                                      : IoiFill{a, b, picked[2], place, object};
        return accepted(makePair(fillIoi(t, {a, b, b, place, object}), fillIoi(t, corrupted), {" " + a}, {" " + b}));
    });
}

// ---------------------------------------------------------------------------------------
// Greater-than (Hanna et al. 2023)

constexpr int kFirstCentury = 11, kLastCentury = 17; // XX
constexpr int kFirstYear = 2, kLastYear = 98;        // YY
constexpr int kCorruptedYear = 1;                    // YY → 01

std::vector<std::string> readLines(const fs::path& file)
{
    std::vector<std::string> lines;
    std::istringstream in(readTextFile(file));
    std::string line;
    while (std::getline(in, line)) {
        line.erase(line.find_last_not_of(" \t\r") + 1);
        line.erase(0, line.find_first_not_of(" \t"));
        if (!line.empty() && line.front() != '#')
            lines.push_back(line);
    }
    if (lines.empty())
        throw Error(file.string() + ": no words (one a line)");
    return lines;
}

// Whether the tokenizer reads " XXYY" as " XX" + "YY", the split the task relies on: the
// prompt's last token " XX" then asks for the next two digits.
bool splitsYear(const Tokenizer& tokenizer, int century, int year)
{
    const auto xx = singleToken(tokenizer, " " + std::to_string(century));
    const auto yy = singleToken(tokenizer, twoDigits(year));
    return xx && yy && tokenizer.encode(" " + std::to_string(century) + twoDigits(year)) == std::vector{*xx, *yy};
}

// Whether the tokenizer reads " XXYY" as " XX" followed by one token per digit of YY, the
// split greater-than-digit relies on: the prompt's last token(s) " XX" then ask for YY's
// first digit alone.
bool splitsYearDigits(const Tokenizer& tokenizer, int century, int year)
{
    const std::string xx = " " + std::to_string(century);
    const auto y1 = singleToken(tokenizer, std::string(1, static_cast<char>('0' + year / 10)));
    const auto y2 = singleToken(tokenizer, std::string(1, static_cast<char>('0' + year % 10)));
    if (!y1 || !y2)
        return false;
    try {
        auto expected = tokenizer.encode(xx);
        expected.push_back(*y1);
        expected.push_back(*y2);
        return tokenizer.encode(xx + twoDigits(year)) == expected;
    } catch (const Error&) { // a vocabulary without these words
        return false;
    }
}

// "\" 17\" + \"32\"": how the tokenizer reads `text`, for messages.
std::string tokenPieces(const Tokenizer& tokenizer, const std::string& text)
{
    std::string pieces;
    try {
        for (const auto id : tokenizer.encode(text))
            pieces += (pieces.empty() ? "\"" : " + \"") + tokenizer.decode({id}) + "\"";
    } catch (const Error&) {
        return "(not encodable)";
    }
    return pieces;
}

// What to tell a user whose tokenizer has no two-digit year tokens: the digit variant when
// it splits numbers into single digits, else why neither variant fits.
std::string greaterThanAdvice(const Tokenizer& tokenizer)
{
    if (splitsYearDigits(tokenizer, 17, 32))
        return "this tokenizer splits numbers into single digits: use the task greater-than-digit (the end year's "
               "first digit against the start year's)";
    return "this tokenizer reads \" 1732\" as " + tokenPieces(tokenizer, " 1732")
           + ", so neither the two-digit year nor its first digit is the next token after \" 17\"";
}

void generateGreaterThan(const TaskOptions& options, const fs::path& file, const Tokenizer& tokenizer, Random& random,
                         GeneratedTask& out)
{
    // The metric sums the probabilities of the two-digit years after YY, so each must be a token.
    std::vector<std::string> missing;
    for (int y = 0; y <= 99; ++y)
        if (!singleToken(tokenizer, twoDigits(y)))
            missing.push_back("\"" + twoDigits(y) + "\"");
    if (!missing.empty())
        throw Error("greater-than needs every two-digit year 00…99 to be one token (the answers), but "
                    + std::to_string(missing.size()) + " are not for this tokenizer (" + listSome(missing) + "); "
                    + greaterThanAdvice(tokenizer));

    const auto nouns = keepSingleTokensAfterSpace(readLines(file), "nouns", tokenizer, out);
    requireAtLeast(nouns, 1, "nouns", "greater-than", file.string());

    std::vector<std::pair<int, int>> years; // (XX, YY), the corrupted XX01 split as well
    int total = 0;
    for (int xx = kFirstCentury; xx <= kLastCentury; ++xx) {
        const bool corruptible = splitsYear(tokenizer, xx, kCorruptedYear);
        for (int yy = kFirstYear; yy <= kLastYear; ++yy, ++total)
            if (corruptible && splitsYear(tokenizer, xx, yy))
                years.emplace_back(xx, yy);
    }
    const int dropped = total - static_cast<int>(years.size());
    recordSkipped(out, "years", dropped,
                  "skipped " + std::to_string(dropped) + " of " + std::to_string(total) + " years XXYY (XX "
                      + std::to_string(kFirstCentury) + "–" + std::to_string(kLastCentury) + ", YY "
                      + twoDigits(kFirstYear) + "–" + twoDigits(kLastYear)
                      + ") that this tokenizer does not split as XX + YY (or whose XX01 it does not)");
    if (years.empty())
        throw Error("greater-than: this tokenizer splits no year XXYY as XX + YY, so no prompt ends in a century "
                    "that asks for the next two digits");

    out.data.task = "greater-than";
    drawPairs(options.n, tokenizer, out, [&](std::size_t) {
        const auto& noun = random.pick(nouns);
        const auto& year = random.pick(years);
        const int yy = year.second;
        const std::string century = std::to_string(year.first);
        auto prompt = [&](int year) {
            return "The " + noun + " lasted from the year " + century + twoDigits(year) + " to the year " + century;
        };
        std::vector<std::string> later, notLater;
        for (int y = 0; y <= 99; ++y)
            (y > yy ? later : notLater).push_back(twoDigits(y));
        return accepted(makePair(prompt(yy), prompt(kCorruptedYear), later, notLater));
    });
}

// Greater-than for tokenizers that split numbers into digits (SmolLM2, Llama-2, Gemma…):
// the prompt ends at the century, as in the original, and the answer is the end year's
// first digit. With YY = D·10 + E, a first digit d > D makes the end year greater and d < D
// smaller, whatever follows; d = D decides nothing (the second digit would), so D is
// neither an answer nor a wrong answer: prob-diff = Σ_{d>D} p(d) − Σ_{d<D} p(d). D runs
// 1…8 so that both sides have a digit. Summing log-probabilities of two-token answers
// instead would score 00…99 after two forwards with the first digit fed back, which the
// one interventional forward cannot patch as one run; the first digit keeps one forward.
constexpr int kFirstDigitYear = 10, kLastDigitYear = 89;

void generateGreaterThanDigit(const TaskOptions& options, const fs::path& file, const Tokenizer& tokenizer,
                              Random& random, GeneratedTask& out)
{
    std::vector<std::string> missing;
    for (int d = 0; d <= 9; ++d)
        if (!singleToken(tokenizer, std::string(1, static_cast<char>('0' + d))))
            missing.push_back(std::string("\"") + static_cast<char>('0' + d) + "\"");
    if (!missing.empty())
        throw Error("greater-than-digit needs every digit 0…9 to be one token (the answers), but "
                    + std::to_string(missing.size()) + " are not for this tokenizer: " + listSome(missing));

    const auto nouns = keepSingleTokensAfterSpace(readLines(file), "nouns", tokenizer, out);
    requireAtLeast(nouns, 1, "nouns", "greater-than-digit", file.string());

    std::vector<std::pair<int, int>> years; // (XX, YY)
    int total = 0;
    for (int xx = kFirstCentury; xx <= kLastCentury; ++xx) {
        const bool corruptible = splitsYearDigits(tokenizer, xx, kCorruptedYear);
        for (int yy = kFirstDigitYear; yy <= kLastDigitYear; ++yy, ++total)
            if (corruptible && splitsYearDigits(tokenizer, xx, yy))
                years.emplace_back(xx, yy);
    }
    const int dropped = total - static_cast<int>(years.size());
    recordSkipped(out, "years", dropped,
                  "skipped " + std::to_string(dropped) + " of " + std::to_string(total) + " years XXYY (XX "
                      + std::to_string(kFirstCentury) + "–" + std::to_string(kLastCentury) + ", YY "
                      + twoDigits(kFirstDigitYear) + "–" + twoDigits(kLastDigitYear)
                      + ") that this tokenizer does not split as XX + one token per digit of YY");
    if (years.empty()) {
        throw Error("greater-than-digit: this tokenizer does not split years into single digits (\" 1732\" is "
                    + tokenPieces(tokenizer, " 1732") + ")" + (splitsYear(tokenizer, 17, 32) ? "; use the task greater-than" : ""));
    }

    out.data.task = "greater-than-digit";
    out.notes.push_back("answers are the end year's first digits above the start year's (YY's first digit D), wrong "
                        "answers those below; D itself is neither (the second digit would decide)");
    drawPairs(options.n, tokenizer, out, [&](std::size_t) {
        const auto& noun = random.pick(nouns);
        const auto& year = random.pick(years);
        const int first = year.second / 10;
        const std::string century = std::to_string(year.first);
        auto prompt = [&](int y) {
            return "The " + noun + " lasted from the year " + century + twoDigits(y) + " to the year " + century;
        };
        std::vector<std::string> later, earlier;
        for (int d = 0; d <= 9; ++d)
            if (d != first)
                (d > first ? later : earlier).push_back(std::string(1, static_cast<char>('0' + d)));
        return accepted(makePair(prompt(year.second), prompt(kCorruptedYear), later, earlier));
    });
}

// ---------------------------------------------------------------------------------------
// Induction

bool isAsciiLetters(const std::string& s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

// Tokens random prompts are made of: whole words. A subword vocabulary holds word
// fragments at word starts too (" snowfl" + "akes", " artific" + "ial"), which are not what
// a repeated word is; so for byte-level and character BPE a token counts only when it is a
// word of `dictionary` (lowercase letters; the capitalised word too), preceded by the space
// that marks a word boundary when the vocabulary has such tokens, and when it encodes back
// to itself. A word-level vocabulary's tokens are whole words by construction: there, every
// non-special run of ASCII letters.
std::vector<int32_t> inductionTokens(const Tokenizer& tokenizer, const std::vector<std::string>& dictionary,
                                     std::string& how)
{
    std::vector<int32_t> spaced, bare;
    if (tokenizer.kind() == "word-level") {
        how = "word tokens (runs of ASCII letters)";
        for (int32_t id = 0; id < tokenizer.vocabSize(); ++id) {
            if (!tokenizer.contains(id) || tokenizer.isSpecial(id))
                continue;
            const std::string text = tokenizer.tokenText(id);
            if (isAsciiLetters(text) && singleToken(tokenizer, text) == id)
                bare.push_back(id);
        }
        return bare;
    }
    how = "whole-word tokens (dictionary words that are one token)";
    for (const auto& word : dictionary) {
        std::string capital = word;
        capital[0] = static_cast<char>(capital[0] - 'a' + 'A');
        for (const auto& w : {word, capital}) {
            if (const auto id = singleToken(tokenizer, " " + w); id && !tokenizer.isSpecial(*id) && tokenizer.tokenText(*id) == " " + w)
                spaced.push_back(*id);
            if (const auto id = singleToken(tokenizer, w); id && !tokenizer.isSpecial(*id) && tokenizer.tokenText(*id) == w)
                bare.push_back(*id);
        }
    }
    // Byte-level vocabularies hold a word with and without its space; the space-prefixed
    // ones join into text that splits back into them, so they are used whenever there are any.
    auto& pool = spaced.empty() ? bare : spaced;
    std::sort(pool.begin(), pool.end());
    pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
    return pool;
}

// The induction dictionary: one lowercase word a line ('#' starts a comment).
std::vector<std::string> readDictionary(const fs::path& file)
{
    std::vector<std::string> words;
    for (const auto& line : readLines(file)) {
        if (!std::all_of(line.begin(), line.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
            throw Error(file.string() + ": \"" + line + "\" is not a lowercase word (the induction dictionary holds "
                        "one word of letters a–z a line)");
        words.push_back(line);
    }
    return words;
}

void generateInduction(const TaskOptions& options, const fs::path& file, const Tokenizer& tokenizer, Random& random,
                       GeneratedTask& out)
{
    const int t = options.length;
    if (t < 2)
        throw Error("induction: length must be at least 2 (got " + std::to_string(t) + ")");
    std::string how;
    const auto pool = inductionTokens(tokenizer, tokenizer.kind() == "word-level" ? std::vector<std::string>() : readDictionary(file), how);
    // r1…rT, the corrupted first half r'1…r'T and the wrong answer, all distinct.
    const std::size_t perPair = 2 * static_cast<std::size_t>(t) + 1;
    if (pool.size() < perPair)
        throw Error("induction: the vocabulary has " + std::to_string(pool.size()) + " " + how + "; length "
                    + std::to_string(t) + " needs " + std::to_string(perPair));
    out.notes.push_back("drew tokens from the " + std::to_string(pool.size()) + " " + how + " of the vocabulary");

    drawPairs(options.n, tokenizer, out, [&](std::size_t) {
        const auto drawn = random.distinct(pool, perPair);
        const std::vector<int32_t> repeat(drawn.begin(), drawn.begin() + (t - 1));
        auto prompt = [&](std::size_t firstHalf) {
            std::vector<int32_t> ids(drawn.begin() + firstHalf, drawn.begin() + firstHalf + t);
            ids.insert(ids.end(), repeat.begin(), repeat.end());
            return ids;
        };
        const auto clean = prompt(0);
        // "answer": only the answer's first occurrence changes, to the wrong answer, so the
        // corrupted prompt's repeat predicts the wrong answer and every other token stays.
        auto corrupted = prompt(t);
        if (out.corruption == "answer") {
            corrupted = clean;
            corrupted[static_cast<std::size_t>(t - 1)] = drawn.back();
        }
        const std::string cleanText = tokenizer.decode(clean), corruptedText = tokenizer.decode(corrupted);
        if (tokenizer.encode(cleanText) != clean || tokenizer.encode(corruptedText) != corrupted)
            return rejectedBecause("the prompt text does not tokenize back into the drawn tokens");
        return accepted(makePair(cleanText, corruptedText, {tokenizer.decode({drawn[t - 1]})},
                                 {tokenizer.decode({drawn.back()})}));
    });
}

// ---------------------------------------------------------------------------------------
// Docstring (Heimersheim & Janiak 2023), laid out as auto-circuit's docstring sample:
//
//   \ndef f(self, p0, p1, A, B, C, p5):\n    """d d d\n\n    :param A: d d\n    :param B: d d\n    :param
//
// answer " C". The corrupted prompt renames A, B, C in the def and the two documented names
// with five fresh names, so neither the def nor the docstring points at C.

std::string docstringPrompt(const std::string& function, const std::vector<std::string>& params,
                            const std::vector<std::string>& documented, const std::vector<std::string>& words)
{
    std::string out = "\ndef " + function + "(self";
    for (const auto& p : params)
        out += ", " + p;
    out += "):\n    \"\"\"" + words[0] + " " + words[1] + " " + words[2] + "\n";
    for (std::size_t i = 0; i < documented.size(); ++i)
        out += "\n    :param " + documented[i] + ": " + words[3 + 2 * i] + " " + words[4 + 2 * i];
    return out + "\n    :param";
}

void generateDocstring(const TaskOptions& options, const fs::path& file, const Tokenizer& tokenizer, Random& random,
                       GeneratedTask& out)
{
    const std::string where = file.string();
    const auto j = readJsonFile(file);
    const auto names = keepSingleTokensAfterSpace(stringList(j, "names", where), "names", tokenizer, out);
    // A description's first word follows the quotes directly, the others a space.
    const auto words = keepSingleTokens(stringList(j, "words", where), "words", "(with and without a space)", out,
                                        [&](const std::string& w) {
                                            return singleToken(tokenizer, w) && isSingleTokenAfterSpace(tokenizer, w);
                                        });
    constexpr std::size_t kNamesPerPair = 15; // function, 6 parameters, 5 replacements, 3 distractors
    requireAtLeast(names, kNamesPerPair, "names", "docstring", where);
    requireAtLeast(words, 1, "words", "docstring", where);

    drawPairs(options.n, tokenizer, out, [&](std::size_t) {
        const auto picked = random.distinct(names, kNamesPerPair);
        std::vector<std::string> description;
        for (int i = 0; i < 7; ++i)
            description.push_back(random.pick(words));
        const auto& function = picked[0];
        const auto &p0 = picked[1], &p1 = picked[2], &a = picked[3], &b = picked[4], &c = picked[5], &p5 = picked[6];
        const auto &x = picked[7], &y = picked[8], &z = picked[9], &u = picked[10], &v = picked[11];
        const auto &e1 = picked[12], &e2 = picked[13], &e3 = picked[14];
        // Wrong answers: every other name, in the sample's order.
        std::vector<std::string> wrong;
        for (const auto* w : {&e1, &x, &y, &z, &u, &v, &e2, &e3, &a, &b, &p0, &p1, &p5})
            wrong.push_back(" " + *w);
        return accepted(makePair(docstringPrompt(function, {p0, p1, a, b, c, p5}, {a, b}, description),
                                 docstringPrompt(function, {p0, p1, x, y, z, p5}, {u, v}, description), {" " + c},
                                 wrong));
    });
}

} // namespace

const std::vector<TaskInfo>& taskInfos()
{
    static const std::vector<TaskInfo> infos{
        {"ioi", "indirect object identification: \"… Mary and John went to the store. John gave a drink to\" → \" Mary\"",
         {"s2", "abc"}, "logit-diff", "tasks/ioi_ingredients.json"},
        {"greater-than", "\"The war lasted from the year 1732 to the year 17\" → a two-digit year after 32",
         {"01"}, "prob-diff", "tasks/greater_than_nouns.txt"},
        {"greater-than-digit",
         "greater-than for digit-splitting tokenizers: \"… from the year 1732 to the year 17\" → the first digit of "
         "the end year, above 3",
         {"01"}, "prob-diff", "tasks/greater_than_nouns.txt"},
        {"induction", "random whole words repeated: r1…rT r1…r(T−1) → rT", {"answer", "first-half"}, "logit-diff",
         "tasks/induction_words.txt"},
        {"docstring", "Python docstring: the next \":param\" name", {"def-and-doc"}, "logit-diff",
         "tasks/docstring_words.json"},
    };
    return infos;
}

const TaskInfo& taskInfo(const std::string& name)
{
    const auto& infos = taskInfos();
    const auto it = std::find_if(infos.begin(), infos.end(), [&](const TaskInfo& t) { return t.name == name; });
    if (it != infos.end())
        return *it;
    std::string names;
    for (const auto& t : infos)
        names += (names.empty() ? "" : ", ") + t.name;
    throw Error("unknown task \"" + name + "\" (tasks: " + names + ")");
}

GeneratedTask generateTask(const TaskOptions& options, const Tokenizer& tokenizer)
{
    const TaskInfo& info = taskInfo(options.task);
    if (options.n < 1)
        throw Error(info.name + ": the number of pairs must be at least 1 (got " + std::to_string(options.n) + ")");
    if (info.name != "ioi" && options.templates != "mixed")
        throw Error(info.name + ": template families are an ioi option");

    GeneratedTask out;
    out.task = info.name;
    out.data.source = info.name; // names the pairs in messages (there is no file yet)
    out.metric = info.metric;
    out.corruption = options.corruption.empty() ? info.corruptions.front() : options.corruption;
    if (std::find(info.corruptions.begin(), info.corruptions.end(), out.corruption) == info.corruptions.end()) {
        std::string valid;
        for (const auto& c : info.corruptions)
            valid += (valid.empty() ? "" : ", ") + c;
        throw Error(info.name + ": unknown corruption \"" + out.corruption + "\" (" + valid + ")");
    }
    if (info.ingredients.empty() && !options.ingredients.empty())
        throw Error(info.name + " reads no ingredients file");
    const fs::path ingredients = info.ingredients.empty() || !options.ingredients.empty()
        ? options.ingredients
        : findResource(info.ingredients);

    Random random(options.seed);
    if (info.name == "ioi")
        generateIoi(options, ingredients, tokenizer, random, out);
    else if (info.name == "greater-than")
        generateGreaterThan(options, ingredients, tokenizer, random, out);
    else if (info.name == "greater-than-digit")
        generateGreaterThanDigit(options, ingredients, tokenizer, random, out);
    else if (info.name == "induction")
        generateInduction(options, ingredients, tokenizer, random, out);
    else
        generateDocstring(options, ingredients, tokenizer, random, out);
    return out;
}

std::vector<std::vector<int32_t>> repeatedRandomTokens(const Tokenizer& tokenizer, int count, int length, uint64_t seed)
{
    if (count < 1 || length < 1)
        throw Error("repeated random tokens: count and length must be at least 1 (got " + std::to_string(count) + " and "
                    + std::to_string(length) + ")");
    std::string how;
    const auto pool = inductionTokens(
        tokenizer, tokenizer.kind() == "word-level" ? std::vector<std::string>() : readDictionary(findResource(taskInfo("induction").ingredients)),
        how);
    if (pool.size() < static_cast<std::size_t>(length))
        throw Error("repeated random tokens: the vocabulary has " + std::to_string(pool.size()) + " " + how + "; length "
                    + std::to_string(length) + " needs " + std::to_string(length));
    Random random(seed);
    std::vector<std::vector<int32_t>> out;
    for (int i = 0; i < count; ++i) {
        const auto half = random.distinct(pool, static_cast<std::size_t>(length));
        std::vector<int32_t> ids = half;
        ids.insert(ids.end(), half.begin(), half.end());
        out.push_back(std::move(ids));
    }
    return out;
}

} // namespace patchbay::core
