// SPDX-License-Identifier: MIT
#include "core/common/system.h"

#include "core/common/error.h"
#include "core/common/version.h"

#include <torch/torch.h>
#if defined(PATCHBAY_WITH_CUDA)
// Only in a CUDA LibTorch build: CPU-only LibTorch packages ship these headers too, but
// not the CUDA runtime's headers they include.
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>
#include <sstream>
#include <limits>
#include <mutex>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sched.h>
#include <unistd.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

namespace patchbay::core {

namespace {

int availableCores()
{
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0)
            return n;
    }
#endif
    const unsigned n = std::thread::hardware_concurrency();
    return n > 0 ? static_cast<int>(n) : 1;
}

// Debian's LibTorch links the generic libblas.so.3, which resolves (through the
// alternatives system) to the reference BLAS or to OpenBLAS; only the process map tells
// which one is really in use.
std::string mappedBlasLibrary()
{
#if defined(__linux__)
    std::ifstream maps("/proc/self/maps");
    std::string line;
    std::string found;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(slash);
        const auto base = path.substr(path.rfind('/') + 1);
        const bool blasLike = base.find("blas") != std::string::npos || base.find("mkl_core") != std::string::npos
            || base.find("mkl_rt") != std::string::npos;
        if (!blasLike || base.find("cublas") != std::string::npos)
            continue;
        // Prefer an optimised library over the generic libblas if both are mapped.
        if (found.empty() || base.find("openblas") != std::string::npos || base.find("mkl") != std::string::npos)
            found = path;
    }
    if (!found.empty()) {
        std::error_code ec;
        const auto real = std::filesystem::canonical(found, ec);
        return ec ? found : real.string();
    }
#endif
    // Statically linked BLAS (PyTorch wheels link MKL or OpenBLAS in): say what was compiled in.
    const std::string config = at::show_config();
    const auto pos = config.find("BLAS_INFO=");
    if (pos != std::string::npos)
        return "built-in " + config.substr(pos + 10, config.find_first_of(",\n", pos) - pos - 10);
    return "unknown";
}

double measureMatmulGflops()
{
    torch::NoGradGuard noGrad;
    const int64_t n = 512;
    const auto a = torch::randn({n, n});
    const auto b = torch::randn({n, n});
    auto c = torch::matmul(a, b); // warm-up (thread pool start, BLAS init)
    const int reps = 5;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i)
        c = torch::matmul(a, b);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return 2.0 * n * n * n * reps / seconds / 1e9;
}

// The folder of the running executable, or empty where the platform does not say.
std::filesystem::path executableDir()
{
    std::error_code ec;
#if defined(__linux__)
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec)
        return exe.parent_path();
#elif defined(__APPLE__)
    char buffer[4096];
    uint32_t size = sizeof(buffer);
    if (_NSGetExecutablePath(buffer, &size) == 0)
        return std::filesystem::weakly_canonical(buffer, ec).parent_path();
#endif
    return {};
}

} // namespace

void configureAllocator()
{
    static std::once_flag once;
    std::call_once(once, [] {
#if defined(__GLIBC__)
        // LibTorch's CPU tensors come from malloc. glibc serves a block above its mmap
        // threshold (at most 32 MiB by default) with a fresh mmap and unmaps it on free, so
        // every large tensor of a pass (a batch's activations, the sender outputs, 10–150 MB
        // each) is page-faulted and zeroed by the kernel anew on every use: on the EAP
        // benchmark that was a third of the run's time, spent in the kernel. Blocks up to
        // 1 GiB come from the heap instead and freed memory stays for the next pass;
        // releaseFreeMemory() gives it back when a job ends. The compute worker's thread
        // keeps an arena of its own (its heaps hold blocks up to 64 MiB; larger ones are
        // still mapped, a few per run): sharing the main thread's would make the GUI thread
        // wait for its lock while the worker trims (40–50 ms after an EAP run).
        mallopt(M_MMAP_THRESHOLD, 1 << 30);
        mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
#endif
    });
}

void releaseFreeMemory()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
#if defined(PATCHBAY_WITH_CUDA)
    if (torch::cuda::is_available()) {
        try {
            c10::cuda::CUDACachingAllocator::emptyCache();
        } catch (const c10::Error&) {
            // Not initialised: nothing cached.
        }
    }
