// SPDX-License-Identifier: MIT
#include "core/methods/detail/gradient_probes.h"

#include "core/common/error.h"

#include <algorithm>
#include <string>

namespace patchbay::core::detail {

AttentionGradientWeights attentionGradientWeights(const Transformer& model, int layer, bool ungroupKv)
{
    const auto& config = model.config();
    const auto& L = model.weights().layers.at(static_cast<std::size_t>(layer));
    const int64_t dHead = config.dHead, d = config.dModel;
    const auto gain = L.ln1W.defined() ? L.ln1W.to(torch::kFloat32) : torch::ones({d}, L.wQ.options().dtype(torch::kFloat32)); // [d]
    AttentionGradientWeights out;
    out.normed = L.ln1W.defined();
    std::size_t i = 0;
    const bool ungroup = ungroupKv && config.nKvHeads != config.nHeads;
    const auto wK = ungroup ? model.perQueryHead(L.wK) : L.wK, wV = ungroup ? model.perQueryHead(L.wV) : L.wV;
    for (const auto* w : {&L.wQ, &wK, &wV}) {
        const auto n = w->size(1) / dHead;
        out.w[i] = (w->to(torch::kFloat32).view({d, n, dHead}).permute({1, 2, 0}) * gain).contiguous(); // [n, d_head, d]
        if (config.norm == ModelConfig::Norm::LayerNorm)
            out.rowSums[i] = out.w[i].sum(-1, true); // [n, d_head, 1]
        ++i;
    }
    return out;
}

torch::Tensor attentionInputGradients(const Transformer& model, const torch::Tensor& xIn, const AttentionProbes& probes,
                                      const AttentionGradientWeights& weights, const torch::Tensor& rowIdx)
{
    const auto& config = model.config();
    const int64_t dHead = config.dHead, d = config.dModel;
    const int64_t bp = xIn.size(0) * xIn.size(1);
    const int64_t rows = rowIdx.numel();
    const bool layerNorm = config.norm == ModelConfig::Norm::LayerNorm;
    // ln1's statistics of the shared input x: x̂ = (x − μ)·r, r = 1/σ (RMSNorm: no μ).
    const auto x = xIn.reshape({bp, d}).index_select(0, rowIdx).to(torch::kFloat32);
    const auto centred = layerNorm ? x - x.mean(-1, true) : x;
    const auto r = weights.normed ? torch::rsqrt(centred.pow(2).mean(-1, true) + config.normEps)
                                  : torch::ones({rows, 1}, x.options()); // [rows, 1]
    const auto xhat = centred * r;                                                  // [rows, d]

    // ln1's backward for every path at once (the same x, each with its own upstream grad
    // gy = g·W_hᵀ): with h = r·w⊙gy,
    //   LayerNorm: ∂M/∂x = h − mean(h) − x̂·mean(h⊙x̂);  RMSNorm: ∂M/∂x = h − x̂·mean(h⊙x̂).
    // r and w are folded into the small factors of the product (r into the probe gradient,
    // w into the head's weights), and mean(h) is (r·g)·(W_h w)/d, a product in d_head space;
    // so the [paths, rows, d_model] result is written once by the products and then
    // touched by two passes only. Rows in q, k, v order (receiver-major, as the EAP score
    // products read them).
    const int64_t paths = probes.q.size(2) + probes.k.size(2) + probes.v.size(2);
    auto gx = torch::empty({paths, rows, d}, xhat.options());
    auto rowSums = layerNorm ? torch::empty({paths, rows, 1}, xhat.options()) : torch::Tensor();
    int64_t at = 0;
    std::size_t i = 0;
    for (const auto* probe : {&probes.q, &probes.k, &probes.v}) {
        const auto n = probe->size(2);
        const auto g = probe->grad().defined() ? probe->grad() : torch::zeros_like(*probe);
        const auto gRows = g.reshape({bp, n, dHead}).index_select(0, rowIdx).to(torch::kFloat32);
        const auto gr = (gRows * r.view({rows, 1, 1})).permute({1, 0, 2}); // [n, rows, d_head]
        auto slice = gx.narrow(0, at, n); // contiguous: written in place by the product
        torch::bmm_out(slice, gr, weights.w[i]);
        if (layerNorm) {
            auto sums = rowSums.narrow(0, at, n);
            torch::bmm_out(sums, gr, weights.rowSums[i]); // Σ_d h, [n, rows, 1]
        }
        at += n;
        ++i;
    }
    if (!weights.normed) // no ln1 (OLMo-2): ∂M/∂x = g·W_h
        return gx;
    const auto m2 = (gx * xhat).mean(-1, true); // [paths, rows, 1]
    if (layerNorm)
        gx.sub_(rowSums.div_(static_cast<double>(d)));
    gx.addcmul_(xhat, m2, -1);
    return gx;
}

void GradientProbes::addScores(const torch::Tensor& diff, const torch::Tensor& rows, torch::Tensor& scores,
                               int64_t chunkRows, std::size_t workBytes) const
{
    if (m_entries.empty() || rows.numel() == 0)
        return;
    const auto& front = m_entries.front();
    const auto& shape = front.layer >= 0 ? front.x : front.probe;
    const int64_t bp = shape.size(0) * shape.size(1), d = shape.size(-1);
    const auto S = diff.size(0), count = rows.numel();
    const auto senders = diff.view({S, count, d});
    // The float32 weights of every attention entry: built once for all pieces when they fit
    // in workBytes (GPT-2 small 85 MB, SmolLM2 66 MB, Qwen-2.5-0.5B 99 MB), else per piece
    // and layer (Gemma-2-2B 0.98 GB, Llama-3.1-8B 3.2 GB).
    const auto& config = m_model->config();
    const int64_t kvHeads = m_ungroup ? config.nHeads : config.nKvHeads;
    const int64_t perLayer = int64_t{config.dModel} * (config.nHeads + 2 * kvHeads) * config.dHead * 4;
    int64_t attentionEntries = 0;
    for (const auto& e : m_entries)
        attentionEntries += e.layer >= 0;
    const auto bound = static_cast<int64_t>(workBytes);
    const bool keepWeights = workBytes == 0 || attentionEntries * perLayer <= bound;
    std::vector<AttentionGradientWeights> weights(m_entries.size());
    if (keepWeights)
        for (std::size_t i = 0; i < m_entries.size(); ++i)
            if (m_entries[i].layer >= 0)
                weights[i] = attentionGradientWeights(*m_model, m_entries[i].layer, m_ungroup);
    // A piece's gradients, [R, rows, d] float32 (32 rows: SmolLM2 35 MB, Llama-3.1-8B
    // 822 MB), in what the weights leave of workBytes, but never cut below 64 MiB, so that
    // small models' pieces (and the order of their sums) stay the same whatever the budget.
    const int64_t R = scores.size(1);
    if (workBytes > 0) {
        const int64_t perRow = std::max<int64_t>(1, R * d * 4);
        const int64_t left = bound - (keepWeights ? attentionEntries * perLayer : perLayer);
        chunkRows = std::min<int64_t>(chunkRows, std::max<int64_t>(left, int64_t{64} << 20) / perRow);
    }
    chunkRows = std::max<int64_t>(1, chunkRows);
    for (int64_t begin = 0; begin < count; begin += chunkRows) {
        const auto n = std::min(chunkRows, count - begin);
        const auto idx = rows.narrow(0, begin, n);
        // The senders' differences over these rows, [S, n·d]: a strided view (row stride
        // count·d) that the products read in place, from cache after the first block.
        const auto part = senders.narrow(1, begin, n).view({S, n * d});
        // Every receiver's gradient at these rows, receiver-major [R, n·d], then one product
        // [S, n·d] × [n·d, R] for all of them. It also fills the (sender, receiver) pairs that
        // are not edges, which the caller zeroes; one large product runs at the BLAS's full
        // speed, where a skinny product per receiver group (k = 1…H columns) re-read the
        // senders' [S, n·d] block from memory each time: with SmolLM2 and every position
        // live (induction, mean references) that was most of EAP's time.
        // Written entry by entry into one tensor: only one entry's result exists beside it.
        const auto grads = torch::empty({R, n, d}, senders.options().dtype(torch::kFloat32)); // [R, n, d]
        int64_t at = 0;
        for (std::size_t i = 0; i < m_entries.size(); ++i) {
            const auto& e = m_entries[i];
            torch::Tensor g; // [k, n, d]
            if (e.layer >= 0) {
                g = attentionInputGradients(*m_model, e.x, e.attention,
                                            keepWeights ? weights[i] : attentionGradientWeights(*m_model, e.layer, m_ungroup),
                                            idx);
            } else {
                const auto k = e.probe.size(2);
                const auto probeGrad = e.probe.grad().defined() ? e.probe.grad() : torch::zeros_like(e.probe);
                g = probeGrad.reshape({bp, k, d}).index_select(0, idx).permute({1, 0, 2});
            }
            if (at + g.size(0) <= R)
                grads.narrow(0, at, g.size(0)).copy_(g); // float32 whatever g's dtype
            at += g.size(0);
        }
        if (at != R)
            throw Error("EAP: the gradient probes cover " + std::to_string(at) + " receivers, the graph has "
                        + std::to_string(R));
        scores.addmm_(part, grads.view({R, n * d}).t());
    }
}

} // namespace patchbay::core::detail
