// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

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
    std::string ompWaitPolicy;  // OMP_WAIT_POLICY as the OpenMP runtime read it at start ("" unset)
    std::string blas;           // the BLAS library actually mapped into the process
    double matmulGflops = 0.0;  // fp32 512x512 matmul throughput, measured once (0 if not measured)
};

// Makes the C library's allocator keep large blocks for reuse instead of mapping and
// unmapping them around every tensor (glibc; elsewhere nothing). Called by initRuntime();
// call it first thing in main() as well, so that the settings hold from the first
// allocation on. Idempotent.
void configureAllocator();

// Returns the memory the allocators keep free to the system (after a long computation): the
// C library's, and with CUDA the GPU cache's unused blocks (so another program, or a
// reload, gets them). Any thread.
void releaseFreeMemory();

// GPU memory of LibTorch's allocator on `device` ("cuda", "cuda:1"): what it has handed to
// tensors (allocated) and holds from the driver (reserved: what nvidia-smi shows less the
// CUDA context), now and at most since the process started or resetDeviceMemoryPeak(device).
// All 0 for the CPU, a LibTorch without CUDA or an unknown device.
struct DeviceMemory
{
    int64_t allocatedBytes = 0;
    int64_t reservedBytes = 0;
    int64_t peakAllocatedBytes = 0;
    int64_t peakReservedBytes = 0;
};
DeviceMemory deviceMemory(const std::string& device);
void resetDeviceMemoryPeak(const std::string& device);

// Sets LibTorch up once per process: intra-op threads = OMP_NUM_THREADS when set (a positive
// number), else the available cores. Idempotent and
// thread-safe; the compute worker calls it from its own thread before the first job
// (at::set_num_threads is per process, grad mode is per thread).
void initRuntime();

// How many cores other processes keep busy, measured over `window` from /proc/stat less
// this process's own CPU time (Linux; elsewhere 0), on the CPUs of this process's affinity
// set only (a container's or taskset's cores, not the whole host's). Niced processes are not
// counted: they yield. A number in [0, available cores].
double otherBusyCores(std::chrono::milliseconds window = std::chrono::milliseconds(150));
// The busy clock ticks (user + system + irq + softirq + steal) in the text of /proc/stat:
// of the "cpuN" lines for N in `cpus`, or of the all-CPU "cpu" line when `cpus` is empty;
// -1 when none of them is there.
double procStatBusyTicks(const std::string& procStat, const std::vector<int>& cpus);
// The threads for a computation beside `otherBusy` cores of other work: the rest of the
// cores, rounded, at least 1. Threads that share a core with another process make every
// parallel region wait for the one that is not running (EAP on SmolLM2, 100 pairs, 2 cores,
// beside one busy process: 242 s with 2 threads, 25 s with 1; idle, 2 threads: 15.7 s).
int threadsBeside(int cores, double otherBusy);
// Before a long computation on the calling thread: sets LibTorch's threads to
// threadsBeside(available cores, otherBusyCores()) and returns them; OMP_NUM_THREADS set by
// the user wins (nothing measured).
int adaptThreadsToLoad();

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
