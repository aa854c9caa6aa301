// SPDX-License-Identifier: MIT
#pragma once

// Added tokens (tokenizer.json "added_tokens", tokenizer_config.json
// "added_tokens_decoder"): tokens matched whole in the text before the normalizer and the
// pre-tokenizer run, with Hugging Face's lstrip / rstrip / single_word options. Private to
// core; a built trie is immutable, any thread.

#include "core/common/detail/unicode.h"

#include <nlohmann/json_fwd.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace patchbay::core::tokenize {

struct AddedToken
{
    std::string content;
    int32_t id = 0;
    bool special = false;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
};

// An added-token object: "content" (non-empty), "special" (default `defaultSpecial`),
// "single_word", "lstrip", "rstrip", "normalized" (default: not special). The id is the
// caller's to set. Throws core::Error naming `where`.
AddedToken readAddedToken(const nlohmann::json& j, const std::string& where, bool defaultSpecial);

// A byte trie over added-token contents: leftmost-longest matching, like the Aho-Corasick
// automaton (MatchKind::LeftmostLongest) Hugging Face uses.
class AddedTokenTrie
{
public:
    void add(std::string_view key, int32_t index)
    {
        if (key.empty())
            return;
        if (m_nodes.empty())
            m_nodes.emplace_back();
        std::size_t node = 0;
        for (const char ch : key) {
            const auto byte = uint8_t(ch);
            auto& next = m_nodes[node].next;
            auto it = std::lower_bound(next.begin(), next.end(), byte,
                                       [](const std::pair<uint8_t, int32_t>& e, uint8_t b) { return e.first < b; });
            if (it == next.end() || it->first != byte) {
                const auto child = int32_t(m_nodes.size());
                it = next.insert(it, {byte, child});
                m_nodes.emplace_back(); // may invalidate `next`; not used after this
                node = std::size_t(child);
            } else {
                node = std::size_t(it->second);
            }
        }
        m_nodes[node].value = index;
        m_first[uint8_t(key.front())] = true;
    }

    bool empty() const { return m_nodes.empty(); }

    // Longest key starting at `pos`: (value, end) or value -1.
    std::pair<int32_t, std::size_t> longestAt(std::string_view text, std::size_t pos) const
    {
        std::pair<int32_t, std::size_t> best{-1, pos};
        if (m_nodes.empty() || !m_first[uint8_t(text[pos])])
            return best;
        std::size_t node = 0;
        for (std::size_t i = pos; i < text.size(); ++i) {
            const auto byte = uint8_t(text[i]);
            const auto& next = m_nodes[node].next;
            const auto it = std::lower_bound(next.begin(), next.end(), byte,
                                             [](const std::pair<uint8_t, int32_t>& e, uint8_t b) { return e.first < b; });
            if (it == next.end() || it->first != byte)
                break;
            node = std::size_t(it->second);
            if (m_nodes[node].value >= 0)
                best = {m_nodes[node].value, i + 1};
        }
        return best;
    }

private:
    struct Node
    {
        std::vector<std::pair<uint8_t, int32_t>> next; // sorted by byte
        int32_t value = -1;
    };
    std::vector<Node> m_nodes;
    std::array<bool, 256> m_first{};
};

// Splits `text` at the matches of `trie`, whose values index `added` (Hugging Face's
// AddedVocabulary::find_matches). Calls segment(b, e) for text between tokens and
// token(id, b, e) for added tokens. isWordChar(text, unit, at, before) says whether the
// character `unit` (just before `at` when `before`, else at `at`) is a word character, for
// single_word tokens.
template<typename IsWordChar, typename Segment, typename Token>
void splitAdded(const AddedTokenTrie& trie, const std::vector<AddedToken>& added, std::string_view text,
                IsWordChar&& isWordChar, Segment&& segment, Token&& token)
{
    std::size_t startOffset = 0;
    std::size_t pos = 0;
    while (!trie.empty() && pos < text.size()) {
        const auto [index, matchEnd] = trie.longestAt(text, pos);
        if (index < 0) {
            ++pos;
            continue;
        }
        const AddedToken& t = added[std::size_t(index)];
        std::size_t start = pos;
        std::size_t stop = matchEnd;
        if (t.singleWord) {
            const bool wordBefore = start > 0 && isWordChar(text, detail::decodeUtf8Before(text, start), start, true);
            const bool wordAfter = stop < text.size() && isWordChar(text, detail::decodeUtf8(text, stop), stop, false);
            if (wordBefore || wordAfter) {
                pos = matchEnd; // Aho-Corasick iteration resumes after the discarded match
                continue;
            }
        }
        if (t.lstrip) {
            std::size_t b = start;
            while (b > startOffset) {
                const detail::Utf8Unit u = detail::decodeUtf8Before(text, b);
                if (!u.valid || !detail::isWhiteSpace(u.cp))
                    break;
                b -= u.length;
            }
            start = std::max(b, startOffset);
        }
        if (t.rstrip) {
            while (stop < text.size()) {
                const detail::Utf8Unit u = detail::decodeUtf8(text, stop);
                if (!u.valid || !detail::isWhiteSpace(u.cp))
                    break;
                stop += u.length;
            }
        }
        if (startOffset < start)
            segment(startOffset, start);
        token(t.id, start, stop);
        startOffset = stop;
        pos = stop;
    }
    if (startOffset < text.size())
        segment(startOffset, text.size());
}

} // namespace patchbay::core::tokenize
