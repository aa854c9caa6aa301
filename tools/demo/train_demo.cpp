// SPDX-License-Identifier: MIT
// Trains Patchbay's demo model: a 2-layer attention-only transformer over a readable
// word-level vocabulary that learns induction ([A][B] … [A] → [B]) and writes it as an
// ordinary Hugging Face GPT-2 directory (config.json, model.safetensors, tokenizer.json),
// so the app, Hugging Face transformers and TransformerLens all load it unchanged.
//
// "Attention-only" inside a GPT-2 checkpoint: the MLP weights and biases are exactly zero
// and never trained, so every MLP writes 0 into the residual stream (the graph still has
// m0/m1 nodes; their edges score exactly 0). The model keeps GPT-2's LayerNorms.
//
// Guidance: plain training on repeated random words finds a *shifted* induction mechanism
// (layer-0 heads looking several tokens back, layer-1 heads reading keys and values both
// through them) that no data of this kind tells apart from the textbook circuit. So for the
// first --guide-steps steps an auxiliary loss, fading to zero, shows a0.h0 the previous token
// and a1.h0 the token after the earlier occurrence (capped at 0.8 attention). How they
// attend (the K-composition) and what they copy are learned. tools/demo/README.md has the
// runs that led here.
//
// After training, the program reloads the written directory through patchbay_core and
// checks that the core's logits equal the trainer's, then finds the previous-token and
// induction heads from their attention patterns and writes the demo datasets and the
// induction circuit (see tools/demo/README.md). Deterministic for a given --seed and thread
// count.
#include "core/methods/attribution.h"
#include "core/graph/circuit.h"
#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/methods/evaluation.h"
#include "core/model/model.h"
#include "core/data/tasks.h"
#include "core/tokenize/tokenizer.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;
namespace core = patchbay::core;

namespace {

struct Settings
{
    fs::path out = fs::path(PATCHBAY_SOURCE_DIR) / "resources" / "demo";
    fs::path tasks = fs::path(PATCHBAY_SOURCE_DIR) / "resources" / "tasks";
    int64_t steps = 8000;
    int64_t batch = 64;
    int64_t seqLen = 48;   // training sequence length, BOS included
    int64_t dModel = 64;
    int64_t heads = 4;
    int64_t layers = 2;
    int64_t nCtx = 64;
    double lr = 3e-3;
    double weightDecay = 0.3;
    int64_t guideSteps = 4000; // steps during which the two heads are guided (see guideLoss)
    double ioiFraction = 0.25; // share of training rows that are IOI sentences (0: induction only)
    uint64_t seed = 1;
    int threads = 1;
};

// ---------------------------------------------------------------------------------------
// Vocabulary and tokenizer.json

std::vector<std::string> readLines(const fs::path& file)
{
    std::ifstream in(file);
    if (!in)
        throw core::Error(file.string() + ": cannot open");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty())
            lines.push_back(line);
    }
    return lines;
}

// The words of a text as the Whitespace pre-tokenizer splits it (\w+|[^\w\s]+).
std::vector<std::string> words(const std::string& text)
{
    static const std::regex word(R"(\w+|[^\w\s]+)");
    std::vector<std::string> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), word); it != std::sregex_iterator(); ++it)
        out.push_back(it->str());
    return out;
}

struct Vocabulary
{
    std::vector<std::string> tokens;   // id -> word; 0 = <bos>, 1 = <unk>
    std::vector<int64_t> contentWords; // every word of letters: what induction draws from (as the generator does)
};

