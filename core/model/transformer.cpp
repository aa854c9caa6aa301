// SPDX-License-Identifier: MIT
#include "core/model/detail/transformer.h"
#include "core/model/detail/block_loop.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>

namespace patchbay::core::detail {

namespace {

std::string blockName(int layer, const char* hook) { return "blocks." + std::to_string(layer) + "." + hook; }

void record(ActivationCache* cache, const std::string& name, const torch::Tensor& value)
{
    if (cache && cache->wants(name))
        cache->record(name, value);
}

// x with each key/value head repeated `group` times in place along `dim`: query head h
// reads key/value head h / group. The same values as repeat_interleave, which on LibTorch
// 1.x reads its repeat count back from the device (a GPU sync per call).
torch::Tensor repeatKvHeads(const torch::Tensor& x, int64_t dim, int64_t group)
{
    auto sizes = x.sizes().vec();
    auto expanded = sizes;
    expanded.insert(expanded.begin() + dim + 1, group);
    sizes[static_cast<std::size_t>(dim)] *= group;
    return x.unsqueeze(dim + 1).expand(expanded).reshape(sizes);
}

} // namespace

// --- ActivationCache ---------------------------------------------------------------------

ActivationCache ActivationCache::all()
{
    ActivationCache c;
    c.m_all = true;
    return c;
}

ActivationCache ActivationCache::only(std::vector<std::string> names)
{
    ActivationCache c;
    c.m_names = std::move(names);
    return c;
}

bool ActivationCache::wants(const std::string& name) const
{
    return m_all || std::find(m_names.begin(), m_names.end(), name) != m_names.end();
}

void ActivationCache::record(const std::string& name, const torch::Tensor& value) { m_values[name] = value; }

const torch::Tensor& ActivationCache::at(const std::string& name) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end())
        throw Error("activation \"" + name + "\" was not recorded in this cache");
    return it->second;
}

// --- Transformer -------------------------------------------------------------------------

Transformer::Transformer(ModelConfig config, TransformerWeights weights)
    : m_config(std::move(config)), m_weights(std::move(weights))
{
}

torch::Tensor Transformer::embed(const torch::Tensor& ids, ActivationCache* cache) const
{
    // ids [batch, pos] -> [batch, pos, d_model]
    auto x = torch::embedding(m_weights.wE, ids);
    if (m_config.embedScale != 1.0) // Gemma: the scale rounded to the weights' dtype first, as transformers does
        x = x * torch::scalar_tensor(m_config.embedScale, torch::kFloat32).to(x.scalar_type());
    record(cache, "hook_embed", x);
    if (m_config.learnedPositions) {
        const int64_t pos = ids.size(1);
        if (pos > m_weights.wPos.size(0))
            throw Error("sequence of " + std::to_string(pos) + " tokens is longer than the model's context of "
                        + std::to_string(m_weights.wPos.size(0)) + " positions");
        auto p = m_weights.wPos.slice(0, 0, pos).unsqueeze(0); // [1, pos, d_model]
        record(cache, "hook_pos_embed", p.expand_as(x));
        x = x + p;
    }
    return x;
}

torch::Tensor Transformer::attentionBias(const torch::Tensor& mask, int64_t batch, int64_t pos, bool sliding) const
{
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device());
    // Large finite negative rather than -inf: a fully masked row (a padded query) then
    // softmaxes to uniform instead of NaN, and it is never read.
    const float neg = std::numeric_limits<float>::lowest() / 2;
    auto allowed = torch::ones({pos, pos}, opts.dtype(torch::kBool)).tril(); // [q, k]
    if (sliding && m_config.slidingWindow > 0)
        allowed = allowed.triu(-(m_config.slidingWindow - 1));
    auto bias = torch::zeros({batch, 1, pos, pos}, opts);
    auto keep = allowed.view({1, 1, pos, pos});
    if (mask.defined()) {
        auto keys = mask.to(device()).to(torch::kBool).view({batch, 1, 1, pos});
        keep = keep & keys;
    }
    return bias.masked_fill(keep.logical_not(), neg);
}

