// SPDX-License-Identifier: MIT
#include "core/tokenizer.h"

#include "core/detail/unicode.h"
#include "core/error.h"
#include "core/json.h"
#include "core/tokenize/build.h"
#include "core/tokenize/decoders.h"
#include "core/tokenize/metaspace.h"
#include "core/tokenize/normalizers.h"
#include "core/tokenize/unigram.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <new>
#include <unordered_map>
#include <utility>
#include <variant>

namespace patchbay::core {

namespace {

using nlohmann::json;

// Ids above this are refused: a vocabulary is at most a few hundred thousand tokens, and a
// corrupt id must not make us allocate gigabytes.
constexpr int64_t kMaxTokenId = (int64_t{1} << 24) - 1;

// GPT-2's pre-tokenizer pattern, as Hugging Face's ByteLevel pre-tokenizer uses it.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
// Rust regex's Unicode \w (what Hugging Face's Whitespace pre-tokenizer and the
// single_word check of added tokens use).
constexpr const char* kWordClass = R"(\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control})";

std::string inQuotes(std::string_view s)
{
    return "\"" + std::string(s) + "\"";
}

// ---------------------------------------------------------------------------------------
// PCRE2

std::string pcre2Message(int code)
{
    PCRE2_UCHAR buffer[256];
    if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0)
        return "PCRE2 error " + std::to_string(code);
    return reinterpret_cast<const char*>(buffer);
}

// Hugging Face runs pre-tokenizer patterns on Oniguruma (Ruby syntax), whose classes
// differ from PCRE2's in a few places: \s is Unicode White_Space (PCRE2 adds U+180E),
// \w is Letter|Mark|Number|Connector_Punctuation (PCRE2: L, N and "_"), and \h is a
// hexadecimal digit (PCRE2: horizontal space). Rewrite those; \W and \H inside a
// bracketed class are left to PCRE2.
std::string onigurumaToPcre2(const std::string& pattern)
{
    std::string out;
    out.reserve(pattern.size() + 32);
    int depth = 0; // nesting of [...] classes
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char d = pattern[++i];
            const bool inClass = depth > 0;
            switch (d) {
            case 's': out += R"(\p{White_Space})"; break;
            case 'S': out += R"(\P{White_Space})"; break;
            case 'w': out += inClass ? R"(\p{L}\p{M}\p{N}\p{Pc})" : R"([\p{L}\p{M}\p{N}\p{Pc}])"; break;
            case 'W': out += inClass ? R"(\W)" : R"([^\p{L}\p{M}\p{N}\p{Pc}])"; break;
            case 'h': out += inClass ? "0-9a-fA-F" : "[0-9a-fA-F]"; break;
            case 'H': out += inClass ? R"(\H)" : "[^0-9a-fA-F]"; break;
            case 'Q': { // literal up to \E
                const std::size_t e = pattern.find("\\E", i + 1);
                const std::size_t stop = e == std::string::npos ? pattern.size() : e + 2;
                out += '\\';
                out.append(pattern, i, stop - i);
                i = stop - 1;
                break;
            }
            default:
                out += c;
                out += d;
            }
            continue;
        }
        if (c == '[') {
            out += c;
            ++depth;
            // "[]...]" and "[^]...]": a ']' right after the opening is a literal
            if (i + 1 < pattern.size() && pattern[i + 1] == '^')
                out += pattern[++i];
            if (i + 1 < pattern.size() && pattern[i + 1] == ']' && depth == 1)
                out += pattern[++i];
            continue;
        }
        if (c == ']' && depth > 0)
            --depth;
        out += c;
    }
    return out;
}

// A compiled pattern (UTF + Unicode properties, JIT when available). Immutable after
// construction, so one instance is shared by all threads; match data lives in MatchScratch.
class Regex
{
public:
    // `shown` is the pattern as the file wrote it, for messages (default: `pattern`).
    Regex(const std::string& pattern, bool literal, const std::string& where, const std::string& shown = {})
    {
        int error = 0;
        PCRE2_SIZE offset = 0;
        uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
        options |= literal ? PCRE2_LITERAL : PCRE2_UCP; // PCRE2_LITERAL refuses PCRE2_UCP
        pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                                         &error, &offset, nullptr);
        if (!code)
            throw Error(where + ": cannot compile pattern " + inQuotes(shown.empty() ? pattern : shown) + " at offset " + std::to_string(offset)
                        + ": " + pcre2Message(error));
        m_code.reset(code, pcre2_code_free);
        // JIT is an optimisation only: when it is unavailable pcre2_match interprets.
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    }

    const pcre2_code* code() const { return m_code.get(); }

private:
    std::shared_ptr<pcre2_code> m_code;
};

// Per-call matching state (PCRE2 match data and JIT stack are not shareable).
class MatchScratch
{
public:
    MatchScratch() : m_data(pcre2_match_data_create(1, nullptr)), m_context(pcre2_match_context_create(nullptr))
    {
        if (!m_data || !m_context)
            throw std::bad_alloc();
    }
    ~MatchScratch()
    {
        if (m_stack)
            pcre2_jit_stack_free(m_stack);
        pcre2_match_context_free(m_context);
        pcre2_match_data_free(m_data);
    }
    MatchScratch(const MatchScratch&) = delete;
    MatchScratch& operator=(const MatchScratch&) = delete;

    // Calls f(begin, end) for every non-empty match of `re` in `text`, left to right.
    template<typename F>
    void forEachMatch(const Regex& re, std::string_view text, const std::string& where, F&& f)
    {
        const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
        PCRE2_SIZE start = 0;
        uint32_t flags = 0;
        while (start <= text.size()) {
            const int rc = match(re, subject, text.size(), start, flags);
            if (rc == PCRE2_ERROR_NOMATCH)
                return;
            if (rc < 0)
                throw Error(where + ": pre-tokenizer pattern failed: " + pcre2Message(rc));
            const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m_data);
            if (ov[1] > ov[0]) {
                f(std::size_t(ov[0]), std::size_t(ov[1]));
                start = ov[1];
                flags = 0;
            } else {
                // An empty match: look again from the same place for a non-empty one.
                start = ov[0];
                if (flags != 0) {
                    if (start >= text.size())
                        return;
                    start += detail::decodeUtf8(text, start).length;
                    flags = 0;
                } else {
                    flags = PCRE2_NOTEMPTY_ATSTART;
                }
            }
        }
    }

    // Whether `re` matches at exactly `pos` (anchored).
    bool matchesAt(const Regex& re, std::string_view text, std::size_t pos)
    {
        return match(re, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), pos, PCRE2_ANCHORED) >= 0;
    }

private:
    int match(const Regex& re, PCRE2_SPTR subject, std::size_t length, std::size_t start, uint32_t flags)
    {
        int rc = pcre2_match(re.code(), subject, length, start, flags, m_data, m_context);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !m_stack) {
            // JIT code starts on a 32 KiB machine stack, enough for ordinary text; very
            // long runs (e.g. a megabyte of spaces) get a growable stack of their own.
            m_stack = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, nullptr);
            if (!m_stack)
                throw std::bad_alloc();
            pcre2_jit_stack_assign(m_context, nullptr, m_stack);
            rc = pcre2_match(re.code(), subject, length, start, flags, m_data, m_context);
        }
        return rc;
    }

    pcre2_match_data* m_data;
    pcre2_match_context* m_context;
    pcre2_jit_stack* m_stack = nullptr;
};

