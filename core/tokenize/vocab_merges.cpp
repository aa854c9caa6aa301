// SPDX-License-Identifier: MIT
// Tokenizer::fromVocabAndMerges (GPT-2's vocab.json + merges.txt) and
// Tokenizer::fromByteLevelBpe (the same byte-level BPE model given in memory, as a GGUF file
// carries it): a BPE model with a ByteLevel pre-tokenizer and decoder.
#include "core/tokenize/tokenizer.h"

#include "core/common/detail/messages.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/tokenize/byte_level.h"
#include "core/tokenize/tokenizer_impl.h"
#include "core/tokenize/tokenizer_json.h"

#include <nlohmann/json.hpp>

namespace patchbay::core {

using nlohmann::json;
using detail::inQuotes;
using tokenize::AddedToken;
using tokenize::addMerge;
using tokenize::Behavior;
using tokenize::byteLevelDecode;
using tokenize::ByteLevelStep;
using tokenize::byteMap;
using tokenize::ConfiguredToken;
using tokenize::finish;
using tokenize::kGpt2Pattern;
using tokenize::kMaxTokenId;
using tokenize::kPresent;
using tokenize::makeOnigurumaRegex;
using tokenize::readSpecialConfig;
using tokenize::readVocab;
using tokenize::setId;
using tokenize::SpecialConfig;
using tokenize::SplitStep;

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

} // namespace patchbay::core
