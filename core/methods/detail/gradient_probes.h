// SPDX-License-Identifier: MIT
// Private header (torch inside): EAP's hand-derived backward. The gradient probes that the
// interventional forward (intervention.h) places on every receiver input, and the exact
// mapping of the q/k/v projections' gradients back through ln1 to the shared residual
// stream, so that the score products need no second forward and no autograd through the
// norms. Used by the gradient methods (attribution.cpp) through GradientProbes::addScores.
#pragma once

#include "core/model/detail/transformer.h"

#include <vector>

namespace patchbay::core::detail {

// What attentionInputGradients needs of layer l's weights, in float32: per path (q, k, v)
// each head's projection with ln1's gain folded in, [n, d_head, d_model], and (LayerNorm)
// its sums over d_model, [n, d_head, 1].
struct AttentionGradientWeights
{
    torch::Tensor w[3];
    torch::Tensor rowSums[3];
    bool normed = true; // false: the layer has no ln1 (OLMo-2), the gradient is g·W_h alone
};

// The gradient with respect to the residual-stream input of every q/k/v path of a layer
// that read the shared input x [batch, pos, d_model], from the probes' gradients: each
// head's projection transposed, then ln1's backward per path (exact; no second forward).
// Only at the rows rowIdx [n] (int64) of batch·pos, so that a caller can work through a
// batch in pieces that stay in cache; `weights` are the layer's
// attentionGradientWeights, prepared once for all pieces. Returns receiver-major
// [n_heads + 2 n_kv_heads, n, d_model] in q, k, v order (float32).
// ungroupKv: the k/v paths per query head (n_heads each), as attention(…, ungroupKv).
AttentionGradientWeights attentionGradientWeights(const Transformer& model, int layer, bool ungroupKv = false);
torch::Tensor attentionInputGradients(const Transformer& model, const torch::Tensor& x, const AttentionProbes& probes,
                                      const AttentionGradientWeights& weights, const torch::Tensor& rowIdx);

// Gradient taps on every receiver input (the attribution methods): filled by a run, read
// after the backward pass.
class GradientProbes
{
public:
    // EAP's score products: adds Σ_{rows} diff_u · ∂M/∂in_v to scores[u][v] for every
    // receiver v and every sender u that comes before it (graph.sendersBefore(v)); the
    // entries of (u, v) pairs that are not edges get numbers too, which the caller zeroes.
    // rows [n] int64: the rows of batch·pos to sum over (the others' products are known to
    // be zero); diff [n_senders, n·d_model] float32, sender-major, at those rows; scores
    // [n_senders, n_receivers] float32. Works through the rows in pieces of chunkRows: each
    // piece of the per-head gradients (n_heads + 2 n_kv_heads times the residual stream)
    // is computed for every receiver and used in one product, never written out for the
    // whole batch.
    // workBytes bounds what the products need beside the activations: the float32 q/k/v
    // weights with ln1's gain folded in (every layer's, built once per call while they fit,
    // else one layer at a time per piece: Llama-3.1-8B's are 3.2 GB) and a piece's
    // gradients [receivers, chunkRows, d_model] float32 (fewer rows per piece when they
    // would not fit). 0: no bound.
    void addScores(const torch::Tensor& diff, const torch::Tensor& rows, torch::Tensor& scores,
                   int64_t chunkRows = 32, std::size_t workBytes = 0) const;

private:
    friend class InterventionalForward;
    friend class InterventionRun; // fills the entries (intervention.cpp)
    // One entry per receiver group in forward order: a probe added to the inputs of those
    // receivers ([batch, pos, n, d_model]), or, where a layer's q/k/v paths all read the same
    // input x, probes on the projections whose gradients are mapped back analytically.
    struct Entry
    {
        torch::Tensor probe;
        int layer = -1;
        torch::Tensor x;
        AttentionProbes attention;
    };
    const Transformer* m_model = nullptr;
    bool m_ungroup = false; // key/value paths per query head (the ungrouped graph)
    std::vector<Entry> m_entries;
};

} // namespace patchbay::core::detail
