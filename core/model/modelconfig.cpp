// SPDX-License-Identifier: MIT
#include "core/model/modelconfig.h"

#include <cmath>

namespace patchbay::core {

double ModelConfig::attnScale() const
{
    return 1.0 / std::sqrt(queryPreAttnScalar > 0 ? queryPreAttnScalar : static_cast<double>(dHead));
}

bool ModelConfig::hasSlidingLayers() const
{
    for (int l = 0; l < nLayers; ++l)
        if (isSliding(l))
            return true;
    return false;
}

} // namespace patchbay::core