#endif
}

namespace {

// The CUDA device index of a device string, -1 for anything else.
[[maybe_unused]] int cudaIndex(const std::string& device)
{
    try {
        const torch::Device d(device);
        if (!d.is_cuda())
            return -1;
        return d.has_index() ? static_cast<int>(d.index()) : 0;
    } catch (const std::exception&) {
        return -1;
    }
}

} // namespace

DeviceMemory deviceMemory([[maybe_unused]] const std::string& device)
{
    DeviceMemory memory;
#if defined(PATCHBAY_WITH_CUDA)
    const int index = cudaIndex(device);
    if (index >= 0 && index < static_cast<int>(torch::cuda::device_count())) {
        try {
            const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(index));
            // Element 0 is StatType::AGGREGATE (all pools) in LibTorch 1.13 and 2.x alike.
            memory.allocatedBytes = stats.allocated_bytes[0].current;
            memory.reservedBytes = stats.reserved_bytes[0].current;
            memory.peakAllocatedBytes = stats.allocated_bytes[0].peak;
            memory.peakReservedBytes = stats.reserved_bytes[0].peak;
        } catch (const c10::Error&) {
            // The allocator is not initialised before the first CUDA tensor: nothing used yet.
        }
    }
#endif
    return memory;
}

void resetDeviceMemoryPeak([[maybe_unused]] const std::string& device)
{
#if defined(PATCHBAY_WITH_CUDA)
    const int index = cudaIndex(device);
    if (index >= 0 && index < static_cast<int>(torch::cuda::device_count())) {
        try {
            c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(index));
        } catch (const c10::Error&) {
            // Not initialised yet: no peak to reset.
        }
    }
#endif
}

namespace {

int userThreadCount()
{
    const char* omp = std::getenv("OMP_NUM_THREADS");
    if (!omp || !*omp)
        return 0;
    char* end = nullptr;
    const long n = std::strtol(omp, &end, 10);
    return end != omp && (*end == '\0' || *end == ',') && n > 0 && n <= 4096 ? static_cast<int>(n) : 0;
}

#if defined(__linux__)
// The CPUs this process may run on (its affinity set; empty when unknown).
std::vector<int> affinityCpus()
{
    std::vector<int> cpus;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set))
                cpus.push_back(c);
    return cpus;
}

double busyTicks(const std::vector<int>& cpus)
{
    std::ifstream in("/proc/stat");
    std::stringstream text;
    text << in.rdbuf();
    return procStatBusyTicks(text.str(), cpus);
}

double ownCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
#endif

} // namespace

double procStatBusyTicks(const std::string& procStat, const std::vector<int>& cpus)
{
    // Lines "cpu  user nice system idle iowait irq softirq steal …" (all CPUs) and "cpuN …"
    // (one CPU each). Busy = user + system + irq + softirq + steal: niced work yields, idle
    // and iowait are not busy.
    std::istringstream in(procStat);
    std::string line;
    double total = 0;
    bool found = false;
    while (std::getline(in, line)) {
        if (line.rfind("cpu", 0) != 0)
            continue;
        std::istringstream fields(line);
        std::string name;
        unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
        if (!(fields >> name >> user >> nice >> system >> idle >> iowait >> irq >> softirq))
            continue;
        fields >> steal; // absent on old kernels
        const double busy = static_cast<double>(user + system + irq + softirq + steal);
        if (name == "cpu") {
            if (cpus.empty())
                return busy;
            continue;
        }
        char* end = nullptr;
        const long index = std::strtol(name.c_str() + 3, &end, 10);
        if (end == name.c_str() + 3 || *end != '\0')
            continue;
        if (std::find(cpus.begin(), cpus.end(), static_cast<int>(index)) != cpus.end()) {
            total += busy;
            found = true;
        }
    }
    return found ? total : -1.0;
}

void initRuntime()
{
    configureAllocator();
    static std::once_flag once;
    std::call_once(once, [] {
        // The user's thread count (OMP_NUM_THREADS, as every OpenMP program honours it).
        const int user = userThreadCount();
        at::set_num_threads(user > 0 ? user : availableCores());
        // Inter-op parallelism is unused (no TorchScript graphs); keep it from oversubscribing.
        at::set_num_interop_threads(1);
    });
}