Transformer::Biases Transformer::attentionBiases(const torch::Tensor& mask, int64_t batch, int64_t pos) const
{
    Biases b;
    b.full = attentionBias(mask, batch, pos, false);
    if (m_config.hasSlidingLayers())
        b.sliding = attentionBias(mask, batch, pos, true);
    return b;
}

torch::Tensor Transformer::inverseFrequencies(int layer, int64_t pos) const
{
    // Each step as transformers' modeling_rope_utils computes it, in float32 where it does,
    // so that the tables agree to the last bits.
    const int64_t dim = m_config.rotaryDim;
    const auto& s = m_config.ropeScalingFor(layer);
    const double theta = m_config.ropeThetaFor(layer);
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    const auto exponent = torch::arange(0, dim, 2, f32.dtype(torch::kInt64)).to(torch::kFloat32) / dim; // [dim/2]
    if (s.type == "dynamic" && pos > s.originalContext) {
        // NTK: theta grown for this length (transformers computes it as float32 tensors).
        const auto len = torch::scalar_tensor(pos, f32.dtype(torch::kInt64));
        const auto base = theta * torch::pow(len * s.factor / static_cast<double>(s.originalContext) - (s.factor - 1),
                                             static_cast<double>(dim) / static_cast<double>(dim - 2));
        return 1.0 / torch::pow(base, exponent);
    }
    // inv_freq_i = theta^(-2i/dim), i = 0..dim/2-1 (computed in int64 then float like HF)
    auto invFreq = 1.0 / torch::pow(theta, exponent);
    if (s.type == "linear") {
        invFreq = invFreq / s.factor;
    } else if (s.type == "llama3") {
        const double pi = 3.14159265358979323846;
        const double lowWavelen = s.originalContext / s.lowFreqFactor;
        const double highWavelen = s.originalContext / s.highFreqFactor;
        const auto wavelen = 2 * pi / invFreq;
        // Long wavelengths divided by factor, short ones kept, the band between smoothed.
        auto scaled = torch::where(wavelen > lowWavelen, invFreq / s.factor, invFreq);
        const auto smooth = (s.originalContext / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
        const auto smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled;
        const auto medium = (wavelen < highWavelen).logical_not() & (wavelen > lowWavelen).logical_not();
        invFreq = torch::where(medium, smoothed, scaled);
    } else if (s.type == "yarn") {
        const double pi = 3.14159265358979323846;
        const auto posFreqs = torch::pow(theta, torch::arange(0, dim, 2, f32) / dim);
        const auto extrapolation = 1.0 / posFreqs;
        const auto interpolation = 1.0 / (s.factor * posFreqs);
        auto correctionDim = [&](double rotations) {
            return (dim * std::log(s.originalContext / (rotations * 2 * pi))) / (2 * std::log(theta));
        };
        double low = correctionDim(s.betaFast), high = correctionDim(s.betaSlow);
        if (s.truncate) {
            low = std::floor(low);
            high = std::ceil(high);
        }
        low = std::max(low, 0.0);
        high = std::min(high, static_cast<double>(dim - 1));
        if (low == high)
            high += 0.001; // as transformers: no zero-width ramp
        const auto ramp = ((torch::arange(dim / 2, f32) - low) / (high - low)).clamp(0, 1);
        const auto extrapolationFactor = 1 - ramp;
        invFreq = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
    }
    return invFreq;
}

std::pair<torch::Tensor, torch::Tensor> Transformer::rotaryTables(int layer, int64_t pos) const
{
    const std::lock_guard<std::mutex> lock(m_rotaryMutex);
    const auto key = std::make_pair(m_config.ropeVariant(layer), pos); // layers of a variant share theirs
    if (const auto it = m_rotaryTables.find(key); it != m_rotaryTables.end())
        return it->second;
    const torch::NoGradGuard noGrad; // constants: no graph hangs on them
    auto tables = computeRotaryTables(layer, pos);
    const auto bytes = 2 * tables.first.numel() * static_cast<int64_t>(tables.first.element_size());
    if (m_rotaryBytes + bytes > (int64_t{64} << 20)) { // many long, different lengths: start over
        m_rotaryTables.clear();
        m_rotaryBytes = 0;
    }
    m_rotaryBytes += bytes;
    return m_rotaryTables[key] = std::move(tables);
}

std::pair<torch::Tensor, torch::Tensor> Transformer::computeRotaryTables(int layer, int64_t pos) const
{
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device());
    const auto invFreq = inverseFrequencies(layer, pos).to(device());
    auto t = torch::arange(pos, opts);
    auto freqs = torch::outer(t, invFreq);         // [pos, dim/2]
    auto emb = torch::cat({freqs, freqs}, -1);     // [pos, dim]
    const double attentionFactor = m_config.ropeScalingFor(layer).attentionFactor;
    if (attentionFactor != 1.0) // yarn: cos and sin scaled, so q·k by its square
        return {emb.cos() * attentionFactor, emb.sin() * attentionFactor};
    return {emb.cos(), emb.sin()};
}

