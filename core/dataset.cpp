// SPDX-License-Identifier: MIT
// Prompt-pair readers and writers for the native CSV/JSON formats and the EAP-IG and
// auto-circuit peer formats (design.md §6), and the validation of their rows. A file that
// cannot be read as a table of pairs is reported as one core::Error naming the file, the
// data row and the column, because the message is all the GUI or CLI shows; what is wrong
// inside rows is reported by validateDataset() for every row at once, so a user fixes (or
// drops) them in one go.
#include "core/dataset.h"

#include "core/detail/unicode.h"
#include "core/error.h"
#include "core/json.h"
#include "core/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>

namespace patchbay::core {

namespace fs = std::filesystem;

namespace {

// Listed in every "what is this file?" error so the user sees what would have worked.
const char* const kAcceptedFormats =
    "accepted formats: native CSV (clean,corrupted,answer[,wrong_answer] or "
    "clean_ids,corrupted_ids,answer_id[,wrong_answer_id]), "
    "native JSON ([{\"clean\",\"corrupted\",\"answer(s)\",\"wrong_answer(s)\"}…] or {\"pairs\":[…]}), "
    "EAP-IG CSV ([index,]clean,corrupted[,corrupted_hard],correct_idx[,incorrect_idx]), "
    "auto-circuit JSON ({\"prompts\":[{\"clean\",\"corrupt\",\"answers\",\"wrong_answers\"}]})";

std::string inQuotes(const std::string& s) { return "\"" + s + "\""; }

std::string rowPrefix(const std::string& where, int row) { return where + ": row " + std::to_string(row) + ": "; }

bool hasSuffixIgnoringCase(const fs::path& file, const std::string& ext)
{
    std::string e = file.extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return e == ext;
}

std::string trimmed(const std::string& s)
{
    const auto begin = s.find_first_not_of(" \t");
    if (begin == std::string::npos)
        return {};
    return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

// One token id: a non-negative integer that fits int32 (surrounding blanks allowed).
std::optional<int32_t> parseId(const std::string& text)
{
    const std::string t = trimmed(text);
    int64_t value = 0;
    const auto* end = t.data() + t.size();
    const auto [ptr, ec] = std::from_chars(t.data(), end, value);
    if (t.empty() || ec != std::errc() || ptr != end || value < 0 || value > std::numeric_limits<int32_t>::max())
        return std::nullopt;
    return static_cast<int32_t>(value);
}

// Blank-separated token ids of one CSV cell; `what` names the row and column for the error.
std::vector<int32_t> parseIdList(const std::string& cell, const std::string& what)
{
    std::vector<int32_t> ids;
    std::size_t i = 0;
    while (true) {
        i = cell.find_first_not_of(" \t", i);
        if (i == std::string::npos)
            break;
        const std::size_t end = std::min(cell.find_first_of(" \t", i), cell.size());
        const std::string token = cell.substr(i, end - i);
        const auto id = parseId(token);
        if (!id)
            throw Error(what + inQuotes(token) + " is not a token id (a non-negative integer)");
        ids.push_back(*id);
        i = end;
    }
    return ids;
}

void appendUnique(std::vector<int32_t>& ids, int32_t id)
{
    if (std::find(ids.begin(), ids.end(), id) == ids.end())
        ids.push_back(id);
}

std::string joinQuoted(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + inQuotes(n);
    return out;
}

// "12 7 512": a CSV id-list cell, also part of the duplicate key.
std::string joinIds(const std::vector<int32_t>& ids)
{
    std::string out;
    for (int32_t id : ids)
        out += (out.empty() ? "" : " ") + std::to_string(id);
    return out;
}

std::string sourceName(const Dataset& data) { return data.source.empty() ? std::string("dataset") : data.source.string(); }

bool isJsonFormat(DatasetFormat format)
{
    return format == DatasetFormat::NativeJson || format == DatasetFormat::AutoCircuitJson;
}

// ---------------------------------------------------------------------------------------
// Greater-than (Hanna et al.): answers are the two-digit years after the start year YY,
// wrong answers the others.

std::vector<std::string> twoDigitYears(int from, int to)
{
    std::vector<std::string> years;
    for (int y = from; y <= to; ++y)
        years.push_back(std::string(1, static_cast<char>('0' + y / 10)) + static_cast<char>('0' + y % 10));
    return years;
}

// YY of a pair whose text answers are the years YY+1..99 and wrong answers 00..YY (in any
// order), or nullopt: the pairs EAP-IG's greater-than CSV can express.
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

// Text-answer formats carry greater-than as plain answers; recognising it lets the
// evaluation pick prob-diff, as for EAP-IG's greater-than files.
void detectGreaterThan(Dataset& data)
{
    if (data.pairs.empty())
        return;
    if (std::all_of(data.pairs.begin(), data.pairs.end(), splitsTheYears))
        data.task = "greater-than";
    else if (std::all_of(data.pairs.begin(), data.pairs.end(), splitsTheDigits))
        data.task = "greater-than-digit";
}

// ---------------------------------------------------------------------------------------
// CSV (RFC 4180)

struct CsvTable
{
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows; // data records, blank lines dropped
};

// Splits `text` into records. Quoted fields may hold commas, doubled quotes and line breaks
// (kept verbatim); records end at LF or CRLF. Fields are never trimmed: a leading space is
// part of an answer token. A quote inside an unquoted field is taken literally, as Python's
// csv module does, but text after a closing quote is an error because it means the quoting
// is not what the writer intended.
CsvTable parseCsv(const std::string& text, std::size_t start, const std::string& where)
{
    CsvTable table;
    const std::size_t n = text.size();
    std::size_t i = start;
    std::size_t line = 1;
    bool haveHeader = false;

    auto columnName = [&](std::size_t field) {
        if (!haveHeader)
            return std::string("header field ") + std::to_string(field + 1);
        if (field < table.header.size())
            return "column " + inQuotes(table.header[field]);
        return "field " + std::to_string(field + 1);
    };
    auto recordName = [&]() {
        return haveHeader ? where + ": row " + std::to_string(table.rows.size() + 1) : where + ": header";
    };

    while (i < n) {
        std::vector<std::string> fields;
        bool blank = true; // a record that is one empty, unquoted field is a blank line
        while (true) {
            std::string field;
            if (i < n && text[i] == '"') {
                blank = false;
                const std::size_t openLine = line;
                ++i;
                while (true) {
                    if (i >= n)
                        throw Error(recordName() + ": " + columnName(fields.size()) + ": unterminated quote (opened on line "
                                    + std::to_string(openLine) + ")");
                    const char c = text[i];
                    if (c == '"') {
                        if (i + 1 < n && text[i + 1] == '"') {
                            field += '"';
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    if (c == '\n' || (c == '\r' && (i + 1 >= n || text[i + 1] != '\n')))
                        ++line;
                    field += c;
                    ++i;
                }
                const bool atEnd = i >= n || text[i] == ',' || text[i] == '\n' || text[i] == '\r';
                if (!atEnd)
                    throw Error(recordName() + ": " + columnName(fields.size()) + ": unexpected text after a closing quote on line "
                                + std::to_string(line) + " (a quote inside a quoted field must be doubled)");
            } else {
                const std::size_t begin = i;
                while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                    ++i;
                field.assign(text, begin, i - begin);
                if (!field.empty())
                    blank = false;
            }
            fields.push_back(std::move(field));
            if (i < n && text[i] == ',') {
                blank = false;
                ++i;
                continue;
            }
            // End of record: CRLF, LF, a lone CR (old Mac files, as Python's csv reads
            // them), or the end of the file.
            if (i < n && text[i] == '\r')
                ++i;
            if (i < n && text[i] == '\n')
                ++i;
            ++line;
            break;
        }
        if (blank)
            continue;
        if (!haveHeader) {
            table.header = std::move(fields);
            haveHeader = true;
        } else {
            table.rows.push_back(std::move(fields));
        }
    }
    return table;
}

// Column lookup over a CSV header, with the messages every CSV reader shares.
class CsvColumns
{
public:
    CsvColumns(const CsvTable& table, std::string where) : m_where(std::move(where))
    {
        for (std::size_t c = 0; c < table.header.size(); ++c) {
            const std::string name = trimmed(table.header[c]); // header names only: " answer" means "answer"
            if (!m_index.emplace(name, c).second)
                throw Error(m_where + ": header: column " + inQuotes(name) + " appears twice");
            m_names.push_back(name);
        }
    }

    std::optional<std::size_t> find(const std::string& name) const
    {
        const auto it = m_index.find(name);
        return it == m_index.end() ? std::nullopt : std::optional<std::size_t>(it->second);
    }

    std::size_t require(const std::string& name, bool listFormats = false) const
    {
        if (const auto c = find(name))
            return *c;
        std::string msg = m_where + ": missing column " + inQuotes(name) + " (header: " + joinQuoted(m_names) + ")";
        if (listFormats)
            msg += "; " + std::string(kAcceptedFormats);
        throw Error(msg);
    }

    // One warning for every column the reader did not use; a pandas index column (unnamed or
    // "Unnamed: 0") is expected and skipped silently.
    void warnUnused(const std::set<std::size_t>& used, Dataset& data) const
    {
        std::vector<std::string> unknown;
        for (std::size_t c = 0; c < m_names.size(); ++c)
            if (!used.count(c) && !(c == 0 && (m_names[c].empty() || m_names[c] == "Unnamed: 0")))
                unknown.push_back(m_names[c]);
        if (!unknown.empty())
            data.warnings.push_back(m_where + ": ignored unknown column" + (unknown.size() > 1 ? "s " : " ")
                                    + joinQuoted(unknown));
    }

    const std::string& name(std::size_t c) const { return m_names[c]; }
    std::size_t size() const { return m_names.size(); }

private:
    std::string m_where;
    std::map<std::string, std::size_t> m_index;
    std::vector<std::string> m_names;
};

// Field access for one data record: the field-count check and UTF-8 validation of text.
class CsvRow
{
public:
    CsvRow(const std::vector<std::string>& fields, const CsvColumns& columns, const std::string& where, int row)
        : m_fields(fields), m_columns(columns), m_prefix(rowPrefix(where, row))
    {
        if (fields.size() != columns.size())
            throw Error(m_prefix + std::to_string(fields.size()) + " field" + (fields.size() == 1 ? "" : "s")
                        + ", but the header has " + std::to_string(columns.size()) + " columns");
    }

    std::string text(std::size_t c) const
    {
        const std::string& s = m_fields[c];
        const std::size_t bad = detail::findInvalidUtf8(s);
        if (bad != std::string::npos)
            throw Error(m_prefix + column(c) + ": invalid UTF-8 at byte offset " + std::to_string(bad) + " of the field");
        return s;
    }

    std::vector<int32_t> ids(std::size_t c) const { return parseIdList(m_fields[c], m_prefix + column(c) + ": "); }

    int32_t id(std::size_t c) const
    {
        const auto v = parseId(m_fields[c]);
        if (!v)
            throw Error(m_prefix + column(c) + ": " + inQuotes(m_fields[c]) + " is not a token id (a non-negative integer)");
        return *v;
    }

    std::string column(std::size_t c) const { return "column " + inQuotes(m_columns.name(c)); }
    const std::string& prefix() const { return m_prefix; }

private:
    const std::vector<std::string>& m_fields;
    const CsvColumns& m_columns;
    std::string m_prefix;
};

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

// ---------------------------------------------------------------------------------------
// JSON

// nlohmann's parser rejects ill-formed UTF-8 with a byte position but cannot say which row
// the bytes belong to. So each bad byte is replaced by a sentinel (the noncharacter U+FFFF,
// which no text a model reads contains), the file is parsed, and the string that holds the
// sentinel names the row and key.
const std::string kBadByteSentinel = "\xEF\xBF\xBF";

struct JsonSource
{
    std::string where;
    std::size_t firstBadByte = std::string::npos; // in the file, when the file has bad UTF-8
};

nlohmann::json parseJson(std::string text, JsonSource& src)
{
    src.firstBadByte = detail::findInvalidUtf8(text);
    if (src.firstBadByte != std::string::npos) {
        std::string repaired;
        repaired.reserve(text.size() + 16);
        std::size_t i = 0;
        while (i < text.size()) {
            const std::size_t rest = detail::findInvalidUtf8(std::string_view(text).substr(i));
            const std::size_t bad = rest == std::string_view::npos ? std::string::npos : i + rest;
            if (bad == std::string::npos) {
                repaired.append(text, i, std::string::npos);
                break;
            }
            repaired.append(text, i, bad - i);
            repaired += kBadByteSentinel;
            i = bad + 1;
        }
        text = std::move(repaired);
    }
    try {
        return parseJsonText(text, src.where);
    } catch (const Error&) {
        if (src.firstBadByte != std::string::npos)
            throw Error(src.where + ": invalid UTF-8 at byte offset " + std::to_string(src.firstBadByte) + " of the file");
        throw;
    }
}

// Typed access to one row object; every message names the row and the key.
class JsonRow
{
public:
    JsonRow(const nlohmann::json& value, const JsonSource& src, int row) : m_value(value), m_src(src), m_prefix(rowPrefix(src.where, row))
    {
        if (!value.is_object())
            throw Error(m_prefix + "expected an object, got " + std::string(value.type_name()));
    }

    const nlohmann::json* find(const char* key) const
    {
        const auto it = m_value.find(key);
        return it == m_value.end() || it->is_null() ? nullptr : &*it;
    }

    std::string string(const char* key) const
    {
        const auto* v = find(key);
        if (!v)
            return {};
        if (!v->is_string())
            throw Error(m_prefix + "key " + inQuotes(key) + " must be a string, got " + std::string(v->type_name()));
        return checked(v->get<std::string>(), key);
    }

    // A string or an array of strings; empty strings are refused because they cannot be
    // an answer token.
    std::vector<std::string> strings(const char* key) const
    {
        std::vector<std::string> out;
        const auto* v = find(key);
        if (!v)
            return out;
        auto take = [&](const nlohmann::json& e) {
            if (!e.is_string())
                throw Error(m_prefix + "key " + inQuotes(key) + " must be a string or an array of strings, got "
                            + std::string(e.type_name()));
            std::string s = checked(e.get<std::string>(), key);
            if (s.empty())
                throw Error(m_prefix + "key " + inQuotes(key) + " holds an empty answer");
            out.push_back(std::move(s));
        };
        if (v->is_array())
            for (const auto& e : *v)
                take(e);
        else
            take(*v);
        return out;
    }

    // An integer or an array of integers, each a token id.
    std::vector<int32_t> ids(const char* key) const
    {
        std::vector<int32_t> out;
        const auto* v = find(key);
        if (!v)
            return out;
        auto take = [&](const nlohmann::json& e) {
            const bool ok = e.is_number_integer() && e.get<int64_t>() >= 0
                            && e.get<int64_t>() <= std::numeric_limits<int32_t>::max();
            if (!ok)
                throw Error(m_prefix + "key " + inQuotes(key) + ": " + jsonForMessage(e) + " is not a token id (a non-negative integer)");
            out.push_back(e.get<int32_t>());
        };
        if (v->is_array())
            for (const auto& e : *v)
                take(e);
        else
            take(*v);
        return out;
    }

    const std::string& prefix() const { return m_prefix; }

private:
    std::string checked(std::string s, const char* key) const
    {
        if (m_src.firstBadByte != std::string::npos) {
            const auto at = s.find(kBadByteSentinel);
            if (at != std::string::npos)
                throw Error(m_prefix + "key " + inQuotes(key) + ": invalid UTF-8 at byte offset " + std::to_string(at)
                            + " of the text (byte " + std::to_string(m_src.firstBadByte) + " of the file)");
        }
        return s;
    }

    const nlohmann::json& m_value;
    const JsonSource& m_src;
    std::string m_prefix;
};

void warnUnknownKeys(const std::set<std::string>& unknown, const std::string& where, Dataset& data)
{
    if (!unknown.empty())
        data.warnings.push_back(where + ": ignored unknown key" + (unknown.size() > 1 ? "s " : " ")
                                + joinQuoted({unknown.begin(), unknown.end()}));
}

// The JSON counterpart of a missing column: no row has any of `keys` (a row without
// them is validateDataset()'s to report; a file without rows is readDataset()'s).
void requireKey(const std::set<std::string>& seen, const std::vector<std::string>& keys, const std::string& where)
{
    if (std::none_of(keys.begin(), keys.end(), [&](const std::string& k) { return seen.count(k) > 0; }))
        throw Error(where + ": missing key " + inQuotes(keys.front()) + " (no row has " + joinQuoted(keys) + "); "
                    + kAcceptedFormats);
}

// Reads an array of pair objects: `makePair` builds each pair from its row; keys outside
// `known` are reported once, and a greater-than split is detected at the end. Returns
// the keys that some row has.
template <typename MakePair>
std::set<std::string> readJsonRows(const nlohmann::json& rows, const JsonSource& src, const std::set<std::string>& known,
                                   Dataset& data, MakePair makePair)
{
    std::set<std::string> seen, unknown;
    int rowNumber = 0;
    for (const auto& value : rows) {
        ++rowNumber;
        const JsonRow row(value, src, rowNumber);
        for (const auto& item : value.items()) {
            seen.insert(item.key());
            if (!known.count(item.key()))
                unknown.insert(item.key());
        }
        PromptPair p = makePair(row);
        p.row = rowNumber;
        data.pairs.push_back(std::move(p));
    }
    warnUnknownKeys(unknown, src.where, data);
    detectGreaterThan(data);
    return seen;
}

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

// ---------------------------------------------------------------------------------------
// Validation helpers

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

// ---------------------------------------------------------------------------------------
// Writing

// A field as Python's csv module writes it (QUOTE_MINIMAL, RFC 4180): quoted when it holds
// a comma, a quote or a line break, quotes doubled. Leading spaces stay unquoted; the
// reader never trims fields.
std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string csvRecord(const std::vector<std::string>& fields)
{
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i)
        out += (i ? "," : "") + csvField(fields[i]);
    return out + "\n";
}

// Refuses text a reader would refuse: every file Patchbay writes reads back.
void checkWritableText(const Dataset& data, const PromptPair& p)
{
    auto check = [&](const std::string& text, const char* what) {
        if (detail::findInvalidUtf8(text) != std::string::npos)
            throw Error(rowPrefix(sourceName(data), p.row) + "cannot write the " + what + ": invalid UTF-8");
    };
    check(p.clean, "clean prompt");
    check(p.corrupted, "corrupted prompt");
    for (const auto& a : p.answers)
        check(a, "answer");
    for (const auto& a : p.wrongAnswers)
        check(a, "wrong answer");
}

// One column of the native CSV: its header name and each pair's cell.
struct CsvColumn
{
    std::string name;
    std::function<std::string(const PromptPair&)> cell;
};

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

// One pair object per line, so a diff shows the pairs that changed.
std::string jsonLines(const std::vector<nlohmann::ordered_json>& rows)
{
    std::string out = "[\n";
    for (std::size_t i = 0; i < rows.size(); ++i)
        out += "  " + rows[i].dump() + (i + 1 < rows.size() ? ",\n" : "\n");
    return out + "]";
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

void readJsonPairs(const nlohmann::json& root, const JsonSource& src, Dataset& data)
{
    const nlohmann::json* rows = nullptr;
    if (root.is_object() && root.contains("prompts")) {
        data.format = DatasetFormat::AutoCircuitJson;
        readAutoCircuitJson(root, src, data);
        return;
    }
    if (root.is_array())
        rows = &root;
    else if (root.is_object() && root.contains("pairs") && root.at("pairs").is_array())
        rows = &root.at("pairs");
    else
        throw Error(src.where + ": not a prompt-pair file (expected an array of pairs, {\"pairs\":[…]} or "
                    "{\"prompts\":[…]}); " + kAcceptedFormats);
    data.format = DatasetFormat::NativeJson;
    readNativeJson(*rows, src, data);
}

} // namespace

std::string datasetFormatName(DatasetFormat format)
{
    switch (format) {
    case DatasetFormat::NativeCsv:
        return "native-csv";
    case DatasetFormat::NativeJson:
        return "native-json";
    case DatasetFormat::EapIgCsv:
        return "eap-ig-csv";
    case DatasetFormat::AutoCircuitJson:
        return "auto-circuit-json";
    }
    return "unknown";
}

Dataset readDataset(const fs::path& file)
{
    const std::string where = file.string();
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw Error(where + ": no such file");
    if (fs::is_directory(file, ec))
        throw Error(where + ": is a directory, not a dataset file");
    const std::string text = readTextFile(file);

    const std::size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0; // UTF-8 BOM
    if (text.find_first_not_of(" \t\r\n", start) == std::string::npos)
        throw Error(where + ": empty file (no rows)");

    Dataset data;
    data.source = file;

    if (hasSuffixIgnoringCase(file, ".json")) {
        JsonSource src{where};
        readJsonPairs(parseJson(text, src), src, data);
    } else {
        const CsvTable table = parseCsv(text, start, where);
        if (table.rows.empty())
            throw Error(where + ": empty file (no rows after the header)");
        const bool eapIg = std::any_of(table.header.begin(), table.header.end(),
                                       [](const std::string& h) { return trimmed(h) == "correct_idx"; });
        data.format = eapIg ? DatasetFormat::EapIgCsv : DatasetFormat::NativeCsv;
        if (eapIg)
            readEapIgCsv(table, where, data);
        else
            readNativeCsv(table, where, data);
    }

    if (data.pairs.empty())
        throw Error(where + ": empty file (no rows)");
    return data;
}

Dataset parseDatasetJson(const nlohmann::json& root, const std::string& where)
{
    Dataset data;
    readJsonPairs(root, JsonSource{where}, data);
    if (data.pairs.empty())
        throw Error(where + ": empty file (no rows)");
    return data;
}

DatasetFormat parseDatasetFormat(const std::string& name)
{
    for (DatasetFormat f : {DatasetFormat::NativeCsv, DatasetFormat::NativeJson, DatasetFormat::EapIgCsv,
                            DatasetFormat::AutoCircuitJson})
        if (name == datasetFormatName(f))
            return f;
    throw Error("unknown dataset format \"" + name + "\" (expected native-csv, native-json, eap-ig-csv or auto-circuit-json)");
}

std::string datasetToString(const Dataset& data, DatasetFormat format)
{
    if (data.pairs.empty())
        throw Error(sourceName(data) + ": no prompt pairs to write");
    for (const auto& p : data.pairs)
        checkWritableText(data, p);
    switch (format) {
    case DatasetFormat::NativeCsv:
        return nativeCsv(data);
    case DatasetFormat::NativeJson:
        return nativeJson(data);
    case DatasetFormat::EapIgCsv:
        return eapIgCsv(data);
    case DatasetFormat::AutoCircuitJson:
        return autoCircuitJson(data);
    }
    throw Error("unknown dataset format");
}

void writeDataset(const Dataset& data, const fs::path& file, DatasetFormat format)
{
    writeTextFileReplacing(file, datasetToString(data, format));
}

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
