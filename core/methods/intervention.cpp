// SPDX-License-Identifier: MIT
#include "core/methods/detail/intervention.h"
#include "core/model/detail/block_loop.h"

#include "core/common/error.h"

#include <algorithm>

namespace patchbay::core::detail {

InterventionalForward::InterventionalForward(const Transformer& model, const Graph& graph)
    : m_model(model), m_graph(graph)
{
    const auto& c = model.config();
    // The graph has the model's key/value heads (grouped) or, for a grouped-query model, one
    // key/value receiver per query head (ungrouped, MIB's layout).
    if (graph.nLayers() != c.nLayers || graph.nHeads() != c.nHeads
        || (graph.nKvHeads() != c.nKvHeads && graph.nKvHeads() != c.nHeads)
        || graph.parallelAttnMlp() != c.parallelAttnMlp)
        throw Error("graph (" + graph.describe() + ") does not match the model");
    const auto S = static_cast<int64_t>(graph.senders().size());
    const auto R = static_cast<int64_t>(graph.receivers().size());
    auto valid = torch::zeros({S, R}, torch::kFloat32);
    auto v = valid.accessor<float, 2>();
    for (int64_t r = 0; r < R; ++r)
        for (int s = 0; s < graph.sendersBefore(static_cast<int>(r)); ++s)
            v[s][r] = 1.0f;
    m_valid = valid.to(model.device(), model.dtype());
}

namespace {

// A contiguous range of senders computed together (the input, a layer's heads, an MLP).
struct Block
{
    int64_t first;
    torch::Tensor diff; // [n, batch * pos * d_model] = a_u - a_u^ref, sender-major so the
                        // correction of all receivers is one plain matrix product
    int headsOf = -1;   // the layer whose heads these are (post-norm families), else -1
};

// t[:, rs]. A layer's receivers are one contiguous range (graph.cpp numbers them layer by
// layer), so this is a view: no index tensor is uploaded, which on a GPU would wait for
// the whole queue once per receiver group and forward.
torch::Tensor receiverColumns(const torch::Tensor& t, const std::vector<int64_t>& rs)
{
    const auto n = static_cast<int64_t>(rs.size());
    bool contiguous = n > 0;
    for (int64_t i = 1; contiguous && i < n; ++i)
        contiguous = rs[static_cast<std::size_t>(i)] == rs.front() + i;
    if (contiguous)
        return t.narrow(1, rs.front(), n);
    return t.index_select(1, torch::tensor(rs, torch::TensorOptions().dtype(torch::kInt64)).to(t.device()));
}

} // namespace

// One run of the interventional forward (InterventionalForward::run): the named steps —
// embed, each layer's attention with its q/k/v receivers, each layer's MLP with its
// receiver, the logits receiver and the unembedding — over the state they share; the layers
// run in the block loop the plain forward uses (model/block_loop.h). Every
// receiver input is the run's own residual stream minus a correction Σ_u w_uv (a_u − a_u^ref),
// computed one of two ways:
//  - bufferedCorrection: without autograd, every sender's difference in one
//    [S, batch·pos·d_model] buffer and one product per layer over whichever is sparser, the
//    patched or the kept edges;
//  - blockCorrection: under autograd (masks that require grad) and in post-norm families,
//    one product per block of senders, the heads of a post-norm layer through its norm.
// They round differently; which one a run takes is decided once, in the constructor
// (useBuffer), from GradMode, the masks and the family.
class InterventionRun
{
public:
    InterventionRun(const Transformer& model, const Graph& graph, const torch::Tensor& valid, torch::Tensor& workspace,
                    const Intervention& patch, const torch::Tensor& ids, const torch::Tensor& mask,
                    torch::Tensor* sendersOut);

    // Logits (or nothing for patch.sendersOnly), as InterventionalForward::run returns them.
    torch::Tensor forward();

    // --- the steps (the shared block loop, model/block_loop.h, calls the middle three) -----
    torch::Tensor embed();                                           // [batch, pos, d_model]
    torch::Tensor attention(int layer, const torch::Tensor& resid);  // what joins the stream (after a post-norm)
    torch::Tensor mlp(int layer, const torch::Tensor& in, const torch::Tensor& attnOut); // [batch, pos, d_model]
    void observe(int, const char*, const torch::Tensor&) {}          // no hooks recorded
    torch::Tensor unembed(torch::Tensor resid);

private:

