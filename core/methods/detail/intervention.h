// SPDX-License-Identifier: MIT
// Private header (torch inside): the one interventional forward of design.md §3.
#pragma once

#include "core/methods/detail/gradient_probes.h"
#include "core/model/detail/transformer.h"
#include "core/graph/graph.h"

#include <map>

namespace patchbay::core::detail {

// What to patch in one run. Every receiver input is
//   in_v = Σ_u [ e_uv · a_u + (1 − e_uv) · a_u^ref ] + constants,  e_uv = m_uv · n_u,
// computed as the run's own residual stream minus Σ_u (1 − e_uv)(a_u − a_u^ref): one
// batched product per block of senders and layer, only for receivers with a mask below 1
// (all receivers when the masks require grad).
struct Intervention
{
    torch::Tensor edgeMask;  // [n_senders, n_receivers] in [0,1]; entries of non-edges are ignored; undefined = all 1
    torch::Tensor nodeMask;  // [n_senders]; undefined = all 1
    torch::Tensor reference; // [batch | 1, pos | 1, n_senders, d_model] sender references; undefined = zero

    // Receiver inputs replaced outright, after the masks (path patching's second pass):
    // receiver index -> [batch, pos, d_model].
    std::map<int, torch::Tensor> receiverInputs;
    // Receivers whose input this run records (path patching's first pass): the caller puts
    // the receiver indices in as keys, run() fills in the inputs [batch, pos, d_model].
    std::map<int, torch::Tensor>* recordInputs = nullptr;

    // Gradient probes (the attribution methods): when set, run() taps every receiver's
    // input so that after a backward pass probes->addScores() can use ∂M/∂in_v.
    GradientProbes* probes = nullptr;

    // Positions [batch] (int64) at which to read the logits; undefined = every position.
    torch::Tensor readout;
    // No logits at all (run() returns an undefined tensor): a pass that only collects the
    // sender outputs skips the unembedding, with a 50k vocabulary a large share of a forward.
    bool sendersOnly = false;
};

// Used by one thread at a time (the compute worker's): run() reuses a workspace.
class InterventionalForward
{
public:
    InterventionalForward(const Transformer& model, const Graph& graph);

    const Graph& graph() const { return m_graph; }

    // Logits [batch, pos, d_vocab] of the clean input `ids` [batch, pos] under `patch`
    // ([batch, d_vocab] when patch.readout gives one position per row). One InterventionRun
    // (intervention.cpp) carries it out: named steps (embed, attention, mlp, unembed) and the
    // two ways of computing a correction (one buffer of every sender, or block by block).
    // sendersOut, when given, receives this run's sender outputs [batch, pos, n_senders, d_model]
    // (detached; sender-major in memory, a permuted view of [n_senders, batch, pos, d_model]).
    torch::Tensor run(const torch::Tensor& ids, const torch::Tensor& mask, const Intervention& patch,
                      torch::Tensor* sendersOut = nullptr) const;

    // For the EAP products: turns sender differences d_u = a_u^ref − a_u into what reaches
    // a receiver to first order. The identity except in post-norm families, where a
    // head's difference passes its layer's post-attention norm: d_h <- J_P(A_l) d_h at the
    // clean attention output A_l = Σ_h a_h + b_O (docs/post-norm-graph.md), so that
    // d_u · ∂M/∂in_v is −∂M/∂m_uv at m = 1 for every edge. clean [S, rows, d_model] (this
    // run's sender outputs), diff [S, rows, d_model] float32, changed in place.
    void linearizeDifferences(const torch::Tensor& clean, torch::Tensor& diff) const;

    // What patching the single edge u→v (mask 0) takes away from v's input, for the
    // senders u listed in `senderIndex` (k int64 indices): [k, batch, pos, d_model]. That is a_u − a_u^ref
    // (delta = senders − reference, [batch, pos, S, d_model]), except for a post-norm
    // family's heads: P_l(A_l) − P_l(A_l − delta_u), with A_l = Σ_h a_h + b_O from
    // `senders` (this run's outputs [batch, pos, S, d_model]).
    torch::Tensor edgePatchDifferences(const torch::Tensor& senders, const torch::Tensor& delta,
                                       const torch::Tensor& senderIndex) const;

    // Sender outputs of an unpatched run [batch, pos, n_senders, d_model] (sender-major in
    // memory): the reference activations of a corrupted prompt.
    torch::Tensor senderOutputs(const torch::Tensor& ids, const torch::Tensor& mask) const;

private:
    const Transformer& m_model;
    Graph m_graph;
    torch::Tensor m_valid; // [n_senders, n_receivers] 1 where (sender, receiver) is an edge
    // The no-grad sender buffer, kept between runs of the same shape: a fresh one of
    // [n_senders, batch·pos·d_model] (123 MB for GPT-2 small at 16×16 tokens) costs page
    // faults on every click. Mutable because run() is logically const; one thread at a time.
    mutable torch::Tensor m_workspace;
};

} // namespace patchbay::core::detail
