// SPDX-License-Identifier: MIT
#include "core/model/detail/gguf_model.h"

#include "core/common/error.h"
#include "core/tokenize/tokenizer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace patchbay::core::detail {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// --- the table ---------------------------------------------------------------------------------
//
// One entry per GGUF architecture: the Hugging Face model_type it loads as, its metadata keys
// (under "<arch>.") as config.json keys, and the name of every tensor llama.cpp's converter
// writes for it, with what must be undone to get the Hugging Face tensor back. "{N}" is the
// block number. Renaming follows gguf-py's tensor_mapping.py; the fixes follow transformers'
// modeling_gguf_pytorch_utils.py (TENSOR_PROCESSORS), which mirrors convert_hf_to_gguf.py.

enum class Fix {
    None,
    RotaryQ,   // llama: rows of each query head were interleaved for ggml's rotary; undo with n_heads
    RotaryK,   // the same for keys, with n_kv_heads
    Transpose, // GPT-2: Conv1D weights ([in, out]) were transposed to [out, in]
    NeoxQkv,   // GPT-NeoX: the fused QKV rows [head, q|k|v, d_head] were regrouped as [q; k; v]
    MinusOne,  // Gemma: norm gains were stored as 1 + w
};

struct TensorName
{
    const char* gguf;
    const char* hf;
    Fix fix = Fix::None;
};

enum class Kind { Int, Float, Bool };

struct ConfigKey
{
    const char* gguf; // under "<arch>."
    const char* hf;
    Kind kind;
    bool required;
};

struct GgufArchitecture
{
    const char* name;      // general.architecture
    const char* modelType; // Hugging Face model_type (core/model/families picks the family by it)
    const char* activation;
    const char* activationKey; // config.json key of the activation
    std::vector<ConfigKey> config;
    std::vector<TensorName> tensors;
};

const std::vector<ConfigKey> kLlamaConfig = {
    {"block_count", "num_hidden_layers", Kind::Int, true},
    {"embedding_length", "hidden_size", Kind::Int, true},
    {"feed_forward_length", "intermediate_size", Kind::Int, true},
    {"attention.head_count", "num_attention_heads", Kind::Int, true},
    {"attention.head_count_kv", "num_key_value_heads", Kind::Int, false},
    {"attention.key_length", "head_dim", Kind::Int, false},
    {"context_length", "max_position_embeddings", Kind::Int, false},
    {"rope.freq_base", "rope_theta", Kind::Float, false},
    {"attention.layer_norm_rms_epsilon", "rms_norm_eps", Kind::Float, true},
    {"vocab_size", "vocab_size", Kind::Int, false},
};

// Llama-style block tensors; `rotary` fixes Q/K (llama) or not (qwen2, gemma3).
std::vector<TensorName> llamaTensors(bool rotary)
{
    return {
        {"token_embd.weight", "model.embed_tokens.weight"},
        {"output_norm.weight", "model.norm.weight"},
        {"output.weight", "lm_head.weight"},
        {"blk.{N}.attn_norm.weight", "model.layers.{N}.input_layernorm.weight"},
        {"blk.{N}.attn_q.weight", "model.layers.{N}.self_attn.q_proj.weight", rotary ? Fix::RotaryQ : Fix::None},
        {"blk.{N}.attn_k.weight", "model.layers.{N}.self_attn.k_proj.weight", rotary ? Fix::RotaryK : Fix::None},
        {"blk.{N}.attn_v.weight", "model.layers.{N}.self_attn.v_proj.weight"},
        {"blk.{N}.attn_q.bias", "model.layers.{N}.self_attn.q_proj.bias", rotary ? Fix::RotaryQ : Fix::None},
        {"blk.{N}.attn_k.bias", "model.layers.{N}.self_attn.k_proj.bias", rotary ? Fix::RotaryK : Fix::None},
        {"blk.{N}.attn_v.bias", "model.layers.{N}.self_attn.v_proj.bias"},
        {"blk.{N}.attn_output.weight", "model.layers.{N}.self_attn.o_proj.weight"},
        {"blk.{N}.attn_output.bias", "model.layers.{N}.self_attn.o_proj.bias"},
        {"blk.{N}.ffn_norm.weight", "model.layers.{N}.post_attention_layernorm.weight"},
        {"blk.{N}.ffn_gate.weight", "model.layers.{N}.mlp.gate_proj.weight"},
        {"blk.{N}.ffn_up.weight", "model.layers.{N}.mlp.up_proj.weight"},
        {"blk.{N}.ffn_down.weight", "model.layers.{N}.mlp.down_proj.weight"},
    };
}

