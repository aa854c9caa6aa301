// SPDX-License-Identifier: MIT
// Lesson files (docs/lessons.md): the shipped lessons are valid in every language they ship
// in, and a teacher's mistakes are refused with a message naming the file, the step and what
// is wrong. Each malformed case below is one mistake an author makes.
#include "core/common/error.h"
#include "core/data/lesson.h"
#include "core/common/system.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

const char* kJson = R"({"format": "patchbay-lesson", "version": 1, "id": "tiny", "order": 7, "level": "beginner",
  "minutes": 5, "steps": [
    {"id": "open", "check": [{"model": "demo"}, {"pairs": {"contains": "induction", "at_least": 10}}],
     "show_me": {"open_demo": "induction.csv"}},
    {"id": "guess", "predict": {"choices": ["up", "down"], "answer": "down"},
     "check": {"circuit": {"faithfulness_at_least": 0.9, "edges_at_most": 12}}, "show_me": {"top_edges": 12}},
    {"id": "groups", "show_me": {"make_group": {"name": "movers", "nodes": ["a9.h6", "a9.h9"]}}},
    {"id": "read"}
  ]})";

const char* kMarkdown = R"(# A tiny lesson

What it teaches.

## Open it {#open}

Open the demo: {{model}}.

```
## not a heading inside a code block {#nope}
```

<!-- hint -->
File > Open the Demo Model.

## Guess {#guess}

Will it go up?

<!-- choices -->
- up: It goes up
- down: It goes down

<!-- answer -->
Measured {{metric}}; the edge scored {{score:a0.h0->a1.h3<k>@eap}}.

## Groups {#groups}

Group them.

## Read {#read}

The end.
)";

void write(const fs::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary);
    out << text;
}