torch::Tensor Transformer::applyRotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) const
{
    // x [batch, pos, heads, d_head]; rotate the first rotary_dim dims ("rotate_half" convention).
    const int64_t dim = m_config.rotaryDim;
    auto xf = x.to(torch::kFloat32);
    auto rot = xf.narrow(-1, 0, dim);
    auto c = cos.view({1, cos.size(0), 1, dim});
    auto s = sin.view({1, sin.size(0), 1, dim});
    auto x1 = rot.narrow(-1, 0, dim / 2);
    auto x2 = rot.narrow(-1, dim / 2, dim / 2);
    auto rotated = rot * c + torch::cat({-x2, x1}, -1) * s;
    if (dim < x.size(-1))
        rotated = torch::cat({rotated, xf.narrow(-1, dim, x.size(-1) - dim)}, -1);
    return rotated.to(x.scalar_type());
}

torch::Tensor Transformer::normalize(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) const
{
    if (!w.defined())
        return x;
    const auto dtype = x.scalar_type();
    if (m_config.norm == ModelConfig::Norm::LayerNorm) {
        if (dtype == torch::kFloat32)
            return torch::layer_norm(x, {x.size(-1)}, w, b, m_config.normEps);
        auto y = torch::layer_norm(x.to(torch::kFloat32), {x.size(-1)}, w.to(torch::kFloat32),
                                   b.defined() ? b.to(torch::kFloat32) : b, m_config.normEps);
        return y.to(dtype);
    }
    // RMSNorm as Llama: normalise in fp32, cast back, then scale.
    auto xf = x.to(torch::kFloat32);
    auto y = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + m_config.normEps);
    return w * y.to(dtype);
}

torch::Tensor Transformer::attentionPostNorm(int layer, const torch::Tensor& x) const
{
    return normalize(x, m_weights.layers.at(static_cast<std::size_t>(layer)).ln1PostW, torch::Tensor());
}

torch::Tensor Transformer::attentionPostNormJvp(int layer, const torch::Tensor& x, const torch::Tensor& dx) const
{
    const auto& w = m_weights.layers.at(static_cast<std::size_t>(layer)).ln1PostW;
    const auto xf = x.to(torch::kFloat32);                                          // [rows, d]
    const auto r = torch::rsqrt(xf.pow(2).mean(-1, true) + m_config.normEps);       // [rows, 1]
    const auto xhat = xf * r;
    const auto proj = (dx * xhat).mean(-1, true);                                   // [n, rows, 1]
    return (dx - xhat * proj) * r * w.to(torch::kFloat32);
}

torch::Tensor Transformer::project(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                                   int64_t heads) const
{
    // x [batch, pos, d_model] or [batch, pos, heads, d_model]; w [d_model, heads * d_head]
    // -> [batch, pos, heads, d_head]
    const int64_t dHead = m_config.dHead;
    torch::Tensor y;
    if (x.dim() == 3) {
        y = b.defined() ? torch::addmm(b, x.reshape({-1, x.size(2)}), w) : torch::mm(x.reshape({-1, x.size(2)}), w);
        y = y.view({x.size(0), x.size(1), heads, dHead});
    } else {
        auto wh = w.view({w.size(0), heads, dHead}).permute({1, 0, 2}); // [heads, d_model, d_head]
        y = torch::einsum("bphd,hde->bphe", {x, wh});
        if (b.defined())
            y = y + b.view({heads, dHead});
    }
    return y;
}