const std::vector<GgufArchitecture>& ggufArchitectures()
{
    static const std::vector<GgufArchitecture> table = {
        {"llama", "llama", "silu", "hidden_act", kLlamaConfig, llamaTensors(true)},
        {"qwen2", "qwen2", "silu", "hidden_act", kLlamaConfig, llamaTensors(false)},
        {"gpt2",
         "gpt2",
         "gelu_new",
         "activation_function",
         {
             {"block_count", "n_layer", Kind::Int, true},
             {"embedding_length", "n_embd", Kind::Int, true},
             {"feed_forward_length", "n_inner", Kind::Int, false},
             {"attention.head_count", "n_head", Kind::Int, true},
             {"context_length", "n_positions", Kind::Int, true},
             {"attention.layer_norm_epsilon", "layer_norm_epsilon", Kind::Float, true},
             {"vocab_size", "vocab_size", Kind::Int, false},
         },
         {
             {"token_embd.weight", "transformer.wte.weight"},
             {"position_embd.weight", "transformer.wpe.weight"},
             {"output_norm.weight", "transformer.ln_f.weight"},
             {"output_norm.bias", "transformer.ln_f.bias"},
             {"output.weight", "lm_head.weight"},
             {"blk.{N}.attn_norm.weight", "transformer.h.{N}.ln_1.weight"},
             {"blk.{N}.attn_norm.bias", "transformer.h.{N}.ln_1.bias"},
             {"blk.{N}.attn_qkv.weight", "transformer.h.{N}.attn.c_attn.weight", Fix::Transpose},
             {"blk.{N}.attn_qkv.bias", "transformer.h.{N}.attn.c_attn.bias"},
             {"blk.{N}.attn_output.weight", "transformer.h.{N}.attn.c_proj.weight", Fix::Transpose},
             {"blk.{N}.attn_output.bias", "transformer.h.{N}.attn.c_proj.bias"},
             {"blk.{N}.ffn_norm.weight", "transformer.h.{N}.ln_2.weight"},
             {"blk.{N}.ffn_norm.bias", "transformer.h.{N}.ln_2.bias"},
             {"blk.{N}.ffn_up.weight", "transformer.h.{N}.mlp.c_fc.weight", Fix::Transpose},
             {"blk.{N}.ffn_up.bias", "transformer.h.{N}.mlp.c_fc.bias"},
             {"blk.{N}.ffn_down.weight", "transformer.h.{N}.mlp.c_proj.weight", Fix::Transpose},
             {"blk.{N}.ffn_down.bias", "transformer.h.{N}.mlp.c_proj.bias"},
         }},
        {"gptneox",
         "gpt_neox",
         "gelu",
         "hidden_act",
         {
             {"block_count", "num_hidden_layers", Kind::Int, true},
             {"embedding_length", "hidden_size", Kind::Int, true},
             {"feed_forward_length", "intermediate_size", Kind::Int, true},
             {"attention.head_count", "num_attention_heads", Kind::Int, true},
             {"context_length", "max_position_embeddings", Kind::Int, false},
             {"rope.freq_base", "rope_theta", Kind::Float, false},
             {"attention.layer_norm_epsilon", "layer_norm_eps", Kind::Float, true},
             {"use_parallel_residual", "use_parallel_residual", Kind::Bool, false},
             {"vocab_size", "vocab_size", Kind::Int, false},
         },
         {
             {"token_embd.weight", "gpt_neox.embed_in.weight"},
             {"output_norm.weight", "gpt_neox.final_layer_norm.weight"},
             {"output_norm.bias", "gpt_neox.final_layer_norm.bias"},
             {"output.weight", "embed_out.weight"},
             {"blk.{N}.attn_norm.weight", "gpt_neox.layers.{N}.input_layernorm.weight"},
             {"blk.{N}.attn_norm.bias", "gpt_neox.layers.{N}.input_layernorm.bias"},
             {"blk.{N}.attn_qkv.weight", "gpt_neox.layers.{N}.attention.query_key_value.weight", Fix::NeoxQkv},
             {"blk.{N}.attn_qkv.bias", "gpt_neox.layers.{N}.attention.query_key_value.bias", Fix::NeoxQkv},
             {"blk.{N}.attn_output.weight", "gpt_neox.layers.{N}.attention.dense.weight"},
             {"blk.{N}.attn_output.bias", "gpt_neox.layers.{N}.attention.dense.bias"},
             {"blk.{N}.ffn_norm.weight", "gpt_neox.layers.{N}.post_attention_layernorm.weight"},
             {"blk.{N}.ffn_norm.bias", "gpt_neox.layers.{N}.post_attention_layernorm.bias"},
             {"blk.{N}.ffn_up.weight", "gpt_neox.layers.{N}.mlp.dense_h_to_4h.weight"},
             {"blk.{N}.ffn_up.bias", "gpt_neox.layers.{N}.mlp.dense_h_to_4h.bias"},
             {"blk.{N}.ffn_down.weight", "gpt_neox.layers.{N}.mlp.dense_4h_to_h.weight"},
             {"blk.{N}.ffn_down.bias", "gpt_neox.layers.{N}.mlp.dense_4h_to_h.bias"},
         }},
        // Gemma 3 (text), read by core/model/families/gemma.cpp. llama.cpp's converter stored every
        // norm gain as 1 + w; MinusOne gives back transformers' w (its Gemma2TensorProcessor
        // subtracts 1 from each "norm.weight" the same way, in float32), and the family adds
        // the 1 again at load as it does for safetensors. Subtracting here rather than a
        // "gains already offset" flag keeps the family one loader for both sources and
        // reproduces transformers' float32 rounding exactly. No Q/K permutation: gemma3's
        // rotary is ggml's NeoX mode, which the converter writes unpermuted.
        {"gemma3",
         "gemma3_text",
         "gelu_pytorch_tanh",
         "hidden_activation",
         {
             {"block_count", "num_hidden_layers", Kind::Int, true},
             {"embedding_length", "hidden_size", Kind::Int, true},
             {"feed_forward_length", "intermediate_size", Kind::Int, true},
             {"attention.head_count", "num_attention_heads", Kind::Int, true},
             {"attention.head_count_kv", "num_key_value_heads", Kind::Int, false},
             {"attention.key_length", "head_dim", Kind::Int, false},
             {"context_length", "max_position_embeddings", Kind::Int, false},
             {"rope.freq_base", "rope_theta", Kind::Float, false},
             {"attention.layer_norm_rms_epsilon", "rms_norm_eps", Kind::Float, true},
             {"attention.sliding_window", "sliding_window", Kind::Int, false},
             {"vocab_size", "vocab_size", Kind::Int, false},
         },
         {
             {"token_embd.weight", "model.embed_tokens.weight"},
             {"output_norm.weight", "model.norm.weight", Fix::MinusOne},
             {"output.weight", "lm_head.weight"},
             {"blk.{N}.attn_norm.weight", "model.layers.{N}.input_layernorm.weight", Fix::MinusOne},
             {"blk.{N}.attn_q.weight", "model.layers.{N}.self_attn.q_proj.weight"},
             {"blk.{N}.attn_k.weight", "model.layers.{N}.self_attn.k_proj.weight"},
             {"blk.{N}.attn_v.weight", "model.layers.{N}.self_attn.v_proj.weight"},
             {"blk.{N}.attn_q_norm.weight", "model.layers.{N}.self_attn.q_norm.weight", Fix::MinusOne},
             {"blk.{N}.attn_k_norm.weight", "model.layers.{N}.self_attn.k_norm.weight", Fix::MinusOne},
             {"blk.{N}.attn_output.weight", "model.layers.{N}.self_attn.o_proj.weight"},
             {"blk.{N}.post_attention_norm.weight", "model.layers.{N}.post_attention_layernorm.weight", Fix::MinusOne},
             {"blk.{N}.ffn_norm.weight", "model.layers.{N}.pre_feedforward_layernorm.weight", Fix::MinusOne},
             {"blk.{N}.post_ffw_norm.weight", "model.layers.{N}.post_feedforward_layernorm.weight", Fix::MinusOne},
             {"blk.{N}.ffn_gate.weight", "model.layers.{N}.mlp.gate_proj.weight"},
             {"blk.{N}.ffn_up.weight", "model.layers.{N}.mlp.up_proj.weight"},
             {"blk.{N}.ffn_down.weight", "model.layers.{N}.mlp.down_proj.weight"},
         }},
    };
    return table;
}

