// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace patchbay::core {

class GgufFile;

// One token of an encoded text: its id and the byte range [begin, end) of the *input*
// UTF-8 text it came from (not of the normalized text). Spans are in input order and,
// unless the pre-tokenizer drops text (Whitespace, WhitespaceSplit, Split "Removed"),
// contiguous and covering the whole input, added/special tokens included (an added
// token's span includes the whitespace its lstrip/rstrip option swallowed).
// Byte-level tokens that hold part of a multi-byte character get exactly their bytes;
// if normalization changed that character (NFC composition), each part gets the whole
// range the character came from. A token made only of the space ByteLevel's
// add_prefix_space inserted has an empty span.
struct TokenSpan
{
    int32_t id = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
};

// A byte-level BPE vocabulary given in memory instead of in files: what a GGUF file's
// tokenizer.ggml.* metadata describes (Tokenizer::fromGguf builds one).
struct ByteLevelBpeSpec
{
    std::string source;              // for messages, e.g. "model.gguf"
    std::vector<std::string> tokens; // id -> token, in the byte-level alphabet (others are
                                     // respelled byte by byte, as Hugging Face's converter does)
    std::vector<std::string> merges; // "a b", best first
    // Tokens matched whole in the raw text before pre-tokenization (llama.cpp's control and
    // user-defined tokens); `special` ones are skipped by decode(..., skipSpecialTokens).
    struct Added
    {
        int32_t id = 0;
        bool special = true;
    };
    std::vector<Added> added;
    // The pre-tokenizer: regexes (Hugging Face's Oniguruma syntax) applied in turn, each
    // splitting every piece into its matches and the text between them (Split, Isolated);
    // then the pieces are mapped to bytes. Empty: the whole text is one piece.
    std::vector<std::string> splitPatterns;
    bool ignoreMerges = false; // a piece that is itself a token is not merged (Llama 3)
    std::optional<int32_t> bos, eos, pad, unk;
    bool addBos = false;
};

// A text tokenizer compatible with Hugging Face `tokenizers` (tokenizer.json) and with
// GPT-2's vocab.json + merges.txt, for the tokenizers causal LMs use:
//   models:         BPE (byte-level, character-level, or character-level with byte_fallback
//                   "<0xNN>" tokens as Llama-2, Mistral and Gemma have; ignore_merges), WordLevel,
//                   Unigram (with byte_fallback; but not the Precompiled normalizer T5-style
//                   files carry);
//   normalizers:    NFC, Lowercase, Replace (literal), Prepend, Sequence, none;
//   pre-tokenizers: ByteLevel, Metaspace (first step only), Split, Digits, Whitespace,
//                   WhitespaceSplit, Sequence, none;
//   decoders:       ByteLevel, none (tokens joined with spaces), or a chain of Replace
//                   (literal), ByteFallback, Fuse, Strip and Metaspace (in a Sequence);
//   added tokens:   special and not, with lstrip / rstrip / single_word / normalized.
// The stages and the loaders live in core/tokenize/, one file per stage (README.md there).
// Anything else is refused at load time with an Error that says what is not supported.
// Pre-tokenizer regexes run on PCRE2 (Unicode properties from PCRE2's tables); NFC and
// lowercasing use tables generated from Python's unicodedata (tools/make_unicode_tables.py).
//
// encode() never adds BOS/EOS or applies the post-processor: the caller decides (see
// bosId() and addsBosByDefault()).
//
// Threads: a Tokenizer is an immutable value, cheap to copy (shared implementation).
// The static loaders may run on any thread; all const methods are thread-safe and may be
// called concurrently on the same object.
class Tokenizer
{
public:
    // `path` is a model directory (tokenizer.json preferred, else vocab.json + merges.txt),
    // a tokenizer.json file, a vocab.json file next to a merges.txt, or a .gguf file.
    static Tokenizer load(const std::filesystem::path& path);

    // Reads a Hugging Face tokenizer.json. tokenizer_config.json and
    // special_tokens_map.json next to it, if present, supply bos/eos/pad/unk.
    static Tokenizer fromTokenizerJson(const std::filesystem::path& file);

