// SPDX-License-Identifier: MIT
#include "core/data/lesson.h"

#include "core/common/error.h"
#include "core/common/json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace patchbay::core {

namespace fs = std::filesystem;

std::string LessonCondition::arg(const std::string& name, const std::string& fallback) const
{
    const auto it = args.find(name);
    return it == args.end() ? fallback : it->second;
}

double LessonCondition::number(const std::string& name, double fallback) const
{
    const auto it = args.find(name);
    if (it == args.end())
        return fallback;
    char* end = nullptr;
    const double value = std::strtod(it->second.c_str(), &end);
    return end == it->second.c_str() ? fallback : value;
}

const LessonStep* Lesson::step(const std::string& stepId) const
{
    for (const auto& s : steps)
        if (s.id == stepId)
            return &s;
    return nullptr;
}

const std::vector<LessonKind>& lessonKinds()
{
    // name, check, action, required, optional
    static const std::vector<LessonKind> kinds{
        {"model", true, false, {""}, {"otherwise"}},
        {"pairs", true, false, {}, {"contains", "at_least"}},
        {"selected", true, false, {""}, {}},
        {"selected_top", true, false, {""}, {}},
        {"attention", true, true, {""}, {}},
        {"result", true, false, {"method"}, {"metric", "reference", "per_position", "steps"}},
        {"run", false, true, {"method"}, {"metric", "reference", "per_position", "steps"}},
        {"edge_patched", true, false, {""}, {}},
        {"edge_kept", true, false, {""}, {}},
        {"circuit", true, false, {},
         {"faithfulness_at_least", "faithfulness_at_most", "edges_at_least", "edges_at_most", "edges_share_at_most", "metric_above",
          "metric_below"}},
        {"label", true, false, {"node"}, {"contains"}},
        {"imported", true, false, {""}, {}},
        {"group", true, false, {""}, {}},
        {"open_demo", false, true, {}, {""}},
        {"open_model", false, true, {""}, {"otherwise", "otherwise_pairs"}},
        {"generate", false, true, {"task"}, {"n", "seed", "corruption"}},
        {"select", false, true, {""}, {}},
        {"patch_edge", false, true, {""}, {}},
        {"restore_edge", false, true, {""}, {}},
        {"top_edges", false, true, {""}, {}},
        {"top_share", false, true, {""}, {}},
        {"set_label", false, true, {"node", "text"}, {}},
        {"import_circuit", false, true, {""}, {}},
        {"make_group", false, true, {"name", "nodes"}, {}},
    };
    return kinds;
}

const std::vector<std::string>& lessonPlaceholders()
{
    static const std::vector<std::string> names{
        "metric",     "clean_metric", "reference_metric", "faithfulness", "edges",    "edges_total",
        "seconds",    "score",        "node_score",       "top_head",     "effect",   "model",
        "pairs",
    };
    return names;
}

namespace {

std::string stepWhere(const std::string& file, std::size_t index, const std::string& id)
{
    std::string where = file + ": step " + std::to_string(index + 1);
    if (!id.empty())
        where += " (\"" + id + "\")";
    return where;
}

const LessonKind* findKind(const std::string& name)
{
    for (const auto& kind : lessonKinds())
        if (kind.name == name)
            return &kind;
    return nullptr;
}

std::string kindList(bool check)
{
    std::string list;
    for (const auto& kind : lessonKinds()) {
        if (check ? !kind.check : !kind.action)
            continue;
        list += (list.empty() ? "" : ", ") + kind.name;
    }
    return list;
}

// The text of one argument; "" when `name` cannot take such a value (an array only for
// make_group's nodes, a boolean only for per_position).
std::string scalarText(const nlohmann::json& value, const std::string& name)
{
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_boolean())
        return name != "per_position" ? std::string() : value.get<bool>() ? "true" : "false";
    if (value.is_number())
        return value.dump();
    if (value.is_array() && name == "nodes") { // ["a9.h6", "a9.h9"] -> "a9.h6,a9.h9"
        std::string joined;
        for (const auto& item : value) {
            if (!item.is_string())
                return {};
            joined += (joined.empty() ? "" : ",") + item.get<std::string>();
        }
        return joined;
    }
    return {};
}

