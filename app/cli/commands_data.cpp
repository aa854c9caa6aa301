// SPDX-License-Identifier: MIT
// validate and dataset convert: prompt-pair files checked row by row and written in
// another format.
#include "app/cli/cli.h"

#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/tokenize/tokenizer.h"

#include <algorithm>
#include <iostream>

namespace patchbay::cli {

namespace {

core::DatasetFormat formatArg(const Args& args, const std::string& key)
{
    try {
        return core::parseDatasetFormat(args.value(key));
    } catch (const core::Error& e) {
        throw UsageError("--" + key + ": " + e.what());
    }
}

// Prompts as the model reads them: --bos auto follows the tokenizer's own post-processor,
// as Model::encode does; always/never force it.
core::PromptEncoder promptEncoder(const core::Tokenizer& tokenizer, const Args& args)
{
    bool bos = false;
    switch (loadOptions(args).bos) {
    case core::LoadOptions::Bos::Auto:
        bos = tokenizer.addsBosByDefault() && tokenizer.bosId();
        break;
    case core::LoadOptions::Bos::Always:
        if (!tokenizer.bosId())
            throw core::Error(args.value("tokenizer") + ": --bos always given, but the tokenizer defines no BOS token");
        bos = true;
        break;
    case core::LoadOptions::Bos::Never:
        break;
    }
    if (!bos)
        return [tokenizer](const std::string& text) { return tokenizer.encode(text); };
    const int32_t bosId = *tokenizer.bosId();
    return [tokenizer, bosId](const std::string& text) {
        std::vector<int32_t> ids{bosId};
        const auto body = tokenizer.encode(text);
        ids.insert(ids.end(), body.begin(), body.end());
        return ids;
    };
}

nlohmann::json issuesJson(const core::ValidationReport& report, core::DatasetIssue::Severity severity)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& issue : report.issues)
        if (issue.severity == severity)
            list.push_back({{"row", issue.row}, {"message", issue.message}});
    return list;
}

nlohmann::json taskJson(const core::Dataset& data)
{
    return data.task.empty() ? nlohmann::json(nullptr) : nlohmann::json(data.task);
}

int cmdValidate(const Args& args)
{
    const bool drop = args.flags.count("drop-invalid") > 0;
    if (drop != args.has("out"))
        throw UsageError(drop ? "--drop-invalid needs --out FILE for the rows it keeps"
                              : "--out writes the rows --drop-invalid keeps; give both");
    if (args.has("format") && !drop)
        throw UsageError("--format is the format of --out; give --drop-invalid --out FILE");

    const auto tokenizer = core::Tokenizer::load(args.required("tokenizer"));
    auto data = core::readDataset(args.required("data"));
    const auto outFormat = args.has("format") ? formatArg(args, "format") : data.format;
    core::ValidationOptions options;
    options.multiTokenAnswers = args.flags.count("multi-token-answers") > 0;
    const auto report = core::validateDataset(data, tokenizer, promptEncoder(tokenizer, args), options);

    nlohmann::json out = {{"file", args.value("data")},
                          {"format", core::datasetFormatName(data.format)},
                          {"task", taskJson(data)},
                          {"rows", report.rows},
                          {"valid_rows", report.validRows},
                          {"errors", issuesJson(report, core::DatasetIssue::Severity::Error)},
                          {"warnings", issuesJson(report, core::DatasetIssue::Severity::Warning)}};
    if (!drop) {
        printJson(out);
        return report.hasErrors() ? 1 : 0;
    }

    out["dropped"] = core::dropInvalidRows(data, report);
    if (data.pairs.empty()) {
        printJson(out);
        std::cerr << "patchbay-cli validate: every row has errors; nothing written to " << args.value("out") << '\n';
        return 1;
    }
    try {
        core::writeDataset(data, args.value("out"), outFormat);
    } catch (const core::Error&) {
        printJson(out); // the report stands; the write error follows on stderr
        throw;
    }
    out["out"] = args.value("out");
    out["out_format"] = core::datasetFormatName(outFormat);
    printJson(out);
    return 0;
}

int cmdDataset(const Args& args)
{
    if (args.positional.empty())
        throw UsageError("dataset needs a subcommand: convert");
    const std::string sub = args.positional[0];
    if (sub != "convert")
        throw UsageError("unknown dataset subcommand '" + sub + "' (convert)");
    if (args.positional.size() != 1)
        throw UsageError("dataset convert takes --in FILE, not a positional file");

    const auto format = formatArg(args, "format");
    const std::string outFile = args.required("out");
    auto data = core::readDataset(args.required("in"));
    if (args.has("tokenizer")) {
        const auto tokenizer = core::Tokenizer::load(args.value("tokenizer"));
        try {
            core::tokenizeDataset(data, tokenizer, promptEncoder(tokenizer, args));
        } catch (const core::Error& e) {
            throw core::Error(std::string(e.what())
                              + " (patchbay-cli validate lists every row; --drop-invalid writes the others)");
        }
    } else if (format == core::DatasetFormat::EapIgCsv && data.task.empty()
               && std::any_of(data.pairs.begin(), data.pairs.end(),
                              [](const core::PromptPair& p) { return !p.answers.empty() && p.answerIds.empty(); })) {
        throw UsageError("--format eap-ig-csv holds answer token ids: give --tokenizer PATH to tokenize the text answers");
    }
    core::writeDataset(data, outFile, format);
    printJson({{"in", args.value("in")},
               {"in_format", core::datasetFormatName(data.format)},
               {"out", outFile},
               {"format", core::datasetFormatName(format)},
               {"task", taskJson(data)},
               {"rows", data.pairs.size()},
               {"warnings", data.warnings}});
    return 0;
}

} // namespace

std::vector<Command> dataCommands()
{
    const std::string formats = "native-csv|native-json|eap-ig-csv|auto-circuit-json";
    return {
        {"validate", "check every row of a prompt-pair file; list errors and warnings, optionally drop the bad rows",
         "patchbay-cli validate --tokenizer PATH --data FILE [--multi-token-answers] [--bos auto|always|never] "
         "[--drop-invalid --out FILE [--format " + formats + "]]   (exit status 0: no errors, or with "
         "--drop-invalid the rows without errors written; 1: errors, each in the report)",
         {"tokenizer", "data", "out", "format", "bos"}, {"multi-token-answers", "drop-invalid"}, &cmdValidate},
        {"dataset", "convert prompt-pair files between the native CSV/JSON, EAP-IG CSV and auto-circuit JSON formats",
         "patchbay-cli dataset convert --in FILE --out FILE --format " + formats
             + " [--tokenizer PATH [--bos auto|always|never]]   (eap-ig-csv from text answers needs --tokenizer)",
         {"in", "out", "format", "tokenizer", "bos"}, {}, &cmdDataset},
    };
}

} // namespace patchbay::cli