// ---------------------------------------------------------------------------------------
// GPT-2's reversible byte <-> printable character mapping (bytes_to_unicode).

struct ByteMap
{
    std::array<char32_t, 256> byteToChar{};
    std::array<std::string, 256> byteToUtf8;
    std::unordered_map<char32_t, uint8_t> charToByte;

    ByteMap()
    {
        std::array<bool, 256> printable{};
        for (int b = '!'; b <= '~'; ++b)
            printable[std::size_t(b)] = true;
        for (int b = 0xA1; b <= 0xAC; ++b)
            printable[std::size_t(b)] = true;
        for (int b = 0xAE; b <= 0xFF; ++b)
            printable[std::size_t(b)] = true;
        char32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const char32_t c = printable[std::size_t(b)] ? char32_t(b) : next++;
            byteToChar[std::size_t(b)] = c;
            detail::appendUtf8(byteToUtf8[std::size_t(b)], c);
            charToByte[c] = uint8_t(b);
        }
    }
};

const ByteMap& byteMap()
{
    static const ByteMap map;
    return map;
}

// The bytes a byte-level vocabulary string stands for; nullopt if a character is not in
// the byte alphabet (Hugging Face's ByteLevel decoder then keeps the token's own text).
std::optional<std::string> byteLevelDecode(std::string_view token)
{
    const ByteMap& map = byteMap();
    std::string out;
    out.reserve(token.size());
    for (std::size_t pos = 0; pos < token.size();) {
        const detail::Utf8Unit u = detail::decodeUtf8(token, pos);
        const auto it = u.valid ? map.charToByte.find(u.cp) : map.charToByte.end();
        if (it == map.charToByte.end())
            return std::nullopt;
        out.push_back(char(it->second));
        pos += u.length;
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Pipeline pieces

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct SplitStep
{
    std::shared_ptr<const Regex> regex;
    Behavior behavior = Behavior::Isolated;
    bool invert = false;
};

struct ByteLevelStep
{
    bool addPrefixSpace = false;
    std::shared_ptr<const Regex> regex; // null when use_regex is false
};

using PreTokenizerStep = std::variant<SplitStep, ByteLevelStep>;

using tokenize::NormalizerStep;

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

// A token of one pre-token piece: id and byte range [start, start + len) of the piece text.
struct PieceToken
{
    int32_t id;
    uint32_t start;
    uint32_t len;
};

struct MergeInfo
{
    int32_t rank;
    int32_t id;
};

uint64_t pairKey(int32_t a, int32_t b)
{
    return (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
}

enum IdFlag : uint8_t { kPresent = 1, kAdded = 2, kSpecial = 4 };

// A special token named in tokenizer_config.json / special_tokens_map.json.
struct ConfiguredToken
{
    bool set = false;            // the key was present
    std::optional<std::string> content; // null in the file -> explicitly none
};

struct SpecialConfig
{
    ConfiguredToken bos, eos, pad, unk;
    std::optional<bool> addBos;
    std::vector<AddedToken> addedTokensDecoder; // tokenizer_config.json "added_tokens_decoder"
};

} // namespace

// ---------------------------------------------------------------------------------------

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
    std::unordered_map<uint64_t, MergeInfo> merges;
    std::array<int32_t, 256> byteToId{};
    bool ignoreMerges = false;
    std::optional<int32_t> modelUnk;
    std::string modelUnkToken;
    bool fuseUnk = false;
    std::string continuingSubwordPrefix;
    std::string endOfWordSuffix;

    std::vector<NormalizerStep> normalizers;
    std::vector<PreTokenizerStep> preTokenizer;
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

    std::vector<AddedToken> added;
    std::unordered_map<std::string, int32_t> addedIds; // content -> id
    AddedTokenTrie rawTrie;        // added tokens matched in the raw text
    AddedTokenTrie normalizedTrie; // matched in the normalized text
    std::vector<std::string> normalizedContent; // per added token: content after normalizers
    std::shared_ptr<const Regex> wordChar;     // for single_word

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
        MatchScratch match;
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
        std::vector<PieceToken> cached;
        std::vector<PieceToken> out; // the tokens of one piece
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

    // Splits each piece with `re` and distributes the parts by `behavior`, as
    // NormalizedString::split does.
    void applySplit(const SplitStep& step, std::string_view norm, Scratch& s) const
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

    void preTokenize(std::string_view norm, uint32_t begin, uint32_t end, Scratch& s) const
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

    // The string the model looks a whole piece up by (byte-level: mapped characters).
    std::string lookupString(std::string_view text) const
    {
        if (!byteLevel)
            return std::string(text);
        std::string out;
        out.reserve(text.size() * 2);
        for (const char ch : text)
            out += byteMap().byteToUtf8[uint8_t(ch)];
        return out;
    }

    void bpe(std::string_view text, Scratch& s) const
    {
        auto& syms = s.symbols;
        syms.clear();
        std::optional<std::pair<uint32_t, uint32_t>> pendingUnk; // start, len (fuse_unk)
        auto flushUnk = [&] {
            if (pendingUnk) {
                syms.push_back({*modelUnk, pendingUnk->first, pendingUnk->second, -1, -1});
                pendingUnk.reset();
            }
        };
        auto unknown = [&](uint32_t start, uint32_t len) {
            if (!modelUnk) {
                if (!modelUnkToken.empty())
                    throw Error(source + ": the unk_token " + inQuotes(modelUnkToken) + " is not in the vocabulary");
                return; // no unk_token: Hugging Face drops the character silently
            }
            if (pendingUnk && fuseUnk) {
                pendingUnk->second = start + len - pendingUnk->first;
                return;
            }
            flushUnk();
            pendingUnk = std::make_pair(start, len);
        };
        if (byteLevel) {
            for (std::size_t i = 0; i < text.size(); ++i) {
                const int32_t id = byteToId[uint8_t(text[i])];
                if (id < 0) {
                    unknown(uint32_t(i), 1);
                    continue;
                }
                flushUnk();
                syms.push_back({id, uint32_t(i), 1, -1, -1});
            }
        } else {
            std::string key;
            for (std::size_t i = 0; i < text.size();) {
                const auto len = detail::decodeUtf8(text, i).length;
                key.clear();
                if (i > 0)
                    key += continuingSubwordPrefix;
                key.append(text, i, len);
                if (i + len == text.size())
                    key += endOfWordSuffix;
                const auto it = vocab.find(key);
                if (it == vocab.end()) {
                    // Byte fallback, as Hugging Face does it: all the character's bytes or
                    // none, and a pending unk is not flushed first.
                    const bool allBytes = byteFallback && std::all_of(text.begin() + long(i), text.begin() + long(i + len),
                                                                      [&](char c) { return fallbackIds[uint8_t(c)] >= 0; });
                    if (!allBytes)
                        unknown(uint32_t(i), len);
                    else
                        for (std::size_t k = i; k < i + len; ++k)
                            syms.push_back({fallbackIds[uint8_t(text[k])], uint32_t(k), 1, -1, -1});
                } else {
                    flushUnk();
                    syms.push_back({it->second, uint32_t(i), len, -1, -1});
                }
                i += len;
            }
        }
        flushUnk();
        const auto n = int32_t(syms.size());
        for (int32_t i = 0; i < n; ++i) {
            syms[std::size_t(i)].prev = i - 1;
            syms[std::size_t(i)].next = i + 1 < n ? i + 1 : -1;
        }

        auto& heap = s.heap;
        heap.clear();
        for (int32_t i = 0; i + 1 < n; ++i) {
            const auto it = merges.find(pairKey(syms[std::size_t(i)].id, syms[std::size_t(i) + 1].id));
            if (it != merges.end())
                heap.push_back({it->second.rank, i, it->second.id});
        }
        std::make_heap(heap.begin(), heap.end());
        while (!heap.empty()) {
            std::pop_heap(heap.begin(), heap.end());
            const Scratch::Candidate top = heap.back();
            heap.pop_back();
            auto& left = syms[std::size_t(top.pos)];
            if (left.len == 0 || left.next < 0)
                continue; // merged away, or nothing to the right any more
            auto& right = syms[std::size_t(left.next)];
            const auto current = merges.find(pairKey(left.id, right.id));
            if (current == merges.end() || current->second.id != top.id)
                continue; // stale: one side changed since this candidate was queued
            left.id = top.id;
            left.len = right.start + right.len - left.start; // spans a dropped character too
            right.len = 0;
            left.next = right.next;
            if (left.next >= 0)
                syms[std::size_t(left.next)].prev = top.pos;
            if (left.prev >= 0) {
                const auto it = merges.find(pairKey(syms[std::size_t(left.prev)].id, left.id));
                if (it != merges.end()) {
                    heap.push_back({it->second.rank, left.prev, it->second.id});
                    std::push_heap(heap.begin(), heap.end());
                }
            }
            if (left.next >= 0) {
                const auto it = merges.find(pairKey(left.id, syms[std::size_t(left.next)].id));
                if (it != merges.end()) {
                    heap.push_back({it->second.rank, top.pos, it->second.id});
                    std::push_heap(heap.begin(), heap.end());
                }
            }
        }
        for (int32_t i = n > 0 ? 0 : -1; i >= 0; i = syms[std::size_t(i)].next)
            s.out.push_back({syms[std::size_t(i)].id, syms[std::size_t(i)].start, syms[std::size_t(i)].len});
    }

    // Tokens of one pre-token piece into s.out.
    void modelTokens(std::string_view text, Scratch& s) const
    {
        s.out.clear();
        if (text.empty())
            return;
        if (model == Model::Unigram) {
            s.unigramTokens.clear();
            unigram->tokenize(text, fallbackIds, s.unigramTokens, source);
            for (const tokenize::UnigramModel::Token& t : s.unigramTokens)
                s.out.push_back({t.id, t.start, t.len});
            return;
        }
        if (model == Model::WordLevel) {
            const auto it = vocab.find(lookupString(text));
            if (it != vocab.end()) {
                s.out.push_back({it->second, 0, uint32_t(text.size())});
                return;
            }
            if (!modelUnk)
                throw Error(source + ": " + inQuotes(text) + " is not in the vocabulary and the unk_token "
                            + inQuotes(modelUnkToken) + " is not either");
            s.out.push_back({*modelUnk, 0, uint32_t(text.size())});
            return;
        }
        if (ignoreMerges) {
            const auto it = vocab.find(lookupString(text));
            if (it != vocab.end()) {
                s.out.push_back({it->second, 0, uint32_t(text.size())});
                return;
            }
        }
        if (s.useCache && text.size() <= 64) {
            const auto it = s.cache.find(std::string(text));
            if (it != s.cache.end()) {
                s.out.assign(s.cached.begin() + it->second.first,
                             s.cached.begin() + it->second.first + it->second.second);
                return;
            }
            bpe(text, s);
            if (s.cache.size() < 200000) {
                s.cache.emplace(std::string(text), std::make_pair(uint32_t(s.cached.size()), uint32_t(s.out.size())));
                s.cached.insert(s.cached.end(), s.out.begin(), s.out.end());
            }
            return;
        }
        bpe(text, s);
    }

    // Splits [from, to) of `text` at the matches of `trie` (Hugging Face's
    // AddedVocabulary::find_matches). Calls segment(b, e) for text between tokens and
    // token(index, b, e) for added tokens.
    template<typename Segment, typename Token>
    void splitAdded(const AddedTokenTrie& trie, std::string_view text, Scratch& s, Segment&& segment,
                    Token&& token) const
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
                const bool wordBefore = start > 0 && isWordChar(text, detail::decodeUtf8Before(text, start), start, s, true);
                const bool wordAfter = stop < text.size() && isWordChar(text, detail::decodeUtf8(text, stop), stop, s, false);
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

    bool isWordChar(std::string_view text, const detail::Utf8Unit& u, std::size_t at, Scratch& s, bool before) const
    {
        if (!u.valid)
            return false;
        if (u.cp < 0x80)
            return (u.cp >= 'a' && u.cp <= 'z') || (u.cp >= 'A' && u.cp <= 'Z') || (u.cp >= '0' && u.cp <= '9')
                   || u.cp == '_';
        return s.match.matchesAt(*wordChar, text, before ? at - u.length : at);
    }

    std::vector<TokenSpan> encode(std::string_view text) const
    {
        if (!byteLevel) {
            const std::size_t bad = detail::findInvalidUtf8(text);
            if (bad != std::string_view::npos)
                throw Error("text is not valid UTF-8 (byte " + std::to_string(bad) + "), and the tokenizer "
                            + source + " is not byte-level");
        }
        if (text.size() > std::numeric_limits<uint32_t>::max() / 2)
            throw Error("text too long to tokenize (" + std::to_string(text.size()) + " bytes)");
        Scratch s;
        s.useCache = text.size() >= 4096;
        std::vector<TokenSpan> result;
        result.reserve(text.size() / 3 + 4);
        splitAdded(
            rawTrie, text, s, [&](std::size_t b, std::size_t e) { encodeRawSegment(text, b, e, s, result); },
            [&](int32_t id, std::size_t b, std::size_t e) { result.push_back({id, b, e}); });
        return result;
    }

    void encodeRawSegment(std::string_view text, std::size_t rawBegin, std::size_t rawEnd, Scratch& s,
                          std::vector<TokenSpan>& result) const
    {
        detail::AlignedText normalized;
        std::string_view norm = text.substr(rawBegin, rawEnd - rawBegin);
        if (!normalizers.empty()) {
            normalized.text.assign(norm);
            normalized = tokenize::normalize(normalizers, std::move(normalized));
            norm = normalized.text;
        }
        auto origBegin = [&](std::size_t i) -> std::size_t {
            if (i >= norm.size())
                return rawEnd;
            return rawBegin + normalized.originalBegin(i);
        };
        auto origEnd = [&](std::size_t i) -> std::size_t { // i: last byte, inclusive
            return rawBegin + normalized.originalEnd(i);
        };
        auto span = [&](int32_t id, std::size_t b, std::size_t e) {
            if (e > b)
                result.push_back({id, origBegin(b), origEnd(e - 1)});
            else
                result.push_back({id, origBegin(b), origBegin(b)});
        };

        splitAdded(
            normalizedTrie, norm, s,
            [&](std::size_t b, std::size_t e) {
                if (metaspace) {
                    encodeMetaspaceSegment(norm.substr(b, e - b), origBegin(b) == 0, s, [&](int32_t id, std::size_t tb, std::size_t te) {
                        span(id, b + tb, b + te);
                    });
                    return;
                }
                preTokenize(norm, uint32_t(b), uint32_t(e), s);
                for (const Piece& piece : s.pieces) {
                    const std::string_view ptext = pieceText(piece, norm, s);
                    modelTokens(ptext, s);
                    for (const PieceToken& t : s.out) {
                        const std::size_t tb = t.start, te = std::size_t(t.start) + t.len; // in piece text
                        const std::size_t shift = piece.prefixSpace ? 1 : 0;
                        const std::size_t nb = piece.begin + (tb > shift ? tb - shift : 0);
                        const std::size_t ne = piece.begin + (te > shift ? te - shift : 0);
                        span(t.id, nb, ne);
                    }
                }
            },
            [&](int32_t id, std::size_t b, std::size_t e) { span(id, b, e); });
    }

    // One normalized segment through Metaspace, the rest of the pre-tokenizer and the
    // model; calls emit(id, b, e) with [b, e) in `segment` (empty for a token made only
    // of the prepended replacement character).
    template<typename Emit>
    void encodeMetaspaceSegment(std::string_view segment, bool atInputStart, Scratch& s, Emit&& emit) const
    {
        detail::AlignedText in;
        in.text.assign(segment);
        const detail::AlignedText ms = tokenize::metaspaceTransform(in, *metaspace, atInputStart);
        const std::string_view text = ms.text;
        preTokenize(text, 0, uint32_t(text.size()), s);
        for (const Piece& piece : s.pieces) {
            modelTokens(text.substr(piece.begin, piece.end - piece.begin), s);
            for (const PieceToken& t : s.out) {
                const std::size_t tb = piece.begin + t.start, te = tb + t.len;
                if (te > tb)
                    emit(t.id, ms.originalBegin(tb), std::max(ms.originalBegin(tb), ms.originalEnd(te - 1)));
                else
                    emit(t.id, ms.originalBegin(tb), ms.originalBegin(tb));
            }
        }
    }
};

namespace {

using Impl = Tokenizer::Impl;

// ---------------------------------------------------------------------------------------
// Loading helpers

std::string jsonType(const json& j)
{
    return j.type_name();
}

bool optBool(const json& object, const char* key, bool fallback, const std::string& where)
{
    const json* v = jsonMember(object, key);
    if (!v)
        return fallback;
    if (!v->is_boolean())
        throw Error(where + "." + key + " must be true or false, got " + jsonForMessage(*v));
    return v->get<bool>();
}

std::optional<std::string> optString(const json& object, const char* key, const std::string& where)
{
    const json* v = jsonMember(object, key);
    if (!v)
        return std::nullopt;
    if (!v->is_string())
        throw Error(where + "." + key + " must be a string, got " + jsonType(*v));
    return v->get<std::string>();
}

std::string typeOf(const json& object, const std::string& where)
{
    if (!object.is_object())
        throw Error(where + " must be an object, got " + jsonType(object));
    const auto t = optString(object, "type", where);
    if (!t)
        throw Error(where + " has no \"type\"");
    return *t;
}

// Token ids index dense tables (one entry per id up to the largest), so an id must be
// below `tokens`, the number of tokens the file defines: ids run 0..n-1 in every real
// tokenizer, and one id of 16,777,215 used to cost 1.3 GB. finish() refuses holes.
int32_t parseId(const json& v, const std::string& where, std::size_t tokens)
{
    if (!v.is_number_integer())
        throw Error(where + ": id must be an integer, got " + jsonForMessage(v));
    const auto id = v.get<int64_t>();
    if (id < 0 || id > kMaxTokenId)
        throw Error(where + ": id " + std::to_string(id) + " is out of range (0.." + std::to_string(kMaxTokenId) + ")");
    if (uint64_t(id) >= tokens)
        throw Error(where + ": id " + std::to_string(id) + " is not below the number of tokens (" + std::to_string(tokens)
                    + "); token ids must run 0..n-1 without gaps");
    return int32_t(id);
}

void setId(Impl& impl, int32_t id, const std::string& text, uint8_t flags)
{
    if (std::size_t(id) >= impl.idToString.size()) {
        impl.idToString.resize(std::size_t(id) + 1);
        impl.idFlags.resize(std::size_t(id) + 1, 0);
    }
    impl.idToString[std::size_t(id)] = text;
    impl.idFlags[std::size_t(id)] |= flags;
}

// `tokens`: how many tokens the files define (this vocabulary and the added tokens).
void readVocab(Impl& impl, const json& vocab, const std::string& where, std::size_t tokens)
{
    if (!vocab.is_object())
        throw Error(where + " must be an object of token -> id, got " + jsonType(vocab));
    impl.vocab.reserve(vocab.size());
    std::vector<const std::string*> owner;
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        const int32_t id = parseId(it.value(), where + " " + inQuotes(it.key()), tokens);
        if (std::size_t(id) < owner.size() && owner[std::size_t(id)])
            throw Error(where + ": id " + std::to_string(id) + " is used by both " + inQuotes(*owner[std::size_t(id)])
                        + " and " + inQuotes(it.key()));
        if (std::size_t(id) >= owner.size())
            owner.resize(std::size_t(id) + 1, nullptr);
        owner[std::size_t(id)] = &it.key();
        impl.vocab.emplace(it.key(), id);
        setId(impl, id, it.key(), kPresent);
    }
}

void addMerge(Impl& impl, const std::string& a, const std::string& b, int32_t rank, const std::string& where)
{
    const auto ia = impl.vocab.find(a);
    if (ia == impl.vocab.end())
        throw Error(where + ": token " + inQuotes(a) + " is not in the vocabulary");
    const auto ib = impl.vocab.find(b);
    if (ib == impl.vocab.end())
        throw Error(where + ": token " + inQuotes(b) + " is not in the vocabulary");
    std::string merged = a;
    const std::string& prefix = impl.continuingSubwordPrefix;
    if (!prefix.empty() && b.compare(0, prefix.size(), prefix) == 0)
        merged.append(b, prefix.size(), std::string::npos);
    else
        merged += b;
    const auto im = impl.vocab.find(merged);
    if (im == impl.vocab.end())
        throw Error(where + ": merged token " + inQuotes(merged) + " is not in the vocabulary");
    // A repeated pair takes its later rank, as in Hugging Face's and OpenAI's encoders.
    impl.merges[pairKey(ia->second, ib->second)] = MergeInfo{rank, im->second};
}

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

std::shared_ptr<const Regex> makeRegex(const std::string& pattern, bool literal, const std::string& where)
{
    return std::make_shared<const Regex>(pattern, literal, where);
}

// A pattern from a tokenizer file (Oniguruma syntax, as Hugging Face runs it).
std::shared_ptr<const Regex> makeOnigurumaRegex(const std::string& pattern, const std::string& where)
{
    return std::make_shared<const Regex>(onigurumaToPcre2(pattern), false, where, pattern);
}

void readPreTokenizer(const json& j, const std::string& where, std::vector<PreTokenizerStep>& out,
                      std::optional<tokenize::MetaspaceOptions>& metaspace)
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
        metaspace = tokenize::readMetaspace(j, where);
        if (metaspace->split)
            out.emplace_back(SplitStep{makeRegex(metaspace->replacement, true, where), Behavior::MergedWithNext, false});
    } else {
        throw Error(where + ": pre-tokenizer type " + inQuotes(type)
                    + " is not supported (supported: ByteLevel, Metaspace, Split, Digits, Whitespace, WhitespaceSplit, "
                      "Sequence)");
    }
}