const GgufArchitecture& architectureOf(const GgufFile& file, std::string& name)
{
    name = file.getString("general.architecture");
    std::string known;
    for (const auto& a : ggufArchitectures()) {
        if (name == a.name)
            return a;
        known += (known.empty() ? "" : ", ") + std::string(a.name);
    }
    throw Error(file.path().string() + ": GGUF architecture \"" + name + "\" is not supported (supported: " + known
                + ")");
}

std::string replaceBlock(const std::string& pattern, int block)
{
    std::string out = pattern;
    const auto at = out.find("{N}");
    if (at != std::string::npos)
        out.replace(at, 3, std::to_string(block));
    return out;
}

// --- the store -----------------------------------------------------------------------------------

class GgufStore : public WeightStore
{
public:
    struct Entry
    {
        WeightInfo info;
        const GgufTensorInfo* tensor = nullptr;
        Fix fix = Fix::None;
        int64_t heads = 0; // RotaryQ/K, NeoxQkv
    };

    GgufStore(std::shared_ptr<const GgufFile> file, std::map<std::string, Entry> entries,
              std::map<std::string, std::string> fileNames)
        : m_file(std::move(file)), m_entries(std::move(entries)), m_fileNames(std::move(fileNames))
    {
        // Fingerprint: the whole header (metadata and tensor infos), the size, and samples of
        // each tensor's payload.
        uint64_t hash = kFnvOffset;
        const uint64_t size = m_file->fileSize();
        hash = fnv1a(hash, &size, sizeof size);
        for (const auto& t : m_file->tensors()) {
            hash = fnv1a(hash, t.name.data(), t.name.size());
            hash = fnv1a(hash, t.dims.data(), t.dims.size() * sizeof(int64_t));
            const uint32_t type = uint32_t(t.type);
            hash = fnv1a(hash, &type, sizeof type);
            hash = fnv1a(hash, t.data, std::min<std::size_t>(t.bytes, 64));
            if (t.bytes > 64)
                hash = fnv1a(hash, t.data + t.bytes - 64, 64);
        }
        for (const auto& key : m_file->keys()) {
            hash = fnv1a(hash, key.data(), key.size());
            const std::string v = m_file->find(key)->describe();
            hash = fnv1a(hash, v.data(), v.size());
        }
        m_fingerprint = hex64(hash);
    }

