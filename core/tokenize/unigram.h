// SPDX-License-Identifier: MIT
#pragma once

// The Unigram model of a tokenizer.json (SentencePiece's unigram language model, as
// Hugging Face `tokenizers` runs it): the most probable segmentation of each pre-token
// piece (Viterbi over the pieces' log-probabilities), unknown characters fused into one
// unknown token scored min_score - 10, and optional byte fallback. Private to core;
// immutable after construction, so any thread may use one instance.

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace patchbay::core::tokenize {

class UnigramModel
{
public:
    // One token of a piece: id and byte range [start, start + len) of the piece's text.
    struct Token
    {
        int32_t id;
        uint32_t start;
        uint32_t len;
    };

    // A model object of type "Unigram": "vocab" ([[piece, score], ...], ids are the
    // positions), "unk_id" (or null), "byte_fallback". Throws core::Error naming `where`.
    static UnigramModel read(const nlohmann::json& model, const std::string& where);

    const std::vector<std::string>& pieces() const { return m_pieces; }
    std::optional<int32_t> unkId() const { return m_unk; }
    bool byteFallback() const { return m_byteFallback; }

    // Appends the tokens of `text` (valid UTF-8) to `out`. `byteIds` maps a byte to the
    // id of its "<0xNN>" token (or -1), used when byteFallback(). Throws core::Error
    // (naming `where`) for an unknown character when there is no unk_id.
    void tokenize(std::string_view text, const std::array<int32_t, 256>& byteIds, std::vector<Token>& out,
                  const std::string& where) const;

private:
    std::vector<std::string> m_pieces;
    std::vector<double> m_scores;
    std::unordered_map<std::string_view, int32_t> m_ids; // views into m_pieces
    std::size_t m_maxLength = 0;                         // longest piece, bytes
    double m_minScore = 0;
    std::optional<int32_t> m_unk;
    bool m_byteFallback = false;
};

} // namespace patchbay::core::tokenize
