// SPDX-License-Identifier: MIT
#include "core/data/csv.h"

#include "core/common/detail/unicode.h"
#include "core/common/error.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

namespace patchbay::core::data {

namespace {

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

} // namespace

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

CsvColumns::CsvColumns(const CsvTable& table, std::string where) : m_where(std::move(where))
{
    for (std::size_t c = 0; c < table.header.size(); ++c) {
        const std::string name = trimmed(table.header[c]); // header names only: " answer" means "answer"
        if (!m_index.emplace(name, c).second)
            throw Error(m_where + ": header: column " + inQuotes(name) + " appears twice");
        m_names.push_back(name);
    }
}

std::size_t CsvColumns::require(const std::string& name, bool listFormats) const
{
    if (const auto c = find(name))
        return *c;
    std::string msg = m_where + ": missing column " + inQuotes(name) + " (header: " + joinQuoted(m_names) + ")";
    if (listFormats)
        msg += "; " + std::string(kAcceptedFormats);
    throw Error(msg);
}

void CsvColumns::warnUnused(const std::set<std::size_t>& used, Dataset& data) const
{
    std::vector<std::string> unknown;
    for (std::size_t c = 0; c < m_names.size(); ++c)
        if (!used.count(c) && !(c == 0 && (m_names[c].empty() || m_names[c] == "Unnamed: 0")))
            unknown.push_back(m_names[c]);
    if (!unknown.empty())
        data.warnings.push_back(m_where + ": ignored unknown column" + (unknown.size() > 1 ? "s " : " ")
                                + joinQuoted(unknown));
}

CsvRow::CsvRow(const std::vector<std::string>& fields, const CsvColumns& columns, const std::string& where, int row)
    : m_fields(fields), m_columns(columns), m_prefix(rowPrefix(where, row))
{
    if (fields.size() != columns.size())
        throw Error(m_prefix + std::to_string(fields.size()) + " field" + (fields.size() == 1 ? "" : "s")
                    + ", but the header has " + std::to_string(columns.size()) + " columns");
}

std::string CsvRow::text(std::size_t c) const
{
    const std::string& s = m_fields[c];
    const std::size_t bad = detail::findInvalidUtf8(s);
    if (bad != std::string::npos)
        throw Error(m_prefix + column(c) + ": invalid UTF-8 at byte offset " + std::to_string(bad) + " of the field");
    return s;
}

std::vector<int32_t> CsvRow::ids(std::size_t c) const { return parseIdList(m_fields[c], m_prefix + column(c) + ": "); }

int32_t CsvRow::id(std::size_t c) const
{
    const auto v = parseId(m_fields[c]);
    if (!v)
        throw Error(m_prefix + column(c) + ": " + inQuotes(m_fields[c]) + " is not a token id (a non-negative integer)");
    return *v;
}

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

} // namespace patchbay::core::data