    const WeightInfo* find(const std::string& name) const override
    {
        const auto it = m_entries.find(name);
        return it == m_entries.end() ? nullptr : &it->second.info;
    }

    WeightData read(const WeightInfo& info) const override
    {
        const auto it = m_entries.find(info.name);
        if (it == m_entries.end())
            throw Error(fileList() + ": missing tensor \"" + info.name + "\"");
        const Entry& e = it->second;
        const GgufTensorInfo& t = *e.tensor;
        WeightData data;
        if (e.fix == Fix::None && (t.type == GgmlType::F32 || t.type == GgmlType::F16 || t.type == GgmlType::BF16)) {
            data.view = t.data;
            data.viewType = t.type == GgmlType::F32 ? DType::F32 : t.type == GgmlType::F16 ? DType::F16 : DType::BF16;
            return data;
        }
        std::vector<float> values = m_file->dequantize(t);
        if (e.fix != Fix::None)
            values = applyFix(e, std::move(values));
        data.owned = std::move(values);
        return data;
    }

    std::vector<std::string> names() const override
    {
        std::vector<std::string> out;
        for (const auto& [name, e] : m_entries)
            out.push_back(name);
        return out;
    }
    std::string describeFiles() const override { return m_file->path().filename().string(); }
    std::string fileList() const override { return m_file->path().string(); }
    uint64_t totalBytes() const override
    {
        uint64_t total = 0;
        for (const auto& t : m_file->tensors())
            total += t.bytes;
        return total;
    }
    std::string fingerprint() const override { return m_fingerprint; }
    std::string storedTypes() const override { return m_file->typeSummary(); }
    std::string configSource() const override { return "the GGUF metadata"; }
    std::string nameInFile(const std::string& name) const override
    {
        const auto it = m_fileNames.find(name);
        return it == m_fileNames.end() ? name : it->second;
    }

private:
    std::vector<float> applyFix(const Entry& e, std::vector<float> in) const
    {
        const GgufTensorInfo& t = *e.tensor;
        const int64_t rows = t.shape[0];
        const int64_t cols = t.numel / std::max<int64_t>(rows, 1);
        std::vector<float> out(in.size());
        auto copyRow = [&](int64_t to, int64_t from) {
            std::copy(in.begin() + from * cols, in.begin() + (from + 1) * cols, out.begin() + to * cols);
        };
        switch (e.fix) {
        case Fix::RotaryQ:
        case Fix::RotaryK: {
            // HF row (h, j, i) came from GGUF row (h, i, j): dim = rows / heads / 2.
            const int64_t dim = rows / e.heads / 2;
            for (int64_t h = 0; h < e.heads; ++h)
                for (int64_t j = 0; j < 2; ++j)
                    for (int64_t i = 0; i < dim; ++i)
                        copyRow(h * 2 * dim + j * dim + i, h * 2 * dim + i * 2 + j);
            break;
        }
        case Fix::NeoxQkv: {
            // HF row (h, which, i) came from GGUF row (which, h, i).
            const int64_t dh = rows / 3 / e.heads;
            for (int64_t h = 0; h < e.heads; ++h)
                for (int64_t which = 0; which < 3; ++which)
                    for (int64_t i = 0; i < dh; ++i)
                        copyRow(h * 3 * dh + which * dh + i, which * e.heads * dh + h * dh + i);
            break;
        }
        case Fix::Transpose:
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t c = 0; c < cols; ++c)
                    out[std::size_t(c * rows + r)] = in[std::size_t(r * cols + c)];
            break;
        case Fix::MinusOne:
            for (std::size_t i = 0; i < in.size(); ++i)
                out[i] = in[i] - 1.0f;
            break;
        case Fix::None: return in;
        }
        return out;
    }

    std::shared_ptr<const GgufFile> m_file;
    std::map<std::string, Entry> m_entries;
    std::map<std::string, std::string> m_fileNames; // Hugging Face name -> GGUF name, for messages
    std::string m_fingerprint;
};

