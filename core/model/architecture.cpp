// SPDX-License-Identifier: MIT
#include "core/model/detail/architecture.h"

#include "core/common/error.h"
#include "core/graph/graph.h"
#include "core/common/json.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace patchbay::core::detail {

// --- the registry: one line per family -------------------------------------------------
const Architecture& gpt2Architecture();   // core/model/families/gpt2.cpp
const Architecture& gptNeoXArchitecture(); // core/model/families/gptneox.cpp
const Architecture& llamaArchitecture();  // core/model/families/llama.cpp
const Architecture& gemmaArchitecture();  // core/model/families/gemma.cpp

const std::vector<const Architecture*>& architectures()
{
    static const std::vector<const Architecture*> registry = {
        &gpt2Architecture(),
        &gptNeoXArchitecture(),
        &llamaArchitecture(),
        &gemmaArchitecture(),
    };
    return registry;
}

const Architecture& architectureFor(const std::string& modelType, const std::string& where)
{
    std::string supported;
    for (const auto* arch : architectures()) {
        for (const auto& t : arch->modelTypes) {
            if (t == modelType)
                return *arch;
            supported += (supported.empty() ? "" : ", ") + t;
        }
    }
    throw Error(where + ": model_type \"" + modelType + "\" is not supported (supported: " + supported + ")");
}

// --- WeightLoader ------------------------------------------------------------------------