Vocabulary buildVocabulary(const fs::path& tasks)
{
    const json ioi = json::parse(std::ifstream(tasks / "ioi_ingredients.json"));
    Vocabulary v;
    std::map<std::string, int64_t> index;
    auto add = [&](const std::string& w) {
        auto [it, inserted] = index.emplace(w, static_cast<int64_t>(v.tokens.size()));
        if (inserted)
            v.tokens.push_back(w);
        const bool letters = std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isalpha(c); });
        if (letters && inserted)
            v.contentWords.push_back(it->second);
    };
    add("<bos>");
    add("<unk>");
    for (const auto& key : {"templates_baba", "templates_abba"})
        for (const auto& t : ioi.at(key))
            for (const auto& w : words(std::regex_replace(t.get<std::string>(), std::regex(R"(\[[A-Z]+\])"), " ")))
                add(w);
    for (const auto& key : {"names", "places", "objects"})
        for (const auto& w : ioi.at(key))
            add(w.get<std::string>());
    for (const auto& noun : readLines(tasks / "greater_than_nouns.txt"))
        if (words(noun).size() == 1)
            add(noun);
    return v;
}

void writeTokenizer(const Vocabulary& v, const fs::path& dir)
{
    json vocab = json::object();
    for (std::size_t i = 0; i < v.tokens.size(); ++i)
        vocab[v.tokens[i]] = i;
    auto special = [](int id, const std::string& content) {
        return json{{"id", id},          {"content", content}, {"single_word", false}, {"lstrip", false},
                    {"rstrip", false},   {"normalized", false}, {"special", true}};
    };
    const json bos = {{"SpecialToken", {{"id", "<bos>"}, {"type_id", 0}}}};
    const json tokenizer = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", {special(0, "<bos>"), special(1, "<unk>")}},
        {"normalizer", nullptr},
        {"pre_tokenizer", {{"type", "Whitespace"}}},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single", {bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
          {"pair", {bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
          {"special_tokens", {{"<bos>", {{"id", "<bos>"}, {"ids", {0}}, {"tokens", {"<bos>"}}}}}}}},
        {"decoder", nullptr},
        {"model", {{"type", "WordLevel"}, {"vocab", vocab}, {"unk_token", "<unk>"}}},
    };
    std::ofstream(dir / "tokenizer.json") << tokenizer.dump(1) << '\n';
    // So that transformers' AutoTokenizer loads the same tokenizer (PreTrainedTokenizerFast).
    const json config = {{"tokenizer_class", "PreTrainedTokenizerFast"}, {"bos_token", "<bos>"},
                         {"eos_token", "<bos>"},   {"unk_token", "<unk>"},   {"add_bos_token", true},
                         {"model_max_length", 64}};
    std::ofstream(dir / "tokenizer_config.json") << config.dump(1) << '\n';
}

// ---------------------------------------------------------------------------------------
// The model: GPT-2's attention blocks (pre-LayerNorm, learned positions, tied unembedding)
// without MLPs.

struct DemoTransformerImpl : torch::nn::Module
{
    DemoTransformerImpl(const Settings& s, int64_t vocab) : heads(s.heads), dHead(s.dModel / s.heads)
    {
        const auto init = [&](std::vector<int64_t> shape, double std) { return torch::randn(shape) * std; };
        wte = register_parameter("wte", init({vocab, s.dModel}, 0.02));
        // Sinusoidal start for the learned positions: relative offsets are then linear in
        // the embeddings, so a previous-token head is easy to find (with a random start the
        // model settles on a tangle of positional heads instead of the textbook circuit).
        const auto position = torch::arange(s.nCtx, torch::kFloat32).unsqueeze(1);
        const auto frequency = torch::exp(torch::arange(0, s.dModel, 2, torch::kFloat32) * (-std::log(10000.0) / s.dModel));
        const auto angles = position * frequency; // [n_ctx, d_model / 2]
        wpe = register_parameter("wpe", torch::stack({angles.sin(), angles.cos()}, -1).reshape({s.nCtx, s.dModel}) * 0.05);
        for (int64_t l = 0; l < s.layers; ++l) {
            const auto n = "h" + std::to_string(l) + "_";
            ln1W.push_back(register_parameter(n + "ln1_w", torch::ones({s.dModel})));
            ln1B.push_back(register_parameter(n + "ln1_b", torch::zeros({s.dModel})));
            qkvW.push_back(register_parameter(n + "qkv_w", init({s.dModel, 3 * s.dModel}, 0.02))); // Conv1D [in, out]
            qkvB.push_back(register_parameter(n + "qkv_b", torch::zeros({3 * s.dModel})));
            projW.push_back(register_parameter(n + "proj_w", init({s.dModel, s.dModel}, 0.02 / std::sqrt(2.0 * s.layers))));
            projB.push_back(register_parameter(n + "proj_b", torch::zeros({s.dModel})));
        }
        lnfW = register_parameter("lnf_w", torch::ones({s.dModel}));
        lnfB = register_parameter("lnf_b", torch::zeros({s.dModel}));
    }

