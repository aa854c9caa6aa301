// SPDX-License-Identifier: MIT
#include "core/model/model.h"

#include "core/model/detail/architecture.h"
#include "core/model/detail/gguf_model.h"
#include "core/model/detail/transformer.h"
#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/io/gguf.h"
#include "core/io/safetensors.h"
#include "core/common/system.h"
#include "core/tokenize/tokenizer.h"

#include <algorithm>
#include <chrono>

namespace patchbay::core {

namespace fs = std::filesystem;

int64_t FloatArray::numel() const
{
    int64_t n = 1;
    for (const auto d : shape)
        n *= d;
    return n;
}

float FloatArray::at(std::initializer_list<int64_t> index) const
{
    if (index.size() != shape.size())
        throw Error("FloatArray::at: index rank does not match the shape");
    int64_t flat = 0;
    std::size_t i = 0;
    for (const auto v : index) {
        if (v < 0 || v >= shape[i])
            throw Error("FloatArray::at: index out of range");
        flat = flat * shape[i] + v;
        ++i;
    }
    return values[static_cast<std::size_t>(flat)];
}

struct Model::Impl
{
    ModelInfo info;
    std::unique_ptr<detail::Transformer> transformer;
    std::optional<Tokenizer> tokenizer;
};

Model::Model() : d(std::make_unique<Impl>()) {}
Model::~Model() = default;

namespace {

torch::ScalarType parseDtype(const std::string& s)
{
    if (s == "float32" || s == "fp32" || s == "f32")
        return torch::kFloat32;
    if (s == "bfloat16" || s == "bf16")
        return torch::kBFloat16;
    if (s == "float16" || s == "fp16" || s == "f16" || s == "half")
        return torch::kFloat16;
    throw Error("unknown dtype \"" + s + "\" (use float32, bfloat16 or float16)");
}

std::string dtypeString(torch::ScalarType t)
{
    switch (t) {
    case torch::kFloat32: return "float32";
    case torch::kBFloat16: return "bfloat16";
    case torch::kFloat16: return "float16";
    default: return "other";
    }
}

torch::Device parseDevice(const std::string& s)
{
    if (s == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    if (s == "cpu")
        return torch::Device(torch::kCPU);
    if (s.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            throw Error("device \"" + s + "\" requested, but "
                        + std::string(at::hasCUDA() ? "no CUDA device is visible"
                                                    : "this build of LibTorch has no CUDA support"));
        torch::Device dev(s);
        if (dev.has_index() && dev.index() >= static_cast<int>(torch::cuda::device_count()))
            throw Error("device \"" + s + "\" does not exist (" + std::to_string(torch::cuda::device_count())
                        + " CUDA devices)");
        return dev.has_index() ? dev : torch::Device(torch::kCUDA, 0);
    }
    throw Error("unknown device \"" + s + "\" (use cpu, cuda, cuda:N or auto)");
}

// Older LibTorch builds lack some half-precision CPU kernels (1.13: no float16 addmm);
// say so before loading rather than fail in the middle of a forward.
void checkDtypeSupported(torch::ScalarType dtype, torch::Device device)
{
    if (dtype == torch::kFloat32)
        return;
    try {
        const auto o = torch::TensorOptions().dtype(dtype).device(device);
        (void)torch::addmm(torch::zeros({2}, o), torch::ones({2, 2}, o), torch::ones({2, 2}, o));
        (void)torch::gelu(torch::ones({2}, o), "tanh");
    } catch (const c10::Error&) {
        throw Error(dtypeString(dtype) + " compute is not supported on " + device.str() + " by this LibTorch build ("
                    + TORCH_VERSION + "); use " + (dtype == torch::kFloat16 ? "bfloat16 or " : "") + "float32");
    }
}

ModelConfig parseConfigFile(const fs::path& dir)
{
    const fs::path file = dir / "config.json";
    if (!fs::exists(file))
        throw Error(dir.string() + ": no config.json (a Hugging Face model directory is expected)");
    return detail::parseModelConfig(readJsonFile(file), file.string());
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// What a model path names: the weights (a directory, a file), where config.json and the
// tokenizer live, and whether it is a GGUF file.
struct ModelLocation
{
    fs::path weights;
    fs::path directory;
    bool gguf = false;
    bool file = false;
};

ModelLocation locate(const fs::path& path)
{
    std::error_code ec;
    if (fs::is_directory(path, ec))
        return {path, path, false, false};
    if (!fs::exists(path, ec))
        throw Error(path.string() + ": no such model directory or file");
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const std::string name = path.filename().string();
    if (isGgufPath(path))
        return {path, dir, true, true};
    if (path.extension() == ".safetensors" || endsWith(name, ".safetensors.index.json"))
        return {path, dir, false, true};
    if (path.extension() == ".bin" || path.extension() == ".pt" || path.extension() == ".pth"
        || path.extension() == ".ckpt" || endsWith(name, ".bin.index.json"))
        (void)SafetensorsStore::open(path); // throws the pickle message
    throw Error(path.string() + ": not a model file; open a model directory, a .safetensors file (with config.json "
                                "beside it) or a .gguf file");
}

ModelConfig ggufModelConfig(const detail::GgufModel& gguf)
{
    const std::string where = gguf.file->path().string() + " (GGUF metadata)";
    const std::string modelType = gguf.config.value("model_type", "");
    const auto& arch = detail::architectureFor(modelType, where);
    return arch.parseConfig(gguf.config, where);
}

} // namespace

bool isGgufPath(const fs::path& path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return false;
    return path.extension() == ".gguf" || looksLikeGguf(path);
}

ModelConfig readModelConfig(const fs::path& path)
{
    const ModelLocation loc = locate(path);
    if (loc.gguf)
        return ggufModelConfig(detail::openGgufModel(loc.weights, /*withWeights=*/false));
    return parseConfigFile(loc.directory);
}

std::shared_ptr<Model> Model::load(const fs::path& path, const LoadOptions& options)
{
    initRuntime();
    const auto start = std::chrono::steady_clock::now();
    auto report = [&](double f, const std::string& what) {
        if (options.progress)
            options.progress(f, what);
        if (options.cancel && options.cancel->load())
            throw Cancelled();
    };

    const ModelLocation loc = locate(path);
    const fs::path& dir = loc.directory;
    std::unique_ptr<WeightStore> store;
    detail::GgufModel gguf;
    ModelConfig config;
    std::string configWhere;
    if (loc.gguf) {
        report(0.0, "Reading the GGUF file");
        gguf = detail::openGgufModel(loc.weights);
        config = ggufModelConfig(gguf);
        configWhere = loc.weights.string() + " (GGUF metadata)";
        store = std::move(gguf.weights);
    } else {
        report(0.0, "Reading config.json");
        config = parseConfigFile(dir);
        configWhere = (dir / "config.json").string();
    }
    const auto& arch = detail::architectureFor(config.modelType, configWhere);

    const auto dtype = parseDtype(options.dtype);
    const auto device = parseDevice(options.device);
    if (dtype == torch::kFloat16 && arch.float16Refusal) // a family property (Gemma 2/3)
        throw Error(configWhere + ": " + config.modelType + " cannot run in float16: " + arch.float16Refusal
                    + "; use bfloat16 or float32");
    torch::NoGradGuard noGrad;
    checkDtypeSupported(dtype, device);

    if (!store) {
        report(0.05, "Opening weights");
        store = SafetensorsStore::open(loc.weights);
    }
    detail::WeightLoader loader(*store, dtype, device);
    report(0.1, LoadOptions::kLoadingWeights);
    // Progress and cancellation per tensor: a large model's weights are most of the load.
    const auto tensors = std::max<std::size_t>(store->names().size(), 1);
    loader.onTensor([&](std::size_t read) {
        report(0.1 + 0.8 * static_cast<double>(std::min(read, tensors)) / static_cast<double>(tensors), LoadOptions::kLoadingWeights);
    });
    auto weights = arch.loadWeights(config, loader);
    loader.checkAllUsed(config);
    report(0.9, "Loading tokenizer");

    std::shared_ptr<Model> model(new Model());
    auto& info = model->d->info;
    info.path = fs::absolute(loc.file ? loc.weights : dir);
    info.config = config;
    info.dtype = dtypeString(dtype);
    info.device = device.str();
    info.weightsFormat = loc.gguf ? "gguf" : "safetensors";
    info.weightFiles = store->describeFiles();
    info.weightsFingerprint = store->fingerprint();
    info.weightsDtype = store->storedTypes();
    model->d->transformer = std::make_unique<detail::Transformer>(config, std::move(weights));
    info.parameterCount = model->d->transformer->parameterCount();

    if (loc.gguf) {
        if (gguf.file->find("tokenizer.ggml.model"))
            model->d->tokenizer = Tokenizer::fromGguf(*gguf.file);
    } else if (fs::exists(dir / "tokenizer.json") || (fs::exists(dir / "vocab.json") && fs::exists(dir / "merges.txt"))) {
        model->d->tokenizer = Tokenizer::load(dir);
    }
    if (model->d->tokenizer) {
        info.tokenizerKind = model->d->tokenizer->kind();
        info.bosId = model->d->tokenizer->bosId();
        switch (options.bos) {
        case LoadOptions::Bos::Always:
            if (!info.bosId)
                throw Error(path.string() + ": BOS prepending requested, but the tokenizer defines no BOS token");
            info.prependBos = true;
            break;
        case LoadOptions::Bos::Never: info.prependBos = false; break;
        case LoadOptions::Bos::Auto: info.prependBos = model->d->tokenizer->addsBosByDefault(); break;
        }
    }
    info.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report(1.0, "Loaded");
    return model;
}

const ModelInfo& Model::info() const { return d->info; }
const ModelConfig& Model::config() const { return d->info.config; }
const Tokenizer* Model::tokenizer() const { return d->tokenizer ? &*d->tokenizer : nullptr; }
const detail::Transformer& Model::transformer() const { return *d->transformer; }

std::vector<int32_t> Model::encode(const std::string& text) const
{
    if (!d->tokenizer)
        throw Error(d->info.path.string() + ": this model has no tokenizer (tokenizer.json or vocab.json + merges.txt "
                                            "beside the weights, or tokenizer metadata in a GGUF file)");
    std::vector<int32_t> ids;
    if (d->info.prependBos)
        ids.push_back(*d->info.bosId);
    const auto body = d->tokenizer->encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    return ids;
}

namespace {

void checkIds(const std::vector<int32_t>& ids, std::size_t sequence, int64_t dVocab)
{
    if (ids.empty())
        throw Error("input sequence " + std::to_string(sequence) + " is empty");
    for (std::size_t p = 0; p < ids.size(); ++p) {
        if (ids[p] < 0 || ids[p] >= dVocab)
            throw Error("token id " + std::to_string(ids[p]) + " (sequence " + std::to_string(sequence) + ", position "
                        + std::to_string(p) + ") is outside the vocabulary of " + std::to_string(dVocab));
    }
}

// One unbatched forward of `ids` recording the activations `names`.
detail::ActivationCache cachedRun(const detail::Transformer& transformer, const std::vector<int32_t>& ids,
                                  const std::vector<std::string>& names)
{
    auto cache = detail::ActivationCache::only(names);
    const auto input = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end())).unsqueeze(0); // [1, pos]
    torch::NoGradGuard noGrad;
    transformer.forward(input, torch::Tensor(), &cache);
    return cache;
}

FloatArray toFloatArray(torch::Tensor t)
{
    t = t.to(torch::kCPU, torch::kFloat32).contiguous();
    FloatArray out;
    out.shape = t.sizes().vec();
    out.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    return out;
}

} // namespace

FloatArray Model::attentionPatterns(const std::vector<int32_t>& ids) const
{
    const auto& cfg = d->info.config;
    checkIds(ids, 0, cfg.dVocab);
    std::vector<std::string> names;
    for (int l = 0; l < cfg.nLayers; ++l)
        names.push_back("blocks." + std::to_string(l) + ".attn.hook_pattern");
    const auto cache = cachedRun(*d->transformer, ids, names);
    std::vector<torch::Tensor> layers;
    for (const auto& name : names)
        layers.push_back(cache.at(name).squeeze(0)); // [heads, q, k]
    return toFloatArray(torch::stack(layers).to(torch::kCPU, torch::kFloat32)); // [layers, heads, q, k], one copy to the host
}

std::string LogitLens::stageLabel(int stage) const
{
    return stage == 0 ? std::string("embed") : "after " + std::to_string(stage - 1);
}

LogitLens Model::logitLens(const std::vector<int32_t>& ids, int64_t position, int topK,
                           const std::vector<int32_t>& tracked) const
{
    const auto& cfg = d->info.config;
    checkIds(ids, 0, cfg.dVocab);
    const auto length = static_cast<int64_t>(ids.size());
    const int64_t p = position < 0 ? length + position : position;
    if (p < 0 || p >= length)
        throw Error("logit lens position " + std::to_string(position) + " is outside the sequence of "
                    + std::to_string(length) + " tokens");
    if (topK < 1)
        throw Error("logit lens needs at least one top token, got " + std::to_string(topK));
    for (const auto id : tracked)
        if (id < 0 || id >= cfg.dVocab)
            throw Error("tracked token id " + std::to_string(id) + " is outside the vocabulary of "
                        + std::to_string(cfg.dVocab));
    std::vector<std::string> names{"blocks.0.hook_resid_pre"};
    for (int l = 0; l < cfg.nLayers; ++l)
        names.push_back("blocks." + std::to_string(l) + ".hook_resid_post");
    const auto cache = cachedRun(*d->transformer, ids, names);
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> streams;
    for (const auto& name : names)
        streams.push_back(cache.at(name).select(1, p)); // [1, d_model]
    const auto resid = torch::cat(streams).unsqueeze(0); // [1, stages, d_model]
    const auto logits = d->transformer->unembed(resid, nullptr).squeeze(0).to(torch::kCPU, torch::kFloat32); // [stages, vocab]
    const auto probs = torch::softmax(logits.to(torch::kFloat64), -1);

    LogitLens lens;
    lens.position = p;
    lens.stages = static_cast<int>(names.size());
    lens.topK = static_cast<int>(std::min<int64_t>(topK, cfg.dVocab));
    lens.tracked = tracked;
    const auto top = probs.topk(lens.topK, -1);
    const auto topIds = std::get<1>(top).to(torch::kInt32).contiguous();
    const auto topProbs = std::get<0>(top).to(torch::kFloat32).contiguous();
    lens.topIds.assign(topIds.data_ptr<int32_t>(), topIds.data_ptr<int32_t>() + topIds.numel());
    lens.topProbs.assign(topProbs.data_ptr<float>(), topProbs.data_ptr<float>() + topProbs.numel());
    for (int s = 0; s < lens.stages; ++s) {
        const auto row = logits[s];
        for (const auto id : tracked) {
            lens.trackedProbs.push_back(probs[s][id].item<float>());
            lens.trackedRanks.push_back(1 + (row > row[id]).sum().item<int64_t>());
        }
    }
    return lens;
}

FloatArray Model::logits(const std::vector<std::vector<int32_t>>& batch, bool allPositions) const
{
    if (batch.empty())
        throw Error("no input sequences");
    int64_t maxLen = 0;
    for (std::size_t r = 0; r < batch.size(); ++r) {
        checkIds(batch[r], r, d->info.config.dVocab);
        maxLen = std::max<int64_t>(maxLen, static_cast<int64_t>(batch[r].size()));
    }
    const auto n = static_cast<int64_t>(batch.size());
    auto ids = torch::zeros({n, maxLen}, torch::kInt64);
    auto mask = torch::zeros({n, maxLen}, torch::kInt64);
    auto idsA = ids.accessor<int64_t, 2>();
    auto maskA = mask.accessor<int64_t, 2>();
    for (int64_t r = 0; r < n; ++r) {
        const auto& row = batch[static_cast<std::size_t>(r)];
        for (std::size_t p = 0; p < row.size(); ++p) {
            idsA[r][static_cast<int64_t>(p)] = row[p];
            maskA[r][static_cast<int64_t>(p)] = 1;
        }
    }
    torch::NoGradGuard noGrad;
    auto logits = d->transformer->forward(ids, mask); // [batch, pos, vocab], on the model's device
    if (allPositions)
        return toFloatArray(logits.to(torch::kCPU, torch::kFloat32) * mask.unsqueeze(-1).to(torch::kFloat32)); // padding rows zeroed
    // The last token's row picked on the device: only [batch, vocab] travels to the host.
    const auto last = (mask.sum(1) - 1).view({n, 1, 1}).expand({n, 1, logits.size(2)}).to(logits.device());
    return toFloatArray(logits.gather(1, last).squeeze(1).to(torch::kCPU, torch::kFloat32)); // [batch, vocab]
}

void tokenizeForModel(Dataset& data, const Model& model)
{
    const bool needsTokens = std::any_of(data.pairs.begin(), data.pairs.end(), [](const PromptPair& p) {
        return p.cleanIds.empty() || p.corruptedIds.empty() || (p.answerIds.empty() && !p.answers.empty())
            || (p.wrongAnswerIds.empty() && !p.wrongAnswers.empty());
    });
    if (!needsTokens)
        return;
    if (!model.tokenizer())
        throw Error(data.source.string() + ": the prompts are text but the model has no tokenizer");
    tokenizeDataset(data, *model.tokenizer(), [&](const std::string& s) { return model.encode(s); });
}

} // namespace patchbay::core
