// SPDX-License-Identifier: MIT
// Prompt-pair readers and writers for the native CSV/JSON formats and the EAP-IG and
// auto-circuit peer formats (design.md §6): the dispatch by format, with each format's
// reader and writer in core/data/ (README.md there), and validateDataset() in
// core/data/validation.cpp. A file that cannot be read as a table of pairs is reported as
// one core::Error naming the file, the data row and the column, because the message is all
// the GUI or CLI shows; what is wrong inside rows is reported by validateDataset() for every
// row at once, so a user fixes (or drops) them in one go.
#include "core/data/dataset.h"

#include "core/data/csv.h"
#include "core/data/formats.h"
#include "core/data/json_rows.h"
#include "core/common/detail/unicode.h"
#include "core/common/error.h"
#include "core/common/json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace patchbay::core {

namespace fs = std::filesystem;

namespace data {

std::string rowPrefix(const std::string& where, int row) { return where + ": row " + std::to_string(row) + ": "; }

std::string trimmed(const std::string& s)
{
    const auto begin = s.find_first_not_of(" \t");
    if (begin == std::string::npos)
        return {};
    return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

void appendUnique(std::vector<int32_t>& ids, int32_t id)
{
    if (std::find(ids.begin(), ids.end(), id) == ids.end())
        ids.push_back(id);
}

std::string joinQuoted(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + inQuotes(n);
    return out;
}

std::string joinIds(const std::vector<int32_t>& ids)
{
    std::string out;
    for (int32_t id : ids)
        out += (out.empty() ? "" : " ") + std::to_string(id);
    return out;
}

std::string sourceName(const Dataset& data) { return data.source.empty() ? std::string("dataset") : data.source.string(); }

} // namespace data

using data::autoCircuitJson;
using data::CsvTable;
using data::eapIgCsv;
using data::JsonSource;
using data::kAcceptedFormats;
using data::nativeCsv;
using data::nativeJson;
using data::parseCsv;
using data::parseJson;
using data::readAutoCircuitJson;
using data::readEapIgCsv;
using data::readNativeCsv;
using data::readNativeJson;
using data::rowPrefix;
using data::sourceName;
using data::trimmed;

namespace {

bool hasSuffixIgnoringCase(const fs::path& file, const std::string& ext)
{
    std::string e = file.extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return e == ext;
}

// Refuses text a reader would refuse: every file Patchbay writes reads back.
void checkWritableText(const Dataset& data, const PromptPair& p)
{
    auto check = [&](const std::string& text, const char* what) {
        if (detail::findInvalidUtf8(text) != std::string::npos)
            throw Error(rowPrefix(sourceName(data), p.row) + "cannot write the " + what + ": invalid UTF-8");
    };
    check(p.clean, "clean prompt");
    check(p.corrupted, "corrupted prompt");
    for (const auto& a : p.answers)
        check(a, "answer");
    for (const auto& a : p.wrongAnswers)
        check(a, "wrong answer");
}

void readJsonPairs(const nlohmann::json& root, const JsonSource& src, Dataset& data)
{
    const nlohmann::json* rows = nullptr;
    if (root.is_object() && root.contains("prompts")) {
        data.format = DatasetFormat::AutoCircuitJson;
        readAutoCircuitJson(root, src, data);
        return;
    }
    if (root.is_array())
        rows = &root;
    else if (root.is_object() && root.contains("pairs") && root.at("pairs").is_array())
        rows = &root.at("pairs");
    else
        throw Error(src.where + ": not a prompt-pair file (expected an array of pairs, {\"pairs\":[…]} or "
                    "{\"prompts\":[…]}); " + kAcceptedFormats);
    data.format = DatasetFormat::NativeJson;
    readNativeJson(*rows, src, data);
}

} // namespace

std::string datasetFormatName(DatasetFormat format)
{
    switch (format) {
    case DatasetFormat::NativeCsv:
        return "native-csv";
    case DatasetFormat::NativeJson:
        return "native-json";
    case DatasetFormat::EapIgCsv:
        return "eap-ig-csv";
    case DatasetFormat::AutoCircuitJson:
        return "auto-circuit-json";
    }
    return "unknown";
}

Dataset readDataset(const fs::path& file)
{
    const std::string where = file.string();
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw Error(where + ": no such file");
    if (fs::is_directory(file, ec))
        throw Error(where + ": is a directory, not a dataset file");
    const std::string text = readTextFile(file);

    const std::size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0; // UTF-8 BOM
    if (text.find_first_not_of(" \t\r\n", start) == std::string::npos)
        throw Error(where + ": empty file (no rows)");

    Dataset data;
    data.source = file;

    if (hasSuffixIgnoringCase(file, ".json")) {
        JsonSource src{where};
        readJsonPairs(parseJson(text, src), src, data);
    } else {
        const CsvTable table = parseCsv(text, start, where);
        if (table.rows.empty())
            throw Error(where + ": empty file (no rows after the header)");
        const bool eapIg = std::any_of(table.header.begin(), table.header.end(),
                                       [](const std::string& h) { return trimmed(h) == "correct_idx"; });
        data.format = eapIg ? DatasetFormat::EapIgCsv : DatasetFormat::NativeCsv;
        if (eapIg)
            readEapIgCsv(table, where, data);
        else
            readNativeCsv(table, where, data);
    }

    if (data.pairs.empty())
        throw Error(where + ": empty file (no rows)");
    return data;
}

Dataset parseDatasetJson(const nlohmann::json& root, const std::string& where)
{
    Dataset data;
    readJsonPairs(root, JsonSource{where}, data);
    if (data.pairs.empty())
        throw Error(where + ": empty file (no rows)");
    return data;
}

DatasetFormat parseDatasetFormat(const std::string& name)
{
    for (DatasetFormat f : {DatasetFormat::NativeCsv, DatasetFormat::NativeJson, DatasetFormat::EapIgCsv,
                            DatasetFormat::AutoCircuitJson})
        if (name == datasetFormatName(f))
            return f;
    throw Error("unknown dataset format \"" + name + "\" (expected native-csv, native-json, eap-ig-csv or auto-circuit-json)");
}

std::string datasetToString(const Dataset& data, DatasetFormat format)
{
    if (data.pairs.empty())
        throw Error(sourceName(data) + ": no prompt pairs to write");
    for (const auto& p : data.pairs)
        checkWritableText(data, p);
    switch (format) {
    case DatasetFormat::NativeCsv:
        return nativeCsv(data);
    case DatasetFormat::NativeJson:
        return nativeJson(data);
    case DatasetFormat::EapIgCsv:
        return eapIgCsv(data);
    case DatasetFormat::AutoCircuitJson:
        return autoCircuitJson(data);
    }
    throw Error("unknown dataset format");
}

void writeDataset(const Dataset& data, const fs::path& file, DatasetFormat format)
{
    writeTextFileReplacing(file, datasetToString(data, format));
}

} // namespace patchbay::core