    // GPT-2 style byte-level BPE: vocab.json (token -> id) and merges.txt (one "a b" pair
    // per line, ranked by line; a first line starting with "#version" is skipped), with
    // GPT-2's pre-tokenizer regex. `<|endoftext|>` (and the special tokens named in a
    // tokenizer_config.json / special_tokens_map.json next to vocab.json) are matched as
    // special tokens in the text.
    static Tokenizer fromVocabAndMerges(const std::filesystem::path& vocabJson,
                                        const std::filesystem::path& mergesTxt);

    // A SentencePiece-style BPE vocabulary given piece by piece, as a GGUF file carries it
    // (tokenizer.ggml.model == "llama": tokens, scores, token_type, optional merges).
    struct SentencePieceVocab
    {
        // SentencePiece's piece types, with GGUF's numbering (tokenizer.ggml.token_type).
        enum class TokenType : uint8_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

        std::string source;              // names the origin in messages, e.g. "model.gguf"
        std::vector<std::string> tokens; // id -> piece ("▁the", "<0x0A>", "<s>"); ids are dense 0..n-1
        std::vector<float> scores;       // id -> score; used only when `merges` is empty
        std::vector<TokenType> types;    // id -> type; empty: every token Normal
        // Ranked merges ("▁t", "he"); non-empty: `scores` is not used. Empty: derived from
        // the scores as transformers' generate_merges does: every split a + b of a piece
        // into two pieces, ordered by the piece's score (descending), then the left part's
        // length, then the right part's (in characters, descending), then by id; pieces of
        // at most 1 KiB. (For Gemma files transformers' GGUF loader passes -id as the
        // scores, i.e. file order, and respells tokens of spaces as "▁" runs first.)
        std::vector<std::pair<std::string, std::string>> merges;
        bool byteFallback = true; // characters missing from the pieces -> "<0xNN>" tokens
        // How spaces become "▁", as transformers builds each family's tokenizer:
        //  Llama:  Metaspace with prepend_scheme "first": "▁" before the text but not after
        //          an added token (LlamaTokenizer, legacy=False; Llama-2, Mistral);
        //  Legacy: Prepend("▁") + Replace(" ", "▁") normalizers: "▁" before every segment
        //          between added tokens (the original Llama-2 / Mistral-v0.1 tokenizer.json,
        //          and what transformers builds for Phi-3 GGUF files);
        //  Gemma:  Replace(" ", "▁") only, no prefix (GemmaTokenizer).
        // The decoder drops one leading space where a prefix is added (not for Gemma).
        enum class Style { Llama, Legacy, Gemma };
        Style style = Style::Llama;
        // unk defaults to the Unknown-type token. Only the Gemma style emits it for a
        // character with neither a piece nor a byte token; the others drop the character,
        // as transformers' LlamaTokenizer does.
        std::optional<int32_t> bos, eos, unk, pad;
        bool addBos = true;                        // addsBosByDefault()
    };

    // Builds the tokenizer transformers would build for `vocab` (its GGUF loader does the
    // same): a BPE model with byte_fallback and fuse_unk; Control and Unknown pieces and
    // the tokens named bos/eos/unk/pad become special added tokens, UserDefined pieces
    // non-special ones (all matched whole in the raw text); the decoder is
    // Replace("▁", " "), ByteFallback, Fuse, and Strip one leading space unless the style
    // is Gemma. Throws Error naming vocab.source for inconsistent input (sizes that
    // differ, empty, duplicate or non-UTF-8 pieces, unknown types, ids out of range, a
    // merge of unknown pieces). Any thread.
    static Tokenizer fromSentencePiece(const SentencePieceVocab& vocab);

