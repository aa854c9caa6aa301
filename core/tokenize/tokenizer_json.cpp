// SPDX-License-Identifier: MIT
// Tokenizer::fromTokenizerJson: a Hugging Face tokenizer.json (model, normalizer,
// pre-tokenizer, decoder, added tokens) and the tokenizer_config.json /
// special_tokens_map.json beside it, read into a Tokenizer::Impl; and the pieces of loading
// every loader shares (tokenizer_json.h).
#include "core/tokenize/tokenizer_json.h"

#include "core/common/detail/messages.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/tokenize/build.h"
#include "core/tokenize/byte_level.h"
#include "core/tokenize/tokenizer_impl.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <variant>

namespace patchbay::core {

using detail::inQuotes;

namespace tokenize {

using nlohmann::json;

namespace {

using Impl = Tokenizer::Impl;

std::string jsonType(const json& j)
{
    return j.type_name();
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

} // namespace

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

namespace {

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

} // namespace

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
            content = normalize(impl.normalizers, std::move(a)).text;
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
            if (const auto it = impl.vocab.find(byteFallbackToken(uint8_t(b))); it != impl.vocab.end())
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

namespace {

// A parsed tokenizer.json object; `source` names it in messages.
std::shared_ptr<const Tokenizer::Impl> readTokenizerJson(const json& j, const std::string& source, const SpecialConfig& config)
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
        impl->unigram = std::make_shared<const UnigramModel>(UnigramModel::read(*model, mw));
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

    impl->normalizers = readNormalizer(j.value("normalizer", json()), where + ": normalizer");
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
            impl->decoderChain = std::make_shared<const DecoderChain>(
                DecoderChain::read(decoder, where + ": decoder"));
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

std::shared_ptr<const Tokenizer::Impl> buildFromTokenizerJson(const json& tokenizerJson, const std::string& source,
                                                              const SpecialTokens& special)
{
    SpecialConfig config;
    for (auto [slot, value] : {std::pair<ConfiguredToken*, const std::optional<std::string>*>{&config.bos, &special.bos},
                               {&config.eos, &special.eos}, {&config.pad, &special.pad}, {&config.unk, &special.unk}}) {
        slot->set = true;
        slot->content = *value;
    }
    config.addBos = special.addBos;
    return readTokenizerJson(tokenizerJson, source, config);
}

} // namespace tokenize

Tokenizer Tokenizer::fromTokenizerJson(const std::filesystem::path& file)
{
    const nlohmann::json j = readJsonFile(file);
    tokenize::SpecialConfig config;
    if (file.filename() == "tokenizer.json")
        config = tokenize::readSpecialConfig(file.parent_path());
    return Tokenizer(tokenize::readTokenizerJson(j, file.string(), config));
}

} // namespace patchbay::core
