// SPDX-License-Identifier: MIT
#include "core/io/safetensors.h"

#include "core/common/error.h"
#include "core/common/json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace patchbay::core {

namespace fs = std::filesystem;

int64_t TensorView::numel() const
{
    int64_t n = 1;
    for (const auto d : shape)
        n *= d;
    return n;
}

namespace {

bool parseDType(const std::string& s, DType& out)
{
    static const std::pair<const char*, DType> table[] = {
        {"F64", DType::F64}, {"F32", DType::F32},   {"F16", DType::F16}, {"BF16", DType::BF16},
        {"I64", DType::I64}, {"I32", DType::I32},   {"I16", DType::I16}, {"I8", DType::I8},
        {"U8", DType::U8},   {"BOOL", DType::Bool}, {"F8_E4M3", DType::F8E4M3}, {"F8_E5M2", DType::F8E5M2},
    };
    for (const auto& [name, dtype] : table) {
        if (s == name) {
            out = dtype;
            return true;
        }
    }
    return false;
}

// The largest header we accept: the format's reference implementation caps it at 100 MB.
constexpr uint64_t kMaxHeaderBytes = 100u * 1024u * 1024u;

} // namespace

SafetensorsFile::SafetensorsFile(const fs::path& path) : m_path(path)
{
    const std::string where = path.string();
    // Refuses a FIFO or a device before open() (which would block on a FIFO).
    const ReadOnlyFile file(path);
    m_size = static_cast<std::size_t>(file.size());
    if (m_size < 8)
        throw Error(where + ": truncated safetensors file (" + std::to_string(m_size)
                    + " bytes; the 8-byte header length is missing)");
    m_map = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, file.fd(), 0);
    if (m_map == MAP_FAILED) {
        m_map = nullptr;
        throw Error(where + ": cannot memory-map file (" + std::strerror(errno) + ")");
    }

    try {
        const auto* bytes = static_cast<const unsigned char*>(m_map);
        uint64_t headerLen = 0;
        for (int i = 7; i >= 0; --i)
            headerLen = (headerLen << 8) | bytes[i]; // little endian
        if (headerLen > m_size - 8)
            throw Error(where + ": header length " + std::to_string(headerLen) + " runs past the end of the file ("
                        + std::to_string(m_size) + " bytes)");
        if (headerLen > kMaxHeaderBytes)
            throw Error(where + ": header length " + std::to_string(headerLen) + " exceeds the 100 MB limit");
        const uint64_t dataStart = 8 + headerLen;
        const uint64_t dataSize = m_size - dataStart;

        const nlohmann::json header = parseJsonText(
            std::string_view(reinterpret_cast<const char*>(bytes + 8), static_cast<std::size_t>(headerLen)),
            where + ": header");
        if (!header.is_object())
            throw Error(where + ": header must be a JSON object");

        std::vector<std::pair<std::pair<uint64_t, uint64_t>, std::string>> ranges;
        for (const auto& [name, entry] : header.items()) {
            if (name == "__metadata__") {
                if (!entry.is_object())
                    throw Error(where + ": __metadata__ must be an object of strings");
                for (const auto& [key, value] : entry.items()) {
                    if (!value.is_string())
                        throw Error(where + ": __metadata__ value of \"" + key + "\" is not a string");
                    m_metadata[key] = value.get<std::string>();
                }
                continue;
            }
            const std::string what = where + ": tensor \"" + name + "\"";
            if (!entry.is_object())
                throw Error(what + ": entry must be an object");
            const auto dt = entry.find("dtype");
            const auto sh = entry.find("shape");
            const auto off = entry.find("data_offsets");
            if (dt == entry.end() || !dt->is_string())
                throw Error(what + ": missing or non-string \"dtype\"");
            if (sh == entry.end() || !sh->is_array())
                throw Error(what + ": missing or non-array \"shape\"");
            if (off == entry.end() || !off->is_array() || off->size() != 2)
                throw Error(what + ": \"data_offsets\" must be [begin, end]");

            TensorView view;
            view.name = name;
            view.file = path;
            if (!parseDType(dt->get<std::string>(), view.dtype))
                throw Error(what + ": unknown dtype \"" + dt->get<std::string>() + "\"");
            // numel with overflow checks: a hostile shape must not wrap around.
            uint64_t numel = 1;
            for (const auto& d : *sh) {
                if (!d.is_number_unsigned())
                    throw Error(what + ": shape entries must be non-negative integers");
                const uint64_t dim = d.get<uint64_t>();
                if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                    || (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / dim))
                    throw Error(what + ": shape overflows");
                numel *= dim;
                view.shape.push_back(static_cast<int64_t>(dim));
            }
            for (const auto& o : *off) {
                if (!o.is_number_unsigned())
                    throw Error(what + ": data_offsets must be non-negative integers");
            }
            const uint64_t begin = (*off)[0].get<uint64_t>();
            const uint64_t end = (*off)[1].get<uint64_t>();
            if (begin > end)
                throw Error(what + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end)
                            + "] are reversed");
            if (end > dataSize)
                throw Error(what + ": data_offsets end " + std::to_string(end) + " is past the end of the data ("
                            + std::to_string(dataSize) + " bytes; file truncated?)");
            const uint64_t elementSize = dtypeSize(view.dtype);
            if (numel > std::numeric_limits<uint64_t>::max() / elementSize || end - begin != numel * elementSize)
                throw Error(what + ": byte size " + std::to_string(end - begin) + " does not match shape x "
                            + dtypeName(view.dtype) + " (" + std::to_string(numel) + " x "
                            + std::to_string(elementSize) + " bytes)");
            view.data = reinterpret_cast<const std::byte*>(bytes + dataStart + begin);
            view.bytes = static_cast<std::size_t>(end - begin);
            ranges.push_back({{begin, end}, name});
            m_tensors.emplace(name, std::move(view));
        }
        std::sort(ranges.begin(), ranges.end());
        for (std::size_t i = 1; i < ranges.size(); ++i) {
            const auto& prev = ranges[i - 1];
            const auto& cur = ranges[i];
            // Zero-sized tensors occupy no bytes and cannot overlap anything.
            if (cur.first.first < prev.first.second && cur.first.first != cur.first.second)
                throw Error(where + ": tensors \"" + prev.second + "\" and \"" + cur.second
                            + "\" have overlapping data_offsets");
        }
    } catch (...) {
        ::munmap(m_map, m_size);
        m_map = nullptr;
        throw;
    }
}