// One entry of "check" or "show_me": {"kind": value} with exactly one member.
LessonCondition parseCondition(const nlohmann::json& j, bool check, const std::string& where)
{
    const char* list = check ? "check" : "show_me";
    if (!j.is_object() || j.size() != 1)
        throw Error(where + ": each entry of \"" + list + "\" must be an object with one member, like {\"selected\": \"a0.h0\"}");
    LessonCondition condition;
    condition.kind = j.begin().key();
    const LessonKind* kind = findKind(condition.kind);
    if (kind == nullptr || (check ? !kind->check : !kind->action))
        throw Error(where + ": unknown " + (check ? "check" : "action") + " \"" + condition.kind + "\" (known: " +
                    kindList(check) + ")");
    const auto& value = j.begin().value();
    const auto allowed = [&](const std::string& name) {
        return std::find(kind->required.begin(), kind->required.end(), name) != kind->required.end() ||
               std::find(kind->optional.begin(), kind->optional.end(), name) != kind->optional.end();
    };
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (!allowed(it.key()))
                throw Error(where + ": \"" + condition.kind + "\" has no argument \"" + it.key() + "\"");
            const std::string text = scalarText(it.value(), it.key());
            if (text.empty())
                throw Error(where + ": \"" + condition.kind + "\" argument \"" + it.key() +
                            "\" must be a non-empty string, number or boolean, not " + jsonForMessage(it.value()));
            condition.args[it.key()] = text;
        }
    } else if (!value.is_null()) {
        if (!allowed(""))
            throw Error(where + ": \"" + condition.kind + "\" takes an object of named arguments, not " +
                        jsonForMessage(value));
        const std::string text = scalarText(value, "");
        if (text.empty())
            throw Error(where + ": \"" + condition.kind + "\" must be a non-empty string or number, not " +
                        jsonForMessage(value));
        condition.args[""] = text;
    }
    for (const auto& name : kind->required)
        if (!condition.args.count(name))
            throw Error(where + ": \"" + condition.kind + "\" needs " +
                        (name.empty() ? std::string("a value") : "the argument \"" + name + "\""));
    static const std::set<std::string> numeric{"at_least",       "faithfulness_at_least", "faithfulness_at_most",
                                                "edges_at_least", "edges_at_most",         "edges_share_at_most", "metric_above",
                                                "metric_below",   "n",                     "seed",
                                                "steps"};
    for (const auto& [name, text] : condition.args) {
        const bool isNumber = numeric.count(name) || ((condition.kind == "selected_top" || condition.kind == "top_edges" || condition.kind == "top_share") && name.empty());
        if (!isNumber)
            continue;
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !std::isfinite(value))
            throw Error(where + ": \"" + condition.kind + "\" argument \"" + name + "\" must be a number, not \"" + text + "\"");
        // Counts are whole and bounded (a cast to int must be defined, a generator must end).
        const bool share = condition.kind == "top_share" || name.rfind("faithfulness", 0) == 0 ||
                           name == "edges_share_at_most" || name.rfind("metric", 0) == 0;
        const double most = name == "n" ? 100000 : name == "seed" ? 4294967295.0 : 1e7;
        if (!share && (value != std::floor(value) || value < 0 || value > most))
            throw Error(where + ": \"" + condition.kind + "\" argument \"" + name + "\" must be a whole number from 0 to " +
                        jsonForMessage(most) + ", not \"" + text + "\"");
        if (condition.kind == "top_share" && !(value > 0 && value <= 1))
            throw Error(where + ": \"top_share\" must be a fraction in (0, 1], not \"" + text + "\"");
    }
    if (condition.kind == "model" || condition.kind == "open_model")
        if (condition.args.count("otherwise") && condition.args.at("otherwise") != "demo")
            throw Error(where + ": \"" + condition.kind + "\" argument \"otherwise\" must be \"demo\"");
    return condition;
}

std::vector<LessonCondition> parseConditions(const nlohmann::json& step, const char* key, bool check,
                                             const std::string& where)
{
    std::vector<LessonCondition> conditions;
    const nlohmann::json* list = jsonMember(step, key);
    if (list == nullptr)
        return conditions;
    if (list->is_object()) // one condition needs no array
        return {parseCondition(*list, check, where)};
    if (!list->is_array())
        throw Error(where + ": \"" + key + "\" must be an array of objects like {\"selected\": \"a0.h0\"}");
    for (const auto& item : *list)
        conditions.push_back(parseCondition(item, check, where));
    return conditions;
}

