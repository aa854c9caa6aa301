// SPDX-License-Identifier: MIT
// Tokenizer::fromGguf: the vocabulary a GGUF file's tokenizer.ggml.* keys describe, as a
// tokenizer (byte-level BPE with llama.cpp's pre-tokenizer for tokenizer.ggml.pre, or
// SentencePiece). Torch-free, so the GGUF fuzz target reads it as the app does.
#include "core/common/error.h"
#include "core/io/gguf.h"
#include "core/tokenize/pre_tokenizers.h"
#include "core/tokenize/tokenizer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

// --- the tokenizer ---------------------------------------------------------------------------------

namespace patchbay::core {

namespace {

// llama.cpp's pre-tokenizer rules by tokenizer.ggml.pre (src/llama-vocab.cpp,
// llm_tokenizer_bpe and llama_vocab::impl::load), as Hugging Face regexes. llama.cpp splits
// with each regex in turn, keeping the text between matches as pieces too, which is what a
// Split pre-tokenizer with behaviour Isolated does.
struct PreTokenizerRule
{
    std::vector<const char*> names;
    std::vector<const char*> patterns;
    bool ignoreMerges = false;
    bool addBos = false; // llama.cpp's default when the file does not say
};

constexpr const char* kGpt2 = tokenize::kGpt2Pattern;
constexpr const char* kLlama3 = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2 = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen35 = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kGpt4o = R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kTekken = R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

const std::vector<PreTokenizerRule>& preTokenizerRules()
{
    static const std::vector<PreTokenizerRule> rules = {
        {{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
          "modern-bert", "exaone4", "mpt", "olmo", "jais", "trillion", "granite-docling", "jina-v1-en",
          "jina-v2-code", "roberta-bpe"},
         {kGpt2}},
        {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2"},
         {R"(\p{N})", kGpt2}},
        {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"},
         {kLlama3},
         true,
         true},
        {{"dbrx", "smaug-bpe"}, {kLlama3}},
        {{"chatglm-bpe", "glm4"}, {kLlama3}},
        {{"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open"}, {kQwen2}},
        {{"qwen35"}, {kQwen35}},
        {{"gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"}, {kGpt4o}},
        {{"tekken"}, {kTekken}, true, true},
        {{"falcon"},
         {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2, R"([0-9][0-9][0-9])"}},
        {{"deepseek-coder"},
         {R"([\r\n])", R"(\s?\p{L}+)", R"(\s?\p{P}+)", u8"[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", R"(\p{N})"}},
        {{"default"},
         {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", R"([0-9][0-9][0-9])"}},
    };
    return rules;
}

// Python's str.isspace() (what transformers' `not t.strip()` tests), for code points.
bool pythonSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Gemma files store a token of spaces as real spaces ("  "); GemmaTokenizer looks it up as
// "▁▁". transformers' gemma_tokenizer() respells every token that contains a space and is
// all whitespace as that many "▁" (one per code point); so does this. Not valid UTF-8: as is
// (fromSentencePiece refuses it with its own message).
std::string respellSpaces(const std::string& token)
{
    std::size_t count = 0;
    bool hasSpace = false;
    for (std::size_t i = 0; i < token.size(); ++count) {
        const unsigned char b = static_cast<unsigned char>(token[i]);
        const int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + std::size_t(len) > token.size())
            return token;
        char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
        for (int k = 1; k < len; ++k)
            c = (c << 6) | (static_cast<unsigned char>(token[i + std::size_t(k)]) & 0x3F);
        if (!pythonSpace(c))
            return token;
        hasSpace = hasSpace || c == U' ';
        i += std::size_t(len);
    }
    if (!hasSpace)
        return token;
    std::string out;
    for (std::size_t k = 0; k < count; ++k)
        out += "\xE2\x96\x81"; // U+2581
    return out;
}

// A SentencePiece ("llama") vocabulary as transformers' GGUF loader reads it
// (integrations/gguf/gguf_tokenizer_mapping.py): gemma, gemma2 and gemma3 files through
// gemma_tokenizer() (spaces respelled, merges ordered by file position, i.e. scores -id,
// because Gemma's stored scores do not follow its merge order), phi3 through phi3_tokenizer()
// (the Legacy prefix normalizers), everything else as a LlamaTokenizer.
Tokenizer::SentencePieceVocab sentencePieceVocabOf(const GgufFile& file)
{
    using Vocab = Tokenizer::SentencePieceVocab;
    const std::string where = file.path().string();
    const std::string arch = file.optString("general.architecture").value_or("");
    const bool gemma = arch == "gemma" || arch == "gemma2" || arch == "gemma3";
    Vocab v;
    v.source = where;
    v.style = gemma ? Vocab::Style::Gemma : arch == "phi3" ? Vocab::Style::Legacy : Vocab::Style::Llama;
    const auto* tokens = file.stringArray("tokenizer.ggml.tokens");
    if (!tokens || tokens->empty())
        throw Error(where + ": metadata \"tokenizer.ggml.tokens\" is missing or empty");
    const std::size_t n = tokens->size();
    v.tokens = *tokens;
    if (const auto* merges = file.stringArray("tokenizer.ggml.merges")) {
        for (const auto& m : *merges) {
            const auto space = m.find(' ');
            if (space == std::string::npos)
                throw Error(where + ": metadata \"tokenizer.ggml.merges\" has an entry without a space: \"" + m + "\"");
            v.merges.emplace_back(m.substr(0, space), m.substr(space + 1));
        }
    }
    if (gemma) {
        for (auto& t : v.tokens)
            t = respellSpaces(t);
        v.scores.resize(n);
        for (std::size_t id = 0; id < n; ++id)
            v.scores[id] = -float(id);
    } else if (v.merges.empty()) {
        const auto* scores = file.floatArray("tokenizer.ggml.scores");
        if (!scores || scores->size() != n)
            throw Error(where + ": metadata \"tokenizer.ggml.scores\" is missing or has not one score per token "
                        "(a SentencePiece vocabulary without merges needs them)");
        v.scores.assign(scores->begin(), scores->end());
    }
    if (const auto* types = file.intArray("tokenizer.ggml.token_type")) {
        if (types->size() != n)
            throw Error(where + ": metadata \"tokenizer.ggml.token_type\" has " + std::to_string(types->size())
                        + " entries for " + std::to_string(n) + " tokens");
        for (int64_t t : *types) {
            if (t == 0) // llama.cpp's "undefined": a normal piece, as transformers treats it
                t = int64_t(Vocab::TokenType::Normal);
            if (t < 1 || t > 6)
                throw Error(where + ": metadata \"tokenizer.ggml.token_type\" has the unknown type "
                            + std::to_string(t));
            v.types.push_back(static_cast<Vocab::TokenType>(t));
        }
    }
    auto optId = [&](const char* key) -> std::optional<int32_t> {
        const auto id = file.optInt(key);
        if (!id)
            return std::nullopt;
        if (*id < 0 || *id >= int64_t(n))
            throw Error(where + ": metadata \"" + key + "\" = " + std::to_string(*id) + " is outside the vocabulary of "
                        + std::to_string(n));
        return int32_t(*id);
    };
    v.bos = optId("tokenizer.ggml.bos_token_id");
    v.eos = optId("tokenizer.ggml.eos_token_id");
    v.unk = optId("tokenizer.ggml.unknown_token_id");
    v.pad = optId("tokenizer.ggml.padding_token_id");
    // llama.cpp (and transformers) add BOS to a SentencePiece vocabulary that does not say.
    v.addBos = file.optBool("tokenizer.ggml.add_bos_token").value_or(true);
    if (v.addBos && !v.bos)
        throw Error(where + ": tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is missing");
    return v;
}

} // namespace

Tokenizer Tokenizer::fromGguf(const std::filesystem::path& path)
{
    const GgufFile file(path);
    return fromGguf(file);
}

Tokenizer Tokenizer::fromGguf(const GgufFile& file)
{
    const std::string where = file.path().string();
    const std::string model = file.optString("tokenizer.ggml.model").value_or("");
    if (model.empty())
        throw Error(where + ": no tokenizer in this GGUF file (metadata \"tokenizer.ggml.model\" is missing)");
    if (model == "llama")
        return fromSentencePiece(sentencePieceVocabOf(file));
    if (model != "gpt2")
        throw Error(where + ": tokenizer.ggml.model \"" + model + "\" is not supported (supported: \"gpt2\", \"llama\")");

    ByteLevelBpeSpec spec;
    spec.source = where;
    const auto* tokens = file.stringArray("tokenizer.ggml.tokens");
    if (!tokens || tokens->empty())
        throw Error(where + ": metadata \"tokenizer.ggml.tokens\" is missing or empty");
    spec.tokens = *tokens;
    if (const auto* merges = file.stringArray("tokenizer.ggml.merges"))
        spec.merges = *merges;
    else
        throw Error(where + ": metadata \"tokenizer.ggml.merges\" is missing (a \"gpt2\" tokenizer needs merges)");
    if (const auto* types = file.intArray("tokenizer.ggml.token_type")) {
        if (types->size() != tokens->size())
            throw Error(where + ": metadata \"tokenizer.ggml.token_type\" has " + std::to_string(types->size())
                        + " entries for " + std::to_string(tokens->size()) + " tokens");
        for (std::size_t id = 0; id < types->size(); ++id) {
            // llama.cpp token types: 3 control (special), 4 user-defined (matched whole, not special).
            if ((*types)[id] == 3)
                spec.added.push_back({int32_t(id), true});
            else if ((*types)[id] == 4)
                spec.added.push_back({int32_t(id), false});
        }
    }
    const std::string pre = file.optString("tokenizer.ggml.pre").value_or("default");
    const PreTokenizerRule* rule = nullptr;
    std::string known;
    for (const auto& r : preTokenizerRules()) {
        for (const char* n : r.names) {
            if (pre == n)
                rule = &r;
            known += (known.empty() ? "" : ", ") + std::string(n);
        }
    }
    if (!rule)
        throw Error(where + ": tokenizer.ggml.pre \"" + pre + "\" is not a pre-tokenizer Patchbay knows (known: "
                    + known + ")");
    for (const char* p : rule->patterns)
        spec.splitPatterns.push_back(p);
    spec.ignoreMerges = rule->ignoreMerges;

    auto optId = [&](const char* key) -> std::optional<int32_t> {
        const auto v = file.optInt(key);
        if (!v)
            return std::nullopt;
        if (*v < 0 || *v >= int64_t(tokens->size()))
            throw Error(where + ": metadata \"" + key + "\" = " + std::to_string(*v) + " is outside the vocabulary of "
                        + std::to_string(tokens->size()));
        return int32_t(*v);
    };
    spec.bos = optId("tokenizer.ggml.bos_token_id");
    spec.eos = optId("tokenizer.ggml.eos_token_id");
    spec.pad = optId("tokenizer.ggml.padding_token_id");
    spec.unk = optId("tokenizer.ggml.unknown_token_id");
    spec.addBos = file.optBool("tokenizer.ggml.add_bos_token").value_or(rule->addBos);
    if (spec.addBos && !spec.bos)
        throw Error(where + ": tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is missing");
    return fromByteLevelBpe(spec);
}

} // namespace patchbay::core