// The BOS of a post-processor template: the special token before $A in "single".
std::optional<std::string> templateBos(const json& j)
{
    if (!j.is_object())
        return std::nullopt;
    const std::string type = j.value("type", "");
    if (type == "Sequence") {
        if (const json* list = jsonMember(j, "processors"); list && list->is_array())
            for (const json& p : *list)
                if (auto bos = templateBos(p))
                    return bos;
        return std::nullopt;
    }
    if (type == "RobertaProcessing" || type == "BertProcessing") {
        // "cls": ["<s>", 0] is prepended to every sequence
        if (const json* cls = jsonMember(j, "cls"); cls && cls->is_array() && !cls->empty() && (*cls)[0].is_string())
            return (*cls)[0].get<std::string>();
        return std::nullopt;
    }
    if (type != "TemplateProcessing")
        return std::nullopt;
    const json* single = jsonMember(j, "single");
    if (!single || !single->is_array() || single->empty())
        return std::nullopt;
    const json& first = (*single)[0];
    const json* special = jsonMember(first, "SpecialToken");
    if (!special)
        return std::nullopt;
    const std::string name = special->value("id", "");
    // The template refers to an entry of "special_tokens", whose ids are authoritative.
    if (const json* tokens = jsonMember(j, "special_tokens")) {
        if (const json* entry = jsonMember(*tokens, name.c_str())) {
            if (const json* toks = jsonMember(*entry, "tokens"); toks && toks->is_array() && toks->size() == 1
                                                             && (*toks)[0].is_string())
                return (*toks)[0].get<std::string>();
        }
    }
    return name;
}

