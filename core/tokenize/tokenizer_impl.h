// SPDX-License-Identifier: MIT
#pragma once

// Tokenizer::Impl, the state every stage of the tokenizer reads: the vocabulary, the
// normalizer, pre-tokenizer, model and decoder a loader built, and the added tokens. Its
// member functions are the encoding pipeline, defined beside their stage:
//   tokenizer.cpp              encode: added tokens, normalizer, Metaspace, model dispatch
//   tokenize/pre_tokenizers.cpp  applySplit, preTokenize
//   tokenize/bpe.cpp           bpe
// The loaders (tokenize/tokenizer_json.cpp, vocab_merges.cpp) fill it; once built it is
// immutable and shared by every copy of the Tokenizer. Private to core.

#include "core/tokenize/tokenizer.h"

#include "core/common/detail/unicode.h"
#include "core/tokenize/added_tokens.h"
#include "core/tokenize/bpe.h"
#include "core/tokenize/decoders.h"
#include "core/tokenize/metaspace.h"
#include "core/tokenize/normalizers.h"
#include "core/tokenize/pre_tokenizers.h"
#include "core/tokenize/regex.h"
#include "core/tokenize/unigram.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace patchbay::core {

namespace tokenize {

// A token of one pre-token piece: id and byte range [start, start + len) of the piece text.
struct PieceToken
{
    int32_t id;
    uint32_t start;
    uint32_t len;
};

// Per-id flags (Tokenizer::Impl::idFlags).
enum IdFlag : uint8_t { kPresent = 1, kAdded = 2, kSpecial = 4 };

} // namespace tokenize

struct Tokenizer::Impl
{
    enum class Model { Bpe, WordLevel, Unigram };

    std::string source;
    Model model = Model::Bpe;
    bool byteLevel = false; // pre-tokenizer ends with ByteLevel: the model sees bytes

    // Vocabulary
    std::unordered_map<std::string, int32_t> vocab;   // the model's
    std::vector<std::string> idToString;              // raw string (added: content)
    std::vector<std::string> idToDecoded;             // what the decoder makes of one token
    std::vector<uint8_t> idFlags;

    // BPE
    std::unordered_map<uint64_t, tokenize::MergeInfo> merges;
    std::array<int32_t, 256> byteToId{};
    bool ignoreMerges = false;
    std::optional<int32_t> modelUnk;
    std::string modelUnkToken;
    bool fuseUnk = false;
    std::string continuingSubwordPrefix;
    std::string endOfWordSuffix;

    std::vector<tokenize::NormalizerStep> normalizers;
    std::vector<tokenize::PreTokenizerStep> preTokenizer;
    bool decoderByteLevel = false; // else: tokens joined with spaces (unless decoderChain)

    // SentencePiece-style vocabularies (core/tokenize/): characters missing from the
    // vocabulary become "<0xNN>" byte tokens; a Metaspace pre-tokenizer step (always the
    // first) rewrites spaces before the other steps; a decoder chain replaces the ByteLevel
    // decoder / space joining.
    bool byteFallback = false;
    std::array<int32_t, 256> fallbackIds{}; // byte -> id of "<0xNN>", or -1
    std::optional<tokenize::MetaspaceOptions> metaspace;
    std::shared_ptr<const tokenize::DecoderChain> decoderChain;
    std::shared_ptr<const tokenize::UnigramModel> unigram; // Model::Unigram

    std::vector<tokenize::AddedToken> added;
    std::unordered_map<std::string, int32_t> addedIds; // content -> id
    tokenize::AddedTokenTrie rawTrie;        // added tokens matched in the raw text
    tokenize::AddedTokenTrie normalizedTrie; // matched in the normalized text
    std::vector<std::string> normalizedContent; // per added token: content after normalizers
    std::shared_ptr<const tokenize::Regex> wordChar; // for single_word

    std::optional<int32_t> bos, eos, pad, unk;
    bool addsBos = false;

    // --- encoding -----------------------------------------------------------------------

    struct Piece
    {
        uint32_t begin;     // in the normalized text
        uint32_t end;
        bool prefixSpace;   // a virtual " " precedes [begin, end) (ByteLevel add_prefix_space)
    };

    struct Scratch
    {
        tokenize::MatchScratch match;
        std::vector<Piece> pieces, next;
        std::string pieceText;
        // BPE
        struct Symbol
        {
            int32_t id;
            uint32_t start;
            uint32_t len;
            int32_t prev;
            int32_t next;
        };
        struct Candidate
        {
            int32_t rank;
            int32_t pos;
            int32_t id;
            bool operator<(const Candidate& o) const // max-heap top = lowest rank, then leftmost
            {
                return rank != o.rank ? rank > o.rank : pos > o.pos;
            }
        };
        std::vector<Symbol> symbols;
        std::vector<Candidate> heap;
        // Per-call cache of BPE results, used for long texts: piece text -> (id, length)*.
        bool useCache = false;
        std::unordered_map<std::string, std::pair<uint32_t, uint32_t>> cache;
        std::vector<tokenize::PieceToken> cached;
        std::vector<tokenize::PieceToken> out; // the tokens of one piece
        std::vector<tokenize::UnigramModel::Token> unigramTokens;
    };

    std::string_view pieceText(const Piece& p, std::string_view norm, Scratch& s) const
    {
        if (!p.prefixSpace)
            return norm.substr(p.begin, p.end - p.begin);
        s.pieceText.assign(1, ' ');
        s.pieceText.append(norm.substr(p.begin, p.end - p.begin));
        return s.pieceText;
    }

    // The pre-tokenizer (tokenize/pre_tokenizers.cpp).
    // Splits each piece with `re` and distributes the parts by `behavior`, as
    // NormalizedString::split does.
    void applySplit(const tokenize::SplitStep& step, std::string_view norm, Scratch& s) const;
    // [begin, end) of `norm` through every pre-tokenizer step, into s.pieces.
    void preTokenize(std::string_view norm, uint32_t begin, uint32_t end, Scratch& s) const;

    // The model.
    // The string the model looks a whole piece up by (byte-level: mapped characters).
    std::string lookupString(std::string_view text) const;
    // The BPE tokens of one piece into s.out (tokenize/bpe.cpp).
    void bpe(std::string_view text, Scratch& s) const;
    // Tokens of one pre-token piece into s.out.
    void modelTokens(std::string_view text, Scratch& s) const;

    // The pipeline (tokenizer.cpp).
    // Whether the character `u` (just before `at` when `before`, else at `at`) is a word
    // character, for the single_word option of added tokens.
    bool isWordChar(std::string_view text, const detail::Utf8Unit& u, std::size_t at, Scratch& s, bool before) const;
    std::vector<TokenSpan> encode(std::string_view text) const;
    // [rawBegin, rawEnd) of `text`, between raw added tokens, normalized and tokenized into `result`.
    void encodeRawSegment(std::string_view text, std::size_t rawBegin, std::size_t rawEnd, Scratch& s,
                          std::vector<TokenSpan>& result) const;
    // One normalized segment through Metaspace, the rest of the pre-tokenizer and the
    // model; calls emit(id, b, e) with [b, e) in `segment` (empty for a token made only
    // of the prepended replacement character).
    template<typename Emit>
    void encodeMetaspaceSegment(std::string_view segment, bool atInputStart, Scratch& s, Emit&& emit) const;
};

namespace tokenize {

// The id of an added token's content or of a vocabulary string, if any.
std::optional<int32_t> lookupId(const Tokenizer::Impl& impl, const std::string& content);

} // namespace tokenize

} // namespace patchbay::core
