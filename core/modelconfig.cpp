// SPDX-License-Identifier: MIT
#include "core/modelconfig.h"

#include <cmath>

namespace patchbay::core {

double ModelConfig::attnScale() const { return 1.0 / std::sqrt(static_cast<double>(dHead)); }

} // namespace patchbay::core