SafetensorsFile::~SafetensorsFile()
{
    if (m_map)
        ::munmap(m_map, m_size);
}

const TensorView* SafetensorsFile::find(const std::string& name) const
{
    const auto it = m_tensors.find(name);
    return it == m_tensors.end() ? nullptr : &it->second;
}

namespace {

const char* kPickleAdvice = "pickled PyTorch checkpoints are not loaded (unpickling can execute code). Convert it to "
                            "safetensors once, e.g. in Python: AutoModelForCausalLM.from_pretrained(dir)"
                            ".save_pretrained(dir, safe_serialization=True)";

void refusePickles(const fs::path& dir)
{
    static const char* pickled[] = {"pytorch_model.bin", "pytorch_model.bin.index.json", "model.pt", "model.pth",
                                    "model.ckpt"};
    for (const char* name : pickled) {
        if (fs::exists(dir / name))
            throw Error((dir / name).string() + ": " + kPickleAdvice);
    }
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The shard files an index names, as paths beside it.
std::vector<fs::path> shardsOf(const fs::path& index)
{
    const auto json = readJsonFile(index);
    const auto map = json.find("weight_map");
    if (!json.is_object() || map == json.end() || !map->is_object())
        throw Error(index.string() + ": missing \"weight_map\" object");
    std::set<std::string> shards;
    for (const auto& [tensor, shard] : map->items()) {
        if (!shard.is_string())
            throw Error(index.string() + ": weight_map entry \"" + tensor + "\" is not a file name");
        const auto name = shard.get<std::string>();
        // Shards must be plain file names inside the model directory.
        if (name.empty() || name.find('/') != std::string::npos || name.find('\\') != std::string::npos || name == "."
            || name == "..")
            throw Error(index.string() + ": weight_map entry \"" + tensor + "\" names \"" + name
                        + "\", which is not a file in the model directory");
        shards.insert(name);
    }
    std::vector<fs::path> files;
    for (const auto& s : shards)
        files.push_back(index.parent_path() / s);
    return files;
}

} // namespace

std::unique_ptr<SafetensorsStore> SafetensorsStore::open(const fs::path& modelPath)
{
    auto store = std::make_unique<SafetensorsStore>();
    std::vector<fs::path> files;
    const auto ext = modelPath.extension().string();
    const std::string fileName = modelPath.filename().string();
    std::error_code ec;
    if (fs::is_directory(modelPath, ec)) {
        const fs::path single = modelPath / "model.safetensors";
        const fs::path index = modelPath / "model.safetensors.index.json";
        if (fs::exists(single)) {
            files.push_back(single);
            store->m_description = "model.safetensors";
        } else if (fs::exists(index)) {
            files = shardsOf(index);
            store->m_description = std::to_string(files.size()) + " shards of model.safetensors.index.json";
        } else {
            refusePickles(modelPath);
            throw Error(modelPath.string() + ": no model.safetensors or model.safetensors.index.json in this directory");
        }
    } else if (ext == ".bin" || ext == ".pt" || ext == ".pth" || ext == ".ckpt" || endsWith(fileName, ".bin.index.json")) {
        throw Error(modelPath.string() + ": " + kPickleAdvice);
    } else if (!fs::exists(modelPath, ec)) {
        throw Error(modelPath.string() + ": no such model directory or .safetensors file");
    } else if (ext == ".safetensors") {
        files.push_back(modelPath);
        store->m_description = fileName;
    } else if (endsWith(fileName, ".safetensors.index.json")) {
        files = shardsOf(modelPath);
        store->m_description = std::to_string(files.size()) + " shards of " + fileName;
    } else {
        throw Error(modelPath.string() + ": not a weights file (expected a model directory, a .safetensors file, a "
                                         "*.safetensors.index.json or a .gguf file)");
    }

    uint64_t hash = kFnvOffset;
    for (const auto& f : files) {
        store->m_files.push_back(std::make_unique<SafetensorsFile>(f));
        const auto& file = *store->m_files.back();
        for (const auto& [name, view] : file.tensors()) {
            WeightInfo info;
            info.name = name;
            info.shape = view.shape;
            info.storedType = dtypeName(view.dtype);
            info.file = f;
            info.bytes = view.bytes;
            const auto [it, inserted] = store->m_index.emplace(name, std::make_pair(std::move(info), &view));
            if (!inserted)
                throw Error(f.string() + ": tensor \"" + name + "\" also appears in " + it->second.second->file.string());
            hash = fnv1a(hash, name.data(), name.size());
            hash = fnv1a(hash, view.shape.data(), view.shape.size() * sizeof(int64_t));
            hash = fnv1a(hash, &view.dtype, sizeof(view.dtype));
            // Sample the payload so a retrained model with the same shapes hashes differently.
            hash = fnv1a(hash, view.data, std::min<std::size_t>(view.bytes, 64));
            if (view.bytes > 64)
                hash = fnv1a(hash, view.data + view.bytes - 64, 64);
        }
    }
    store->m_fingerprint = hex64(hash);
    return store;
}

const WeightInfo* SafetensorsStore::find(const std::string& name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &it->second.first;
}

const TensorView* SafetensorsStore::view(const std::string& name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : it->second.second;
}

WeightData SafetensorsStore::read(const WeightInfo& tensor) const
{
    const TensorView* v = view(tensor.name);
    if (!v)
        throw Error(fileList() + ": missing tensor \"" + tensor.name + "\"");
    WeightData data;
    data.view = v->data;
    data.viewType = v->dtype;
    return data;
}

std::vector<std::string> SafetensorsStore::names() const
{
    std::vector<std::string> out;
    out.reserve(m_index.size());
    for (const auto& [name, entry] : m_index)
        out.push_back(name);
    return out;
}

std::string SafetensorsStore::fileList() const
{
    std::string files;
    for (const auto& f : m_files)
        files += (files.empty() ? "" : ", ") + f->path().string();
    return files;
}

uint64_t SafetensorsStore::totalBytes() const
{
    uint64_t total = 0;
    for (const auto& [name, entry] : m_index)
        total += entry.second->bytes;
    return total;
}

std::string SafetensorsStore::storedTypes() const
{
    std::string stored;
    for (const auto& [name, entry] : m_index) {
        if (stored.empty())
            stored = entry.first.storedType;
        else if (stored != entry.first.storedType)
            return "mixed";
    }
    return stored;
}

} // namespace patchbay::core
