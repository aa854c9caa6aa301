// SPDX-License-Identifier: MIT
#pragma once

// CSV (RFC 4180) for the dataset formats: the parser, column lookup and field access with
// the messages every CSV reader shares, and the writer's quoting. Private to core;
// stateless; any thread.

#include "core/data/formats.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace patchbay::core::data {

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
CsvTable parseCsv(const std::string& text, std::size_t start, const std::string& where);

// Column lookup over a CSV header, with the messages every CSV reader shares.
class CsvColumns
{
public:
    // Throws core::Error for a column name that appears twice.
    CsvColumns(const CsvTable& table, std::string where);

    std::optional<std::size_t> find(const std::string& name) const
    {
        const auto it = m_index.find(name);
        return it == m_index.end() ? std::nullopt : std::optional<std::size_t>(it->second);
    }

    // The column `name`; throws core::Error naming it and the header (and listing the
    // accepted formats when `listFormats`) when the table has none.
    std::size_t require(const std::string& name, bool listFormats = false) const;

    // One warning for every column the reader did not use; a pandas index column (unnamed or
    // "Unnamed: 0") is expected and skipped silently.
    void warnUnused(const std::set<std::size_t>& used, Dataset& data) const;

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
    // Throws core::Error when the record's field count differs from the header's.
    CsvRow(const std::vector<std::string>& fields, const CsvColumns& columns, const std::string& where, int row);

    // The field as text; throws core::Error for invalid UTF-8.
    std::string text(std::size_t c) const;
    // Blank-separated token ids; throws core::Error for anything else.
    std::vector<int32_t> ids(std::size_t c) const;
    // One token id; throws core::Error for anything else.
    int32_t id(std::size_t c) const;

    std::string column(std::size_t c) const { return "column " + inQuotes(m_columns.name(c)); }
    const std::string& prefix() const { return m_prefix; }

private:
    const std::vector<std::string>& m_fields;
    const CsvColumns& m_columns;
    std::string m_prefix;
};

// A field as Python's csv module writes it (QUOTE_MINIMAL, RFC 4180): quoted when it holds
// a comma, a quote or a line break, quotes doubled. Leading spaces stay unquoted; the
// reader never trims fields.
std::string csvField(const std::string& s);

// One record: the fields as csvField() writes them, comma-separated, and a newline.
std::string csvRecord(const std::vector<std::string>& fields);

} // namespace patchbay::core::data
