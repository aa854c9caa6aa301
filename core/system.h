// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>

namespace patchbay::core {

// What the compute runtime looks like in this process.
struct SystemInfo
{
    std::string patchbayVersion;
    std::string torchVersion;   // LibTorch the core was built against, e.g. "1.13.1"
    bool cudaCompiled = false;  // the LibTorch build has CUDA
    int cudaDevices = 0;        // CUDA devices visible now
    std::string defaultDevice;  // "cpu" or "cuda"
    int intraOpThreads = 0;     // at::get_num_threads() after initRuntime()
    int hardwareThreads = 0;    // what the OS offers this process
    std::string blas;           // the BLAS library actually mapped into the process
    double matmulGflops = 0.0;  // fp32 512x512 matmul throughput, measured once (0 if not measured)
};

// Makes the C library's allocator keep large blocks for reuse instead of mapping and
// unmapping them around every tensor (glibc; elsewhere nothing). Called by initRuntime();
// call it first thing in main() as well, so that the settings hold from the first
// allocation on. Idempotent.
void configureAllocator();

// Returns the memory the allocator keeps free to the system (after a long computation).
// Any thread.
void releaseFreeMemory();

// Sets LibTorch up once per process: intra-op threads = available cores. Idempotent and
// thread-safe; the compute worker calls it from its own thread before the first job
// (at::set_num_threads is per process, grad mode is per thread).
void initRuntime();

// Reads the runtime description; measureBlas runs one short matrix product (~10 ms).
// Any thread.
SystemInfo systemInfo(bool measureBlas = false);

// The same as one line of JSON (what `patchbay-cli info --system` prints).
std::string systemInfoJson(const SystemInfo& info);

// Finds a file or folder shipped under the source tree's resources/ folder, `relative` to it
// (e.g. "tasks/ioi_ingredients.json"). Looks, in order, in $PATCHBAY_RESOURCE_DIR, in
// <executable's folder>/../share/patchbay (where `cmake --install` puts resources/), and in
// the source tree this core was built from (so build trees run without installing).
// Throws core::Error listing the places it looked. Any thread.
std::filesystem::path findResource(const std::string& relative);

} // namespace patchbay::core