// A lesson folder with `json` and en.md `markdown`; returns the message readLesson throws ("" none).
QString errorOf(const QString& json, const QString& markdown, const char* language = "en")
{
    QTemporaryDir dir;
    const fs::path folder = dir.path().toStdString();
    write(folder / "lesson.json", json.toStdString());
    write(folder / (std::string(language) + ".md"), markdown.toStdString());
    if (std::string(language) != "en")
        write(folder / "en.md", kMarkdown);
    try {
        readLesson(folder, language);
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestLesson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsStepsChecksAndText()
    {
        QTemporaryDir dir;
        const fs::path folder = dir.path().toStdString();
        write(folder / "lesson.json", kJson);
        write(folder / "en.md", kMarkdown);
        const Lesson lesson = readLesson(folder, "de_AT"); // no de: English
        QCOMPARE(lesson.language, std::string("en"));
        QCOMPARE(lesson.id, std::string("tiny"));
        QCOMPARE(lesson.order, 7);
        QCOMPARE(lesson.minutes, 5);
        QCOMPARE(lesson.title, std::string("A tiny lesson"));
        QCOMPARE(lesson.summary, std::string("What it teaches."));
        QCOMPARE(lesson.steps.size(), std::size_t(4));

        const LessonStep& open = lesson.steps[0];
        QCOMPARE(open.title, std::string("Open it"));
        QVERIFY(open.text.find("## not a heading") != std::string::npos); // fenced: part of the text
        QCOMPARE(open.hint, std::string("File > Open the Demo Model."));
        QCOMPARE(open.checks.size(), std::size_t(2));
        QCOMPARE(open.checks[0].kind, std::string("model"));
        QCOMPARE(open.checks[0].arg(""), std::string("demo"));
        QCOMPARE(open.checks[1].arg("contains"), std::string("induction"));
        QCOMPARE(open.checks[1].number("at_least", 0), 10.0);
        QCOMPARE(open.actions.size(), std::size_t(1));
        QCOMPARE(open.actions[0].arg(""), std::string("induction.csv"));

        const LessonStep& guess = lesson.steps[1];
        QCOMPARE(guess.choices, (std::vector<std::string>{"up", "down"}));
        QCOMPARE(guess.choiceTexts, (std::vector<std::string>{"It goes up", "It goes down"}));
        QCOMPARE(guess.correctChoice, std::string("down"));
        QCOMPARE(guess.checks[0].number("faithfulness_at_least", 0), 0.9);
        QCOMPARE(guess.answer, std::string("Measured {{metric}}; the edge scored {{score:a0.h0->a1.h3<k>@eap}}."));
        QCOMPARE(lesson.steps[2].actions[0].arg("nodes"), std::string("a9.h6,a9.h9"));
        QVERIFY(lesson.steps[3].checks.empty() && lesson.steps[3].actions.empty());

        // A translation is chosen by language, then by language without region.
        write(folder / "de.md", std::string(kMarkdown).replace(2, 13, "Eine kleine Lektion"));
        QCOMPARE(readLesson(folder, "de_DE").title, std::string("Eine kleine Lektion"));
        write(folder / "README.md", "Notes for the teacher, no lesson text.\n");
        QCOMPARE(lessonLanguages(folder), (std::vector<std::string>{"de", "en"})); // README.md is no language
        QVERIFY(lessonProblems(folder).empty());
    }

    void malformedLessonsNameTheStep_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("markdown");
        QTest::addColumn<QString>("expected");
        const QString json = QString::fromUtf8(kJson), md = QString::fromUtf8(kMarkdown);
        QTest::newRow("not JSON") << QStringLiteral("{\"format\": ") << md << QStringLiteral("lesson.json: invalid JSON");
        QTest::newRow("format") << QString(json).replace(QStringLiteral("patchbay-lesson"), QStringLiteral("lesson"))
                                << md << QStringLiteral("field \"format\" must be \"patchbay-lesson\"");
        QTest::newRow("newer version") << QString(json).replace(QStringLiteral("\"version\": 1"), QStringLiteral("\"version\": 9"))
                                       << md << QStringLiteral("lesson format version 9 is newer");
        QTest::newRow("unknown check") << QString(json).replace(QStringLiteral("{\"model\""), QStringLiteral("{\"modle\""))
                                       << md << QStringLiteral("step 1 (\"open\"): unknown check \"modle\"");
        QTest::newRow("action as check") << QString(json).replace(QStringLiteral("\"check\": {\"circuit\""), QStringLiteral("\"check\": {\"top_edges\""))
                                         << md << QStringLiteral("step 2 (\"guess\"): unknown check \"top_edges\"");
        QTest::newRow("unknown argument") << QString(json).replace(QStringLiteral("edges_at_most"), QStringLiteral("edges_at_mots"))
                                          << md << QStringLiteral("step 2 (\"guess\"): \"circuit\" has no argument \"edges_at_mots\"");
        QTest::newRow("not a number") << QString(json).replace(QStringLiteral("\"top_edges\": 12"), QStringLiteral("\"top_edges\": \"twelve\""))
                                      << md << QStringLiteral("step 2 (\"guess\"): \"top_edges\" argument \"\" must be a number");
        QTest::newRow("missing argument") << QString(json).replace(QStringLiteral("\"name\": \"movers\", "), QString())
                                          << md << QStringLiteral("step 3 (\"groups\"): \"make_group\" needs the argument \"name\"");
        QTest::newRow("duplicate id") << QString(json).replace(QStringLiteral("{\"id\": \"read\"}"), QStringLiteral("{\"id\": \"open\"}"))
                                      << md << QStringLiteral("step 4 (\"open\"): a second step with this id");
        QTest::newRow("answer not a choice") << QString(json).replace(QStringLiteral("\"answer\": \"down\""), QStringLiteral("\"answer\": \"sideways\""))
                                             << md << QStringLiteral("step 2 (\"guess\"): \"predict\"'s \"answer\" must be one of its choices");
        QTest::newRow("unknown field") << QString(json).replace(QStringLiteral("\"show_me\": {\"top_edges\""), QStringLiteral("\"showme\": {\"top_edges\""))
                                       << md << QStringLiteral("step 2 (\"guess\"): unknown field \"showme\"");
        QTest::newRow("step without section") << json << QString(md).replace(QStringLiteral("## Read {#read}"), QStringLiteral("Read"))
                                              << QStringLiteral("en.md: step 4 (\"read\"): no section");
        QTest::newRow("section without step") << json << md + QStringLiteral("\n## Extra {#extra}\n\nMore.\n")
                                              << QStringLiteral("en.md: section {#extra} is no step of lesson.json");
        QTest::newRow("heading without id") << json << QString(md).replace(QStringLiteral("## Groups {#groups}"), QStringLiteral("## Groups"))
                                            << QStringLiteral("en.md:27: a step heading must end with its id");
        QTest::newRow("choice without text") << json << QString(md).replace(QStringLiteral("- down: It goes down\n"), QString())
                                             << QStringLiteral("en.md: step 2 (\"guess\"): choice \"down\" has no text");
        QTest::newRow("unknown placeholder") << json << QString(md).replace(QStringLiteral("{{metric}}"), QStringLiteral("{{metrik}}"))
                                             << QStringLiteral("en.md: step 2 (\"guess\"): unknown placeholder {{metrik}}");
        QTest::newRow("unclosed fence") << json << md + QStringLiteral("```\n") << QStringLiteral("en.md: a ``` code block is not closed");
        QTest::newRow("array for a node") << QString(json).replace(QStringLiteral("{\"model\": \"demo\"}"), QStringLiteral("{\"selected\": [\"a9.h6\", \"a9.h9\"]}"))
                                          << md << QStringLiteral("step 1 (\"open\"): \"selected\" must be a non-empty string or number");
        QTest::newRow("boolean model") << QString(json).replace(QStringLiteral("{\"model\": \"demo\"}"), QStringLiteral("{\"model\": true}"))
                                       << md << QStringLiteral("step 1 (\"open\"): \"model\" must be a non-empty string or number");
        QTest::newRow("fractional count") << QString(json).replace(QStringLiteral("\"top_edges\": 12"), QStringLiteral("\"top_edges\": 2.5"))
                                          << md << QStringLiteral("\"top_edges\" argument \"\" must be a whole number from 0 to");
        QTest::newRow("too many pairs") << QString(json).replace(QStringLiteral("{\"top_edges\": 12}"), QStringLiteral("{\"generate\": {\"task\": \"ioi\", \"n\": 1e7}}"))
                                        << md << QStringLiteral("\"generate\" argument \"n\" must be a whole number from 0 to 100000");
        QTest::newRow("share above 1") << QString(json).replace(QStringLiteral("{\"top_edges\": 12}"), QStringLiteral("{\"top_share\": 2}"))
                                       << md << QStringLiteral("\"top_share\" must be a fraction in (0, 1]");
        QTest::newRow("otherwise not demo") << QString(json).replace(QStringLiteral("{\"model\": \"demo\"}"), QStringLiteral("{\"model\": {\"\": \"smollm2\", \"otherwise\": \"gpt2\"}}"))
                                            << md << QStringLiteral("\"model\" argument \"otherwise\" must be \"demo\"");
        QTest::newRow("no title") << json << QString(md).replace(QStringLiteral("# A tiny lesson\n"), QString())
                                  << QStringLiteral("en.md: the first line must be the lesson's title");
    }

    void malformedLessonsNameTheStep()
    {
        QFETCH(QString, json);
        QFETCH(QString, markdown);
        QFETCH(QString, expected);
        const QString error = errorOf(json, markdown);
        QVERIFY2(error.contains(expected), qPrintable(error + QStringLiteral(" lacks ") + expected));
    }

    void aTranslationIsCheckedToo()
    {
        // The German text lost a step: lessonProblems names de.md and the step.
        QTemporaryDir dir;
        const fs::path folder = dir.path().toStdString();
        write(folder / "lesson.json", kJson);
        write(folder / "en.md", kMarkdown);
        write(folder / "de.md", QString::fromUtf8(kMarkdown).replace(QStringLiteral("## Read {#read}"), QStringLiteral("Lesen")).toStdString());
        const auto problems = lessonProblems(folder);
        QCOMPARE(problems.size(), std::size_t(1));
        QVERIFY2(problems[0].find("de.md: step 4 (\"read\"): no section") != std::string::npos, problems[0].c_str());
        // Without English there is no lesson.
        fs::remove(folder / "en.md");
        QVERIFY(lessonProblems(folder).front().find("en.md: missing") != std::string::npos);
    }

    void shippedLessonsAreValidInEveryLanguage()
    {
        const auto folders = lessonFolders(findResource("lessons"));
        QCOMPARE(folders.size(), std::size_t(4));
        for (const auto& folder : folders) {
            const auto problems = lessonProblems(folder);
            QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().c_str());
            QCOMPARE(lessonLanguages(folder), (std::vector<std::string>{"de", "en", "zh_CN"}));
            // Every language has the same steps, choices and checks: only the words differ.
            const Lesson en = readLesson(folder, "en");
            for (const char* language : {"de", "zh_CN"}) {
                const Lesson other = readLesson(folder, language);
                QCOMPARE(other.language, std::string(language));
                QCOMPARE(other.steps.size(), en.steps.size());
                for (std::size_t i = 0; i < en.steps.size(); ++i) {
                    QCOMPARE(other.steps[i].choices, en.steps[i].choices);
                    QVERIFY(other.steps[i].hint.empty() == en.steps[i].hint.empty());
                    QVERIFY(other.steps[i].answer.empty() == en.steps[i].answer.empty());
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestLesson)
#include "test_lesson.moc"
