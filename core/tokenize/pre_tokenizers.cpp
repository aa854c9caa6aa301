// SPDX-License-Identifier: MIT
#include "core/tokenize/pre_tokenizers.h"

#include "core/common/detail/messages.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/tokenize/tokenizer_impl.h"
#include "core/tokenize/tokenizer_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace patchbay::core {

using detail::inQuotes;

namespace tokenize {

using nlohmann::json;

namespace {

Behavior readBehavior(const json& j, const std::string& where)
{
    const auto b = optString(j, "behavior", where).value_or("Isolated");
    if (b == "Removed")
        return Behavior::Removed;
    if (b == "Isolated")
        return Behavior::Isolated;
    if (b == "MergedWithPrevious")
        return Behavior::MergedWithPrevious;
    if (b == "MergedWithNext")
        return Behavior::MergedWithNext;
    if (b == "Contiguous")
        return Behavior::Contiguous;
    throw Error(where + ".behavior " + inQuotes(b) + " is not one of Removed, Isolated, MergedWithPrevious, "
                "MergedWithNext, Contiguous");
}

} // namespace

void readPreTokenizer(const json& j, const std::string& where, std::vector<PreTokenizerStep>& out,
                      std::optional<MetaspaceOptions>& metaspace)
{
    if (j.is_null())
        return;
    const std::string type = typeOf(j, where);
    if (type == "Sequence") {
        const json* list = jsonMember(j, "pretokenizers");
        if (!list || !list->is_array())
            throw Error(where + ".pretokenizers must be a list");
        for (std::size_t i = 0; i < list->size(); ++i)
            readPreTokenizer((*list)[i], where + ".pretokenizers[" + std::to_string(i) + "]", out, metaspace);
    } else if (type == "ByteLevel") {
        ByteLevelStep step;
        step.addPrefixSpace = optBool(j, "add_prefix_space", true, where);
        if (optBool(j, "use_regex", true, where))
            step.regex = makeOnigurumaRegex(kGpt2Pattern, where);
        out.emplace_back(step);
    } else if (type == "Split") {
        const json* pattern = jsonMember(j, "pattern");
        if (!pattern || !pattern->is_object())
            throw Error(where + ".pattern must be {\"Regex\": ...} or {\"String\": ...}");
        SplitStep step;
        if (const auto re = optString(*pattern, "Regex", where + ".pattern"))
            step.regex = makeOnigurumaRegex(*re, where + ".pattern");
        else if (const auto str = optString(*pattern, "String", where + ".pattern"))
            step.regex = makeRegex(*str, true, where + ".pattern");
        else
            throw Error(where + ".pattern must be {\"Regex\": ...} or {\"String\": ...}");
        step.behavior = readBehavior(j, where);
        step.invert = optBool(j, "invert", false, where);
        out.emplace_back(step);
    } else if (type == "Digits") {
        const bool individual = optBool(j, "individual_digits", false, where);
        out.emplace_back(SplitStep{makeRegex(individual ? R"(\p{N})" : R"(\p{N}+)", false, where),
                                   Behavior::Isolated, false});
    } else if (type == "Whitespace") {
        const std::string w = kWordClass;
        out.emplace_back(SplitStep{makeRegex("[" + w + "]+|[^" + w + R"(\p{White_Space}]+)", false, where),
                                   Behavior::Removed, true});
    } else if (type == "WhitespaceSplit") {
        out.emplace_back(SplitStep{makeRegex(R"(\p{White_Space}+)", false, where), Behavior::Removed, false});
    } else if (type == "Metaspace") {
        // Rewrites the text (spaces -> "▁", prefix), so it runs before the other steps.
        if (!out.empty() || metaspace)
            throw Error(where + ": Metaspace is supported only as the first pre-tokenizer");
        metaspace = readMetaspace(j, where);
        if (metaspace->split)
            out.emplace_back(SplitStep{makeRegex(metaspace->replacement, true, where), Behavior::MergedWithNext, false});
    } else {
        throw Error(where + ": pre-tokenizer type " + inQuotes(type)
                    + " is not supported (supported: ByteLevel, Metaspace, Split, Digits, Whitespace, WhitespaceSplit, "
                      "Sequence)");
    }
}

} // namespace tokenize

using tokenize::Behavior;
using tokenize::ByteLevelStep;
using tokenize::PreTokenizerStep;
using tokenize::SplitStep;

void Tokenizer::Impl::applySplit(const SplitStep& step, std::string_view norm, Scratch& s) const
{
    struct Part
    {
        std::size_t b, e;
        bool match;
    };
    std::vector<Part> parts;
    s.next.clear();
    for (const Piece& piece : s.pieces) {
        const std::string_view text = pieceText(piece, norm, s);
        parts.clear();
        std::size_t prev = 0;
        s.match.forEachMatch(*step.regex, text, source, [&](std::size_t b, std::size_t e) {
            if (b > prev)
                parts.push_back({prev, b, false});
            parts.push_back({b, e, true});
            prev = e;
        });
        if (prev < text.size())
            parts.push_back({prev, text.size(), false});
        if (step.invert)
            for (Part& p : parts)
                p.match = !p.match;

        std::vector<Part> kept;
        kept.reserve(parts.size());
        switch (step.behavior) {
        case Behavior::Isolated:
            kept = parts;
            break;
        case Behavior::Removed:
            for (const Part& p : parts)
                if (!p.match)
                    kept.push_back(p);
            break;
        case Behavior::Contiguous: {
            bool previous = false;
            for (const Part& p : parts) {
                if (p.match == previous && !kept.empty())
                    kept.back().e = p.e;
                else
                    kept.push_back(p);
                previous = p.match;
            }
            break;
        }
        case Behavior::MergedWithPrevious: {
            bool previous = false;
            for (const Part& p : parts) {
                if (p.match && !previous && !kept.empty())
                    kept.back().e = p.e;
                else
                    kept.push_back(p);
                previous = p.match;
            }
            break;
        }
        case Behavior::MergedWithNext: {
            bool previous = false;
            for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
                if (it->match && !previous && !kept.empty())
                    kept.back().b = it->b;
                else
                    kept.push_back(*it);
                previous = it->match;
            }
            std::reverse(kept.begin(), kept.end());
            break;
        }
        }
        for (const Part& p : kept) {
            if (p.e <= p.b)
                continue;
            if (!piece.prefixSpace)
                s.next.push_back({uint32_t(piece.begin + p.b), uint32_t(piece.begin + p.e), false});
            else if (p.b == 0)
                s.next.push_back({piece.begin, uint32_t(piece.begin + p.e - 1), true});
            else
                s.next.push_back({uint32_t(piece.begin + p.b - 1), uint32_t(piece.begin + p.e - 1), false});
        }
    }
    std::swap(s.pieces, s.next);
}

void Tokenizer::Impl::preTokenize(std::string_view norm, uint32_t begin, uint32_t end, Scratch& s) const
{
    s.pieces.clear();
    s.pieces.push_back({begin, end, false});
    for (const PreTokenizerStep& step : preTokenizer) {
        if (const auto* split = std::get_if<SplitStep>(&step)) {
            applySplit(*split, norm, s);
        } else {
            const auto& bl = std::get<ByteLevelStep>(step);
            if (bl.addPrefixSpace)
                for (Piece& p : s.pieces)
                    if (!p.prefixSpace && (p.end == p.begin || norm[p.begin] != ' '))
                        p.prefixSpace = true;
            if (bl.regex)
                applySplit(SplitStep{bl.regex, Behavior::Isolated, false}, norm, s);
        }
    }
}

} // namespace patchbay::core