    // ids [batch, pos] -> logits [batch, pos, vocab]; patterns (optional) receives one
    // [batch, heads, pos, pos] tensor per layer.
    torch::Tensor forward(const torch::Tensor& ids, std::vector<torch::Tensor>* patterns = nullptr)
    {
        const int64_t batch = ids.size(0), pos = ids.size(1), d = wte.size(1);
        auto x = wte.index_select(0, ids.reshape({-1})).reshape({batch, pos, d}) + wpe.slice(0, 0, pos);
        const auto causal = torch::ones({pos, pos}, torch::kBool).tril();
        for (std::size_t l = 0; l < qkvW.size(); ++l) {
            const auto h = torch::layer_norm(x, {d}, ln1W[l], ln1B[l], 1e-5);
            const auto qkv = torch::addmm(qkvB[l], h.reshape({-1, d}), qkvW[l]).reshape({batch, pos, 3, heads, dHead});
            const auto q = qkv.select(2, 0).permute({0, 2, 1, 3}); // [batch, head, pos, d_head]
            const auto k = qkv.select(2, 1).permute({0, 2, 1, 3});
            const auto v = qkv.select(2, 2).permute({0, 2, 1, 3});
            auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(dHead));
            scores = scores.masked_fill(causal.logical_not(), -1e9);
            const auto pattern = torch::softmax(scores, -1); // [batch, head, q, k]
            if (patterns)
                patterns->push_back(pattern);
            const auto z = torch::matmul(pattern, v).permute({0, 2, 1, 3}).reshape({-1, d});
            x = x + torch::addmm(projB[l], z, projW[l]).reshape({batch, pos, d});
        }
        x = torch::layer_norm(x, {d}, lnfW, lnfB, 1e-5);
        return torch::matmul(x, wte.t());
    }

    int64_t heads, dHead;
    torch::Tensor wte, wpe, lnfW, lnfB;
    std::vector<torch::Tensor> ln1W, ln1B, qkvW, qkvB, projW, projB;
};
TORCH_MODULE(DemoTransformer);

// ---------------------------------------------------------------------------------------
// Training data

// Rows of [bos, random prefix, r1..rT, r1..rT, random suffix] cut to seqLen: the second
// copy is predictable only by induction. Exactly two copies, as in the induction-head
// literature: with many copies the model can also lean on the period instead.
// `targets` (optional) receives [rows, seqLen - 1]: 1 where the next token is predictable
// (inside the second copy), else 0 — the loss counts only those, so the noise tokens do
// not drown the induction signal. `keys` (optional) receives [rows, seqLen]: for a query in
// the second copy, the position of the token after its earlier occurrence, else -1.
torch::Tensor inductionBatch(const Settings& s, const Vocabulary& v, int64_t rows, torch::Generator& gen,
                             torch::Tensor* targets = nullptr, torch::Tensor* keys = nullptr)
{
    if (keys)
        *keys = torch::full({rows, s.seqLen}, -1, torch::kLong);
    const auto pool = torch::tensor(v.contentWords);
    const int64_t n = pool.size(0);
    auto out = torch::zeros({rows, s.seqLen}, torch::kLong);
    if (targets)
        *targets = torch::zeros({rows, s.seqLen - 1});
    for (int64_t r = 0; r < rows; ++r) {
        const int64_t prefix = torch::randint(0, 12, {1}, gen).item<int64_t>();
        const int64_t period = torch::randint(4, (s.seqLen - 1 - prefix) / 2 + 1, {1}, gen).item<int64_t>();
        const auto repeat = pool.index_select(0, torch::randperm(n, gen).slice(0, 0, period));
        const auto noise = pool.index_select(0, torch::randint(0, n, {s.seqLen}, gen));
        auto row = out[r];
        row.slice(0, 1) = noise.slice(0, 0, s.seqLen - 1);
        row.slice(0, 1 + prefix, 1 + prefix + period) = repeat;
        row.slice(0, 1 + prefix + period, 1 + prefix + 2 * period) = repeat;
        if (targets) // position p predicts token p + 1: tokens 2..T of the second copy
            (*targets)[r].slice(0, 1 + prefix + period, prefix + 2 * period) = 1;
        if (keys)
            (*keys)[r].slice(0, 1 + prefix + period, 1 + prefix + 2 * period) = torch::arange(2 + prefix, 2 + prefix + period);
    }
    return out; // column 0 is <bos> (id 0)
}

