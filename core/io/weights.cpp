// SPDX-License-Identifier: MIT
#include "core/io/weights.h"

#include "core/common/error.h"

#include <cstdio>

namespace patchbay::core {

std::size_t dtypeSize(DType dtype)
{
    switch (dtype) {
    case DType::F64:
    case DType::I64: return 8;
    case DType::F32:
    case DType::I32: return 4;
    case DType::F16:
    case DType::BF16:
    case DType::I16: return 2;
    case DType::I8:
    case DType::U8:
    case DType::Bool:
    case DType::F8E4M3:
    case DType::F8E5M2: return 1;
    }
    return 0;
}

const char* dtypeName(DType dtype)
{
    switch (dtype) {
    case DType::F64: return "F64";
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U8: return "U8";
    case DType::Bool: return "BOOL";
    case DType::F8E4M3: return "F8_E4M3";
    case DType::F8E5M2: return "F8_E5M2";
    }
    return "?";
}

int64_t WeightInfo::numel() const
{
    int64_t n = 1;
    for (const auto d : shape)
        n *= d;
    return n;
}

std::string WeightInfo::describe() const
{
    std::string s = "\"" + name + "\"";
    if (!sourceName.empty() && sourceName != name)
        s += " (" + sourceName + " in the file)";
    return s;
}

WeightStore::~WeightStore() = default;

const WeightInfo& WeightStore::require(const std::string& name) const
{
    if (const auto* info = find(name))
        return *info;
    const std::string inFile = nameInFile(name);
    throw Error(fileList() + ": missing tensor \"" + name + "\""
                + (inFile != name ? " (\"" + inFile + "\" in the file)" : std::string()));
}

uint64_t fnv1a(uint64_t h, const void* data, std::size_t n)
{
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

std::string hex64(uint64_t value)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
    return buf;
}

} // namespace patchbay::core