int64_t positiveConfigInt(const json& config, const char* key, const std::string& where)
{
    const auto it = config.find(key);
    if (it == config.end() || !it->is_number_integer() || it->get<int64_t>() <= 0)
        throw Error(where + ": " + key + " must be a positive integer");
    return it->get<int64_t>();
}

} // namespace

json ggufConfig(const GgufFile& file)
{
    std::string archName;
    const GgufArchitecture& arch = architectureOf(file, archName);
    const std::string where = file.path().string();
    json config = json::object();
    config["model_type"] = arch.modelType;
    config[arch.activationKey] = arch.activation;
    for (const auto& key : arch.config) {
        const std::string full = archName + "." + key.gguf;
        const GgufValue* v = file.find(full);
        if (!v) {
            if (key.required)
                throw Error(where + ": metadata \"" + full + "\" is missing");
            continue;
        }
        if (v->type == GgufType::Array && v->elementType != GgufType::String && !v->integers.empty()
            && key.kind == Kind::Int) {
            // Per-layer values (some files write head counts per block): one value for all only.
            const auto& xs = v->integers;
            if (std::adjacent_find(xs.begin(), xs.end(), std::not_equal_to<>()) != xs.end())
                throw Error(where + ": metadata \"" + full + "\" differs between blocks, which is not supported");
            config[key.hf] = xs.front();
            continue;
        }
        switch (key.kind) {
        case Kind::Int: config[key.hf] = file.getInt(full); break;
        case Kind::Float: {
            const double x = file.getFloat(full);
            if (!std::isfinite(x))
                throw Error(where + ": metadata \"" + full + "\" = " + v->describe() + " is not a finite number");
            // A float32 in the file is taken exactly (transformers' reader does the same).
            config[key.hf] = x;
            break;
        }
        case Kind::Bool: config[key.hf] = file.optBool(full).value_or(false); break;
        }
    }
    // The vocabulary: stated, or the token list's length, or the embedding's rows.
    if (!config.contains("vocab_size")) {
        if (const auto* tokens = file.stringArray("tokenizer.ggml.tokens"))
            config["vocab_size"] = tokens->size();
        else if (const auto* embd = file.findTensor("token_embd.weight"))
            config["vocab_size"] = embd->shape[0];
    }
    // llama.cpp writes the output projection only when it is not the embedding.
    config["tie_word_embeddings"] = file.findTensor("output.weight") == nullptr;
    if (std::string(arch.modelType) == "llama") {
        // Llama-architecture files with biases (attention_bias / mlp_bias in config.json).
        if (file.findTensor("blk.0.attn_q.bias") || file.findTensor("blk.0.attn_output.bias"))
            config["attention_bias"] = true;
        if (file.findTensor("blk.0.ffn_up.bias"))
            config["mlp_bias"] = true;
    }

    if (const auto scaling = file.optString(archName + ".rope.scaling.type"); scaling && *scaling != "none")
        config["rope_scaling"] = json{{"rope_type", *scaling}};
    if (file.findTensor("rope_freqs.weight"))
        throw Error(where + ": tensor \"rope_freqs.weight\" (Llama 3.1-style rope scaling) is not supported yet");

    const std::string family = arch.modelType;
    if (family == "llama" || family == "qwen2" || family == "gemma3_text") {
        const int64_t heads = positiveConfigInt(config, "num_attention_heads", where);
        const int64_t dModel = positiveConfigInt(config, "hidden_size", where);
        const int64_t headDim = config.contains("head_dim") ? positiveConfigInt(config, "head_dim", where)
                                                            : (dModel % heads == 0 ? dModel / heads : 0);
        if (const auto rot = file.optInt(archName + ".rope.dimension_count"); rot && headDim > 0 && *rot != headDim)
            throw Error(where + ": metadata \"" + archName + ".rope.dimension_count\" = " + std::to_string(*rot)
                        + " differs from the head size " + std::to_string(headDim)
                        + " (partial rotary is not supported for " + archName + ")");
    } else if (family == "gpt_neox") {
        const int64_t heads = positiveConfigInt(config, "num_attention_heads", where);
        const int64_t dModel = positiveConfigInt(config, "hidden_size", where);
        if (dModel % heads != 0)
            throw Error(where + ": embedding_length is not divisible by attention.head_count");
        const int64_t rot = file.getInt(archName + ".rope.dimension_count");
        config["partial_rotary_factor"] = double(rot) / double(dModel / heads);
        if (!config.contains("use_parallel_residual"))
            config["use_parallel_residual"] = true;
    }
    return config;
}