// Which heads the guidance shapes into the textbook circuit.
constexpr int64_t kPrevHead = 0;      // layer 0
constexpr int64_t kInductionHead = 0; // layer 1

// The guidance (see the file comment): −log of a0.h0's attention on the previous token
// (every query but <bos>) and of a1.h0's on the token after the earlier occurrence (the
// second-copy queries, `keys` ≥ 0), counted only while that attention is below 0.8: the
// guidance shows where to look, it does not saturate the softmax (a saturated head has
// vanishing gradients, and gradient attribution would then miss it).
// patterns: one [batch, head, q, k] per layer.
torch::Tensor cappedNll(const torch::Tensor& attention)
{
    return -(attention + 1e-6).log() * attention.detach().lt(0.8).to(attention.scalar_type());
}

torch::Tensor guideLoss(const std::vector<torch::Tensor>& patterns, const torch::Tensor& keys)
{
    const auto prev = patterns[0].select(1, kPrevHead).diagonal(-1, -2, -1); // [batch, pos - 1]
    auto loss = cappedNll(prev).mean();
    const auto k = keys.slice(1, 0, patterns[1].size(2));                   // [batch, pos]
    const auto valid = k.ge(0);
    if (valid.any().item<bool>()) {
        const auto attention = patterns[1].select(1, kInductionHead).gather(2, k.clamp_min(0).unsqueeze(2)).squeeze(2);
        loss = loss + cappedNll(attention).masked_select(valid).mean();
    }
    return loss;
}

// IOI sentences from the task generator, as training rows [bos, prompt…, answer] padded
// with <bos>; the loss counts only the answer (the indirect object).
struct IoiRows
{
    torch::Tensor ids;    // [n, seqLen]
    torch::Tensor target; // [n, seqLen - 1]: 1 at the position that predicts the answer
};

IoiRows ioiRows(const core::Tokenizer& tokenizer, int n, uint64_t seed, int64_t seqLen)
{
    core::TaskOptions options;
    options.task = "ioi";
    options.n = n;
    options.seed = seed;
    const auto task = core::generateTask(options, tokenizer);
    IoiRows rows{torch::zeros({n, seqLen}, torch::kLong), torch::zeros({n, seqLen - 1})};
    for (int i = 0; i < n; ++i) {
        const auto& pair = task.data.pairs[static_cast<std::size_t>(i)];
        auto ids = tokenizer.encode(pair.clean);
        ids.insert(ids.begin(), 0); // <bos>
        ids.push_back(tokenizer.encode(pair.answers.front()).front());
        if (static_cast<int64_t>(ids.size()) > seqLen)
            throw core::Error("an IOI prompt is longer than the training sequence");
        for (std::size_t p = 0; p < ids.size(); ++p)
            rows.ids[i][static_cast<int64_t>(p)] = ids[p];
        rows.target[i][static_cast<int64_t>(ids.size()) - 2] = 1;
    }
    return rows;
}

