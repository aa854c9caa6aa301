// SPDX-License-Identifier: MIT
#include "app/cli/cli.h"
#include "core/common/system.h"

int main(int argc, char** argv)
{
    patchbay::core::configureAllocator(); // before the first large allocation
    return patchbay::cli::run(argc, argv);
}