torch::Tensor Transformer::perQueryHead(const torch::Tensor& w) const
{
    if (!w.defined())
        return w;
    const int64_t group = m_config.nHeads / m_config.nKvHeads, dHead = m_config.dHead;
    if (w.dim() == 1)
        return repeatKvHeads(w.view({m_config.nKvHeads, dHead}), 0, group).reshape({-1});
    return repeatKvHeads(w.view({w.size(0), m_config.nKvHeads, dHead}), 1, group).reshape({w.size(0), -1});
}

AttentionOutput Transformer::attention(int layer, const torch::Tensor& qIn, const torch::Tensor& kIn,
                                       const torch::Tensor& vIn, const torch::Tensor& bias,
                                       ActivationCache* cache, AttentionProbes* probes, bool projectOut,
                                       bool ungroupKv) const
{
    const auto& L = m_weights.layers.at(static_cast<std::size_t>(layer));
    const int64_t nHeads = m_config.nHeads;
    const bool ungroup = m_config.nKvHeads != nHeads
        && (ungroupKv || (kIn.dim() == 4 && kIn.size(2) == nHeads));
    if (ungroup && m_config.qkNorm == ModelConfig::QkNorm::AllHeads)
        throw Error("the ungrouped key/value graph is not defined for a grouped-query model whose key norm spans "
                    "every key/value head (OLMo-2 style): use the grouped graph");
    // Ungrouped, every query head has its own key/value head (a copy of its group's).
    const int64_t nKv = ungroup ? nHeads : m_config.nKvHeads;
    const auto wK = ungroup ? perQueryHead(L.wK) : L.wK, bK = ungroup ? perQueryHead(L.bK) : L.bK;
    const auto wV = ungroup ? perQueryHead(L.wV) : L.wV, bV = ungroup ? perQueryHead(L.bV) : L.bV;

    // Normalise each input once; a shared input (the plain forward) is normalised once for
    // all three paths.
    auto qN = normalize(qIn, L.ln1W, L.ln1B);
    auto kN = kIn.is_same(qIn) ? qN : normalize(kIn, L.ln1W, L.ln1B);
    auto vN = vIn.is_same(qIn) ? qN : (vIn.is_same(kIn) ? kN : normalize(vIn, L.ln1W, L.ln1B));
    if (qIn.dim() == 3)
        record(cache, blockName(layer, "ln1.hook_normalized"), qN);

    auto q = project(qN, L.wQ, L.bQ, nHeads); // [batch, pos, n_heads, d_head]
    auto k = project(kN, wK, bK, nKv);        // [batch, pos, n_kv_heads, d_head]
    auto v = project(vN, wV, bV, nKv);        // [batch, pos, n_kv_heads, d_head]
    if (probes) {
        auto probe = [](torch::Tensor& x, torch::Tensor& p) {
            p = torch::zeros(x.sizes(), x.options().requires_grad(false)).requires_grad_(true);
            x = x + p;
        };
        probe(q, probes->q);
        probe(k, probes->k);
        probe(v, probes->v);
    }
    record(cache, blockName(layer, "attn.hook_q"), q);
    record(cache, blockName(layer, "attn.hook_k"), k);
    record(cache, blockName(layer, "attn.hook_v"), v);

    const int64_t batch = q.size(0);
    const int64_t pos = q.size(1);
    if (m_config.qkNorm == ModelConfig::QkNorm::PerHead) { // Qwen3, Gemma-3: over d_head
        q = normalize(q, L.qNormW, torch::Tensor());
        k = normalize(k, L.kNormW, torch::Tensor());
    } else if (m_config.qkNorm == ModelConfig::QkNorm::AllHeads) { // OLMo-2: over all heads' dims
        q = normalize(q.reshape({batch, pos, -1}), L.qNormW, torch::Tensor()).view(q.sizes());
        k = normalize(k.reshape({batch, pos, -1}), L.kNormW, torch::Tensor()).view(k.sizes());
    }
    if (m_config.rotaryDim > 0) {
        const auto [cos, sin] = rotaryTables(layer, pos);
        q = applyRotary(q, cos, sin);
        k = applyRotary(k, cos, sin);
        record(cache, blockName(layer, "attn.hook_rot_q"), q);
        record(cache, blockName(layer, "attn.hook_rot_k"), k);
    }
    if (nKv != nHeads) { // grouped-query attention: query head h reads kv head h / (H / H_kv)
        k = repeatKvHeads(k, 2, nHeads / nKv);
        v = repeatKvHeads(v, 2, nHeads / nKv);
    }

    auto qh = q.permute({0, 2, 1, 3}); // [batch, n_heads, pos, d_head]
    auto kh = k.permute({0, 2, 3, 1}); // [batch, n_heads, d_head, pos]
    auto vh = v.permute({0, 2, 1, 3}); // [batch, n_heads, pos, d_head]
    auto scores = torch::matmul(qh, kh).to(torch::kFloat32) * m_config.attnScale(); // [batch, n_heads, q, k]
    if (m_config.attnSoftcap > 0) // Gemma-2
        scores = torch::tanh(scores / m_config.attnSoftcap) * m_config.attnSoftcap;
    scores = scores + bias;
    record(cache, blockName(layer, "attn.hook_attn_scores"), scores);
    auto pattern = torch::softmax(scores, -1); // [batch, n_heads, q, k]
    record(cache, blockName(layer, "attn.hook_pattern"), pattern);
    auto z = torch::matmul(pattern.to(vh.scalar_type()), vh).permute({0, 2, 1, 3}).contiguous(); // [b, pos, H, d_head]
    record(cache, blockName(layer, "attn.hook_z"), z);

    if (cache && cache->wants(blockName(layer, "attn.hook_result")))
        cache->record(blockName(layer, "attn.hook_result"), headResults(layer, z));

    if (!projectOut)
        return {torch::Tensor(), z};
    auto zFlat = z.view({batch * pos, nHeads * m_config.dHead});
    auto out = L.bO.defined() ? torch::addmm(L.bO, zFlat, L.wO) : torch::mm(zFlat, L.wO);
    return {out.view({batch, pos, m_config.dModel}), z};
}