double otherBusyCores(std::chrono::milliseconds window)
{
#if defined(__linux__)
    // Only the CPUs this process may run on: in a container or under taskset on a large
    // host, the machine-wide line counts work on cores it cannot use (and idle cores it
    // cannot use would hide the load on its own).
    const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
    const std::vector<int> cpus = affinityCpus();
    const auto wall0 = std::chrono::steady_clock::now();
    const double busy0 = busyTicks(cpus), own0 = ownCpuSeconds();
    std::this_thread::sleep_for(window);
    const double busy1 = busyTicks(cpus), own1 = ownCpuSeconds();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    if (busy0 < 0 || busy1 < 0 || hz <= 0 || wall <= 0)
        return 0.0;
    const double others = ((busy1 - busy0) / hz - (own1 - own0)) / wall;
    return std::clamp(others, 0.0, static_cast<double>(availableCores()));
#else
    (void)window;
    return 0.0;
#endif
}

int threadsBeside(int cores, double otherBusy)
{
    const double free = static_cast<double>(cores) - std::max(0.0, otherBusy);
    return std::clamp(static_cast<int>(std::lround(free)), 1, std::max(1, cores));
}

int adaptThreadsToLoad()
{
    initRuntime();
    if (const int user = userThreadCount(); user > 0)
        return user;
    const int n = threadsBeside(availableCores(), otherBusyCores());
    at::set_num_threads(n);
    return n;
}

SystemInfo systemInfo(bool measureBlas)
{
    initRuntime();
    SystemInfo info;
    info.patchbayVersion = PATCHBAY_VERSION;
#if defined(TORCH_VERSION)
    info.torchVersion = TORCH_VERSION;
#else
    info.torchVersion = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "."
        + std::to_string(TORCH_VERSION_PATCH);
#endif
    info.cudaCompiled = torch::cuda::is_available() || at::hasCUDA();
    info.cudaDevices = torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
    info.defaultDevice = info.cudaDevices > 0 ? "cuda" : "cpu";
    info.intraOpThreads = at::get_num_threads();
    if (const char* policy = std::getenv("OMP_WAIT_POLICY"))
        info.ompWaitPolicy = policy;
    info.hardwareThreads = availableCores();
    if (measureBlas)
        info.matmulGflops = measureMatmulGflops();
    info.blas = mappedBlasLibrary();
    return info;
}

std::string systemInfoJson(const SystemInfo& info)
{
    nlohmann::json j;
    j["patchbay"] = info.patchbayVersion;
    j["torch"] = info.torchVersion;
    j["cuda_compiled"] = info.cudaCompiled;
    j["cuda_devices"] = info.cudaDevices;
    j["device"] = info.defaultDevice;
    j["threads"] = info.intraOpThreads;
    j["omp_wait_policy"] = info.ompWaitPolicy;
    j["cores"] = info.hardwareThreads;
    j["blas"] = info.blas;
    if (info.matmulGflops > 0)
        j["matmul_gflops"] = std::round(info.matmulGflops * 10) / 10;
    return j.dump();
}

std::filesystem::path findResource(const std::string& relative)
{
    std::vector<std::filesystem::path> roots;
    if (const char* env = std::getenv("PATCHBAY_RESOURCE_DIR"); env && *env)
        roots.emplace_back(env);
    if (const auto exeDir = executableDir(); !exeDir.empty())
        roots.push_back(exeDir.parent_path() / "share" / "patchbay");
    roots.push_back(std::filesystem::path(PATCHBAY_SOURCE_DIR) / "resources");

    std::string tried;
    for (const auto& root : roots) {
        const auto candidate = root / relative;
        std::error_code ec;
        if (std::filesystem::exists(candidate, ec))
            return candidate;
        tried += (tried.empty() ? "" : ", ") + candidate.string();
    }
    throw Error("resource \"" + relative + "\" not found (looked in " + tried
                + "; set PATCHBAY_RESOURCE_DIR to the folder that holds it)");
}

} // namespace patchbay::core