// Top-1 accuracy on the answer of held-out IOI prompts.
double ioiAccuracy(DemoTransformer& model, const IoiRows& rows)
{
    torch::NoGradGuard noGrad;
    const auto logits = model->forward(rows.ids.slice(1, 0, -1)); // [n, pos, vocab]
    const auto at = rows.target.argmax(1);                        // the answer-predicting position
    const auto predicted = logits.index({torch::arange(rows.ids.size(0)), at}).argmax(-1);
    const auto answer = rows.ids.index({torch::arange(rows.ids.size(0)), at + 1});
    return predicted.eq(answer).to(torch::kDouble).mean().item<double>();
}

// ---------------------------------------------------------------------------------------
// Writing the checkpoint (Hugging Face GPT-2 names, float32 safetensors)

void writeSafetensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors, const fs::path& file)
{
    json header = {{"__metadata__", {{"format", "pt"}}}};
    int64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        const int64_t bytes = t.numel() * 4;
        header[name] = {{"dtype", "F32"}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::ofstream out(file, std::ios::binary);
    const uint64_t size = text.size(); // little-endian on every machine this runs on
    out.write(reinterpret_cast<const char*>(&size), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& [name, t] : tensors) {
        const auto c = t.detach().to(torch::kFloat32).contiguous();
        out.write(reinterpret_cast<const char*>(c.data_ptr<float>()), c.numel() * 4);
    }
    if (!out)
        throw core::Error(file.string() + ": write failed");
}

void writeCheckpoint(DemoTransformer& model, const Settings& s, int64_t vocab, const fs::path& dir)
{
    const int64_t d = s.dModel, dMlp = 4 * s.dModel;
    std::vector<std::pair<std::string, torch::Tensor>> t;
    t.emplace_back("transformer.wte.weight", model->wte);
    t.emplace_back("transformer.wpe.weight", model->wpe);
    for (int64_t l = 0; l < s.layers; ++l) {
        const auto p = "transformer.h." + std::to_string(l) + ".";
        t.emplace_back(p + "ln_1.weight", model->ln1W[l]);
        t.emplace_back(p + "ln_1.bias", model->ln1B[l]);
        t.emplace_back(p + "attn.c_attn.weight", model->qkvW[l]);
        t.emplace_back(p + "attn.c_attn.bias", model->qkvB[l]);
        t.emplace_back(p + "attn.c_proj.weight", model->projW[l]);
        t.emplace_back(p + "attn.c_proj.bias", model->projB[l]);
        t.emplace_back(p + "ln_2.weight", torch::ones({d}));
        t.emplace_back(p + "ln_2.bias", torch::zeros({d}));
        t.emplace_back(p + "mlp.c_fc.weight", torch::zeros({d, dMlp}));
        t.emplace_back(p + "mlp.c_fc.bias", torch::zeros({dMlp}));
        t.emplace_back(p + "mlp.c_proj.weight", torch::zeros({dMlp, d}));
        t.emplace_back(p + "mlp.c_proj.bias", torch::zeros({d}));
    }
    t.emplace_back("transformer.ln_f.weight", model->lnfW);
    t.emplace_back("transformer.ln_f.bias", model->lnfB);
    writeSafetensors(t, dir / "model.safetensors");

    const json config = {
        {"architectures", {"GPT2LMHeadModel"}},
        {"model_type", "gpt2"},
        {"vocab_size", vocab},
        {"n_positions", s.nCtx},
        {"n_embd", d},
        {"n_layer", s.layers},
        {"n_head", s.heads},
        {"n_inner", dMlp},
        {"activation_function", "gelu_new"},
        {"layer_norm_epsilon", 1e-5},
        {"bos_token_id", 0},
        {"eos_token_id", 0},
        {"tie_word_embeddings", true},
        {"scale_attn_weights", true},
        {"attn_pdrop", 0.0},
        {"embd_pdrop", 0.0},
        {"resid_pdrop", 0.0},
        {"patchbay_demo",
         "2-layer attention-only induction model (MLP weights are zero); trained by tools/demo/train_demo.cpp"},
    };
    std::ofstream(dir / "config.json") << config.dump(1) << '\n';
}

// ---------------------------------------------------------------------------------------
// Measurements on held-out data

struct InductionReport
{
    double accuracy = 0;     // top-1 on the predictable positions of [bos, r1..rT, r1..rT]
    int prevHead = -1;       // layer 0
    double prevScore = 0;    // mean attention on the previous position
    int inductionHead = -1;  // layer 1
    double inductionScore = 0; // mean attention on the token after the earlier occurrence
};

InductionReport measureInduction(DemoTransformer& model, const Vocabulary& v, int64_t period, torch::Generator& gen)
{
    torch::NoGradGuard noGrad;
    const int64_t rows = 256;
    const auto pool = torch::tensor(v.contentWords);
    auto ids = torch::zeros({rows, 1 + 2 * period}, torch::kLong);
    for (int64_t r = 0; r < rows; ++r) {
        const auto repeat = pool.index_select(0, torch::randperm(pool.size(0), gen).slice(0, 0, period));
        ids[r].slice(0, 1, 1 + period) = repeat;
        ids[r].slice(0, 1 + period) = repeat;
    }
    std::vector<torch::Tensor> patterns;
    const auto logits = model->forward(ids, &patterns);
    // Positions 1+T .. 2T-1 (the second copy but its last token) predict r2..rT.
    const auto predicted = logits.slice(1, 1 + period, 2 * period).argmax(-1);
    InductionReport report;
    report.accuracy = predicted.eq(ids.slice(1, 2 + period)).to(torch::kDouble).mean().item<double>();

    const auto queries = torch::arange(1 + period, 1 + 2 * period);
    const auto prev = patterns[0].index({torch::indexing::Slice(), torch::indexing::Slice(), queries, queries - 1});
    const auto prevPerHead = prev.mean(std::vector<int64_t>{0, 2}); // [head]
    report.prevHead = static_cast<int>(prevPerHead.argmax().item<int64_t>());
    report.prevScore = prevPerHead.max().item<double>();
    // The token after the earlier occurrence of query position p is p - T + 1.
    const auto ind = patterns[1].index({torch::indexing::Slice(), torch::indexing::Slice(), queries, queries - period + 1});
    const auto indPerHead = ind.mean(std::vector<int64_t>{0, 2});
    report.inductionHead = static_cast<int>(indPerHead.argmax().item<int64_t>());
    report.inductionScore = indPerHead.max().item<double>();
    return report;
}

double maxLogitDifference(DemoTransformer& model, const core::Model& loaded, torch::Generator& gen, const Vocabulary& v)
{
    torch::NoGradGuard noGrad;
    const auto ids = inductionBatch(Settings{}, v, 4, gen).slice(1, 0, 24);
    const auto ours = model->forward(ids);
    std::vector<std::vector<int32_t>> batch;
    for (int64_t r = 0; r < ids.size(0); ++r) {
        const auto row = ids[r].to(torch::kInt).contiguous();
        batch.emplace_back(row.data_ptr<int32_t>(), row.data_ptr<int32_t>() + row.numel());
    }
    const auto core = loaded.logits(batch, true);
    const auto theirs = torch::from_blob(const_cast<float*>(core.values.data()), core.shape, torch::kFloat32);
    return (ours - theirs).abs().max().item<double>();
}

// The demo dataset of a task, generated by the app's own generator for the demo
// tokenizer (a seed the training never used), and written next to the model.
core::Dataset writeTaskDataset(const core::Model& model, const std::string& task, uint64_t seed, const fs::path& file)
{
    core::TaskOptions options;
    options.task = task;
    options.n = 64;
    options.seed = seed;
    auto data = core::generateTask(options, *model.tokenizer()).data;
    core::writeDataset(data, file, core::DatasetFormat::NativeCsv);
    return core::readDataset(file);
}

// The induction circuit: EAP scores on the demo dataset, edges grown greedily from
// `logits` until the circuit recovers 90% of the clean logit difference, then pruned;
// the two heads labelled. Returns its summary.
json writeInductionCircuit(const std::shared_ptr<core::Model>& model, core::Dataset data, const InductionReport& heads,
                           const fs::path& file)
{
    const core::Evaluator evaluator(model, std::move(data), core::EvaluationOptions{});
    core::AttributionOptions options;
    options.method = core::Method::Eap;
    const auto result = core::attribute(evaluator, options);
    auto circuit = core::attributionCircuit(evaluator, result);
    double faithfulness = 0;
    for (std::size_t n = 1; n <= circuit.graph.edgeCount(); ++n) {
        core::selectGreedy(circuit, n);
        core::prune(circuit);
        faithfulness = evaluator.faithfulness(evaluator.evaluate(circuit));
        if (faithfulness >= 0.9)
            break;
    }
    const auto prev = "a0.h" + std::to_string(heads.prevHead);
    const auto induction = "a1.h" + std::to_string(heads.inductionHead);
    circuit.labels[prev] = "previous-token head";
    circuit.labels[induction] = "induction head";
    circuit.groups[prev] = "induction circuit";
    circuit.groups[induction] = "induction circuit";
    circuit.modelName = "patchbay-demo";
    core::writeCircuit(circuit, file, core::CircuitFormat::Native);

    std::vector<std::size_t> order(result.edgeScores.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::abs(result.edgeScores[a]) > std::abs(result.edgeScores[b]);
    });
    json top = json::array();
    for (std::size_t i = 0; i < 5; ++i)
        top.push_back({{"edge", circuit.graph.edgeName(order[i])}, {"score", result.edgeScores[order[i]]}});
    return {{"edges", circuit.edgesInGraph()}, {"faithfulness", faithfulness},
            {"clean_logit_diff", evaluator.cleanMetric()}, {"corrupted_logit_diff", evaluator.referenceMetric()},
            {"eap_top5", top}};
}

