// SPDX-License-Identifier: MIT
#include "core/json.h"

#include "core/error.h"

#include <fstream>
#include <sstream>

namespace patchbay::core {

std::string readTextFile(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(file.string() + ": cannot open file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        throw Error(file.string() + ": read error");
    return buffer.str();
}

void writeTextFileReplacing(const std::filesystem::path& file, const std::string& text)
{
    auto temp = file;
    temp += ".part";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error(file.string() + ": cannot open for writing");
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temp, ignored);
            throw Error(file.string() + ": write error");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temp, file, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        throw Error(file.string() + ": cannot write (" + ec.message() + ")");
    }
}

nlohmann::json readJsonFile(const std::filesystem::path& file)
{
    const std::string text = readTextFile(file);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(file.string() + ": invalid JSON (" + e.what() + ")");
    }
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
        throw Error(where + ": field \"" + key + "\" must be a positive integer, got " + value->dump());
    return value->get<int>();
}

int jsonOptionalInt(const nlohmann::json& object, const char* key, int fallback, const std::string& where)
{
    const auto* value = jsonMember(object, key);
    if (!value)
        return fallback;
    if (!value->is_number_integer() || value->get<int64_t>() < 0 || value->get<int64_t>() > (int64_t{1} << 30))
        throw Error(where + ": field \"" + key + "\" must be a non-negative integer, got " + value->dump());
    return value->get<int>();
}

double jsonOptionalNumber(const nlohmann::json& object, const char* key, double fallback, const std::string& where)
{
    const auto* value = jsonMember(object, key);
    if (!value)
        return fallback;
    if (!value->is_number())
        throw Error(where + ": field \"" + key + "\" must be a number, got " + value->dump());
    return value->get<double>();
}

bool jsonOptionalBool(const nlohmann::json& object, const char* key, bool fallback, const std::string& where)
{
    const auto* value = jsonMember(object, key);
    if (!value)
        return fallback;
    if (!value->is_boolean())
        throw Error(where + ": field \"" + key + "\" must be true or false, got " + value->dump());
    return value->get<bool>();
}

std::string jsonOptionalString(const nlohmann::json& object, const char* key, const std::string& fallback,
                               const std::string& where)
{
    const auto* value = jsonMember(object, key);
    if (!value)
        return fallback;
    if (!value->is_string())
        throw Error(where + ": field \"" + key + "\" must be a string, got " + value->dump());
    return value->get<std::string>();
}

} // namespace patchbay::core
