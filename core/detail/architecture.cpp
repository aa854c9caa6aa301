// SPDX-License-Identifier: MIT
#include "core/detail/architecture.h"

#include "core/error.h"
#include "core/json.h"

#include <cstring>

namespace patchbay::core::detail {

// --- the registry: one line per family -------------------------------------------------
const Architecture& gpt2Architecture();   // core/families/gpt2.cpp
const Architecture& gptNeoXArchitecture(); // core/families/gptneox.cpp
const Architecture& llamaArchitecture();  // core/families/llama.cpp

const std::vector<const Architecture*>& architectures()
{
    static const std::vector<const Architecture*> registry = {
        &gpt2Architecture(),
        &gptNeoXArchitecture(),
        &llamaArchitecture(),
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
    if (info.shape != shape)
        throw Error(info.file.string() + ": tensor " + info.describe() + " has shape " + shapeString(info.shape)
                    + ", expected " + shapeString(shape) + " from " + m_store.configSource());
    WeightData data = m_store.read(info);
    m_used.insert(name);
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
    return src.to(m_device, m_dtype, /*non_blocking=*/false, /*copy=*/true);
}

torch::Tensor WeightLoader::optional(const std::string& name, const std::vector<int64_t>& shape) const
{
    return has(name) ? get(name, shape) : torch::Tensor();
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

} // namespace patchbay::core::detail