GgufModel openGgufModel(const fs::path& path, bool withWeights)
{
    GgufModel model;
    auto file = std::make_shared<const GgufFile>(path);
    model.config = ggufConfig(*file);
    const GgufArchitecture& arch = architectureOf(*file, model.architecture);
    model.file = file;
    if (!withWeights)
        return model;

    const std::string where = path.string();
    const std::string layersKey = arch.config.front().hf; // block_count's config.json key
    const int64_t layers = positiveConfigInt(model.config, layersKey.c_str(), where);
    int64_t heads = 0, kvHeads = 0;
    for (const char* k : {"num_attention_heads", "n_head"})
        if (model.config.contains(k))
            heads = model.config[k].get<int64_t>();
    kvHeads = model.config.value("num_key_value_heads", heads);
    if (heads <= 0 || kvHeads <= 0)
        throw Error(where + ": the attention head counts must be positive");

    // Every name the table can give for this file, then every tensor of the file named.
    std::map<std::string, std::pair<const TensorName*, int>> byGgufName;
    std::map<std::string, std::string> fileNames;
    for (const auto& tn : arch.tensors) {
        const std::string pattern = tn.gguf;
        if (pattern.find("{N}") == std::string::npos) {
            byGgufName[pattern] = {&tn, -1};
            fileNames[tn.hf] = pattern;
            continue;
        }
        for (int l = 0; l < layers; ++l) {
            byGgufName[replaceBlock(pattern, l)] = {&tn, l};
            fileNames[replaceBlock(tn.hf, l)] = replaceBlock(pattern, l);
        }
    }
    std::map<std::string, GgufStore::Entry> entries;
    for (const auto& t : file->tensors()) {
        const auto it = byGgufName.find(t.name);
        if (it == byGgufName.end())
            throw Error(where + ": tensor \"" + t.name + "\" is not part of a " + model.architecture + " model with "
                        + std::to_string(layers) + " blocks as Patchbay reads it (an unsupported variant?)");
        const TensorName& tn = *it->second.first;
        GgufStore::Entry e;
        e.tensor = &t;
        e.fix = tn.fix;
        e.info.name = replaceBlock(tn.hf, it->second.second);
        e.info.sourceName = t.name;
        e.info.shape = t.shape;
        e.info.storedType = t.typeName();
        e.info.file = path;
        e.info.bytes = t.bytes;
        const std::string what = where + ": tensor \"" + t.name + "\"";
        if (!ggmlTypeDequantizable(t.type))
            throw Error(what + " has type " + t.typeName()
                        + ", which Patchbay cannot dequantize (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, "
                          "Q2_K, Q3_K, Q4_K, Q5_K, Q6_K); use a file quantized to one of those");
        switch (tn.fix) {
        case Fix::RotaryQ:
        case Fix::RotaryK: {
            e.heads = tn.fix == Fix::RotaryQ ? heads : kvHeads;
            if (t.shape.empty() || t.shape.size() > 2 || t.shape[0] % (2 * e.heads) != 0)
                throw Error(what + ": " + std::to_string(t.shape.empty() ? 0 : t.shape[0])
                            + " rows cannot be split into " + std::to_string(e.heads) + " rotary heads");
            break;
        }
        case Fix::NeoxQkv:
            e.heads = heads;
            if (t.shape.size() > 2 || t.shape[0] % (3 * heads) != 0)
                throw Error(what + ": " + std::to_string(t.shape[0]) + " rows cannot be split into q, k, v of "
                            + std::to_string(heads) + " heads");
            break;
        case Fix::Transpose:
            if (t.shape.size() != 2)
                throw Error(what + ": expected a matrix");
            e.info.shape = {t.shape[1], t.shape[0]};
            break;
        default: break;
        }
        const std::string hfName = e.info.name;
        if (!entries.emplace(hfName, std::move(e)).second)
            throw Error(what + " maps to \"" + hfName + "\" twice");
    }
    model.weights = std::make_unique<GgufStore>(file, std::move(entries), std::move(fileNames));
    return model;
}

} // namespace patchbay::core::detail
