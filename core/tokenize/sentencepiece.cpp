// SPDX-License-Identifier: MIT
// Tokenizer::fromSentencePiece: a SentencePiece-style BPE vocabulary given piece by piece
// (as GGUF carries it) turned into the tokenizer.json transformers would build for it, then
// loaded like any tokenizer.json, so both paths share one pipeline and one set of checks.
#include "core/common/detail/unicode.h"
#include "core/common/error.h"
#include "core/tokenize/build.h"
#include "core/tokenize/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace patchbay::core {

namespace {

using nlohmann::json;
using Vocab = Tokenizer::SentencePieceVocab;

constexpr std::size_t kMaxTokens = std::size_t(1) << 24;
constexpr std::size_t kMaxDerivedPieceBytes = 1024;
const char* const kSpace = "\u2581";

std::size_t charCount(std::string_view s)
{
    std::size_t n = 0;
    for (std::size_t pos = 0; pos < s.size(); pos += detail::decodeUtf8(s, pos).length)
        ++n;
    return n;
}

// transformers' generate_merges(vocab, vocab_scores): every split of a piece into two
// pieces, ordered by the piece's score (descending), then by the lengths of the left and
// right parts in characters (descending), then by first appearance (pieces by id, the
// splits of one piece by the ids of their parts).
std::vector<std::pair<std::string, std::string>> mergesFromScores(const Vocab& v,
                                                                  const std::unordered_map<std::string, int32_t>& ids,
                                                                  const std::string& where)
{
    struct Merge
    {
        int32_t left, right;
        float score;
        std::size_t leftChars, rightChars;
    };
    std::vector<Merge> merges;
    std::vector<Merge> local;
    for (std::size_t id = 0; id < v.tokens.size(); ++id) {
        const std::string& piece = v.tokens[id];
        // Splitting is quadratic in a piece's length; real pieces are a few dozen bytes.
        if (piece.size() > kMaxDerivedPieceBytes)
            throw Error(where + ": token " + std::to_string(id) + " is " + std::to_string(piece.size())
                        + " bytes long; merges can be derived only for pieces up to "
                        + std::to_string(kMaxDerivedPieceBytes) + " bytes (give the merges instead)");
        local.clear();
        std::size_t chars = 1;
        for (std::size_t pos = detail::decodeUtf8(piece, 0).length; pos < piece.size();
             pos += detail::decodeUtf8(piece, pos).length, ++chars) {
            const auto l = ids.find(piece.substr(0, pos));
            if (l == ids.end())
                continue;
            const auto r = ids.find(piece.substr(pos));
            if (r == ids.end())
                continue;
            local.push_back({l->second, r->second, v.scores[id], chars, 0});
        }
        const std::size_t total = charCount(piece);
        for (Merge& m : local)
            m.rightChars = total - m.leftChars;
        std::sort(local.begin(), local.end(),
                  [](const Merge& a, const Merge& b) { return a.left != b.left ? a.left < b.left : a.right < b.right; });
        merges.insert(merges.end(), local.begin(), local.end());
    }
    std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) {
        if (a.score != b.score)
            return a.score > b.score;
        if (a.leftChars != b.leftChars)
            return a.leftChars > b.leftChars;
        return a.rightChars > b.rightChars;
    });
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(merges.size());
    for (const Merge& m : merges)
        out.emplace_back(v.tokens[std::size_t(m.left)], v.tokens[std::size_t(m.right)]);
    return out;
}

json stringPattern(const std::string& s)
{
    return json{{"String", s}};
}

} // namespace