ConfiguredToken readConfiguredToken(const json& config, const char* key, const std::string& where)
{
    ConfiguredToken t;
    if (!config.is_object() || !config.contains(key))
        return t;
    t.set = true;
    const json& v = config[key];
    if (v.is_null())
        return t;
    if (v.is_string())
        t.content = v.get<std::string>();
    else if (v.is_object() && v.contains("content") && v["content"].is_string())
        t.content = v["content"].get<std::string>();
    else
        throw Error(where + ": " + key + " must be a string, an object with \"content\", or null");
    return t;
}

AddedToken readAddedToken(const json& j, const std::string& where, bool defaultSpecial)
{
    if (!j.is_object())
        throw Error(where + " must be an object");
    AddedToken t;
    const auto content = optString(j, "content", where);
    if (!content || content->empty())
        throw Error(where + ".content must be a non-empty string");
    t.content = *content;
    t.special = optBool(j, "special", defaultSpecial, where);
    t.singleWord = optBool(j, "single_word", false, where);
    t.lstrip = optBool(j, "lstrip", false, where);
    t.rstrip = optBool(j, "rstrip", false, where);
    t.normalized = optBool(j, "normalized", !t.special, where);
    return t;
}

// tokenizer_config.json overrides special_tokens_map.json; both are optional.
SpecialConfig readSpecialConfig(const std::filesystem::path& dir)
{
    SpecialConfig config;
    for (const char* name : {"special_tokens_map.json", "tokenizer_config.json"}) {
        const std::filesystem::path file = dir / name;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec))
            continue;
        const json j = readJsonFile(file);
        const std::string where = file.string();
        if (!j.is_object())
            throw Error(where + ": expected a JSON object");
        for (auto [key, slot] : {std::pair<const char*, ConfiguredToken*>{"bos_token", &config.bos},
                                 {"eos_token", &config.eos}, {"pad_token", &config.pad}, {"unk_token", &config.unk}}) {
            ConfiguredToken t = readConfiguredToken(j, key, where);
            if (t.set)
                *slot = t;
        }
        if (const json* v = jsonMember(j, "add_bos_token"); v && v->is_boolean())
            config.addBos = v->get<bool>();
        if (const json* dec = jsonMember(j, "added_tokens_decoder"); dec && dec->is_object()) {
            for (auto it = dec->begin(); it != dec->end(); ++it) {
                const std::string w = where + ": added_tokens_decoder[" + inQuotes(it.key()) + "]";
                AddedToken t = readAddedToken(it.value(), w, false);
                try {
                    const long long id = std::stoll(it.key());
                    if (id < 0 || id > kMaxTokenId)
                        throw Error(w + ": id out of range");
                    t.id = int32_t(id);
                } catch (const std::logic_error&) {
                    throw Error(w + ": key must be a token id");
                }
                config.addedTokensDecoder.push_back(t);
            }
        }
    }
    return config;
}