std::string trimmed(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

// The Markdown of one language: "# Title", the summary, then one "## Heading {#step-id}"
// section per step, each with optional "<!-- hint -->", "<!-- choices -->" and
// "<!-- answer -->" parts. Headings inside ``` fences do not count.
struct MarkdownSection
{
    std::string id, title, text, hint, answer;
    std::vector<std::pair<std::string, std::string>> choices; // id, text
};

struct MarkdownLesson
{
    std::string title, summary;
    std::vector<MarkdownSection> sections;
};

MarkdownLesson parseMarkdown(const std::string& text, const std::string& file)
{
    MarkdownLesson md;
    std::istringstream lines(text);
    std::string line;
    int lineNumber = 0;
    bool fence = false;
    std::string* part = &md.summary;
    std::string partName = "text";
    while (std::getline(lines, line)) {
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        const std::string where = file + ":" + std::to_string(lineNumber);
        if (line.rfind("```", 0) == 0)
            fence = !fence;
        if (!fence && line.rfind("# ", 0) == 0 && md.title.empty() && md.sections.empty()) {
            md.title = trimmed(line.substr(2));
            continue;
        }
        if (!fence && line.rfind("## ", 0) == 0) {
            const auto open = line.rfind("{#");
            const auto close = line.rfind('}');
            if (open == std::string::npos || close == std::string::npos || close < open + 3 || close != line.size() - 1)
                throw Error(where + ": a step heading must end with its id, like \"## Find the head {#find-head}\"");
            MarkdownSection section;
            section.id = line.substr(open + 2, close - open - 2);
            section.title = trimmed(line.substr(3, open - 3));
            for (const auto& other : md.sections)
                if (other.id == section.id)
                    throw Error(where + ": step \"" + section.id + "\" has a second section");
            md.sections.push_back(section);
            part = &md.sections.back().text;
            partName = "text";
            continue;
        }
        const std::string marker = trimmed(line);
        if (!fence && marker.rfind("<!--", 0) == 0 && marker.size() > 7 && marker.compare(marker.size() - 3, 3, "-->") == 0) {
            const std::string name = trimmed(marker.substr(4, marker.size() - 7));
            if (name == "hint" || name == "choices" || name == "answer") {
                if (md.sections.empty())
                    throw Error(where + ": <!-- " + name + " --> before the first step's heading");
                auto& section = md.sections.back();
                part = name == "hint" ? &section.hint : name == "answer" ? &section.answer : nullptr;
                partName = name;
                continue;
            }
        }
        if (partName == "choices") {
            const std::string item = trimmed(line);
            if (item.empty())
                continue;
            const auto colon = item.find(':');
            if (item.rfind("- ", 0) != 0 || colon == std::string::npos)
                throw Error(where + ": a choice must read \"- id: text\", not \"" + item.substr(0, 60) + "\"");
            md.sections.back().choices.emplace_back(trimmed(item.substr(2, colon - 2)), trimmed(item.substr(colon + 1)));
            continue;
        }
        *part += line;
        *part += '\n';
    }
    if (fence)
        throw Error(file + ": a ``` code block is not closed");
    if (md.title.empty())
        throw Error(file + ": the first line must be the lesson's title, like \"# Induction heads\"");
    md.summary = trimmed(md.summary);
    for (auto& section : md.sections) {
        section.text = trimmed(section.text);
        section.hint = trimmed(section.hint);
        section.answer = trimmed(section.answer);
    }
    return md;
}

// {{name}} and {{name:argument}} must name a known placeholder.
void checkPlaceholders(const std::string& text, const std::string& where)
{
    std::size_t at = 0;
    while ((at = text.find("{{", at)) != std::string::npos) {
        const auto end = text.find("}}", at + 2);
        if (end == std::string::npos)
            throw Error(where + ": \"{{\" without \"}}\"");
        const std::string inner = text.substr(at + 2, end - at - 2);
        const std::string name = inner.substr(0, inner.find(':'));
        const auto& known = lessonPlaceholders();
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string list;
            for (const auto& k : known)
                list += (list.empty() ? "" : ", ") + k;
            throw Error(where + ": unknown placeholder {{" + inner.substr(0, 40) + "}} (known: " + list + ")");
        }
        at = end + 2;
    }
}