torch::Tensor Transformer::headResults(int layer, const torch::Tensor& z, torch::Tensor into) const
{
    // z [batch, pos, n_heads, d_head] -> [batch, pos, n_heads, d_model], one product per
    // head written head-major ([n_heads, batch, pos, d_model] in memory, the layout the
    // interventional forward keeps its senders in).
    const auto& L = m_weights.layers.at(static_cast<std::size_t>(layer));
    const int64_t batch = z.size(0), pos = z.size(1), H = m_config.nHeads, d = m_config.dModel;
    const auto zh = z.permute({2, 0, 1, 3}).reshape({H, batch * pos, m_config.dHead});
    const auto wO = L.wO.view({H, m_config.dHead, d});
    if (!into.defined())
        return torch::bmm(zh, wO).view({H, batch, pos, d}).permute({1, 2, 0, 3});
    auto flat = into.view({H, batch * pos, d});
    torch::bmm_out(flat, zh, wO);
    return into.permute({1, 2, 0, 3});
}

torch::Tensor Transformer::mlp(int layer, const torch::Tensor& x, ActivationCache* cache) const
{
    const auto& L = m_weights.layers.at(static_cast<std::size_t>(layer));
    auto xN = normalize(x, L.ln2W, L.ln2B);
    record(cache, blockName(layer, "ln2.hook_normalized"), xN);
    const int64_t batch = x.size(0), pos = x.size(1);
    auto flat = xN.reshape({batch * pos, m_config.dModel});
    auto pre = L.bIn.defined() ? torch::addmm(L.bIn, flat, L.wIn) : torch::mm(flat, L.wIn); // [b*p, d_mlp]
    record(cache, blockName(layer, "mlp.hook_pre"), pre.view({batch, pos, -1}));
    torch::Tensor gate = L.wGate.defined() ? torch::mm(flat, L.wGate) : pre;
    torch::Tensor act;
    const auto& a = m_config.activation;
    if (a == "gelu_new" || a == "gelu_pytorch_tanh" || a == "gelu_fast")
        act = torch::gelu(gate, "tanh");
    else if (a == "gelu")
        act = torch::gelu(gate);
    else if (a == "relu")
        act = torch::relu(gate);
    else // silu / swish
        act = torch::silu(gate);
    auto post = L.wGate.defined() ? act * pre : act; // gated: act(gate(x)) * up(x)
    record(cache, blockName(layer, "mlp.hook_post"), post.view({batch, pos, -1}));
    auto out = L.bOut.defined() ? torch::addmm(L.bOut, post, L.wOut) : torch::mm(post, L.wOut);
    return normalize(out.view({batch, pos, m_config.dModel}), L.ln2PostW, torch::Tensor());
}

