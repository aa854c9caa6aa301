// SPDX-License-Identifier: MIT
// Private header (torch inside): the block loop every forward shares — the plain forward
// (transformer.cpp) and the interventional forward (methods/intervention.cpp). What differs
// between them is what a step computes (a patched receiver input, recorded hooks), never how
// the residual stream is summed, so that an unpatched run of either gives the same stream.
#pragma once

#include "core/model/modelconfig.h"

#include <torch/torch.h>

namespace patchbay::core::detail {

// For each layer l: resid_mid = resid_pre + attention(l, resid_pre); the MLP reads resid_mid
// (or resid_pre in parallel attention/MLP families) and resid_post = resid_mid + mlp. `steps`
// supplies
//   torch::Tensor attention(int l, const torch::Tensor& residPre)  // what joins the stream
//   torch::Tensor mlp(int l, const torch::Tensor& in, const torch::Tensor& attnOut)
//   void observe(int l, const char* hook, const torch::Tensor& resid)  // hook_resid_pre/mid/post
// resid [batch, pos, d_model]; returns resid_post of the last layer.
template <class Steps>
torch::Tensor blockLoop(const ModelConfig& config, torch::Tensor resid, Steps& steps)
{
    for (int l = 0; l < config.nLayers; ++l) {
        steps.observe(l, "hook_resid_pre", resid);
        const auto attn = steps.attention(l, resid);
        if (config.parallelAttnMlp) {
            const auto m = steps.mlp(l, resid, attn);
            resid = resid + attn + m;
        } else {
            resid = resid + attn;
            steps.observe(l, "hook_resid_mid", resid);
            const auto m = steps.mlp(l, resid, attn);
            resid = resid + m;
        }
        steps.observe(l, "hook_resid_post", resid);
    }
    return resid;
}

} // namespace patchbay::core::detail