fs::path languageFile(const fs::path& folder, const std::string& language, std::string* chosen)
{
    std::vector<std::string> tries{language};
    const auto underscore = language.find('_');
    if (underscore != std::string::npos)
        tries.push_back(language.substr(0, underscore));
    tries.emplace_back("en");
    for (const auto& name : tries) {
        if (name.empty())
            continue;
        std::error_code ec;
        if (fs::is_regular_file(folder / (name + ".md"), ec)) {
            *chosen = name;
            return folder / (name + ".md");
        }
    }
    throw Error((folder / "en.md").string() + ": missing: a lesson needs its English text");
}

Lesson readLessonFile(const fs::path& folder, const fs::path& markdownFile, const std::string& language)
{
    const fs::path jsonFile = folder / "lesson.json";
    const std::string jsonWhere = jsonFile.string();
    const nlohmann::json j = readJsonFile(jsonFile);
    if (!j.is_object())
        throw Error(jsonWhere + ": must be a JSON object");
    if (jsonOptionalString(j, "format", "", jsonWhere) != "patchbay-lesson")
        throw Error(jsonWhere + ": field \"format\" must be \"patchbay-lesson\"");
    const int version = jsonPositiveInt(j, "version", jsonWhere);
    if (version > kLessonFormatVersion)
        throw Error(jsonWhere + ": lesson format version " + std::to_string(version) +
                    " is newer than this Patchbay reads (" + std::to_string(kLessonFormatVersion) + ")");

    Lesson lesson;
    lesson.folder = folder;
    lesson.language = language;
    lesson.id = jsonOptionalString(j, "id", "", jsonWhere);
    if (lesson.id.empty())
        throw Error(jsonWhere + ": field \"id\" must be a non-empty string");
    lesson.order = jsonOptionalInt(j, "order", 0, jsonWhere);
    lesson.level = jsonOptionalString(j, "level", "", jsonWhere);
    lesson.minutes = jsonOptionalInt(j, "minutes", 0, jsonWhere);
    const nlohmann::json* steps = jsonMember(j, "steps");
    if (steps == nullptr || !steps->is_array() || steps->empty())
        throw Error(jsonWhere + ": field \"steps\" must be a non-empty array");

    std::set<std::string> ids;
    for (std::size_t i = 0; i < steps->size(); ++i) {
        const auto& s = (*steps)[i];
        std::string where = stepWhere(jsonWhere, i, {});
        if (!s.is_object())
            throw Error(where + ": must be an object");
        LessonStep step;
        step.id = jsonOptionalString(s, "id", "", where);
        if (step.id.empty() || step.id.find_first_of(" {}#") != std::string::npos)
            throw Error(where + ": field \"id\" must be a non-empty name without spaces, braces or #");
        where = stepWhere(jsonWhere, i, step.id);
        if (!ids.insert(step.id).second)
            throw Error(where + ": a second step with this id");
        for (auto it = s.begin(); it != s.end(); ++it)
            if (it.key() != "id" && it.key() != "check" && it.key() != "show_me" && it.key() != "predict")
                throw Error(where + ": unknown field \"" + it.key() + "\" (known: id, check, show_me, predict)");
        step.checks = parseConditions(s, "check", true, where);
        step.actions = parseConditions(s, "show_me", false, where);
        if (const nlohmann::json* predict = jsonMember(s, "predict")) {
            const nlohmann::json* choices = jsonMember(*predict, "choices");
            if (choices == nullptr || !choices->is_array() || choices->size() < 2)
                throw Error(where + ": \"predict\" needs \"choices\", an array of at least two ids");
            for (const auto& c : *choices) {
                if (!c.is_string() || c.get<std::string>().empty())
                    throw Error(where + ": each of \"predict\"'s choices must be a non-empty string");
                step.choices.push_back(c.get<std::string>());
            }
            step.correctChoice = jsonOptionalString(*predict, "answer", "", where);
            if (std::find(step.choices.begin(), step.choices.end(), step.correctChoice) == step.choices.end())
                throw Error(where + ": \"predict\"'s \"answer\" must be one of its choices");
        }
        lesson.steps.push_back(std::move(step));
    }

    const std::string mdWhere = markdownFile.string();
    const MarkdownLesson md = parseMarkdown(readTextFile(markdownFile), mdWhere);
    lesson.title = md.title;
    lesson.summary = md.summary;
    checkPlaceholders(md.summary, mdWhere);
    for (const auto& section : md.sections)
        if (!ids.count(section.id))
            throw Error(mdWhere + ": section {#" + section.id + "} is no step of lesson.json");
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
        auto& step = lesson.steps[i];
        const std::string where = stepWhere(mdWhere, i, step.id);
        const auto section = std::find_if(md.sections.begin(), md.sections.end(),
                                          [&](const MarkdownSection& m) { return m.id == step.id; });
        if (section == md.sections.end())
            throw Error(where + ": no section; add \"## Heading {#" + step.id + "}\"");
        step.title = section->title;
        step.text = section->text;
        step.hint = section->hint;
        step.answer = section->answer;
        if (step.title.empty() || step.text.empty())
            throw Error(where + ": the section needs a heading and some text");
        checkPlaceholders(step.text + step.hint + step.answer, where);
        if (step.choices.empty() != section->choices.empty())
            throw Error(where + (step.choices.empty() ? ": <!-- choices --> in a step that predicts nothing"
                                                     : ": a prediction needs its choices (<!-- choices --> then \"- id: text\")"));
        for (const auto& id : step.choices) {
            const auto found = std::find_if(section->choices.begin(), section->choices.end(),
                                            [&](const auto& c) { return c.first == id; });
            if (found == section->choices.end())
                throw Error(where + ": choice \"" + id + "\" has no text (\"- " + id + ": …\")");
            step.choiceTexts.push_back(found->second);
        }
        if (section->choices.size() != step.choices.size())
            throw Error(where + ": the Markdown lists choices lesson.json does not have");
    }
    return lesson;
}

} // namespace