torch::Tensor Transformer::unembed(const torch::Tensor& resid, ActivationCache* cache) const
{
    auto x = normalize(resid, m_weights.lnFinalW, m_weights.lnFinalB);
    record(cache, "ln_final.hook_normalized", x);
    const int64_t batch = x.size(0), pos = x.size(1);
    auto flat = x.reshape({batch * pos, m_config.dModel});
    auto logits = m_weights.bU.defined() ? torch::addmm(m_weights.bU, flat, m_weights.wU) : torch::mm(flat, m_weights.wU);
    if (m_config.finalSoftcap > 0) // Gemma-2
        logits = torch::tanh(logits / m_config.finalSoftcap) * m_config.finalSoftcap;
    return logits.view({batch, pos, -1});
}

torch::Tensor Transformer::forward(const torch::Tensor& idsIn, const torch::Tensor& mask, ActivationCache* cache) const
{
    auto ids = idsIn.to(device(), torch::kInt64);
    const int64_t batch = ids.size(0), pos = ids.size(1);
    if (pos > m_config.nCtx)
        throw Error("sequence of " + std::to_string(pos) + " tokens is longer than the model's context of "
                    + std::to_string(m_config.nCtx) + " positions");
    // The plain steps: every receiver reads the stream as is; the hooks are recorded.
    struct Steps
    {
        const Transformer& t;
        Transformer::Biases biases;
        ActivationCache* cache;
        torch::Tensor attention(int l, const torch::Tensor& resid) const
        {
            auto attn = t.attentionPostNorm(l, t.attention(l, resid, resid, resid, t.biasFor(biases, l), cache).out);
            record(cache, blockName(l, "hook_attn_out"), attn);
            return attn;
        }
        torch::Tensor mlp(int l, const torch::Tensor& in, const torch::Tensor&) const
        {
            auto m = t.mlp(l, in, cache);
            record(cache, blockName(l, "hook_mlp_out"), m);
            return m;
        }
        void observe(int l, const char* hook, const torch::Tensor& resid) const { record(cache, blockName(l, hook), resid); }
    } steps{*this, attentionBiases(mask, batch, pos), cache};
    const auto resid = blockLoop(m_config, embed(ids, cache), steps); // [batch, pos, d_model]
    return unembed(resid, cache);
}

int64_t Transformer::parameterCount() const
{
    std::vector<const void*> seen;
    int64_t n = 0;
    auto add = [&](const torch::Tensor& t) {
        if (!t.defined())
            return;
        const void* p = t.data_ptr();
        if (std::find(seen.begin(), seen.end(), p) != seen.end())
            return;
        seen.push_back(p);
        n += t.numel();
    };
    add(m_weights.wE);
    add(m_weights.wPos);
    for (const auto& L : m_weights.layers) {
        for (const auto* t : {&L.ln1W, &L.ln1B, &L.wQ, &L.bQ, &L.wK, &L.bK, &L.wV, &L.bV, &L.wO, &L.bO, &L.qNormW,
                              &L.kNormW, &L.ln1PostW, &L.ln2W, &L.ln2B, &L.wIn, &L.bIn, &L.wGate, &L.wOut, &L.bOut,
                              &L.ln2PostW})
            add(*t);
    }
    add(m_weights.lnFinalW);
    add(m_weights.lnFinalB);
    add(m_weights.wU);
    add(m_weights.bU);
    return n;
}

} // namespace patchbay::core::detail