std::optional<int32_t> lookupId(const Impl& impl, const std::string& content)
{
    if (const auto added = impl.addedIds.find(content); added != impl.addedIds.end())
        return added->second;
    const auto it = impl.vocab.find(content);
    if (it != impl.vocab.end())
        return it->second;
    return std::nullopt;
}

// Registers added tokens (ids already set) and builds the matchers and per-id tables.
void finish(Impl& impl, const SpecialConfig& config, const std::optional<std::string>& templBos, bool gpt2Files)
{
    for (const AddedToken& t : impl.added) {
        setId(impl, t.id, t.content, uint8_t(kPresent | kAdded | (t.special ? kSpecial : 0)));
        impl.addedIds[t.content] = t.id;
    }
    for (std::size_t id = 0; id < impl.idFlags.size(); ++id)
        if (!(impl.idFlags[id] & kPresent))
            throw Error(impl.source + ": no token has id " + std::to_string(id) + " (the largest is "
                        + std::to_string(impl.idFlags.size() - 1) + "); token ids must run 0..n-1 without gaps");

    // Normalized added tokens are matched after normalization, so match their normalized form.
    impl.normalizedContent.resize(impl.added.size());
    for (std::size_t i = 0; i < impl.added.size(); ++i) {
        const AddedToken& t = impl.added[i];
        std::string content = t.content;
        if (t.normalized && !impl.normalizers.empty()) {
            detail::AlignedText a;
            a.text = content;
            content = tokenize::normalize(impl.normalizers, std::move(a)).text;
        }
        impl.normalizedContent[i] = content;
        if (t.normalized)
            impl.normalizedTrie.add(content, int32_t(i));
        else
            impl.rawTrie.add(content, int32_t(i));
        if (t.singleWord && !impl.wordChar)
            impl.wordChar = makeRegex(std::string("[") + kWordClass + "]", false, impl.source);
    }

    // Bytes -> initial symbols for byte-level BPE.
    impl.byteToId.fill(-1);
    for (int b = 0; b < 256; ++b) {
        const auto it = impl.vocab.find(byteMap().byteToUtf8[std::size_t(b)]);
        if (it != impl.vocab.end())
            impl.byteToId[std::size_t(b)] = it->second;
    }

    impl.fallbackIds.fill(-1);
    if (impl.byteFallback)
        for (int b = 0; b < 256; ++b)
            if (const auto it = impl.vocab.find(tokenize::byteFallbackToken(uint8_t(b))); it != impl.vocab.end())
                impl.fallbackIds[std::size_t(b)] = it->second;

    // What each id decodes to on its own. An added token decodes to its content as the
    // normalizers left it (like Hugging Face), but never through the ByteLevel decoder,
    // which would turn a non-ASCII content into mojibake.
    impl.idToDecoded.resize(impl.idToString.size());
    for (std::size_t id = 0; id < impl.idToString.size(); ++id) {
        const std::string& s = impl.idToString[id];
        if (impl.decoderByteLevel && !(impl.idFlags[id] & kAdded))
            impl.idToDecoded[id] = byteLevelDecode(s).value_or(s);
        else
            impl.idToDecoded[id] = s;
    }
    for (std::size_t i = 0; i < impl.added.size(); ++i)
        if (impl.added[i].normalized)
            impl.idToDecoded[std::size_t(impl.added[i].id)] = impl.normalizedContent[i];
    if (impl.decoderChain) // Hugging Face runs added tokens' content through the chain too
        for (std::size_t id = 0; id < impl.idToString.size(); ++id)
            impl.idToDecoded[id] = impl.decoderChain->decodeAlone(impl.idToString[id]);

    auto resolve = [&](const ConfiguredToken& t) -> std::optional<int32_t> {
        // Contents that are not in the vocabulary are ignored: configs in the wild
        // sometimes name tokens the tokenizer does not have.
        if (!t.content)
            return std::nullopt;
        return lookupId(impl, *t.content);
    };
    std::vector<std::string> specials;
    for (const AddedToken& t : impl.added)
        if (t.special)
            specials.push_back(t.content);
    const bool onlyEndOfText = specials.size() == 1 && specials[0] == "<|endoftext|>";
    const auto endOfText = lookupId(impl, "<|endoftext|>");
    const bool endOfTextSpecial = std::find(specials.begin(), specials.end(), "<|endoftext|>") != specials.end();

    if (config.bos.set)
        impl.bos = resolve(config.bos);
    else if (templBos)
        impl.bos = lookupId(impl, *templBos);
    else if ((gpt2Files || onlyEndOfText) && endOfText)
        impl.bos = endOfText;

    if (config.eos.set)
        impl.eos = resolve(config.eos);
    else if (endOfTextSpecial && endOfText)
        impl.eos = endOfText;

    if (config.pad.set)
        impl.pad = resolve(config.pad);

    if (impl.modelUnk)
        impl.unk = impl.modelUnk;
    else if (config.unk.set)
        impl.unk = resolve(config.unk);

    impl.addsBos = config.addBos.value_or(templBos.has_value());
}

} // namespace

