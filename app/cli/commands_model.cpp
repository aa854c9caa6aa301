// SPDX-License-Identifier: MIT
// info, tokenize, logits: the model engine from the command line.
#include "app/cli/cli.h"

#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/methods/headscores.h"
#include "core/common/json.h"
#include "core/model/model.h"
#include "core/common/system.h"
#include "core/tokenize/tokenizer.h"

#include <algorithm>
#include <iostream>
#include <numeric>
#include <optional>

namespace patchbay::cli {

namespace {

const char* normName(core::ModelConfig::Norm n) { return n == core::ModelConfig::Norm::RMSNorm ? "rmsnorm" : "layernorm"; }

nlohmann::json modelInfoJson(const core::ModelInfo& info)
{
    const auto& c = info.config;
    nlohmann::json j;
    j["path"] = info.path.string();
    j["family"] = c.family;
    j["model_type"] = c.modelType;
    j["layers"] = c.nLayers;
    j["heads"] = c.nHeads;
    j["kv_heads"] = c.nKvHeads;
    j["d_model"] = c.dModel;
    j["d_head"] = c.dHead;
    j["d_mlp"] = c.dMlp;
    j["vocab"] = c.dVocab;
    j["context"] = c.nCtx;
    j["parameters"] = info.parameterCount;
    j["dtype"] = info.dtype;
    j["weights_format"] = info.weightsFormat;
    j["weights_dtype"] = info.weightsDtype; // GGUF: the quantization types found, with tensor counts
    j["weights"] = info.weightFiles;
    j["weights_fingerprint"] = info.weightsFingerprint;
    j["device"] = info.device;
    j["parallel_attn_mlp"] = c.parallelAttnMlp;
    j["tied_embeddings"] = c.tiedEmbeddings;
    j["norm"] = normName(c.norm);
    j["activation"] = c.activation;
    j["gated_mlp"] = c.gatedMlp;
    j["positions"] = c.learnedPositions ? "learned" : "rotary";
    j["rotary_dim"] = c.rotaryDim;
    if (c.rotaryDim > 0) {
        j["rope_theta"] = c.ropeTheta;
        if (c.ropeScaling.type != "default")
            j["rope_scaling"] = {{"type", c.ropeScaling.type}, {"factor", c.ropeScaling.factor}};
        if (c.ropeLocalTheta > 0)
            j["rope_local_theta"] = c.ropeLocalTheta;
    }
    if (c.slidingWindow > 0) {
        j["sliding_window"] = c.slidingWindow;
        std::vector<int> sliding;
        for (int l = 0; l < c.nLayers; ++l)
            if (c.isSliding(l))
                sliding.push_back(l);
        j["sliding_layers"] = sliding;
    }
    if (c.postNorms)
        j["post_norms"] = true;
    if (c.qkNorm != core::ModelConfig::QkNorm::None)
        j["qk_norm"] = c.qkNorm == core::ModelConfig::QkNorm::PerHead ? "per head" : "all heads";
    j["tokenizer"] = info.tokenizerKind.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.tokenizerKind);
    j["prepend_bos"] = info.prependBos;
    j["bos_id"] = info.bosId ? nlohmann::json(*info.bosId) : nlohmann::json(nullptr);
    j["load_seconds"] = info.loadSeconds;
    return j;
}

int cmdInfo(const Args& args)
{
    if (args.flags.count("system")) {
        printJson(nlohmann::json::parse(core::systemInfoJson(core::systemInfo(true))));
        return 0;
    }
    if (!args.has("model"))
        throw UsageError("info needs --model PATH or --system");
    const auto model = core::Model::load(args.required("model"), loadOptions(args));
    printJson(modelInfoJson(model->info()));
    return 0;
}

std::string readTextArg(const Args& args)
{
    if (args.has("text") == args.has("text-file"))
        throw UsageError("give exactly one of --text or --text-file");
    return args.has("text") ? args.value("text") : core::readTextFile(args.value("text-file"));
}

// Writes {"ids":[…],"offsets":[[b,e],…],"tokens":[…]} (the keys in nlohmann's order, as
// printJson would) straight to stdout: a document of millions of tokens is never built in
// memory (8 MB of text used to take ~3.5 GB and abort).
void printTokens(const core::Tokenizer& tokenizer, const std::vector<core::TokenSpan>& spans,
                 std::optional<int32_t> bos)
{
    std::string out;
    const auto flush = [&](bool force) {
        if (force || out.size() > (1u << 16)) {
            std::cout << out;
            out.clear();
        }
    };
    const auto list = [&](const char* key, const auto& item) {
        out += '"';
        out += key;
        out += "\":[";
        bool first = true;
        if (bos) {
            item(*bos, std::size_t(0), std::size_t(0));
            first = false;
        }
        for (const auto& s : spans) {
            if (!first)
                out += ',';
            first = false;
            item(s.id, s.begin, s.end);
            flush(false);
        }
        out += ']';
    };
    out += '{';
    list("ids", [&](int32_t id, std::size_t, std::size_t) { out += std::to_string(id); });
    out += ',';
    list("offsets", [&](int32_t, std::size_t b, std::size_t e) {
        out += '[' + std::to_string(b) + ',' + std::to_string(e) + ']';
    });
    out += ',';
    list("tokens", [&](int32_t id, std::size_t, std::size_t) {
        // Invalid UTF-8 (a token that is half a character) is replaced, as in printJson.
        out += nlohmann::json(tokenizer.tokenString(id)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    });
    out += "}\n";
    flush(true);
    std::cout.flush();
}

int cmdTokenize(const Args& args)
{
    const auto tokenizer = core::Tokenizer::load(args.required("tokenizer"));
    const std::string text = readTextArg(args);
    std::optional<int32_t> bos;
    if (args.flags.count("prepend-bos")) {
        bos = tokenizer.bosId();
        if (!bos)
            throw core::Error(args.value("tokenizer") + ": --prepend-bos given, but the tokenizer defines no BOS token");
    }
    printTokens(tokenizer, tokenizer.encodeWithSpans(text), bos);
    return 0;
}

std::vector<int32_t> parseIds(const std::string& s)
{
    std::vector<int32_t> ids;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const auto comma = s.find(',', pos);
        const std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        try {
            std::size_t used = 0;
            const long v = std::stol(item, &used);
            if (used != item.size() || v < 0 || v > INT32_MAX)
                throw std::invalid_argument(item);
            ids.push_back(static_cast<int32_t>(v));
        } catch (const std::exception&) {
            throw UsageError("--ids expects comma-separated non-negative integers, got \"" + item + "\"");
        }
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    return ids;
}

int cmdLogits(const Args& args)
{
    if (args.has("ids") == args.has("text"))
        throw UsageError("give exactly one of --ids or --text");
    const std::string positions = args.value("positions", "last");
    if (positions != "last" && positions != "all")
        throw UsageError("--positions must be last or all");
    const int topK = args.intValue("top-k", 0);
    if (topK < 0)
        throw UsageError("--top-k must be positive");
    const auto model = core::Model::load(args.required("model"), loadOptions(args));
    const auto ids = args.has("ids") ? parseIds(args.value("ids")) : model->encode(args.value("text"));
    const bool all = positions == "all";
    const auto logits = model->logits({ids}, all); // [1, pos, vocab] or [1, vocab]
    const int64_t vocab = logits.shape.back();
    const int64_t rows = all ? logits.shape[1] : 1;

    nlohmann::json out;
    out["ids"] = ids;
    nlohmann::json posList = nlohmann::json::array();
    for (int64_t r = 0; r < rows; ++r)
        posList.push_back(all ? r : static_cast<int64_t>(ids.size()) - 1);
    out["positions"] = posList;
    const auto* tokenizer = model->tokenizer();
    if (topK > 0) {
        nlohmann::json top = nlohmann::json::array();
        for (int64_t r = 0; r < rows; ++r) {
            const float* row = logits.values.data() + r * vocab;
            std::vector<int32_t> order(static_cast<std::size_t>(vocab));
            std::iota(order.begin(), order.end(), 0);
            const auto k = std::min<int64_t>(topK, vocab);
            std::partial_sort(order.begin(), order.begin() + k, order.end(),
                              [&](int32_t a, int32_t b) { return row[a] > row[b]; });
            nlohmann::json entries = nlohmann::json::array();
            for (int64_t i = 0; i < k; ++i) {
                const auto id = order[static_cast<std::size_t>(i)];
                // "text": what the token reads as (" Mary"); "piece": the vocabulary's raw
                // string ("ĠMary", "▁Mary", "<0x0A>"). Ids past the tokenizer (padded
                // embedding rows) have neither.
                const bool known = tokenizer && tokenizer->contains(id);
                entries.push_back({{"id", id},
                                   {"text", known ? nlohmann::json(tokenizer->tokenText(id)) : nlohmann::json(nullptr)},
                                   {"piece", known ? nlohmann::json(tokenizer->tokenString(id)) : nlohmann::json(nullptr)},
                                   {"logit", row[id]}});
            }
            top.push_back(entries);
        }
        out["top_k"] = top;
    } else {
        nlohmann::json rowsJson = nlohmann::json::array();
        for (int64_t r = 0; r < rows; ++r)
            rowsJson.push_back(std::vector<float>(logits.values.begin() + r * vocab, logits.values.begin() + (r + 1) * vocab));
        out["logits"] = rowsJson;
    }
    printJson(out);
    return 0;
}

// heads: induction, previous-token and duplicate-token scores of every head.
int cmdHeads(const Args& args)
{
    core::HeadScoreOptions options;
    options.sequences = args.intValue("sequences", options.sequences);
    options.length = args.intValue("length", options.length);
    options.seed = static_cast<uint64_t>(args.intValue("seed", static_cast<int>(options.seed)));
    if (options.sequences < 1 || options.length < 1)
        throw UsageError("--sequences and --length must be at least 1");
    const int top = args.intValue("top", 10);
    if (top < 0)
        throw UsageError("--top must be positive");
    const auto model = core::Model::load(args.required("model"), loadOptions(args));
    const auto scores = core::scoreHeads(*model, options);
    std::optional<core::AnswerAttention> answers;
    if (args.has("data"))
        answers = core::answerAttention(*model, core::readDataset(args.value("data")));
    nlohmann::json out = {{"model", args.value("model")},
                          {"layers", scores.layers},
                          {"heads", scores.heads},
                          {"sequences", scores.tokens.size()},
                          {"length", scores.length},
                          {"bos", scores.bos},
                          {"seed", options.seed}};
    auto table = [&](const std::vector<double>& values) {
        nlohmann::json rows = nlohmann::json::array();
        for (int l = 0; l < scores.layers; ++l) {
            std::vector<double> row;
            for (int h = 0; h < scores.heads; ++h)
                row.push_back(scores.at(values, l, h));
            rows.push_back(row);
        }
        nlohmann::json best = nlohmann::json::array();
        for (const auto& [name, value] : core::headsAbove(scores.layers, scores.heads, values, 0.0)) {
            if (static_cast<int>(best.size()) >= top)
                break;
            best.push_back({{"head", name}, {"score", value}});
        }
        return nlohmann::json{{"by_layer", rows}, {"top", best}};
    };
    out["induction"] = table(scores.induction);
    out["previous_token"] = table(scores.previousToken);
    out["duplicate_token"] = table(scores.duplicateToken);
    if (answers) {
        out["data"] = args.value("data");
        out["pairs"] = answers->pairs;
        out["answer_attention"] = table(answers->toAnswer);
        out["wrong_answer_attention"] = table(answers->toWrongAnswer);
    }
    if (args.flags.count("tokens"))
        out["tokens"] = scores.tokens;
    printJson(out);
    return 0;
}

} // namespace

const std::vector<std::string> modelOptionNames = {"model", "device", "dtype", "bos"};

core::LoadOptions loadOptions(const Args& args)
{
    core::LoadOptions o;
    o.device = args.value("device", "cpu");
    o.dtype = args.value("dtype", "float32");
    const std::string bos = args.value("bos", "auto");
    if (bos == "auto")
        o.bos = core::LoadOptions::Bos::Auto;
    else if (bos == "always")
        o.bos = core::LoadOptions::Bos::Always;
    else if (bos == "never")
        o.bos = core::LoadOptions::Bos::Never;
    else
        throw UsageError("--bos must be auto, always or never, got \"" + bos + "\"");
    return o;
}

std::vector<Command> modelCommands()
{
    auto with = [&](std::vector<std::string> extra) {
        extra.insert(extra.end(), modelOptionNames.begin(), modelOptionNames.end());
        return extra;
    };
    return {
        {"info", "describe a model (directory, .safetensors or .gguf file), or this machine's compute runtime (--system)",
         "patchbay-cli info (--model PATH [--device cpu|cuda|auto] [--dtype float32|bfloat16|float16] "
         "[--bos auto|always|never] | --system)",
         with({}), {"system"}, &cmdInfo},
        {"tokenize", "tokenize a text with a model's tokenizer",
         "patchbay-cli tokenize --tokenizer PATH (--text S | --text-file F) [--prepend-bos]", {"tokenizer", "text", "text-file"},
         {"prepend-bos"}, &cmdTokenize},
        {"logits", "run the model and print logits (or the top-k tokens)",
         "patchbay-cli logits --model PATH (--ids 1,2,3 | --text S) [--positions last|all] [--top-k K] "
         "[--device D] [--dtype T] [--bos auto|always|never]",
         with({"ids", "text", "positions", "top-k"}), {}, &cmdLogits},
        {"heads", "induction, previous-token and duplicate-token scores of every attention head (repeated random tokens)",
         "patchbay-cli heads --model PATH [--sequences N] [--length T] [--seed S] [--top K] [--tokens] [--data FILE] "
         "[--device D] [--dtype T] [--bos auto|always|never]",
         with({"sequences", "length", "seed", "top", "data"}), {"tokens"}, &cmdHeads},
    };
}

} // namespace patchbay::cli