Tokenizer Tokenizer::fromSentencePiece(const SentencePieceVocab& v)
{
    const std::string where = v.source.empty() ? std::string("SentencePiece vocabulary") : v.source;
    const std::size_t n = v.tokens.size();
    if (n == 0)
        throw Error(where + ": the vocabulary has no tokens");
    if (n > kMaxTokens)
        throw Error(where + ": " + std::to_string(n) + " tokens is more than the " + std::to_string(kMaxTokens)
                    + " supported");
    if (!v.types.empty() && v.types.size() != n)
        throw Error(where + ": " + std::to_string(n) + " tokens but " + std::to_string(v.types.size())
                    + " token types");
    if (v.merges.empty() && v.scores.size() != n)
        throw Error(where + ": " + std::to_string(n) + " tokens but " + std::to_string(v.scores.size())
                    + " scores (scores are needed when no merges are given)");

    auto type = [&](std::size_t id) { return v.types.empty() ? SentencePieceVocab::TokenType::Normal : v.types[id]; };
    std::unordered_map<std::string, int32_t> ids;
    ids.reserve(n);
    json vocab = json::object();
    json added = json::array();
    std::optional<int32_t> unknown;
    for (std::size_t id = 0; id < n; ++id) {
        const std::string& piece = v.tokens[id];
        if (piece.empty())
            throw Error(where + ": token " + std::to_string(id) + " is empty");
        if (detail::findInvalidUtf8(piece) != std::string::npos)
            throw Error(where + ": token " + std::to_string(id) + " is not valid UTF-8");
        const auto [it, fresh] = ids.emplace(piece, int32_t(id));
        if (!fresh)
            throw Error(where + ": tokens " + std::to_string(it->second) + " and " + std::to_string(id)
                        + " are the same piece \"" + piece + "\"");
        vocab[piece] = id;
        const auto t = type(id);
        const auto raw = uint8_t(t);
        if (raw < 1 || raw > 6)
            throw Error(where + ": token " + std::to_string(id) + " has type " + std::to_string(raw)
                        + " (expected 1..6: normal, unknown, control, user-defined, unused, byte)");
        if (t == SentencePieceVocab::TokenType::Unknown && !unknown)
            unknown = int32_t(id);
        if (t == SentencePieceVocab::TokenType::Control || t == SentencePieceVocab::TokenType::UserDefined
            || t == SentencePieceVocab::TokenType::Unknown) {
            added.push_back({{"id", id},
                             {"content", piece},
                             {"single_word", false},
                             {"lstrip", false},
                             {"rstrip", false},
                             {"normalized", false},
                             {"special", t != SentencePieceVocab::TokenType::UserDefined}});
        }
    }

    auto name = [&](const std::optional<int32_t>& id, const char* what) -> std::optional<std::string> {
        if (!id)
            return std::nullopt;
        if (*id < 0 || std::size_t(*id) >= n)
            throw Error(where + ": the " + what + " token id " + std::to_string(*id) + " is not in 0.."
                        + std::to_string(n - 1));
        return v.tokens[std::size_t(*id)];
    };
    tokenize::SpecialTokens special;
    special.bos = name(v.bos, "BOS");
    special.eos = name(v.eos, "EOS");
    special.pad = name(v.pad, "padding");
    special.unk = name(v.unk ? v.unk : unknown, "unknown");
    special.addBos = v.addBos;

    // transformers adds the tokens its config names as special tokens.
    for (const auto& id : {v.bos, v.eos, v.pad, v.unk ? v.unk : unknown}) {
        if (!id)
            continue;
        bool present = false;
        for (json& a : added) {
            if (a["id"] == *id) {
                a["special"] = true;
                present = true;
            }
        }
        if (!present)
            added.push_back({{"id", *id}, {"content", v.tokens[std::size_t(*id)]}, {"single_word", false},
                             {"lstrip", false}, {"rstrip", false}, {"normalized", false}, {"special", true}});
    }

    json merges = json::array();
    const auto pairs = v.merges.empty() ? mergesFromScores(v, ids, where) : v.merges;
    for (const auto& [a, b] : pairs)
        merges.push_back({a, b});

    json model = {{"type", "BPE"},
                  {"dropout", nullptr},
                  // As transformers: LlamaTokenizer gives its BPE model no unk_token (a character
                  // with neither a piece nor byte tokens is dropped); GemmaTokenizer does.
                  {"unk_token", special.unk && v.style == SentencePieceVocab::Style::Gemma ? json(*special.unk)
                                                                                          : json(nullptr)},
                  {"continuing_subword_prefix", nullptr},
                  {"end_of_word_suffix", nullptr},
                  {"fuse_unk", true},
                  {"byte_fallback", v.byteFallback},
                  {"ignore_merges", false},
                  {"vocab", std::move(vocab)},
                  {"merges", std::move(merges)}};
    json decoders = json::array({{{"type", "Replace"}, {"pattern", stringPattern(kSpace)}, {"content", " "}},
                                 {{"type", "ByteFallback"}},
                                 {{"type", "Fuse"}}});
    json j = {{"version", "1.0"}, {"added_tokens", std::move(added)}, {"model", std::move(model)}};
    switch (v.style) {
    case SentencePieceVocab::Style::Llama: // transformers' LlamaTokenizer (legacy=False)
        j["normalizer"] = nullptr;
        j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", kSpace}, {"prepend_scheme", "first"}, {"split", false}};
        break;
    case SentencePieceVocab::Style::Legacy: // Llama-2's original tokenizer.json; Phi-3 from GGUF
        j["normalizer"] = {{"type", "Sequence"},
                           {"normalizers", json::array({{{"type", "Prepend"}, {"prepend", kSpace}},
                                                        {{"type", "Replace"}, {"pattern", stringPattern(" ")}, {"content", kSpace}}})}};
        j["pre_tokenizer"] = nullptr;
        break;
    case SentencePieceVocab::Style::Gemma: // transformers' GemmaTokenizer
        j["normalizer"] = {{"type", "Replace"}, {"pattern", stringPattern(" ")}, {"content", kSpace}};
        j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", stringPattern(" ")}, {"behavior", "MergedWithPrevious"},
                              {"invert", false}};
        break;
    default:
        throw Error(where + ": unknown SentencePiece style " + std::to_string(int(v.style)));
    }
    if (v.style != SentencePieceVocab::Style::Gemma)
        decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
    j["decoder"] = {{"type", "Sequence"}, {"decoders", std::move(decoders)}};
    j["post_processor"] = nullptr;
    return Tokenizer(tokenize::buildFromTokenizerJson(j, where, special));
}

} // namespace patchbay::core