// ---------------------------------------------------------------------------------------

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}

Tokenizer Tokenizer::load(const std::filesystem::path& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        if (std::filesystem::is_regular_file(path / "tokenizer.json", ec))
            return fromTokenizerJson(path / "tokenizer.json");
        if (std::filesystem::is_regular_file(path / "vocab.json", ec)
            && std::filesystem::is_regular_file(path / "merges.txt", ec))
            return fromVocabAndMerges(path / "vocab.json", path / "merges.txt");
        if (std::filesystem::is_regular_file(path / "tokenizer.model", ec))
            throw Error(path.string() + ": no tokenizer.json, only a SentencePiece tokenizer.model, which is not read "
                                        "(transformers writes the tokenizer.json: AutoTokenizer.from_pretrained(DIR)"
                                        ".save_pretrained(DIR))");
        throw Error(path.string() + ": no tokenizer.json, and no vocab.json + merges.txt");
    }
    if (!std::filesystem::exists(path, ec))
        throw Error(path.string() + ": no such file or directory");
    if (path.filename() == "vocab.json")
        return fromVocabAndMerges(path, path.parent_path() / "merges.txt");
    if (path.extension() == ".gguf")
        return fromGguf(path);
    return fromTokenizerJson(path);
}

namespace {
std::shared_ptr<const Tokenizer::Impl> buildFromTokenizerJson(const json& j, const std::string& source,
                                                              const SpecialConfig& config);
} // namespace

Tokenizer Tokenizer::fromTokenizerJson(const std::filesystem::path& file)
{
    const json j = readJsonFile(file);
    SpecialConfig config;
    if (file.filename() == "tokenizer.json")
        config = readSpecialConfig(file.parent_path());
    return Tokenizer(buildFromTokenizerJson(j, file.string(), config));
}

namespace {

std::shared_ptr<const Tokenizer::Impl> buildFromTokenizerJson(const json& j, const std::string& source,
                                                              const SpecialConfig& config)
{
    auto impl = std::make_shared<Impl>();
    impl->source = source;
    const std::string& where = impl->source;
    if (!j.is_object())
        throw Error(where + ": expected a JSON object");

    const json* model = jsonMember(j, "model");
    if (!model || !model->is_object())
        throw Error(where + ": no \"model\" object");
    std::string type = optString(*model, "type", where + ": model").value_or("");
    if (type.empty()) // files written by old versions of tokenizers have no model type
        type = model->contains("merges") ? "BPE" : (model->contains("vocab") ? "WordLevel" : "");
    const std::string mw = where + ": model";
    if (type == "BPE") {
        impl->model = Impl::Model::Bpe;
        impl->byteFallback = optBool(*model, "byte_fallback", false, mw);
        if (const json* d = jsonMember(*model, "dropout"); d && (!d->is_number() || d->get<double>() > 0.0))
            throw Error(mw + ".dropout is not supported (encoding must be deterministic)");
        impl->ignoreMerges = optBool(*model, "ignore_merges", false, mw);
        impl->fuseUnk = optBool(*model, "fuse_unk", false, mw);
        impl->continuingSubwordPrefix = optString(*model, "continuing_subword_prefix", mw).value_or("");
        impl->endOfWordSuffix = optString(*model, "end_of_word_suffix", mw).value_or("");
    } else if (type == "WordLevel") {
        impl->model = Impl::Model::WordLevel;
    } else if (type == "Unigram") {
        impl->model = Impl::Model::Unigram;
    } else {
        throw Error(mw + ".type " + inQuotes(type) + " is not supported (supported: BPE, WordLevel, Unigram)");
    }
    const json* vocab = jsonMember(*model, "vocab");
    if (!vocab)
        throw Error(mw + " has no \"vocab\"");
    // How many tokens the file defines (the vocabulary and the added tokens): every id is below.
    const json* addedList = jsonMember(j, "added_tokens");
    const std::size_t tokens = vocab->size() + (addedList && addedList->is_array() ? addedList->size() : 0);
    if (impl->model == Impl::Model::Unigram) {
        // [[piece, score], ...]: ids are positions, dense by construction
        impl->unigram = std::make_shared<const tokenize::UnigramModel>(tokenize::UnigramModel::read(*model, mw));
        const auto& pieces = impl->unigram->pieces();
        impl->vocab.reserve(pieces.size());
        for (std::size_t id = 0; id < pieces.size(); ++id) {
            impl->vocab.emplace(pieces[id], int32_t(id));
            setId(*impl, int32_t(id), pieces[id], kPresent);
        }
        impl->modelUnk = impl->unigram->unkId();
        impl->byteFallback = impl->unigram->byteFallback();
    } else {
        readVocab(*impl, *vocab, mw + ".vocab", tokens);
    }
    if (const auto unk = optString(*model, "unk_token", mw)) {
        impl->modelUnkToken = *unk;
        const auto it = impl->vocab.find(*unk);
        if (it != impl->vocab.end())
            impl->modelUnk = it->second;
    }
    if (impl->model == Impl::Model::Bpe) {
        const json* merges = jsonMember(*model, "merges");
        if (!merges || !merges->is_array())
            throw Error(mw + ".merges must be a list");
        impl->merges.reserve(merges->size());
        for (std::size_t i = 0; i < merges->size(); ++i) {
            const json& m = (*merges)[i];
            const std::string w = mw + ".merges[" + std::to_string(i) + "]";
            if (m.is_string()) {
                const std::string s = m.get<std::string>();
                const auto sp = s.find(' ');
                if (sp == std::string::npos || sp == 0 || sp + 1 >= s.size() || s.find(' ', sp + 1) != std::string::npos)
                    throw Error(w + ": expected two tokens separated by one space, got " + inQuotes(s));
                addMerge(*impl, s.substr(0, sp), s.substr(sp + 1), int32_t(i), w);
            } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
                addMerge(*impl, m[0].get<std::string>(), m[1].get<std::string>(), int32_t(i), w);
            } else {
                throw Error(w + ": expected \"a b\" or [\"a\", \"b\"], got " + jsonForMessage(m));
            }
        }
    }

