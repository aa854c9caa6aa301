// SPDX-License-Identifier: MIT
// Precompiled header for translation units that use LibTorch (never included by hand).
#pragma once
#include <torch/torch.h>
