// SPDX-License-Identifier: MIT
// generate-task: prompt pairs for the tasks with literature circuits, written as a dataset.
#include "app/cli/cli.h"

#include "core/data/dataset.h"
#include "core/common/error.h"
#include "core/data/lesson.h"
#include "core/data/tasks.h"
#include "core/tokenize/tokenizer.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace patchbay::cli {

namespace {

namespace fs = std::filesystem;

uint64_t seedValue(const Args& args)
{
    const std::string s = args.value("seed", "0");
    const bool digits = !s.empty() && s.size() <= 20
        && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    try {
        if (digits)
            return std::stoull(s);
    } catch (const std::out_of_range&) {
    }
    throw UsageError("--seed expects an integer in 0…2^64−1, got \"" + s + "\"");
}

// --format, else the extension of --out: .csv native CSV, .json native JSON.
core::DatasetFormat outputFormat(const Args& args, const fs::path& out)
{
    if (args.has("format"))
        return core::parseDatasetFormat(args.value("format"));
    std::string ext = out.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".csv")
        return core::DatasetFormat::NativeCsv;
    if (ext == ".json")
        return core::DatasetFormat::NativeJson;
    throw UsageError("cannot tell the format from \"" + out.string() + "\": name it .csv or .json, or give --format");
}

int cmdGenerateTask(const Args& args)
{
    if (args.positional.size() != 1)
        throw UsageError("generate-task takes one TASK");
    core::TaskOptions options;
    try {
        options.task = core::taskInfo(args.positional[0]).name;
    } catch (const core::Error& e) {
        throw UsageError(e.what());
    }
    options.n = args.intValue("n", options.n);
    options.seed = seedValue(args);
    options.corruption = args.value("corruption");
    options.templates = args.value("templates", options.templates);
    if (args.has("length") && options.task != "induction")
        throw UsageError("--length is an induction option");
    options.length = args.intValue("length", options.length);
    options.ingredients = args.value("ingredients");

    const auto tokenizer = core::Tokenizer::load(args.required("tokenizer"));
    const fs::path out = args.required("out");
    const auto format = outputFormat(args, out);
    auto generated = core::generateTask(options, tokenizer);
    // EAP-IG files hold answers as token ids.
    if (format == core::DatasetFormat::EapIgCsv)
        core::tokenizeDataset(generated.data, tokenizer, {});
    core::writeDataset(generated.data, out, format);

    printJson({{"task", generated.task},
               {"n", generated.data.pairs.size()},
               {"seed", options.seed},
               {"corruption", generated.corruption},
               {"metric", generated.metric},
               {"tokenizer", tokenizer.source()},
               {"file", out.string()},
               {"format", core::datasetFormatName(format)},
               {"skipped", generated.skipped},
               {"skipped_words", generated.skippedWords},
               {"notes", generated.notes}});
    return 0;
}

// Validates lesson folders for their authors: every problem of every language, one per line.
int cmdCheckLesson(const Args& args)
{
    if (args.positional.empty())
        throw UsageError("check-lesson takes one or more FOLDERs");
    nlohmann::json lessons = nlohmann::json::array();
    bool ok = true;
    for (const auto& root : args.positional) {
        const auto folders = core::lessonFolders(root);
        if (folders.empty())
            throw core::Error(root + ": no lesson.json here or in its subfolders");
        for (const auto& folder : folders) {
            const auto problems = core::lessonProblems(folder);
            ok = ok && problems.empty();
            lessons.push_back({{"folder", folder.string()}, {"languages", core::lessonLanguages(folder)}, {"problems", problems}});
        }
    }
    printJson({{"ok", ok}, {"lessons", lessons}});
    return ok ? 0 : 1;
}

} // namespace

std::vector<Command> taskCommands()
{
    return {
        {"generate-task", "generate prompt pairs for IOI, greater-than(-digit), induction or docstring (seeded)",
         "patchbay-cli generate-task ioi|greater-than|greater-than-digit|induction|docstring --tokenizer PATH --out FILE.csv|FILE.json "
         "[--n N] [--seed S] [--corruption s2|abc (ioi), answer|first-half (induction)] [--templates mixed|abba|baba (ioi)] [--length T (induction)] "
         "[--ingredients FILE] [--format native-csv|native-json|eap-ig-csv|auto-circuit-json]",
         {"tokenizer", "out", "n", "seed", "corruption", "templates", "length", "ingredients", "format"}, {},
         &cmdGenerateTask},
        {"check-lesson", "validate lesson folders (lesson.json and every language's Markdown; docs/lessons.md)",
         "patchbay-cli check-lesson FOLDER...", {}, {}, &cmdCheckLesson},
    };
}

} // namespace patchbay::cli
