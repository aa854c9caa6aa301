// SPDX-License-Identifier: MIT
// Prompt-pair readers for the native CSV/JSON formats and the EAP-IG and auto-circuit
// peer formats (design.md §6). Everything a user can get wrong in a data file is reported
// as one core::Error naming the file, the data row and the column, because the message is
// all the GUI or CLI shows.
#include "core/dataset.h"

#include "core/error.h"
#include "core/json.h"
#include "core/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <optional>
#include <set>

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

// A file with many repeated rows (the EAP-IG greater-than sample has 25) should not bury
// the other warnings; the rest are counted in one summary line.
constexpr int kMaxDuplicateWarnings = 20;

std::string inQuotes(const std::string& s) { return "\"" + s + "\""; }

std::string rowPrefix(const std::string& where, int row) { return where + ": row " + std::to_string(row) + ": "; }

// Offset of the first byte that does not start a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are ill-formed, as in Unicode §3.9),
// or npos when `s` is valid from `from` on.
std::size_t firstInvalidUtf8(const std::string& s, std::size_t from = 0)
{
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = from;
    while (i < n) {
        const unsigned c = b[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; // overlong
            else if (c == 0xED)
                hi = 0x9F; // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; // overlong
            else if (c == 0xF4)
                hi = 0x8F; // above U+10FFFF
        } else {
            return i;
        }
        if (i + len > n || b[i + 1] < lo || b[i + 1] > hi)
            return i;
        for (std::size_t k = 2; k < len; ++k)
            if (b[i + k] < 0x80 || b[i + k] > 0xBF)
                return i;
        i += len;
    }
    return std::string::npos;
}

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
                    if (c == '\n')
                        ++line;
                    field += c;
                    ++i;
                }
                const bool atEnd = i >= n || text[i] == ',' || text[i] == '\n'
                                   || (text[i] == '\r' && (i + 1 >= n || text[i + 1] == '\n'));
                if (!atEnd)
                    throw Error(recordName() + ": " + columnName(fields.size()) + ": unexpected text after a closing quote on line "
                                + std::to_string(line) + " (a quote inside a quoted field must be doubled)");
            } else {
                const std::size_t begin = i;
                while (i < n && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r' && (i + 1 >= n || text[i + 1] == '\n')))
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
            // End of record: CRLF, LF, a final CR, or the end of the file.
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
        const std::size_t bad = firstInvalidUtf8(s);
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

void readNativeCsv(const CsvTable& table, const std::string& where, Dataset& data)
{
    const CsvColumns cols(table, where);
    const auto clean = cols.find("clean"), corrupted = cols.find("corrupted");
    const auto cleanIds = cols.find("clean_ids"), corruptedIds = cols.find("corrupted_ids");
    const auto answer = cols.find("answer"), answerId = cols.find("answer_id");
    const auto wrong = cols.find("wrong_answer"), wrongId = cols.find("wrong_answer_id");

    // Prompts come as text or ids (both is fine: the ids win at tokenization).
    if (!clean && !cleanIds)
        cols.require("clean", true);
    if (!corrupted && !corruptedIds)
        cols.require(clean ? "corrupted" : "corrupted_ids");
    if (!answer && !answerId)
        cols.require(clean ? "answer" : "answer_id");

    std::set<std::size_t> used;
    for (const auto& c : {clean, corrupted, cleanIds, corruptedIds, answer, answerId, wrong, wrongId})
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
        if (p.clean.empty() && p.cleanIds.empty())
            throw Error(row.prefix() + row.column(clean ? *clean : *cleanIds) + " is empty");
        if (p.corrupted.empty() && p.corruptedIds.empty())
            throw Error(row.prefix() + row.column(corrupted ? *corrupted : *corruptedIds) + " is empty");

        // An empty answer cell means "none given here"; a wrong answer is optional per row.
        if (answer) {
            if (auto a = row.text(*answer); !a.empty())
                p.answers.push_back(std::move(a));
        }
        if (answerId)
            p.answerIds = row.ids(*answerId);
        if (wrong) {
            if (auto a = row.text(*wrong); !a.empty())
                p.wrongAnswers.push_back(std::move(a));
        }
        if (wrongId)
            p.wrongAnswerIds = row.ids(*wrongId);
        if (p.answers.empty() && p.answerIds.empty()) {
            if (answer && answerId)
                throw Error(row.prefix() + "columns \"answer\" and \"answer_id\" are both empty: the pair has no answer");
            throw Error(row.prefix() + row.column(answer ? *answer : *answerId) + " is empty");
        }
        data.pairs.push_back(std::move(p));
    }
}

std::vector<std::string> twoDigitYears(int from, int to)
{
    std::vector<std::string> years;
    for (int y = from; y <= to; ++y)
        years.push_back(std::string(1, static_cast<char>('0' + y / 10)) + static_cast<char>('0' + y % 10));
    return years;
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
        if (p.clean.empty())
            throw Error(row.prefix() + row.column(clean) + " is empty");
        if (p.corrupted.empty())
            throw Error(row.prefix() + row.column(corrupted) + " is empty");
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
    src.firstBadByte = firstInvalidUtf8(text);
    if (src.firstBadByte != std::string::npos) {
        std::string repaired;
        repaired.reserve(text.size() + 16);
        std::size_t i = 0;
        while (i < text.size()) {
            const std::size_t bad = firstInvalidUtf8(text, i);
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
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        if (src.firstBadByte != std::string::npos)
            throw Error(src.where + ": invalid UTF-8 at byte offset " + std::to_string(src.firstBadByte) + " of the file");
        throw Error(src.where + ": invalid JSON (" + e.what() + ")");
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
                throw Error(m_prefix + "key " + inQuotes(key) + ": " + e.dump() + " is not a token id (a non-negative integer)");
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

// Text-answer formats carry greater-than as plain answers; recognising it lets the
// evaluation pick prob-diff, as for EAP-IG's greater-than files.
void detectGreaterThan(Dataset& data)
{
    if (!data.pairs.empty() && std::all_of(data.pairs.begin(), data.pairs.end(), splitsTheYears))
        data.task = "greater-than";
}

// Reads an array of pair objects: `makePair` builds each pair from its row; keys outside
// `known` are reported once, and a greater-than split is detected at the end.
template <typename MakePair>
void readJsonRows(const nlohmann::json& rows, const JsonSource& src, const std::set<std::string>& known, Dataset& data,
                  MakePair makePair)
{
    std::set<std::string> unknown;
    int rowNumber = 0;
    for (const auto& value : rows) {
        ++rowNumber;
        const JsonRow row(value, src, rowNumber);
        for (const auto& item : value.items())
            if (!known.count(item.key()))
                unknown.insert(item.key());
        PromptPair p = makePair(row);
        p.row = rowNumber;
        data.pairs.push_back(std::move(p));
    }
    warnUnknownKeys(unknown, src.where, data);
    detectGreaterThan(data);
}

void readNativeJson(const nlohmann::json& rows, const JsonSource& src, Dataset& data)
{
    static const std::set<std::string> known{
        "clean",  "corrupted", "clean_ids",    "corrupted_ids", "answer_id",       "answer_ids",
        "answer", "answers",   "wrong_answer", "wrong_answers", "wrong_answer_id", "wrong_answer_ids"};
    readJsonRows(rows, src, known, data, [](const JsonRow& row) {
        PromptPair p;
        p.clean = row.string("clean");
        p.corrupted = row.string("corrupted");
        p.cleanIds = row.ids("clean_ids");
        p.corruptedIds = row.ids("corrupted_ids");
        if (p.clean.empty() && p.cleanIds.empty())
            throw Error(row.prefix() + "key \"clean\" is missing or empty (give \"clean\" text or \"clean_ids\")");
        if (p.corrupted.empty() && p.corruptedIds.empty())
            throw Error(row.prefix() + "key \"corrupted\" is missing or empty (give \"corrupted\" text or \"corrupted_ids\")");
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
        if (p.answers.empty() && p.answerIds.empty())
            throw Error(row.prefix() + "no answer (give \"answer\", \"answers\" or \"answer_ids\")");
        return p;
    });
}

void readAutoCircuitJson(const nlohmann::json& root, const JsonSource& src, Dataset& data)
{
    const auto& prompts = root.at("prompts");
    if (!prompts.is_array())
        throw Error(src.where + ": key \"prompts\" must be an array, got " + std::string(prompts.type_name()));
    static const std::set<std::string> known{"clean", "corrupt", "answers", "wrong_answers"};
    readJsonRows(prompts, src, known, data, [](const JsonRow& row) {
        PromptPair p;
        p.clean = row.string("clean");
        p.corrupted = row.string("corrupt");
        if (p.clean.empty())
            throw Error(row.prefix() + "key \"clean\" is missing or empty");
        if (p.corrupted.empty())
            throw Error(row.prefix() + "key \"corrupt\" is missing or empty");
        p.answers = row.strings("answers");
        p.wrongAnswers = row.strings("wrong_answers");
        if (p.answers.empty())
            throw Error(row.prefix() + "key \"answers\" is missing or empty: the pair has no answer");
        return p;
    });
}

std::string joinIds(const std::vector<int32_t>& ids)
{
    std::string out;
    for (int32_t id : ids)
        out += std::to_string(id) + ' ';
    return out;
}

// Same clean, corrupted and answers: usually a generator that sampled with replacement.
// Harmless for the methods but it weights the pair twice, so the user hears of it.
void warnDuplicates(const std::string& where, Dataset& data)
{
    std::map<std::string, int> firstRow;
    int duplicates = 0;
    for (const auto& p : data.pairs) {
        std::string key = p.clean + '\x1f' + p.corrupted + '\x1f' + joinIds(p.cleanIds) + '\x1f' + joinIds(p.corruptedIds)
                          + '\x1f' + joinIds(p.answerIds) + '\x1f';
        for (const auto& a : p.answers)
            key += a + '\x1e';
        const auto [it, inserted] = firstRow.emplace(std::move(key), p.row);
        if (inserted)
            continue;
        if (++duplicates <= kMaxDuplicateWarnings)
            data.warnings.push_back(rowPrefix(where, p.row) + "duplicates row " + std::to_string(it->second)
                                    + " (same clean, corrupted and answers)");
    }
    if (duplicates > kMaxDuplicateWarnings)
        data.warnings.push_back(where + ": " + std::to_string(duplicates - kMaxDuplicateWarnings)
                                + " more duplicate rows not listed (" + std::to_string(duplicates) + " in all)");
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
        const nlohmann::json root = parseJson(text, src);
        const nlohmann::json* rows = nullptr;
        if (root.is_object() && root.contains("prompts")) {
            data.format = DatasetFormat::AutoCircuitJson;
            readAutoCircuitJson(root, src, data);
        } else {
            if (root.is_array())
                rows = &root;
            else if (root.is_object() && root.contains("pairs") && root.at("pairs").is_array())
                rows = &root.at("pairs");
            else
                throw Error(where + ": not a prompt-pair file (expected an array of pairs, {\"pairs\":[…]} or "
                            "{\"prompts\":[…]}); " + kAcceptedFormats);
            data.format = DatasetFormat::NativeJson;
            readNativeJson(*rows, src, data);
        }
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
    warnDuplicates(where, data);
    return data;
}

void tokenizeDataset(Dataset& data, const Tokenizer& tokenizer,
                     const std::function<std::vector<int32_t>(const std::string&)>& encodePrompt)
{
    const std::string where = data.source.string();
    const int32_t vocab = tokenizer.vocabSize();

    for (auto& p : data.pairs) {
        const std::string prefix = rowPrefix(where, p.row);
        auto checkIds = [&](const std::vector<int32_t>& ids, const char* what) {
            for (int32_t id : ids)
                if (id < 0 || id >= vocab)
                    throw Error(prefix + what + " id " + std::to_string(id) + " is outside the vocabulary (size "
                                + std::to_string(vocab) + ")");
        };
        auto prompt = [&](const std::string& text, std::vector<int32_t>& ids, const char* what) {
            if (!ids.empty()) {
                checkIds(ids, what);
                return;
            }
            if (text.empty())
                throw Error(prefix + what + " prompt is empty");
            try {
                ids = encodePrompt ? encodePrompt(text) : tokenizer.encode(text);
            } catch (const Error& e) {
                throw Error(prefix + what + ": " + e.what());
            }
            if (ids.empty())
                throw Error(prefix + what + " prompt has no tokens");
            checkIds(ids, what);
        };
        prompt(p.clean, p.cleanIds, "clean");
        prompt(p.corrupted, p.corruptedIds, "corrupted");
        if (p.cleanIds.size() != p.corruptedIds.size())
            throw Error(prefix + "clean has " + std::to_string(p.cleanIds.size()) + " tokens, corrupted "
                        + std::to_string(p.corruptedIds.size()) + " (patching needs prompts of equal length)");

        // Metrics read one logit per answer, so each answer must be exactly one token.
        auto answers = [&](const std::vector<std::string>& texts, std::vector<int32_t>& ids, const char* what) {
            checkIds(ids, what);
            for (const auto& text : texts) {
                std::vector<int32_t> tokens;
                try {
                    tokens = tokenizer.encode(text);
                } catch (const Error& e) {
                    throw Error(prefix + what + " " + inQuotes(text) + ": " + e.what());
                }
                if (tokens.size() != 1) {
                    std::string pieces;
                    for (int32_t t : tokens)
                        pieces += (pieces.empty() ? "" : " + ") + inQuotes(tokenizer.tokenText(t));
                    throw Error(prefix + what + " " + inQuotes(text) + " is " + std::to_string(tokens.size()) + " tokens"
                                + (pieces.empty() ? std::string() : " (" + pieces + ")") + ", not one");
                }
                appendUnique(ids, tokens.front());
            }
        };
        answers(p.answers, p.answerIds, "answer");
        answers(p.wrongAnswers, p.wrongAnswerIds, "wrong answer");
        if (p.answerIds.empty())
            throw Error(prefix + "the pair has no answer");
    }
}

} // namespace patchbay::core