    impl->normalizers = tokenize::readNormalizer(j.value("normalizer", json()), where + ": normalizer");
    readPreTokenizer(j.value("pre_tokenizer", json()), where + ": pre_tokenizer", impl->preTokenizer, impl->metaspace);
    for (std::size_t i = 0; i < impl->preTokenizer.size(); ++i) {
        if (std::holds_alternative<ByteLevelStep>(impl->preTokenizer[i])) {
            if (i + 1 != impl->preTokenizer.size())
                throw Error(where + ": pre_tokenizer: ByteLevel must come last in a Sequence");
            impl->byteLevel = true;
        }
    }
    if (impl->byteLevel && (!impl->continuingSubwordPrefix.empty() || !impl->endOfWordSuffix.empty()))
        throw Error(mw + ": continuing_subword_prefix / end_of_word_suffix with a ByteLevel pre-tokenizer is "
                         "not supported");
    if (impl->byteFallback && (impl->byteLevel || !impl->continuingSubwordPrefix.empty() || !impl->endOfWordSuffix.empty()))
        throw Error(mw + ".byte_fallback with a ByteLevel pre-tokenizer, continuing_subword_prefix or "
                         "end_of_word_suffix is not supported");
    if (impl->unigram && impl->byteLevel)
        throw Error(mw + ": a Unigram model with a ByteLevel pre-tokenizer is not supported");
    if (impl->metaspace && impl->byteLevel)
        throw Error(where + ": pre_tokenizer: Metaspace and ByteLevel together are not supported");

    const json decoder = j.value("decoder", json());
    if (!decoder.is_null()) {
        const std::string dtype = typeOf(decoder, where + ": decoder");
        if (dtype == "ByteLevel")
            impl->decoderByteLevel = true;
        else
            impl->decoderChain = std::make_shared<const tokenize::DecoderChain>(
                tokenize::DecoderChain::read(decoder, where + ": decoder"));
    }

    if (const json* list = jsonMember(j, "added_tokens")) {
        if (!list->is_array())
            throw Error(where + ": added_tokens must be a list");
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string w = where + ": added_tokens[" + std::to_string(i) + "]";
            AddedToken t = readAddedToken((*list)[i], w, false);
            const json* id = jsonMember((*list)[i], "id");
            if (!id)
                throw Error(w + " has no id");
            t.id = parseId(*id, w, tokens);
            impl->added.push_back(std::move(t));
        }
    }

    finish(*impl, config, templateBos(j.value("post_processor", json())), false);
    return impl;
}

} // namespace

std::shared_ptr<const Tokenizer::Impl> tokenize::buildFromTokenizerJson(const json& tokenizerJson,
                                                                        const std::string& source,
                                                                        const SpecialTokens& special)
{
    SpecialConfig config;
    for (auto [slot, value] : {std::pair<ConfiguredToken*, const std::optional<std::string>*>{&config.bos, &special.bos},
                               {&config.eos, &special.eos}, {&config.pad, &special.pad}, {&config.unk, &special.unk}}) {
        slot->set = true;
        slot->content = *value;
    }
    config.addBos = special.addBos;
    return patchbay::core::buildFromTokenizerJson(tokenizerJson, source, config);
}

