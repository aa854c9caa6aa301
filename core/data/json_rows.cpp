// SPDX-License-Identifier: MIT
#include "core/data/json_rows.h"

#include "core/common/detail/unicode.h"
#include "core/common/error.h"
#include "core/common/json.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

namespace patchbay::core::data {

namespace {

// The bytes that stand for a bad byte in the parsed text (parseJson()): U+FFFF.
const std::string kBadByteSentinel = "\xEF\xBF\xBF";

} // namespace

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

JsonRow::JsonRow(const nlohmann::json& value, const JsonSource& src, int row) : m_value(value), m_src(src), m_prefix(rowPrefix(src.where, row))
{
    if (!value.is_object())
        throw Error(m_prefix + "expected an object, got " + std::string(value.type_name()));
}

const nlohmann::json* JsonRow::find(const char* key) const
{
    const auto it = m_value.find(key);
    return it == m_value.end() || it->is_null() ? nullptr : &*it;
}

std::string JsonRow::string(const char* key) const
{
    const auto* v = find(key);
    if (!v)
        return {};
    if (!v->is_string())
        throw Error(m_prefix + "key " + inQuotes(key) + " must be a string, got " + std::string(v->type_name()));
    return checked(v->get<std::string>(), key);
}

std::vector<std::string> JsonRow::strings(const char* key) const
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

std::vector<int32_t> JsonRow::ids(const char* key) const
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

std::string JsonRow::checked(std::string s, const char* key) const
{
    if (m_src.firstBadByte != std::string::npos) {
        const auto at = s.find(kBadByteSentinel);
        if (at != std::string::npos)
            throw Error(m_prefix + "key " + inQuotes(key) + ": invalid UTF-8 at byte offset " + std::to_string(at)
                        + " of the text (byte " + std::to_string(m_src.firstBadByte) + " of the file)");
    }
    return s;
}

void warnUnknownKeys(const std::set<std::string>& unknown, const std::string& where, Dataset& data)
{
    if (!unknown.empty())
        data.warnings.push_back(where + ": ignored unknown key" + (unknown.size() > 1 ? "s " : " ")
                                + joinQuoted({unknown.begin(), unknown.end()}));
}

void requireKey(const std::set<std::string>& seen, const std::vector<std::string>& keys, const std::string& where)
{
    if (std::none_of(keys.begin(), keys.end(), [&](const std::string& k) { return seen.count(k) > 0; }))
        throw Error(where + ": missing key " + inQuotes(keys.front()) + " (no row has " + joinQuoted(keys) + "); "
                    + kAcceptedFormats);
}

std::string jsonLines(const std::vector<nlohmann::ordered_json>& rows)
{
    std::string out = "[\n";
    for (std::size_t i = 0; i < rows.size(); ++i)
        out += "  " + rows[i].dump() + (i + 1 < rows.size() ? ",\n" : "\n");
    return out + "]";
}

} // namespace patchbay::core::data
