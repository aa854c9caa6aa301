// SPDX-License-Identifier: MIT
#include "core/common/json.h"

#include "core/common/error.h"


namespace patchbay::core {

namespace {

// nlohmann's messages quote the last token read, which may be a megabyte-long string.
std::string shortened(std::string text, std::size_t maxChars = 200)
{
    if (text.size() > maxChars) {
        text.resize(maxChars);
        // Do not end inside a UTF-8 sequence.
        while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
            text.pop_back();
        if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0)
            text.pop_back();
        text += "...";
    }
    return text;
}

// The byte offset where `text` first nests deeper than `maxDepth`, or npos. Strings are
// skipped, so brackets inside them do not count; malformed text is left to the parser.
std::size_t tooDeepAt(std::string_view text, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case '"': inString = true; break;
        case '[':
        case '{':
            if (++depth > maxDepth)
                return i;
            break;
        case ']':
        case '}':
            if (depth > 0)
                --depth;
            break;
        default: break;
        }
    }
    return std::string_view::npos;
}

} // namespace

nlohmann::json parseJsonText(std::string_view text, const std::string& where)
{
    if (const auto at = tooDeepAt(text, kMaxJsonDepth); at != std::string_view::npos)
        throw Error(where + ": invalid JSON (arrays and objects nested deeper than " + std::to_string(kMaxJsonDepth)
                    + " levels, at byte " + std::to_string(at) + ")");
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::out_of_range& e) {
        // 406: a number such as 1e999 that no double holds.
        throw Error(where + ": invalid JSON (a number is out of range: " + shortened(e.what()) + ")");
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": invalid JSON (" + shortened(e.what()) + ")");
    }
}

std::string jsonForMessage(const nlohmann::json& value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::array:
        return value.empty() ? "[]"
                             : "an array of " + std::to_string(value.size()) + (value.size() == 1 ? " element" : " elements");
    case nlohmann::json::value_t::object:
        return value.empty() ? "{}"
                             : "an object with " + std::to_string(value.size()) + (value.size() == 1 ? " member" : " members");
    case nlohmann::json::value_t::string: {
        constexpr std::size_t kMaxChars = 60;
        const auto& s = value.get_ref<const std::string&>();
        if (s.size() <= kMaxChars)
            return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        std::string cut = nlohmann::json(shortened(s, kMaxChars))
                              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return cut + " (" + std::to_string(s.size()) + " bytes)";
    }
    case nlohmann::json::value_t::binary: return "binary data";
    default: return value.dump(); // null, a boolean or a number: a few characters
    }
}

nlohmann::json readJsonFile(const std::filesystem::path& file)
{
    return parseJsonText(readTextFile(file), file.string());
}

const nlohmann::json* jsonMember(const nlohmann::json& object, const char* key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return nullptr;
    return &*it;
}

int jsonPositiveInt(const nlohmann::json& object, const char* key, const std::string& where)
{
    const auto* value = jsonMember(object, key);
    if (!value)
        throw Error(where + ": missing field \"" + key + "\"");
    if (!value->is_number_integer() || value->get<int64_t>() <= 0 || value->get<int64_t>() > (int64_t{1} << 30))
        throw Error(where + ": field \"" + key + "\" must be a positive integer, got " + jsonForMessage(*value));
    return value->get<int>();
}

int jsonOptionalInt(const nlohmann::json& object, const char* key, int fallback, const std::string& where)
{
    const auto* value = jsonMember(object, key);
    if (!value)
        return fallback;
    if (!value->is_number_integer() || value->get<int64_t>() < 0 || value->get<int64_t>() > (int64_t{1} << 30))
        throw Error(where + ": field \"" + key + "\" must be a non-negative integer, got " + jsonForMessage(*value));
    return value->get<int>();
}

double jsonOptionalNumber(const nlohmann::json& object, const char* key, double fallback, const std::string& where)
{
    const auto* value = jsonMember(object, key);
    if (!value)
        return fallback;
    if (!value->is_number())
        throw Error(where + ": field \"" + key + "\" must be a number, got " + jsonForMessage(*value));
    return value->get<double>();
}

bool jsonOptionalBool(const nlohmann::json& object, const char* key, bool fallback, const std::string& where)
{
    const auto* value = jsonMember(object, key);
    if (!value)
        return fallback;
    if (!value->is_boolean())
        throw Error(where + ": field \"" + key + "\" must be true or false, got " + jsonForMessage(*value));
    return value->get<bool>();
}

std::string jsonOptionalString(const nlohmann::json& object, const char* key, const std::string& fallback,
                               const std::string& where)
{
    const auto* value = jsonMember(object, key);
    if (!value)
        return fallback;
    if (!value->is_string())
        throw Error(where + ": field \"" + key + "\" must be a string, got " + jsonForMessage(*value));
    return value->get<std::string>();
}

} // namespace patchbay::core