    // --- receivers and corrections ---------------------------------------------------------
    torch::Tensor refOf(int64_t first, int64_t n) const;
    // Records the outputs of the senders [first, first + n): out [batch, pos, n, d_model].
    void addBlock(int64_t first, const torch::Tensor& out, int headsOf = -1);
    // Whether any sender of [first, first + n) has w ≠ 0 into one of `rs` (a block whose
    // weights are all zero adds nothing — unless the masks require grad, whose gradient
    // the product carries even at zero).
    bool blockMatters(int64_t first, int64_t n, const std::vector<int64_t>& rs) const;
    // Σ_u w_uv (a_u - a_u^ref) for the receivers `rs`: [batch, pos, |rs|, d_model].
    // `before` is Σ_u (a_u − a_u^ref) over the senders that feed them (buffer path).
    torch::Tensor correction(const std::vector<int64_t>& rs, const torch::Tensor& before) const;
    torch::Tensor bufferedCorrection(const std::vector<int64_t>& rs, const torch::Tensor& before) const;
    torch::Tensor blockCorrection(const std::vector<int64_t>& rs) const;
    bool anyActive(const std::vector<int64_t>& rs) const;
    bool touched(const std::vector<int64_t>& rs) const; // replaced or recorded
    // Applies receiverInputs to and records recordInputs from the inputs `in`
    // [batch, pos, |rs|, d_model] of the receivers `rs`.
    torch::Tensor overrideAndRecord(const std::vector<int64_t>& rs, torch::Tensor in) const;
    // The inputs of the receivers `rs`, all of which read the residual stream `stream`:
    // [batch, pos, |rs|, d_model], or undefined when every one of them reads `stream` as is.
    torch::Tensor receiverInputs(const std::vector<int64_t>& rs, const torch::Tensor& stream,
                                 const torch::Tensor& before);

    const Transformer& m_model;
    const Graph& g;
    const ModelConfig& c;
    const torch::Tensor& m_valid;
    const Intervention& patch;
    torch::Tensor* sendersOut;
    torch::Tensor ids, mask;
    int64_t S = 0, R = 0, batch = 0, pos = 0;

    torch::Tensor e, w;        // [S, R]: e_uv; w_uv = (1 - e_uv) on edges, 0 elsewhere
    std::vector<char> active;  // per receiver: some w_uv ≠ 0 (all when w requires grad)
    bool anyPatched = false;   // no receiver with a mask below 1: no correction is ever computed
    bool postNorms = false;
    bool useBuffer = false;
    torch::Tensor buffer;
    int64_t filled = 0;
    torch::Tensor dsum, dsumBeforeHeads;
    std::vector<char> keptNz, patchedNz; // [S * R] e_uv != 0 and w_uv != 0 on edges
    std::vector<Block> blocks;
    torch::Tensor senders; // sendersOut's tensor, sender-major [S, batch, pos, d_model]
    std::vector<torch::Tensor> attnRaw, attnPost;

