// SPDX-License-Identifier: MIT
#include "core/tokenize/normalizers.h"

#include "core/common/error.h"
#include "core/common/json.h"

namespace patchbay::core::tokenize {

namespace {

// An aligned text with explicit per-byte ranges (identity texts have none).
detail::AlignedText explicitAlignment(const detail::AlignedText& in)
{
    if (!in.identity)
        return in;
    detail::AlignedText out;
    out.text = in.text;
    out.identity = false;
    out.begin.resize(in.text.size());
    out.end.resize(in.text.size());
    for (std::size_t i = 0; i < in.text.size(); ++i) {
        out.begin[i] = uint32_t(i);
        out.end[i] = uint32_t(i + 1);
    }
    return out;
}

std::string literalPattern(const nlohmann::json& j, const std::string& where)
{
    const nlohmann::json* pattern = jsonMember(j, "pattern");
    if (!pattern || !pattern->is_object())
        throw Error(where + ".pattern must be {\"String\": ...}");
    if (jsonMember(*pattern, "Regex"))
        throw Error(where + ".pattern: a Regex pattern is not supported here (only {\"String\": ...})");
    const std::string s = jsonOptionalString(*pattern, "String", "", where + ".pattern");
    if (s.empty())
        throw Error(where + ".pattern.String must be a non-empty string");
    return s;
}

} // namespace

std::vector<NormalizerStep> readNormalizer(const nlohmann::json& j, const std::string& where)
{
    std::vector<NormalizerStep> out;
    if (j.is_null())
        return out;
    if (!j.is_object())
        throw Error(where + " must be an object, got " + std::string(j.type_name()));
    const std::string type = jsonOptionalString(j, "type", "", where);
    using Kind = NormalizerStep::Kind;
    if (type == "NFC") {
        out.push_back({Kind::Nfc, {}, {}});
    } else if (type == "Lowercase") {
        out.push_back({Kind::Lowercase, {}, {}});
    } else if (type == "Replace") {
        NormalizerStep step{Kind::Replace, literalPattern(j, where), {}};
        const nlohmann::json* content = jsonMember(j, "content");
        if (!content || !content->is_string())
            throw Error(where + ".content must be a string");
        step.content = content->get<std::string>();
        out.push_back(std::move(step));
    } else if (type == "Prepend") {
        const nlohmann::json* prefix = jsonMember(j, "prepend");
        if (!prefix || !prefix->is_string())
            throw Error(where + ".prepend must be a string");
        out.push_back({Kind::Prepend, {}, prefix->get<std::string>()});
    } else if (type == "Sequence") {
        const nlohmann::json* list = jsonMember(j, "normalizers");
        if (!list || !list->is_array())
            throw Error(where + ".normalizers must be a list");
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto inner = readNormalizer((*list)[i], where + ".normalizers[" + std::to_string(i) + "]");
            out.insert(out.end(), inner.begin(), inner.end());
        }
    } else if (type.empty()) {
        throw Error(where + " has no \"type\"");
    } else {
        throw Error(where + ": normalizer type \"" + type
                    + "\" is not supported (supported: NFC, Lowercase, Replace, Prepend, Sequence)");
    }
    return out;
}

detail::AlignedText normalize(const std::vector<NormalizerStep>& steps, detail::AlignedText text)
{
    for (const NormalizerStep& step : steps) {
        switch (step.kind) {
        case NormalizerStep::Kind::Nfc: text = detail::nfc(text); break;
        case NormalizerStep::Kind::Lowercase: text = detail::lowercase(text); break;
        case NormalizerStep::Kind::Replace: text = replaceAll(text, step.pattern, step.content); break;
        case NormalizerStep::Kind::Prepend: text = prepend(text, step.content); break;
        }
    }
    return text;
}

detail::AlignedText replaceAll(const detail::AlignedText& in, std::string_view pattern, std::string_view content)
{
    const std::string_view text = in.text;
    std::size_t hit = pattern.empty() ? std::string_view::npos : text.find(pattern);
    if (hit == std::string_view::npos)
        return in;
    detail::AlignedText out;
    out.identity = false;
    out.text.reserve(text.size() + content.size());
    std::size_t pos = 0;
    auto copy = [&](std::size_t from, std::size_t to) {
        out.text.append(text, from, to - from);
        for (std::size_t i = from; i < to; ++i) {
            out.begin.push_back(in.originalBegin(i));
            out.end.push_back(in.originalEnd(i));
        }
    };
    while (hit != std::string_view::npos) {
        copy(pos, hit);
        const uint32_t b = in.originalBegin(hit);
        const uint32_t e = in.originalEnd(hit + pattern.size() - 1);
        out.text.append(content);
        out.begin.insert(out.begin.end(), content.size(), b);
        out.end.insert(out.end.end(), content.size(), e);
        pos = hit + pattern.size();
        hit = text.find(pattern, pos);
    }
    copy(pos, text.size());
    return out;
}

detail::AlignedText prepend(const detail::AlignedText& in, std::string_view prefix)
{
    if (in.text.empty() || prefix.empty())
        return in;
    detail::AlignedText aligned = explicitAlignment(in);
    detail::AlignedText out;
    out.identity = false;
    out.text.reserve(prefix.size() + in.text.size());
    out.text.append(prefix);
    out.text.append(in.text);
    const uint32_t at = aligned.begin.front();
    out.begin.assign(prefix.size(), at);
    out.end.assign(prefix.size(), at);
    out.begin.insert(out.begin.end(), aligned.begin.begin(), aligned.begin.end());
    out.end.insert(out.end.end(), aligned.end.begin(), aligned.end.end());
    return out;
}

} // namespace patchbay::core::tokenize
