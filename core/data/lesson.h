// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace patchbay::core {

// Lessons (docs/lessons.md): a folder with lesson.json (the steps, their checks and actions,
// language-independent) and one Markdown file per language (en.md, de.md, zh_CN.md) with
// the text of every step. Read and validated here; the window watches the checks and
// performs the actions (ui/lessons).

constexpr int kLessonFormatVersion = 1;

// One check ("selected": "a0.h0") or action ("run": {"method": "eap"}): its kind and its
// arguments. A scalar value is the argument "" ("selected" -> {"": "a0.h0"}); an object's
// members are named arguments, numbers and booleans as JSON text ("0.9", "true").
struct LessonCondition
{
    std::string kind;
    std::map<std::string, std::string> args;

    std::string arg(const std::string& name, const std::string& fallback = {}) const;
    double number(const std::string& name, double fallback) const;
};

struct LessonStep
{
    std::string id;
    std::string title;  // the Markdown section's heading
    std::string text;   // Markdown; {{placeholders}} are filled by the window
    std::string hint;   // Markdown shown on request ("" = none)
    std::string answer; // Markdown shown once the step is done (a prediction: once answered)
    std::vector<LessonCondition> checks;  // all must hold; none: the step is read and passed
    std::vector<LessonCondition> actions; // what "Show me" performs, in order
    // A prediction: the choices (ids from lesson.json, texts from the Markdown) and the
    // right one. The step asks before its checks count.
    std::vector<std::string> choices;
    std::vector<std::string> choiceTexts;
    std::string correctChoice;
};

struct Lesson
{
    std::filesystem::path folder;
    std::string id;       // lesson.json "id"
    int order = 0;        // where the Lessons menu lists it
    std::string level;    // "beginner", "intermediate", "advanced"
    int minutes = 0;      // about how long it takes
    std::string language; // of the text read ("en" when the asked language has no file)
    std::string title;    // the Markdown's "# " heading
    std::string summary;  // the Markdown before the first step
    std::vector<LessonStep> steps;

    const LessonStep* step(const std::string& id) const;
};

// The check and action kinds a lesson may use, with what each argument means (for the
// documentation and the validator's messages).
struct LessonKind
{
    std::string name;
    bool check = false;  // usable in "check"
    bool action = false; // usable in "show_me"
    std::vector<std::string> required; // argument names ("" = the scalar form)
    std::vector<std::string> optional;
};
const std::vector<LessonKind>& lessonKinds();

// The placeholders a step's Markdown may hold ({{metric}}, {{score:a0.h0->a1.h3<k>}}).
const std::vector<std::string>& lessonPlaceholders();

// Reads the lesson in `folder` in `language` ("de", "zh_CN"; falls back to the language
// without its region, then English). Throws core::Error naming the file and the step at
// fault: malformed JSON, another format or a newer version, unknown or duplicate step ids,
// unknown check or action kinds, missing arguments, a prediction whose answer is not a
// choice, a step without Markdown section, a section that is no step, unknown placeholders.
Lesson readLesson(const std::filesystem::path& folder, const std::string& language = "en");

// The languages the folder has text for ("en", "de", "zh_CN"), from its *.md files.
std::vector<std::string> lessonLanguages(const std::filesystem::path& folder);

// Every problem of the lesson in `folder`, in every language it has, one message each
// (empty: valid). For teachers (patchbay-cli lesson check) and the shipped lessons' test.
std::vector<std::string> lessonProblems(const std::filesystem::path& folder);

// The lesson folders under `root` (each subfolder with a lesson.json), sorted by name.
std::vector<std::filesystem::path> lessonFolders(const std::filesystem::path& root);

} // namespace patchbay::core