    Transformer::Biases biases;
    int64_t H = 0, Hkv = 0;
    bool ungroup = false;
    bool needResults = false, resultsGrad = false, projectOut = false;
};

InterventionRun::InterventionRun(const Transformer& model, const Graph& graph, const torch::Tensor& valid,
                                 torch::Tensor& workspace, const Intervention& patchIn, const torch::Tensor& idsIn,
                                 const torch::Tensor& maskIn, torch::Tensor* sendersOutIn)
    : m_model(model), g(graph), c(model.config()), m_valid(valid), patch(patchIn), sendersOut(sendersOutIn), mask(maskIn)
{
    S = static_cast<int64_t>(g.senders().size());
    R = static_cast<int64_t>(g.receivers().size());
    ids = idsIn.to(m_model.device(), torch::kInt64);
    batch = ids.size(0);
    pos = ids.size(1);
    if (pos > c.nCtx)
        throw Error("sequence of " + std::to_string(pos) + " tokens is longer than the model's context");

    // w_uv = (1 - e_uv) on edges, 0 elsewhere: how much of u's difference to remove at v.
    // Masks made on the host (tests, benches, a caller's own) join the model's device here.
    e = patch.edgeMask.defined() ? patch.edgeMask.to(m_model.device(), m_model.dtype()) : torch::ones_like(m_valid);
    if (patch.nodeMask.defined())
        e = e * patch.nodeMask.to(m_model.device(), m_model.dtype()).unsqueeze(1);
    w = (1 - e) * m_valid; // [S, R]
    active.assign(g.receivers().size(), 1);
    if (!w.requires_grad()) {
        const auto any = (w != 0).any(0).to(torch::kCPU);
        const auto a = any.accessor<bool, 1>();
        for (std::size_t r = 0; r < active.size(); ++r)
            active[r] = a[static_cast<int64_t>(r)];
    }
    if (patch.probes) {
        patch.probes->m_model = &m_model;
        patch.probes->m_ungroup = g.nKvHeads() != c.nKvHeads;
        patch.probes->m_entries.clear();
    }
    // Without autograd every sender's difference goes into one [S, batch*pos*d_model]
    // buffer, so a layer's correction is a single matrix product; with autograd (masks
    // that require grad) the blocks stay separate tensors, since in-place writes into a
    // buffer that earlier products read would break the backward pass.
    // No receiver with a mask below 1 (a clean run, senderOutputs, EAP's gradient pass):
    // no correction is ever computed, so the sender differences are not kept at all.
    anyPatched = std::any_of(active.begin(), active.end(), [](char a) { return a != 0; });
    // Post-norm families (docs/post-norm-graph.md) correct the heads' part through the
    // layer's post-attention norm, per receiver: the separate blocks, never the buffer.
    postNorms = c.postNorms;
    useBuffer = !torch::GradMode::is_enabled() && anyPatched && !postNorms;
    if (useBuffer) {
        const auto need = S * batch * pos * c.dModel;
        if (!workspace.defined() || workspace.numel() < need || workspace.scalar_type() != m_model.dtype())
            workspace = torch::empty({need}, torch::TensorOptions().dtype(m_model.dtype()).device(m_model.device()));
        buffer = workspace.narrow(0, 0, need).view({S, batch * pos * c.dModel});
    }
    // Σ_u (a_u − a_u^ref) over the senders in the buffer: [batch * pos * d_model]. With
    // it, Σ_u w_uv d_u = dsum − Σ_u e_uv d_u, which is cheaper when few edges are kept (a
    // circuit): the product then runs over the senders with a kept edge only.
    if (useBuffer) {
        // float32 whatever the model's dtype: the kept-edge shortcut subtracts a small sum
        // from this total, which low-precision rounding per block would swamp.
        dsum = torch::zeros({batch * pos * c.dModel}, buffer.options().dtype(torch::kFloat32));
        const auto kept = ((e * m_valid) != 0).to(torch::kCPU).contiguous();
        keptNz.assign(kept.data_ptr<bool>(), kept.data_ptr<bool>() + S * R);
    }
    if (anyPatched) {
        const auto patched = (w.detach() != 0).to(torch::kCPU).contiguous();
        patchedNz.assign(patched.data_ptr<bool>(), patched.data_ptr<bool>() + S * R);
    }
    // sendersOut's tensor, sender-major [S, batch, pos, d_model]: the heads' results are
    // written straight into it, the other senders copied.
    if (sendersOut)
        senders = torch::empty({S, batch, pos, c.dModel}, torch::TensorOptions().dtype(m_model.dtype()).device(m_model.device()));
    // Post-norm families: each layer's attention output before (A_l = Σ_h a_h + b_O) and
    // after its post-attention norm P_l, for the heads' corrections.
    attnRaw.resize(static_cast<std::size_t>(c.nLayers));
    attnPost.resize(static_cast<std::size_t>(c.nLayers));

    // Key/value receivers per layer: the model's key/value heads, or every query head when
    // the graph is ungrouped (the attention then computes a key and value per query head).
    H = c.nHeads;
    Hkv = g.nKvHeads();
    ungroup = Hkv != c.nKvHeads;
    // Without autograd every run (patched or not) sums the heads' separate results into the
    // attention output, so that all runs compute the residual stream alike: a patch whose
    // corrections are zero gives the unpatched run bit for bit, and every patched edge gives
    // the same reference run whether edge or node masks say so. Under autograd (the
    // gradient methods) the attention output is the one output projection, whose backward
    // is one product; the results are computed besides only for the corrections, the only
    // place they carry gradient, and for sendersOut.
    const bool grad = torch::GradMode::is_enabled();
    needResults = !grad || anyPatched || sendersOut != nullptr;
    resultsGrad = grad && anyPatched;
    projectOut = grad;
}

torch::Tensor InterventionRun::forward()
{
    biases = m_model.attentionBiases(mask, batch, pos);
    return unembed(blockLoop(c, embed(), *this));
}

torch::Tensor InterventionRun::embed()
{
    auto resid = m_model.embed(ids); // [batch, pos, d_model]
    addBlock(0, resid.unsqueeze(2));
    return resid;
}

torch::Tensor InterventionRun::attention(int l, const torch::Tensor& resid)
{
    std::vector<int64_t> qkv;
    for (int h = 0; h < H; ++h)
        qkv.push_back(g.receiverIndex(l, Graph::Port::Q, h));
    for (auto port : {Graph::Port::K, Graph::Port::V})
        for (int h = 0; h < Hkv; ++h)
            qkv.push_back(g.receiverIndex(l, port, h));
    AttentionOutput attn;
    if (!patch.edgeMask.defined() && !touched(qkv)) {
        // Without edge masks every q/k/v path of a layer reads the same input (node
        // masks weigh a sender's every out-edge alike): one shared input, normalised and
        // projected once, as in the plain forward.
        auto x = resid;
        if (anyActive(qkv))
            x = resid - correction({qkv.front()}, dsum).squeeze(2);
        if (patch.probes) {
            GradientProbes::Entry entry;
            entry.layer = l;
            entry.x = x.detach();
            attn = m_model.attention(l, x, x, x, m_model.biasFor(biases, l), nullptr, &entry.attention, projectOut,
                                     ungroup);
            patch.probes->m_entries.push_back(std::move(entry));
        } else {
            // Ungrouped or not, an unpatched shared input gives the same keys and values.
            attn = m_model.attention(l, x, x, x, m_model.biasFor(biases, l), nullptr, nullptr, projectOut);
        }
    } else {
        const auto in = receiverInputs(qkv, resid, dsum); // [batch, pos, H + 2 Hkv, d_model]
        if (in.defined())
            attn = m_model.attention(l, in.narrow(2, 0, H), in.narrow(2, H, Hkv), in.narrow(2, H + Hkv, Hkv),
                                     m_model.biasFor(biases, l), nullptr, nullptr, projectOut, ungroup);
        else
            attn = m_model.attention(l, resid, resid, resid, m_model.biasFor(biases, l), nullptr, nullptr, projectOut);
    }
    torch::Tensor results; // [batch, pos, H, d_model]
    if (needResults) {
        if (resultsGrad) {
            results = m_model.headResults(l, attn.z);
        } else {
            torch::NoGradGuard noGrad;
            results = m_model.headResults(l, attn.z.detach(), sendersOut ? senders.narrow(0, g.senderIndex(l, 0), H) : torch::Tensor());
        }
    }
    auto attnOut = attn.out;
    if (!projectOut) {
        const auto& bO = m_model.weights().layers[static_cast<std::size_t>(l)].bO;
        attnOut = results.sum(2);
        if (bO.defined())
            attnOut = attnOut + bO;
    }
    if (postNorms) {
        attnRaw[static_cast<std::size_t>(l)] = attnOut;
        attnOut = m_model.attentionPostNorm(l, attnOut);
        attnPost[static_cast<std::size_t>(l)] = attnOut;
    }
    if (useBuffer && c.parallelAttnMlp)
        dsumBeforeHeads = dsum.clone(); // a parallel MLP does not read its own layer's heads
    if (needResults)
        addBlock(g.senderIndex(l, 0), results, l);
    return attnOut;
}

torch::Tensor InterventionRun::mlp(int l, const torch::Tensor& in, const torch::Tensor&)
{
    auto mlpIn = in; // resid_mid, or resid_pre in parallel families
    const std::vector<int64_t> mlpR = {g.mlpReceiverIndex(l)};
    if (const auto patched = receiverInputs(mlpR, mlpIn, c.parallelAttnMlp ? dsumBeforeHeads : dsum); patched.defined())
        mlpIn = patched.squeeze(2);
    const auto m = m_model.mlp(l, mlpIn, nullptr);
    addBlock(g.mlpSenderIndex(l), m.unsqueeze(2));
    return m;
}

torch::Tensor InterventionRun::unembed(torch::Tensor resid)
{
    const std::vector<int64_t> logitsR = {g.logitsReceiverIndex()};
    if (const auto patched = receiverInputs(logitsR, resid, dsum); patched.defined())
        resid = patched.squeeze(2);
    if (sendersOut)
        *sendersOut = senders.permute({1, 2, 0, 3});
    if (patch.sendersOnly)
        return torch::Tensor();
    if (patch.readout.defined()) {
        // Only the read-out positions go through the unembedding ([batch, d_vocab]): with a
        // 50k vocabulary that product is a large share of a short forward.
        const auto at = patch.readout.to(m_model.device(), torch::kInt64).view({batch, 1, 1}).expand({batch, 1, c.dModel});
        return m_model.unembed(resid.gather(1, at), nullptr).squeeze(1);
    }
    return m_model.unembed(resid, nullptr);
}

torch::Tensor InterventionRun::refOf(int64_t first, int64_t n) const
{
    return patch.reference.defined() ? patch.reference.narrow(2, first, n).to(m_model.device(), m_model.dtype())
                                     : torch::Tensor();
}

bool InterventionRun::blockMatters(int64_t first, int64_t n, const std::vector<int64_t>& rs) const
{
    if (w.requires_grad())
        return true;
    for (int64_t u = first; u < first + n; ++u)
        for (const auto r : rs)
            if (patchedNz[static_cast<std::size_t>(u * R + r)])
                return true;
    return false;
}

void InterventionRun::addBlock(int64_t first, const torch::Tensor& out, int headsOf) // out [batch, pos, n, d_model]
{
    if (sendersOut) {
        auto slot = senders.narrow(0, first, out.size(2));
        if (slot.data_ptr() != out.data_ptr())
            slot.copy_(out.detach().permute({2, 0, 1, 3}));
    }
    if (!anyPatched)
        return;
    const auto ref = refOf(first, out.size(2));
    const auto diff = ref.defined() ? out - ref : out;
    if (useBuffer) {
        // Senders arrive in index order, so the buffer fills from the top.
        auto rows = buffer.narrow(0, first, out.size(2));
        rows.view({out.size(2), batch, pos, c.dModel}).copy_(diff.permute({2, 0, 1, 3}));
        dsum.add_(rows.sum(0, false, torch::kFloat32));
        filled = first + out.size(2);
    } else {
        blocks.push_back({first, diff.permute({2, 0, 1, 3}).reshape({out.size(2), -1}), postNorms ? headsOf : -1});
    }
}

torch::Tensor InterventionRun::correction(const std::vector<int64_t>& rs, const torch::Tensor& before) const
{
    return useBuffer ? bufferedCorrection(rs, before) : blockCorrection(rs);
}

torch::Tensor InterventionRun::bufferedCorrection(const std::vector<int64_t>& rs, const torch::Tensor& before) const
{
    torch::Tensor acc; // [|rs|, batch * pos * d_model]
    const auto n = static_cast<int64_t>(rs.size());
    // One product per layer, over whichever is sparser: the patched or the kept edges.
    std::vector<int64_t> keptSenders;
    int64_t patchedSenders = 0;
    for (int64_t u = 0; u < filled; ++u) {
        bool k = false, p = false;
        for (const auto r : rs) {
            k = k || keptNz[static_cast<std::size_t>(u * R + r)];
            p = p || patchedNz[static_cast<std::size_t>(u * R + r)];
        }
        if (k)
            keptSenders.push_back(u);
        patchedSenders += p;
    }
    if (static_cast<int64_t>(keptSenders.size()) < patchedSenders) {
        const auto total = before.unsqueeze(0).expand({n, before.size(0)}); // float32
        if (keptSenders.empty()) {
            acc = total.to(m_model.dtype());
        } else {
            const auto idx = torch::tensor(keptSenders, torch::kInt64).to(m_model.device());
            const auto et = receiverColumns(e * m_valid, rs).index_select(0, idx).t(); // [|rs|, k]
            const auto rows = buffer.index_select(0, idx);
            acc = m_model.dtype() == torch::kFloat32 ? torch::addmm(total, et, rows, 1, -1)
                                                    : (total - torch::mm(et, rows).to(torch::kFloat32)).to(m_model.dtype());
        }
    } else {
        acc = torch::mm(receiverColumns(w, rs).t().narrow(1, 0, filled), buffer.narrow(0, 0, filled));
    }
    return acc.view({n, batch, pos, c.dModel}).permute({1, 2, 0, 3});
}

torch::Tensor InterventionRun::blockCorrection(const std::vector<int64_t>& rs) const
{
    torch::Tensor acc; // [|rs|, batch * pos * d_model]
    const auto n = static_cast<int64_t>(rs.size());
    const auto wt = receiverColumns(w, rs).t(); // [|rs|, S]
    for (const auto& b : blocks) {
        if (!blockMatters(b.first, b.diff.size(0), rs))
            continue;
        const auto wb = wt.narrow(1, b.first, b.diff.size(0));
        if (b.headsOf >= 0) {
            // The heads of a post-norm layer reach v through P_l of their mixed sum:
            // in_v holds P_l(A_l − Σ_h w_hv d_h) instead of the run's P_l(A_l), so the
            // correction is P_l(A_l) − P_l(A_l − Σ_h w_hv d_h) (exactly 0 when w = 0).
            const auto l = static_cast<std::size_t>(b.headsOf);
            const auto mixed = torch::mm(wb, b.diff).view({n, batch, pos, c.dModel});
            const auto term = (attnPost[l].unsqueeze(0) - m_model.attentionPostNorm(b.headsOf, attnRaw[l].unsqueeze(0) - mixed))
                                  .reshape({n, -1});
            acc = acc.defined() ? acc + term : term;
            continue;
        }
        if (!acc.defined())
            acc = torch::mm(wb, b.diff);
        else if (acc.requires_grad() || wb.requires_grad() || b.diff.requires_grad())
            acc = torch::addmm(acc, wb, b.diff);
        else
            acc.addmm_(wb, b.diff); // in place: no copy of the accumulator per block
    }
    if (!acc.defined())
        acc = torch::zeros({n, batch * pos * c.dModel}, torch::TensorOptions().dtype(m_model.dtype()).device(m_model.device()));
    return acc.view({n, batch, pos, c.dModel}).permute({1, 2, 0, 3}); // [batch, pos, |rs|, d_model]
}

bool InterventionRun::anyActive(const std::vector<int64_t>& rs) const
{
    for (const auto r : rs)
        if (active[static_cast<std::size_t>(r)])
            return true;
    return false;
}

bool InterventionRun::touched(const std::vector<int64_t>& rs) const
{
    for (const auto r : rs)
        if (patch.receiverInputs.count(static_cast<int>(r)) || (patch.recordInputs && patch.recordInputs->count(static_cast<int>(r))))
            return true;
    return false;
}

torch::Tensor InterventionRun::overrideAndRecord(const std::vector<int64_t>& rs, torch::Tensor in) const
{
    std::vector<torch::Tensor> columns;
    bool replaced = false;
    for (std::size_t j = 0; j < rs.size(); ++j) {
        const auto it = patch.receiverInputs.find(static_cast<int>(rs[j]));
        if (it != patch.receiverInputs.end()) {
            columns.push_back(it->second.to(in.device(), in.scalar_type()).expand({batch, pos, c.dModel}));
            replaced = true;
        } else {
            columns.push_back(in.select(2, static_cast<int64_t>(j)));
        }
    }
    if (replaced)
        in = torch::stack(columns, 2);
    if (patch.recordInputs)
        for (std::size_t j = 0; j < rs.size(); ++j) {
            const auto it = patch.recordInputs->find(static_cast<int>(rs[j]));
            if (it != patch.recordInputs->end())
                it->second = in.select(2, static_cast<int64_t>(j)).clone();
        }
    return in;
}

torch::Tensor InterventionRun::receiverInputs(const std::vector<int64_t>& rs, const torch::Tensor& stream,
                                              const torch::Tensor& before)
{
    const bool act = anyActive(rs);
    if (!act && !touched(rs) && !patch.probes)
        return torch::Tensor();
    const auto n = static_cast<int64_t>(rs.size());
    auto in = act ? stream.unsqueeze(2) - correction(rs, before) : stream.unsqueeze(2).expand({batch, pos, n, c.dModel});
    in = overrideAndRecord(rs, in);
    if (patch.probes) {
        GradientProbes::Entry entry;
        entry.probe = torch::zeros({batch, pos, n, c.dModel}, in.options().requires_grad(false)).requires_grad_(true);
        in = in + entry.probe;
        patch.probes->m_entries.push_back(std::move(entry));
    }
    return in;
}

torch::Tensor InterventionalForward::run(const torch::Tensor& ids, const torch::Tensor& mask, const Intervention& patch,
                                         torch::Tensor* sendersOut) const
{
    InterventionRun run(m_model, m_graph, m_valid, m_workspace, patch, ids, mask, sendersOut);
    return run.forward();
}

torch::Tensor InterventionalForward::edgePatchDifferences(const torch::Tensor& senders, const torch::Tensor& delta,
                                                         const torch::Tensor& senderIndex) const
{
    auto d = delta.index_select(2, senderIndex).permute({2, 0, 1, 3}); // [k, batch, pos, d_model], a copy
    const auto& c = m_model.config();
    if (!c.postNorms)
        return d;
    d = d.contiguous();
    const auto listed = senderIndex.to(torch::kCPU, torch::kInt64).contiguous();
    const int64_t* u = listed.data_ptr<int64_t>();
    for (int l = 0; l < c.nLayers; ++l) {
        const int64_t h0 = m_graph.senderIndex(l, 0);
        std::vector<int64_t> rowsOfLayer; // positions in the list of this layer's heads
        for (int64_t j = 0; j < listed.numel(); ++j)
            if (u[j] >= h0 && u[j] < h0 + c.nHeads)
                rowsOfLayer.push_back(j);
        if (rowsOfLayer.empty())
            continue;
        const auto& bO = m_model.weights().layers[static_cast<std::size_t>(l)].bO;
        auto a = senders.narrow(2, h0, c.nHeads).sum(2); // A_l [batch, pos, d_model]
        if (bO.defined())
            a = a + bO;
        const auto at = torch::tensor(rowsOfLayer, torch::kInt64).to(d.device());
        const auto rows = d.index_select(0, at);
        d.index_copy_(0, at, m_model.attentionPostNorm(l, a).unsqueeze(0) - m_model.attentionPostNorm(l, a.unsqueeze(0) - rows));
    }
    return d;
}

void InterventionalForward::linearizeDifferences(const torch::Tensor& clean, torch::Tensor& diff) const
{
    const auto& c = m_model.config();
    if (!c.postNorms)
        return;
    for (int l = 0; l < c.nLayers; ++l) {
        const auto first = m_graph.senderIndex(l, 0);
        const auto& bO = m_model.weights().layers[static_cast<std::size_t>(l)].bO;
        auto a = clean.narrow(0, first, c.nHeads).sum(0, false, torch::kFloat32); // A_l [rows, d_model]
        if (bO.defined())
            a = a + bO.to(torch::kFloat32);
        auto heads = diff.narrow(0, first, c.nHeads);
        heads.copy_(m_model.attentionPostNormJvp(l, a, heads));
    }
}

torch::Tensor InterventionalForward::senderOutputs(const torch::Tensor& ids, const torch::Tensor& mask) const
{
    torch::Tensor senders;
    Intervention none;
    none.sendersOnly = true;
    run(ids, mask, none, &senders);
    return senders;
}

} // namespace patchbay::core::detail
