// SPDX-License-Identifier: MIT
#include "core/tokenize/decoders.h"

#include "core/common/detail/unicode.h"
#include "core/common/error.h"
#include "core/common/json.h"

namespace patchbay::core::tokenize {

namespace {

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string replaceAllIn(const std::string& text, const std::string& pattern, const std::string& content)
{
    if (pattern.empty())
        return text;
    std::string out;
    std::size_t pos = 0;
    for (std::size_t hit = text.find(pattern); hit != std::string::npos; hit = text.find(pattern, pos)) {
        out.append(text, pos, hit - pos);
        out += content;
        pos = hit + pattern.size();
    }
    out.append(text, pos, std::string::npos);
    return out;
}

// Strip: up to `start` leading and `stop` trailing characters equal to `c` removed.
std::string strip(const std::string& token, char32_t c, std::size_t start, std::size_t stop)
{
    std::vector<std::size_t> bounds; // byte offset of every character, then the end
    for (std::size_t pos = 0; pos < token.size(); pos += detail::decodeUtf8(token, pos).length)
        bounds.push_back(pos);
    const std::size_t n = bounds.size();
    bounds.push_back(token.size());
    auto charAt = [&](std::size_t i) { return detail::decodeUtf8(token, bounds[i]).cp; };
    std::size_t first = 0;
    for (std::size_t i = 0; i < start && i < n && charAt(i) == c; ++i)
        first = i + 1;
    std::size_t last = n;
    for (std::size_t i = 0; i < stop && i < n; ++i) {
        const std::size_t index = n - i - 1;
        if (charAt(index) != c)
            break;
        last = index;
    }
    if (last <= first)
        return {};
    return token.substr(bounds[first], bounds[last] - bounds[first]);
}

// The Metaspace decoder on token `index`: the replacement becomes a space, except in
// the first token when a prefix was prepended (all of that token's replacements go).
std::string metaspaceDecode(const std::string& token, const MetaspaceOptions& o, bool first)
{
    const bool drop = first && o.prepend != MetaspaceOptions::Prepend::Never;
    return replaceAllIn(token, o.replacement, drop ? "" : " ");
}

void readStep(const nlohmann::json& j, const std::string& where, std::vector<DecoderChain::Step>& out)
{
    using Kind = DecoderChain::Step::Kind;
    if (!j.is_object())
        throw Error(where + " must be an object, got " + std::string(j.type_name()));
    const std::string type = jsonOptionalString(j, "type", "", where);
    DecoderChain::Step step;
    if (type == "Sequence") {
        const nlohmann::json* list = jsonMember(j, "decoders");
        if (!list || !list->is_array())
            throw Error(where + ".decoders must be a list");
        for (std::size_t i = 0; i < list->size(); ++i)
            readStep((*list)[i], where + ".decoders[" + std::to_string(i) + "]", out);
        return;
    }
    if (type == "Replace") {
        step.kind = Kind::Replace;
        const nlohmann::json* pattern = jsonMember(j, "pattern");
        if (!pattern || !pattern->is_object() || jsonMember(*pattern, "Regex"))
            throw Error(where + ".pattern must be {\"String\": ...} (a Regex pattern is not supported)");
        step.pattern = jsonOptionalString(*pattern, "String", "", where + ".pattern");
        if (step.pattern.empty())
            throw Error(where + ".pattern.String must be a non-empty string");
        const nlohmann::json* content = jsonMember(j, "content");
        if (!content || !content->is_string())
            throw Error(where + ".content must be a string");
        step.content = content->get<std::string>();
    } else if (type == "ByteFallback") {
        step.kind = Kind::ByteFallback;
    } else if (type == "Fuse") {
        step.kind = Kind::Fuse;
    } else if (type == "Strip") {
        step.kind = Kind::Strip;
        const std::string c = jsonOptionalString(j, "content", " ", where);
        if (c.empty() || detail::findInvalidUtf8(c) != std::string::npos || detail::decodeUtf8(c, 0).length != c.size())
            throw Error(where + ": field \"content\" must be one character");
        step.stripChar = detail::decodeUtf8(c, 0).cp;
        step.stripStart = std::size_t(jsonOptionalInt(j, "start", 0, where));
        step.stripStop = std::size_t(jsonOptionalInt(j, "stop", 0, where));
    } else if (type == "Metaspace") {
        step.kind = Kind::Metaspace;
        step.metaspace = readMetaspace(j, where);
    } else if (type == "ByteLevel") {
        throw Error(where + ": a ByteLevel decoder is supported only on its own, not in a Sequence");
    } else if (type.empty()) {
        throw Error(where + " has no \"type\"");
    } else {
        throw Error(where + ": decoder type \"" + type
                    + "\" is not supported (supported: ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, "
                      "Sequence, none)");
    }
    out.push_back(std::move(step));
}

} // namespace

std::optional<uint8_t> byteFallbackByte(std::string_view token)
{
    if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>')
        return std::nullopt;
    const int hi = token[3] == '+' ? 0 : hexDigit(token[3]);
    const int lo = hexDigit(token[4]);
    if (hi < 0 || lo < 0)
        return std::nullopt;
    return uint8_t(hi * 16 + lo);
}

std::string byteFallbackToken(uint8_t byte)
{
    static const char* const kHex = "0123456789ABCDEF";
    return std::string("<0x") + kHex[byte >> 4] + kHex[byte & 15] + ">";
}

DecoderChain DecoderChain::read(const nlohmann::json& j, const std::string& where)
{
    std::vector<Step> steps;
    readStep(j, where, steps);
    for (const Step& s : steps)
        if (s.kind == Step::Kind::Strip && (s.stripStart > 1024 || s.stripStop > 1024))
            throw Error(where + ": Strip start and stop must be 0..1024");
    return DecoderChain(std::move(steps));
}

std::string DecoderChain::decode(std::vector<std::string> tokens) const
{
    for (const Step& step : m_steps) {
        switch (step.kind) {
        case Step::Kind::Replace:
            for (std::string& t : tokens)
                t = replaceAllIn(t, step.pattern, step.content);
            break;
        case Step::Kind::Strip:
            for (std::string& t : tokens)
                t = strip(t, step.stripChar, step.stripStart, step.stripStop);
            break;
        case Step::Kind::Metaspace:
            for (std::size_t i = 0; i < tokens.size(); ++i)
                tokens[i] = metaspaceDecode(tokens[i], step.metaspace, i == 0);
            break;
        case Step::Kind::Fuse: {
            std::string all;
            for (const std::string& t : tokens)
                all += t;
            tokens.assign(1, std::move(all));
            break;
        }
        case Step::Kind::ByteFallback: {
            std::vector<std::string> out;
            out.reserve(tokens.size());
            std::string run; // bytes of consecutive byte tokens
            auto flush = [&] {
                if (run.empty())
                    return;
                if (detail::findInvalidUtf8(run) == std::string::npos)
                    out.push_back(run);
                else
                    for (std::size_t i = 0; i < run.size(); ++i)
                        out.emplace_back("\xEF\xBF\xBD"); // U+FFFD per byte, as Hugging Face does
                run.clear();
            };
            for (std::string& t : tokens) {
                if (const auto byte = byteFallbackByte(t)) {
                    run.push_back(char(*byte));
                    continue;
                }
                flush();
                out.push_back(std::move(t));
            }
            flush();
            tokens = std::move(out);
            break;
        }
        }
    }
    std::string text;
    for (const std::string& t : tokens)
        text += t;
    return text;
}

std::string DecoderChain::decodeAlone(const std::string& token) const
{
    std::string t = token;
    bool fused = false;
    for (const Step& step : m_steps) {
        switch (step.kind) {
        case Step::Kind::Replace: t = replaceAllIn(t, step.pattern, step.content); break;
        case Step::Kind::Strip:
            if (!fused)
                t = strip(t, step.stripChar, step.stripStart, step.stripStop);
            break;
        case Step::Kind::Metaspace: t = metaspaceDecode(t, step.metaspace, false); break;
        case Step::Kind::Fuse: fused = true; break;
        case Step::Kind::ByteFallback:
            if (const auto byte = byteFallbackByte(t))
                t.assign(1, char(*byte));
            break;
        }
    }
    return t;
}

} // namespace patchbay::core::tokenize
