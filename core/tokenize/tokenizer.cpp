// SPDX-License-Identifier: MIT
// The Tokenizer's public API and its encoding pipeline: added tokens matched in the raw
// text, the normalizer, the pre-tokenizer (tokenize/pre_tokenizers.cpp) and the model
// (tokenize/bpe.cpp, tokenize/unigram.cpp, word-level here), with the byte spans of the
// input each token came from. The loaders live in core/tokenize/ (README.md there).
#include "core/tokenize/tokenizer.h"

#include "core/common/detail/messages.h"
#include "core/common/detail/unicode.h"
#include "core/common/error.h"
#include "core/tokenize/byte_level.h"
#include "core/tokenize/tokenizer_impl.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace patchbay::core {

using detail::inQuotes;
using tokenize::byteMap;
using tokenize::kAdded;
using tokenize::kPresent;
using tokenize::kSpecial;
using tokenize::lookupId;
using tokenize::PieceToken;
using tokenize::splitAdded;

// ---------------------------------------------------------------------------------------
// Encoding

std::string Tokenizer::Impl::lookupString(std::string_view text) const
{
    if (!byteLevel)
        return std::string(text);
    std::string out;
    out.reserve(text.size() * 2);
    for (const char ch : text)
        out += byteMap().byteToUtf8[uint8_t(ch)];
    return out;
}

void Tokenizer::Impl::modelTokens(std::string_view text, Scratch& s) const
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

bool Tokenizer::Impl::isWordChar(std::string_view text, const detail::Utf8Unit& u, std::size_t at, Scratch& s, bool before) const
{
    if (!u.valid)
        return false;
    if (u.cp < 0x80)
        return (u.cp >= 'a' && u.cp <= 'z') || (u.cp >= 'A' && u.cp <= 'Z') || (u.cp >= '0' && u.cp <= '9')
               || u.cp == '_';
    return s.match.matchesAt(*wordChar, text, before ? at - u.length : at);
}

std::vector<TokenSpan> Tokenizer::Impl::encode(std::string_view text) const
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
    const auto isWord = [&](std::string_view t, const detail::Utf8Unit& u, std::size_t at, bool before) {
        return isWordChar(t, u, at, s, before);
    };
    splitAdded(
        rawTrie, added, text, isWord, [&](std::size_t b, std::size_t e) { encodeRawSegment(text, b, e, s, result); },
        [&](int32_t id, std::size_t b, std::size_t e) { result.push_back({id, b, e}); });
    return result;
}

template<typename Emit>
void Tokenizer::Impl::encodeMetaspaceSegment(std::string_view segment, bool atInputStart, Scratch& s, Emit&& emit) const
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

void Tokenizer::Impl::encodeRawSegment(std::string_view text, std::size_t rawBegin, std::size_t rawEnd, Scratch& s,
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

    const auto isWord = [&](std::string_view t, const detail::Utf8Unit& u, std::size_t at, bool before) {
        return isWordChar(t, u, at, s, before);
    };
    splitAdded(
        normalizedTrie, added, norm, isWord,
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

namespace tokenize {

std::optional<int32_t> lookupId(const Tokenizer::Impl& impl, const std::string& content)
{
    if (const auto added = impl.addedIds.find(content); added != impl.addedIds.end())
        return added->second;
    const auto it = impl.vocab.find(content);
    if (it != impl.vocab.end())
        return it->second;
    return std::nullopt;
}

} // namespace tokenize

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