Settings parseArgs(int argc, char** argv)
{
    Settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                throw core::Error("missing value after " + a);
            return argv[++i];
        };
        if (a == "--out")
            s.out = next();
        else if (a == "--tasks")
            s.tasks = next();
        else if (a == "--steps")
            s.steps = std::stoll(next());
        else if (a == "--seed")
            s.seed = std::stoull(next());
        else if (a == "--threads")
            s.threads = std::stoi(next());
        else if (a == "--ioi-fraction")
            s.ioiFraction = std::stod(next());
        else if (a == "--d-model")
            s.dModel = std::stoll(next());
        else if (a == "--guide-steps")
            s.guideSteps = std::stoll(next());
        else if (a == "--heads")
            s.heads = std::stoll(next());
        else if (a == "--weight-decay")
            s.weightDecay = std::stod(next());
        else if (a == "--lr")
            s.lr = std::stod(next());
        else
            throw core::Error("unknown option " + a +
                              " (options: --out DIR --tasks DIR --steps N --seed S --threads N --ioi-fraction F "
                              "--d-model D --heads H --lr LR --weight-decay W --guide-steps N)");
    }
    return s;
}

double secondsSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int main(int argc, char** argv)
try {
    const Settings s = parseArgs(argc, argv);
    const auto t0 = std::chrono::steady_clock::now();
    at::set_num_threads(s.threads);
    torch::manual_seed(s.seed);
    auto gen = torch::make_generator<at::CPUGeneratorImpl>(s.seed);

    fs::create_directories(s.out);
    const Vocabulary vocab = buildVocabulary(s.tasks);
    const auto vocabSize = static_cast<int64_t>(vocab.tokens.size());
    writeTokenizer(vocab, s.out);
    std::cerr << "vocabulary: " << vocabSize << " words (" << vocab.contentWords.size() << " content words)\n";

    const auto tokenizer = core::Tokenizer::fromTokenizerJson(s.out / "tokenizer.json");
    IoiRows ioiTrain, ioiHeldOut;
    if (s.ioiFraction > 0) {
        ioiTrain = ioiRows(tokenizer, 20000, s.seed + 1, s.seqLen);
        ioiHeldOut = ioiRows(tokenizer, 500, s.seed + 2, s.seqLen);
    }
    const auto ioiPerBatch = static_cast<int64_t>(std::lround(s.ioiFraction * static_cast<double>(s.batch)));

    DemoTransformer model(s, vocabSize);
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(s.lr).weight_decay(s.weightDecay));
    double loss = 0;
    for (int64_t step = 1; step <= s.steps; ++step) {
        // Linear warm-up then cosine decay.
        const double warm = std::min(1.0, step / 100.0);
        const double lr = s.lr * warm * 0.5 * (1 + std::cos(M_PI * step / static_cast<double>(s.steps)));
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        torch::Tensor weight, keys;
        auto ids = inductionBatch(s, vocab, s.batch, gen, &weight, &keys);
        if (ioiPerBatch > 0) {
            const auto pick = torch::randint(0, ioiTrain.ids.size(0), {ioiPerBatch}, gen);
            ids.slice(0, 0, ioiPerBatch) = ioiTrain.ids.index_select(0, pick);
            weight.slice(0, 0, ioiPerBatch) = ioiTrain.target.index_select(0, pick);
            keys.slice(0, 0, ioiPerBatch) = -1;
        }
        std::vector<torch::Tensor> patterns;
        const auto logits = model->forward(ids.slice(1, 0, -1), &patterns);
        const auto perToken = torch::nn::functional::cross_entropy(
            logits.reshape({-1, vocabSize}), ids.slice(1, 1).reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
        auto l = (perToken * weight.reshape({-1})).sum() / weight.sum();
        if (step <= s.guideSteps) // fading linearly to zero
            l = l + (1.0 - static_cast<double>(step) / s.guideSteps) * guideLoss(patterns, keys);
        optimizer.zero_grad();
        l.backward();
        optimizer.step();
        loss = 0.98 * loss + 0.02 * l.item<double>();
        if (step % 250 == 0)
            std::cerr << "step " << step << "  loss " << loss << "  " << secondsSince(t0) << " s\n";
    }
    const double trainSeconds = secondsSince(t0);

    writeCheckpoint(model, s, vocabSize, s.out);
    const auto loaded = core::Model::load(s.out);
    const double diff = maxLogitDifference(model, *loaded, gen, vocab);
    if (!(diff < 1e-3))
        throw core::Error("the written checkpoint does not reproduce the trainer's logits (max |diff| " +
                          std::to_string(diff) + ")");

    auto evalGen = torch::make_generator<at::CPUGeneratorImpl>(s.seed + 1000);
    const auto report = measureInduction(model, vocab, 10, evalGen);
    const auto inductionData = writeTaskDataset(*loaded, "induction", s.seed + 3, s.out / "induction.csv");
    const json circuit = writeInductionCircuit(loaded, inductionData, report, s.out / "induction-circuit.json");
    json ioi = nullptr;
    if (s.ioiFraction > 0) {
        ioi = {{"fraction", s.ioiFraction}, {"held_out_accuracy", ioiAccuracy(model, ioiHeldOut)}};
        if (ioi["held_out_accuracy"].get<double>() >= 0.9)
            writeTaskDataset(*loaded, "ioi", s.seed + 4, s.out / "ioi.csv");
    }
    const json summary = {
        {"steps", s.steps},
        {"seed", s.seed},
        {"threads", s.threads},
        {"train_seconds", trainSeconds},
        {"final_loss", loss},
        {"vocab_size", vocabSize},
        {"core_logits_max_abs_diff", diff},
        {"induction_accuracy", report.accuracy},
        {"previous_token_head", "a0.h" + std::to_string(report.prevHead)},
        {"previous_token_attention", report.prevScore},
        {"induction_head", "a1.h" + std::to_string(report.inductionHead)},
        {"induction_attention", report.inductionScore},
        {"induction_circuit", circuit},
        {"ioi", ioi},
        {"total_seconds", secondsSince(t0)},
    };
    std::ofstream(s.out / "training.json") << summary.dump(1) << '\n';
    std::cout << summary.dump(1) << '\n';
    return 0;
} catch (const std::exception& e) {
    std::cerr << "patchbay-train-demo: " << e.what() << '\n';
    return 1;
}