    // The tokenizer described by a GGUF file's metadata: tokenizer.ggml.model "gpt2" (tokens,
    // merges, token types, special ids, add_bos_token, and the pre-tokenizer rules llama.cpp
    // maps tokenizer.ggml.pre to), or "llama", a SentencePiece vocabulary built with
    // fromSentencePiece() as transformers' GGUF loader builds it: style Gemma for gemma,
    // gemma2 and gemma3 files (tokens of spaces respelled as "▁" runs, scores -id), Legacy
    // for phi3, Llama otherwise; add_bos_token defaults to true. Throws core::Error naming
    // the file and key.
    static Tokenizer fromGguf(const std::filesystem::path& file);
    static Tokenizer fromGguf(const GgufFile& file);

    // A byte-level BPE tokenizer built from a spec instead of files. Throws core::Error
    // naming spec.source for an inconsistent spec (unknown merge tokens, ids out of range,
    // a pattern that does not compile).
    static Tokenizer fromByteLevelBpe(const ByteLevelBpeSpec& spec);

    // Token ids of `text` (UTF-8). Byte-level tokenizers accept any bytes, invalid UTF-8
    // included (each invalid byte becomes its own byte token); the others throw Error on
    // invalid UTF-8, naming the byte offset.
    std::vector<int32_t> encode(std::string_view text) const;
    std::vector<TokenSpan> encodeWithSpans(std::string_view text) const;

    // Text of a token sequence. With a decoder chain (SentencePiece style) it is exactly
    // Hugging Face's decode (byte runs that are not UTF-8 become U+FFFD, one per byte).
    // For byte-level BPE this is the exact inverse of encode()
    // and returns raw bytes, so it may be invalid UTF-8 when `ids` cut a character (use
    // tokenText() for display). Added tokens decode to their content (normalized, if the
    // token is matched after normalization). Without a decoder (word-level), tokens are
    // joined with single spaces, as Hugging Face does. Throws Error for an id that is not
    // in the vocabulary.
    std::string decode(const std::vector<int32_t>& ids, bool skipSpecialTokens = false) const;

    // The bytes one token decodes to on its own (may be part of a UTF-8 character). With a
    // decoder chain: what the token adds to a text when it is not the first ("▁the" ->
    // " the", "<0x0A>" -> "\n"), the leading-space Strip of a whole text left out.
    std::string tokenBytes(int32_t id) const;
    // tokenBytes() made displayable: an incomplete or invalid UTF-8 sequence becomes
    // U+FFFD, as Hugging Face's decode([id]) and TransformerLens' to_str_tokens show it.
    std::string tokenText(int32_t id) const;
    // The raw vocabulary string (e.g. "Ġthe"); an added token's content.
    std::string tokenString(int32_t id) const;
    // Id of a raw vocabulary string or added token content.
    std::optional<int32_t> idOf(std::string_view rawToken) const;
    // Whether `id` exists (ids may have holes below vocabSize()).
    bool contains(int32_t id) const;
    bool isSpecial(int32_t id) const;

    // Largest id + 1, added tokens included (the size an embedding matrix needs at least).
    int32_t vocabSize() const;
    // "bpe-byte-level", "bpe" (character-level), "bpe-byte-fallback", "unigram" or "word-level".
    std::string kind() const;

    // Special ids, from tokenizer_config.json / special_tokens_map.json when present, else
    // from the tokenizer.json post-processor template (BOS) and the model's unk_token.
    // GPT-2 files (vocab.json + merges.txt, or a tokenizer.json whose only special token is
    // <|endoftext|>) use <|endoftext|> as both BOS and EOS; otherwise EOS falls back to a
    // special <|endoftext|> when no config names one. Config entries naming a token the
    // vocabulary lacks are ignored.
    std::optional<int32_t> bosId() const;
    std::optional<int32_t> eosId() const;
    std::optional<int32_t> padId() const;
    std::optional<int32_t> unkId() const;
    // Whether Hugging Face would prepend BOS with add_special_tokens=True (the
    // post-processor template starts with it, or tokenizer_config.json's add_bos_token).
    bool addsBosByDefault() const;

    // The file(s) this tokenizer was read from, for messages.
    std::string source() const;

    struct Impl;

private:
    explicit Tokenizer(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> m_impl;
};

} // namespace patchbay::core