Tokenizer Tokenizer::fromVocabAndMerges(const std::filesystem::path& vocabJson, const std::filesystem::path& mergesTxt)
{
    auto impl = std::make_shared<Impl>();
    impl->source = vocabJson.string() + " + " + mergesTxt.string();
    const json vocab = readJsonFile(vocabJson);
    const SpecialConfig config = readSpecialConfig(vocabJson.parent_path());
    const std::size_t tokens = vocab.size() + config.addedTokensDecoder.size();
    readVocab(*impl, vocab, vocabJson.string(), tokens);
    for (const AddedToken& t : config.addedTokensDecoder)
        if (std::size_t(t.id) >= tokens)
            throw Error(vocabJson.parent_path().string() + ": added token " + inQuotes(t.content) + " has id "
                        + std::to_string(t.id) + ", not below the number of tokens (" + std::to_string(tokens)
                        + "); token ids must run 0..n-1 without gaps");

    const std::string text = readTextFile(mergesTxt);
    const std::string where = mergesTxt.string();
    std::size_t lineStart = 0;
    int32_t rank = 0;
    for (std::size_t lineNo = 1; lineStart < text.size(); ++lineNo) {
        std::size_t lineEnd = text.find('\n', lineStart);
        if (lineEnd == std::string::npos)
            lineEnd = text.size();
        std::string_view line(text.data() + lineStart, lineEnd - lineStart);
        lineStart = lineEnd + 1;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.rfind("#version", 0) == 0)
            continue;
        if (line.empty() && lineStart >= text.size())
            break; // a final newline
        const std::string w = where + " line " + std::to_string(lineNo);
        const auto sp = line.find(' ');
        if (sp == std::string_view::npos || sp == 0 || sp + 1 >= line.size()
            || line.find(' ', sp + 1) != std::string_view::npos)
            throw Error(w + ": expected two tokens separated by one space");
        addMerge(*impl, std::string(line.substr(0, sp)), std::string(line.substr(sp + 1)), rank++, w);
    }

    // GPT-2's pipeline: ByteLevel pre-tokenizer (no prefix space) and decoder.
    impl->preTokenizer.emplace_back(ByteLevelStep{false, makeOnigurumaRegex(kGpt2Pattern, impl->source)});
    impl->byteLevel = true;
    impl->decoderByteLevel = true;

    auto addSpecial = [&](const std::string& content) {
        for (const AddedToken& t : impl->added)
            if (t.content == content)
                return;
        const auto it = impl->vocab.find(content);
        if (it == impl->vocab.end())
            return;
        AddedToken t;
        t.content = content;
        t.id = it->second;
        t.special = true;
        impl->added.push_back(t);
    };
    for (const AddedToken& t : config.addedTokensDecoder)
        impl->added.push_back(t);
    addSpecial("<|endoftext|>");
    for (const ConfiguredToken* c : {&config.bos, &config.eos, &config.pad, &config.unk})
        if (c->content)
            addSpecial(*c->content);
    finish(*impl, config, std::nullopt, true);
    return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::fromByteLevelBpe(const ByteLevelBpeSpec& spec)
{
    auto impl = std::make_shared<Impl>();
    impl->source = spec.source;
    const std::string& where = impl->source;
    impl->model = Impl::Model::Bpe;
    impl->byteLevel = true;
    impl->decoderByteLevel = true;
    impl->ignoreMerges = spec.ignoreMerges;
    if (spec.tokens.empty())
        throw Error(where + ": the vocabulary is empty");
    if (int64_t(spec.tokens.size()) - 1 > kMaxTokenId)
        throw Error(where + ": " + std::to_string(spec.tokens.size()) + " tokens is more than the "
                    + std::to_string(kMaxTokenId + 1) + " supported");

    // Tokens outside the byte alphabet are respelled byte by byte (transformers'
    // byte_level_tokenizer does the same); a repeated token keeps its last id.
    impl->vocab.reserve(spec.tokens.size());
    std::vector<bool> inAlphabet(spec.tokens.size());
    for (std::size_t id = 0; id < spec.tokens.size(); ++id) {
        const std::string& token = spec.tokens[id];
        inAlphabet[id] = byteLevelDecode(token).has_value();
        std::string spelled;
        if (inAlphabet[id]) {
            spelled = token;
        } else {
            for (const char ch : token)
                spelled += byteMap().byteToUtf8[uint8_t(ch)];
        }
        impl->vocab[spelled] = int32_t(id);
        setId(*impl, int32_t(id), spelled, kPresent);
    }
    impl->merges.reserve(spec.merges.size());
    for (std::size_t i = 0; i < spec.merges.size(); ++i) {
        const std::string& m = spec.merges[i];
        const std::string w = where + ": merge " + std::to_string(i);
        const auto sp = m.find(' ');
        if (sp == std::string::npos || sp == 0 || sp + 1 >= m.size() || m.find(' ', sp + 1) != std::string::npos)
            throw Error(w + ": expected two tokens separated by one space, got " + inQuotes(m));
        addMerge(*impl, m.substr(0, sp), m.substr(sp + 1), int32_t(i), w);
    }
    for (std::size_t i = 0; i < spec.splitPatterns.size(); ++i)
        impl->preTokenizer.emplace_back(SplitStep{
            makeOnigurumaRegex(spec.splitPatterns[i], where + ": pre-tokenizer pattern " + std::to_string(i)),
            Behavior::Isolated, false});
    impl->preTokenizer.emplace_back(ByteLevelStep{false, nullptr});

    for (const auto& a : spec.added) {
        if (a.id < 0 || std::size_t(a.id) >= spec.tokens.size())
            throw Error(where + ": added token id " + std::to_string(a.id) + " is outside the vocabulary");
        // A token outside the byte alphabet cannot be a real byte-level token: transformers'
        // converter skips it (a mislabelled control token), and so do we.
        if (!inAlphabet[std::size_t(a.id)])
            continue;
        AddedToken t;
        t.content = impl->idToString[std::size_t(a.id)];
        t.id = a.id;
        t.special = a.special;
        t.normalized = false;
        if (t.content.empty())
            continue;
        impl->added.push_back(std::move(t));
    }
    SpecialConfig config;
    config.addBos = spec.addBos;
    finish(*impl, config, std::nullopt, false);
    for (auto [slot, id] : {std::pair<std::optional<int32_t>*, std::optional<int32_t>>{&impl->bos, spec.bos},
                            {&impl->eos, spec.eos}, {&impl->pad, spec.pad}, {&impl->unk, spec.unk}}) {
        if (id && (*id < 0 || std::size_t(*id) >= spec.tokens.size()))
            throw Error(where + ": special token id " + std::to_string(*id) + " is outside the vocabulary of "
                        + std::to_string(spec.tokens.size()));
        *slot = id;
    }
    if (spec.addBos && !impl->bos)
        throw Error(where + ": BOS is to be added, but no BOS token is defined");
    return Tokenizer(std::move(impl));
}

std::vector<TokenSpan> Tokenizer::encodeWithSpans(std::string_view text) const
{
    return m_impl->encode(text);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text) const
{
    const std::vector<TokenSpan> spans = m_impl->encode(text);
    std::vector<int32_t> ids;
    ids.reserve(spans.size());
    for (const TokenSpan& s : spans)
        ids.push_back(s.id);
    return ids;
}

bool Tokenizer::contains(int32_t id) const
{
    return id >= 0 && std::size_t(id) < m_impl->idFlags.size() && (m_impl->idFlags[std::size_t(id)] & kPresent);
}

namespace {
void checkId(const Tokenizer& t, int32_t id, const std::string& source)
{
    if (!t.contains(id))
        throw Error("token id " + std::to_string(id) + " is not in the vocabulary of " + source + " (size "
                    + std::to_string(t.vocabSize()) + ")");
}
} // namespace

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skipSpecialTokens) const
{
    if (m_impl->decoderChain) {
        std::vector<std::string> tokens;
        tokens.reserve(ids.size());
        for (const int32_t id : ids) {
            checkId(*this, id, m_impl->source);
            if (!skipSpecialTokens || !(m_impl->idFlags[std::size_t(id)] & kSpecial))
                tokens.push_back(m_impl->idToString[std::size_t(id)]);
        }
        return m_impl->decoderChain->decode(std::move(tokens));
    }
    std::string out;
    bool first = true;
    for (const int32_t id : ids) {
        checkId(*this, id, m_impl->source);
        if (skipSpecialTokens && (m_impl->idFlags[std::size_t(id)] & kSpecial))
            continue;
        if (!m_impl->decoderByteLevel && !first)
            out += ' ';
        out += m_impl->idToDecoded[std::size_t(id)];
        first = false;
    }
    return out;
}

std::string Tokenizer::tokenBytes(int32_t id) const
{
    checkId(*this, id, m_impl->source);
    return m_impl->idToDecoded[std::size_t(id)];
}

std::string Tokenizer::tokenText(int32_t id) const
{
    return detail::toValidUtf8Lossy(tokenBytes(id));
}

std::string Tokenizer::tokenString(int32_t id) const
{
    checkId(*this, id, m_impl->source);
    return m_impl->idToString[std::size_t(id)];
}

std::optional<int32_t> Tokenizer::idOf(std::string_view rawToken) const
{
    return lookupId(*m_impl, std::string(rawToken));
}

bool Tokenizer::isSpecial(int32_t id) const
{
    return contains(id) && (m_impl->idFlags[std::size_t(id)] & kSpecial);
}

int32_t Tokenizer::vocabSize() const
{
    return int32_t(m_impl->idFlags.size());
}

std::string Tokenizer::kind() const
{
    if (m_impl->model == Impl::Model::WordLevel)
        return "word-level";
    if (m_impl->model == Impl::Model::Unigram)
        return "unigram";
    if (m_impl->byteFallback)
        return "bpe-byte-fallback";
    return m_impl->byteLevel ? "bpe-byte-level" : "bpe";
}

std::optional<int32_t> Tokenizer::bosId() const { return m_impl->bos; }
std::optional<int32_t> Tokenizer::eosId() const { return m_impl->eos; }
std::optional<int32_t> Tokenizer::padId() const { return m_impl->pad; }
std::optional<int32_t> Tokenizer::unkId() const { return m_impl->unk; }
bool Tokenizer::addsBosByDefault() const { return m_impl->addsBos; }
std::string Tokenizer::source() const { return m_impl->source; }

} // namespace patchbay::core
