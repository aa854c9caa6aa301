// SPDX-License-Identifier: MIT
#include "core/tokenize/unigram.h"

#include "core/common/detail/unicode.h"
#include "core/common/error.h"
#include "core/common/json.h"

#include <limits>

namespace patchbay::core::tokenize {

namespace {
constexpr double kUnknownPenalty = 10.0; // tokenizers' K_UNK_PENALTY
constexpr std::size_t kMaxPieces = std::size_t(1) << 24;
} // namespace

UnigramModel UnigramModel::read(const nlohmann::json& model, const std::string& where)
{
    UnigramModel m;
    const nlohmann::json* vocab = jsonMember(model, "vocab");
    if (!vocab || !vocab->is_array())
        throw Error(where + ".vocab must be a list of [piece, score]");
    if (vocab->size() > kMaxPieces)
        throw Error(where + ".vocab has " + std::to_string(vocab->size()) + " pieces, more than the "
                    + std::to_string(kMaxPieces) + " supported");
    m.m_pieces.reserve(vocab->size());
    m.m_scores.reserve(vocab->size());
    m.m_minScore = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < vocab->size(); ++i) {
        const nlohmann::json& e = (*vocab)[i];
        const std::string w = where + ".vocab[" + std::to_string(i) + "]";
        if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number())
            throw Error(w + " must be [piece, score]");
        const std::string piece = e[0].get<std::string>();
        if (piece.empty())
            throw Error(w + ": the piece is empty");
        const double score = e[1].get<double>();
        if (!(score > -std::numeric_limits<double>::infinity() && score < std::numeric_limits<double>::infinity()))
            throw Error(w + ": the score must be a finite number");
        m.m_pieces.push_back(piece);
        m.m_scores.push_back(score);
        m.m_minScore = std::min(m.m_minScore, score);
        m.m_maxLength = std::max(m.m_maxLength, piece.size());
    }
    for (std::size_t i = 0; i < m.m_pieces.size(); ++i)
        if (!m.m_ids.emplace(m.m_pieces[i], int32_t(i)).second)
            throw Error(where + ".vocab[" + std::to_string(i) + "]: the piece \"" + m.m_pieces[i]
                        + "\" is also at " + std::to_string(m.m_ids.at(m.m_pieces[i])));
    if (m.m_pieces.empty())
        m.m_minScore = 0;
    if (const nlohmann::json* unk = jsonMember(model, "unk_id")) {
        if (!unk->is_number_integer() || unk->get<int64_t>() < 0 || unk->get<int64_t>() >= int64_t(m.m_pieces.size()))
            throw Error(where + ".unk_id must be the index of a piece (0.." + std::to_string(m.m_pieces.size()) + ")");
        m.m_unk = int32_t(unk->get<int64_t>());
    }
    m.m_byteFallback = jsonOptionalBool(model, "byte_fallback", false, where);
    return m;
}

void UnigramModel::tokenize(std::string_view text, const std::array<int32_t, 256>& byteIds, std::vector<Token>& out,
                            const std::string& where) const
{
    // best[e]: the best segmentation of text[0, e): its score, where its last token starts
    // and which id it is (-1: none yet).
    struct Node
    {
        double score = 0;
        uint32_t start = 0;
        int32_t id = -1;
    };
    const std::size_t n = text.size();
    std::vector<Node> best(n + 1);
    const double unkScore = m_minScore - kUnknownPenalty;
    for (std::size_t start = 0; start < n;) {
        const double here = best[start].score;
        const std::size_t charLength = detail::decodeUtf8(text, start).length;
        bool single = false;
        const std::size_t longest = std::min(m_maxLength, n - start);
        for (std::size_t len = 1; len <= longest; ++len) { // shortest first, as a trie yields them
            const auto it = m_ids.find(text.substr(start, len));
            if (it == m_ids.end())
                continue;
            Node& target = best[start + len];
            const double candidate = here + m_scores[std::size_t(it->second)];
            if (target.id < 0 || candidate > target.score)
                target = {candidate, uint32_t(start), it->second};
            single = single || len == charLength;
        }
        if (!single) {
            if (!m_unk)
                throw Error(where + ": a character is not in the vocabulary and there is no unk_id");
            Node& target = best[start + charLength];
            const double candidate = here + unkScore;
            if (target.id < 0 || candidate > target.score)
                target = {candidate, uint32_t(start), *m_unk};
        }
        start += charLength;
    }

    // Back from the end: consecutive unknown tokens fuse into one string.
    struct Part
    {
        uint32_t start, end;
    };
    std::vector<Part> parts;
    bool previousUnknown = false;
    for (std::size_t end = n; end > 0;) {
        const Node& node = best[end];
        const bool unknown = m_unk && node.id == *m_unk;
        if (unknown && previousUnknown)
            parts.back().start = node.start;
        else
            parts.push_back({node.start, uint32_t(end)});
        previousUnknown = unknown;
        end = node.start;
    }
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        const std::string_view s = text.substr(it->start, it->end - it->start);
        const auto found = m_ids.find(s);
        if (found != m_ids.end()) {
            out.push_back({found->second, it->start, it->end - it->start});
            continue;
        }
        if (m_byteFallback) {
            bool all = true;
            for (const char c : s)
                all = all && byteIds[uint8_t(c)] >= 0;
            if (all) {
                for (std::size_t k = 0; k < s.size(); ++k)
                    out.push_back({byteIds[uint8_t(s[k])], uint32_t(it->start + k), 1});
                continue;
            }
        }
        if (!m_unk)
            throw Error(where + ": a character is not in the vocabulary and there is no unk_id");
        out.push_back({*m_unk, it->start, it->end - it->start});
    }
}

} // namespace patchbay::core::tokenize
