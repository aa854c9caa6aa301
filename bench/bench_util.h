// SPDX-License-Identifier: MIT
// Small helpers every benchmark shares: --key value arguments and timing.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace patchbay::bench {

inline std::string arg(int argc, char** argv, const std::string& key, const std::string& fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == "--" + key)
            return argv[i + 1];
    return fallback;
}

inline double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// Median wall time of `reps` calls after two warm-up calls.
template <typename F> double medianSeconds(int reps, F&& f)
{
    f();
    f();
    std::vector<double> t;
    for (int i = 0; i < reps; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        t.push_back(seconds(start));
    }
    return median(t);
}

} // namespace patchbay::bench