Lesson readLesson(const fs::path& folder, const std::string& language)
{
    std::string chosen;
    const fs::path file = languageFile(folder, language, &chosen);
    return readLessonFile(folder, file, chosen);
}

std::vector<std::string> lessonLanguages(const fs::path& folder)
{
    std::vector<std::string> languages;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.path().extension() == ".md" && entry.is_regular_file(ec)) {
            // Locale names only ("en", "de", "zh_CN"): a README.md beside the lesson is no language.
            const std::string stem = entry.path().stem().string();
            const bool locale = (stem.size() == 2 || stem.size() == 3 || (stem.size() == 5 && stem[2] == '_')) &&
                                std::islower(static_cast<unsigned char>(stem[0])) && std::islower(static_cast<unsigned char>(stem[1])) &&
                                (stem.size() != 5 || (std::isupper(static_cast<unsigned char>(stem[3])) && std::isupper(static_cast<unsigned char>(stem[4]))));
            if (locale)
                languages.push_back(stem);
        }
    std::sort(languages.begin(), languages.end());
    return languages;
}

std::vector<std::string> lessonProblems(const fs::path& folder)
{
    std::vector<std::string> problems;
    auto languages = lessonLanguages(folder);
    if (std::find(languages.begin(), languages.end(), "en") == languages.end())
        languages.insert(languages.begin(), "en"); // reports the missing English text
    for (const auto& language : languages) {
        try {
            std::string chosen;
            const fs::path file = language == "en" ? languageFile(folder, "en", &chosen) : folder / (language + ".md");
            readLessonFile(folder, file, language);
        } catch (const std::exception& e) {
            const std::string message = e.what();
            if (std::find(problems.begin(), problems.end(), message) == problems.end())
                problems.push_back(message);
        }
    }
    return problems;
}

std::vector<fs::path> lessonFolders(const fs::path& root)
{
    std::vector<fs::path> folders;
    std::error_code ec;
    if (fs::is_regular_file(root / "lesson.json", ec))
        return {root};
    for (const auto& entry : fs::directory_iterator(root, ec))
        if (entry.is_directory(ec) && fs::is_regular_file(entry.path() / "lesson.json", ec))
            folders.push_back(entry.path());
    std::sort(folders.begin(), folders.end());
    return folders;
}

} // namespace patchbay::core