namespace {

torch::ScalarType torchType(DType dtype, const WeightInfo& info)
{
    switch (dtype) {
    case DType::F32: return torch::kFloat32;
    case DType::F16: return torch::kFloat16;
    case DType::BF16: return torch::kBFloat16;
    case DType::F64: return torch::kFloat64;
    default: break;
    }
    throw Error(info.file.string() + ": tensor " + info.describe() + " has dtype " + dtypeName(dtype)
                + ", which is not a floating-point weight type (F32, F16, BF16, F64)");
}

std::string shapeString(const std::vector<int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

} // namespace

WeightLoader::WeightLoader(const WeightStore& store, torch::ScalarType dtype, torch::Device device)
    : m_store(store), m_dtype(dtype), m_device(device)
{
}

std::string WeightLoader::detectPrefix(const std::vector<std::string>& prefixes, const std::string& probe) const
{
    std::string tried;
    for (const auto& p : prefixes) {
        if (m_store.find(p + probe))
            return p;
        tried += (tried.empty() ? "\"" : ", \"") + p + probe + "\"";
        const std::string inFile = m_store.nameInFile(p + probe);
        if (inFile != p + probe)
            tried += " (\"" + inFile + "\" in the file)";
    }
    throw Error(m_store.describeFiles() + ": missing tensor (looked for " + tried + ")");
}

bool WeightLoader::has(const std::string& name) const { return m_store.find(name) != nullptr; }

torch::Tensor WeightLoader::get(const std::string& name, const std::vector<int64_t>& shape) const
{
    const WeightInfo& info = m_store.require(name);
    m_used.insert(name);
    if (info.shape != shape)
        throw Error(info.file.string() + ": tensor " + info.describe() + " has shape " + shapeString(info.shape)
                    + ", expected " + shapeString(shape) + " from " + m_store.configSource());
    WeightData data = m_store.read(info);
    torch::Tensor src;
    if (!data.isView()) {
        // Converted by the store (dequantized, permuted): float32 values it owns.
        if (data.owned.size() != static_cast<std::size_t>(info.numel()))
            throw Error(info.file.string() + ": tensor " + info.describe() + ": the store returned "
                        + std::to_string(data.owned.size()) + " values for " + std::to_string(info.numel()) + " elements");
        src = torch::from_blob(data.owned.data(), info.shape, torch::TensorOptions().dtype(torch::kFloat32));
    } else {
        const auto srcType = torchType(data.viewType, info);
        const auto elem = dtypeSize(data.viewType);
        const std::size_t bytes = static_cast<std::size_t>(info.numel()) * elem;
        if (reinterpret_cast<std::uintptr_t>(data.view) % elem == 0) {
            // Zero-copy view of the memory map; the .to(..., copy=true) below owns the result.
            src = torch::from_blob(const_cast<std::byte*>(data.view), info.shape, torch::TensorOptions().dtype(srcType));
        } else {
            src = torch::empty(info.shape, torch::TensorOptions().dtype(srcType));
            std::memcpy(src.data_ptr(), data.view, bytes);
        }
    }
    auto converted = src.to(m_device, m_dtype, /*non_blocking=*/false, /*copy=*/true);
    if (m_onTensor)
        m_onTensor(m_used.size());
    return converted;
}

torch::Tensor WeightLoader::optional(const std::string& name, const std::vector<int64_t>& shape) const
{
    return has(name) ? get(name, shape) : torch::Tensor();
}

void WeightLoader::checkAllUsed(const ModelConfig& config) const
{
    // Buffers some checkpoints carry beside the weights; the forward recomputes them.
    static const char* const kBuffers[] = {".attn.bias", ".attn.masked_bias", ".attention.bias",
                                           ".attention.masked_bias", ".rotary_emb.inv_freq"};
    auto endsWith = [](const std::string& s, const char* suffix) {
        const std::size_t n = std::strlen(suffix);
        return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
    };
    std::vector<std::string> unused;
    for (const auto& name : m_store.names()) {
        if (m_used.count(name))
            continue;
        if (std::any_of(std::begin(kBuffers), std::end(kBuffers), [&](const char* b) { return endsWith(name, b); }))
            continue;
        if (config.tiedEmbeddings && name == "lm_head.weight")
            continue; // a tied model's copy of the embedding
        unused.push_back(name);
    }
    if (unused.empty())
        return;
    std::string list;
    for (std::size_t i = 0; i < unused.size() && i < 5; ++i)
        list += (i ? ", \"" : "\"") + m_store.nameInFile(unused[i]) + "\""; // as the file spells it (GGUF: blk.N....)
    if (unused.size() > 5)
        list += " and " + std::to_string(unused.size() - 5) + " more";
    throw Error(m_store.describeFiles() + ": " + std::to_string(unused.size()) + " tensor"
                + (unused.size() == 1 ? " is" : "s are") + " not used by the model " + m_store.configSource() + " describes (layers: "
                + std::to_string(config.nLayers) + ", heads: " + std::to_string(config.nHeads) + "): " + list + "; "
                + m_store.configSource() + " and the weights do not belong together");
}

// --- config.json ---------------------------------------------------------------------------

namespace {

// Limits on a config's dimensions (docs/resource-policy.md). They are far above every
// released model and keep the arithmetic on them (graph sizes, tensor shapes) in range.
constexpr int kMaxDModel = 1 << 16;
constexpr int kMaxDHead = 1 << 12;
constexpr int kMaxDMlp = 1 << 18;
constexpr int kMaxVocab = 1 << 24;
constexpr int kMaxContext = 1 << 24;

void checkAtMost(int value, int limit, const char* what, const std::string& where)
{
    if (value > limit)
        throw Error(where + ": " + what + " " + std::to_string(value) + " is larger than this build accepts ("
                    + std::to_string(limit) + ")");
}

} // namespace

void checkConfigRanges(const ModelConfig& c, const std::string& where)
{
    if (const std::string problem = Graph::shapeProblem(c.nLayers, c.nHeads, c.nKvHeads, c.parallelAttnMlp);
        !problem.empty())
        throw Error(where + ": " + problem);
    checkAtMost(c.dModel, kMaxDModel, "hidden size", where);
    checkAtMost(c.dHead, kMaxDHead, "head dimension", where);
    checkAtMost(c.dMlp, kMaxDMlp, "MLP size", where);
    checkAtMost(c.dVocab, kMaxVocab, "vocabulary size", where);
    checkAtMost(c.nCtx, kMaxContext, "context length", where);
    if (c.dModel <= 0 || c.dHead <= 0 || c.dMlp <= 0 || c.dVocab <= 0 || c.nCtx <= 0)
        throw Error(where + ": hidden size, head dimension, MLP size, vocabulary size and context length must be "
                            "positive");
    // NaN fails every comparison, so these are written to accept only the good range.
    // Epsilon: released models use 1e-12..1e-5; the gpt2-linear fixture uses 1e6 on
    // purpose (a LayerNorm made linear). Above 1e10 it is no model's, and 1e308 is
    // infinite in float32, which zeroes every norm (near-constant logits).
    if (!(c.normEps > 0 && c.normEps <= 1e10))
        throw Error(where + ": the layer norm epsilon (layer_norm_epsilon, layer_norm_eps or rms_norm_eps) is "
                    + jsonForMessage(nlohmann::json(c.normEps)) + "; it must be in (0, 1e10]");
    if (c.rotaryDim > 0 && !(c.ropeTheta > 1 && c.ropeTheta <= 1e12))
        throw Error(where + ": the rotary base (rope_theta) is " + jsonForMessage(nlohmann::json(c.ropeTheta))
                    + "; it must be in (1, 1e12]");
    if (c.rotaryDim < 0 || c.rotaryDim > c.dHead || c.rotaryDim % 2 != 0)
        throw Error(where + ": rotary dimensions " + std::to_string(c.rotaryDim) + " must be even and at most the head "
                    "dimension " + std::to_string(c.dHead));
    if (c.slidingWindow < 0)
        throw Error(where + ": sliding_window must not be negative");
}

ModelConfig parseModelConfig(const nlohmann::json& json, const std::string& where)
{
    if (!json.is_object())
        throw Error(where + ": top level must be a JSON object");
    const std::string modelType = jsonOptionalString(json, "model_type", "", where);
    if (modelType.empty())
        throw Error(where + ": missing field \"model_type\"");
    ModelConfig config = architectureFor(modelType, where).parseConfig(json, where);
    checkConfigRanges(config, where);
    return config;
}

// --- shared config helpers -----------------------------------------------------------------

ModelConfig::Norm normFromString(const std::string& s)
{
    return s == "rmsnorm" ? ModelConfig::Norm::RMSNorm : ModelConfig::Norm::LayerNorm;
}

double ropeThetaFrom(const nlohmann::json& config, double fallback, const std::string& where)
{
    double theta = jsonOptionalNumber(config, "rotary_emb_base", fallback, where);
    theta = jsonOptionalNumber(config, "rope_theta", theta, where);
    const auto params = config.find("rope_parameters");
    if (params != config.end() && params->is_object())
        theta = jsonOptionalNumber(*params, "rope_theta", theta, where + " rope_parameters");
    if (!(theta > 0))
        throw Error(where + ": rope_theta must be positive");
    return theta;
}

void checkRopeScaling(const nlohmann::json& config, const std::string& where)
{
    for (const char* key : {"rope_scaling", "rope_parameters"}) {
        const auto it = config.find(key);
        if (it == config.end() || it->is_null())
            continue;
        if (!it->is_object())
            throw Error(where + ": \"" + key + "\" must be an object");
        const std::string type = jsonOptionalString(*it, "rope_type", jsonOptionalString(*it, "type", "default", where), where);
        if (type != "default")
            throw Error(where + ": " + key + " of type \"" + type
                        + "\" is not supported yet (only unscaled rotary embeddings)");
    }
}

ModelConfig::RopeScaling ropeScalingFrom(const nlohmann::json& params, const nlohmann::json& config, int maxPositions,
                                         const std::string& where)
{
    ModelConfig::RopeScaling r;
    if (params.is_null())
        return r;
    if (!params.is_object())
        throw Error(where + ": must be an object");
    r.type = jsonOptionalString(params, "rope_type", jsonOptionalString(params, "type", "default", where), where);
    auto positive = [&](const char* key, double fallback) {
        const double v = jsonOptionalNumber(params, key, fallback, where);
        if (!(v > 0))
            throw Error(where + ": \"" + key + "\" must be a positive number");
        return v;
    };
    // transformers prefers a top-level original_max_position_embeddings (Phi-3 writes it there).
    auto originalContext = [&]() {
        int n = jsonOptionalInt(params, "original_max_position_embeddings", maxPositions, where);
        n = jsonOptionalInt(config, "original_max_position_embeddings", n, where);
        if (n <= 0)
            throw Error(where + ": original_max_position_embeddings must be positive");
        return n;
    };
    if (r.type == "default") {
        return r;
    } else if (r.type == "linear") {
        r.factor = positive("factor", 0);
    } else if (r.type == "dynamic") {
        r.factor = positive("factor", 0);
        r.originalContext = maxPositions; // transformers rescales past max_position_embeddings
    } else if (r.type == "llama3") {
        r.factor = positive("factor", 0);
        r.lowFreqFactor = positive("low_freq_factor", 0);
        r.highFreqFactor = positive("high_freq_factor", 0);
        if (!(r.highFreqFactor > r.lowFreqFactor))
            throw Error(where + ": high_freq_factor must be larger than low_freq_factor");
        r.originalContext = originalContext();
    } else if (r.type == "yarn") {
        r.originalContext = originalContext();
        r.factor = positive("factor", static_cast<double>(maxPositions) / r.originalContext);
        auto mscale = [](double scale, double m) { return scale <= 1 ? 1.0 : 0.1 * m * std::log(scale) + 1.0; };
        const double m = jsonOptionalNumber(params, "mscale", 0, where);
        const double mAll = jsonOptionalNumber(params, "mscale_all_dim", 0, where);
        if (mAll != 0)
            throw Error(where + ": yarn with mscale_all_dim (DeepSeek's scaled attention) is not supported");
        r.attentionFactor = jsonOptionalNumber(params, "attention_factor", mscale(r.factor, 1.0), where);
        (void)m; // mscale alone (without mscale_all_dim) does not change the factor in transformers
        // transformers reads "beta_fast or 32": 0 and null mean the default too.
        r.betaFast = jsonOptionalNumber(params, "beta_fast", 0, where);
        r.betaSlow = jsonOptionalNumber(params, "beta_slow", 0, where);
        if (r.betaFast == 0)
            r.betaFast = 32;
        if (r.betaSlow == 0)
            r.betaSlow = 1;
        r.truncate = jsonOptionalBool(params, "truncate", true, where);
    } else {
        throw Error(where + ": rotary scaling of type \"" + r.type
                    + "\" is not supported (supported: default, linear, dynamic, llama3, yarn)");
    }
    return r;
}

void readRope(const nlohmann::json& config, ModelConfig& c, double defaultTheta, const std::string& where)
{
    c.ropeTheta = ropeThetaFrom(config, defaultTheta, where);
    const auto* params = jsonMember(config, "rope_parameters");
    std::string key = "rope_parameters";
    if (!params || (params->is_object() && params->empty())) {
        params = jsonMember(config, "rope_scaling");
        key = "rope_scaling";
    }
    if (!params)
        return;
    c.ropeScaling = ropeScalingFrom(*params, config, c.nCtx, where + " " + key);
    if (c.ropeScaling.type == "dynamic")
        c.nCtx = static_cast<int>(c.nCtx * c.ropeScaling.factor);
}

std::vector<bool> slidingLayersFrom(const nlohmann::json& config, int nLayers, const std::string& where)
{
    const auto* types = jsonMember(config, "layer_types");
    if (!types)
        return {};
    if (!types->is_array() || static_cast<int>(types->size()) != nLayers)
        throw Error(where + ": layer_types must be a list of " + std::to_string(nLayers) + " layer types");
    std::vector<bool> sliding;
    for (const auto& t : *types) {
        const std::string s = t.is_string() ? t.get<std::string>() : std::string();
        if (s != "sliding_attention" && s != "full_attention")
            throw Error(where + ": layer_types entry " + (t.is_string() ? "\"" + s + "\"" : t.dump())
                        + " is not supported (supported: sliding_attention, full_attention)");
        sliding.push_back(s == "sliding_attention");
    }
    return sliding;
}

} // namespace patchbay::core::detail
