// SPDX-License-Identifier: MIT
#pragma once

#include "core/data/lesson.h"

#include <QHash>
#include <QSet>
#include <QStringList>
#include <QWidget>

#include <optional>

class QButtonGroup;
class QComboBox;
class QLabel;
class QPushButton;
class QTextBrowser;
class QTimer;
class QVBoxLayout;

namespace patchbay::ui {

// What a lesson sees of the application: whether a check holds, performing an action, the
// values its text quotes. The window implements it (ui/windowlessons); tests may too.
class LessonHost
{
public:
    virtual ~LessonHost() = default;
    // Whether `check` holds now; when not, `why` says what is still missing, in words.
    virtual bool holds(const core::LessonCondition& check, QString* why) const = 0;
    // Starts `action` (it may finish later: a model loads, a run runs); "" or the error.
    virtual QString perform(const core::LessonCondition& action, const core::Lesson& lesson) = 0;
    // Whether something the last action started is still going (the next action waits).
    virtual bool busy() const = 0;
    // The text of {{name}} or {{name:argument}}; "" while there is none yet.
    virtual QString placeholder(const QString& name, const QString& argument) const = 0;
};

// A lesson being followed: the current step, which steps are done, the predictions made.
// A step is done once all its checks hold at the same time, after its prediction (if any)
// was answered; it stays done. A step without checks or prediction is done when shown.
// "Show me" performs the step's actions one after another, each once the host is no
// longer busy. GUI thread only.
class LessonRunner final : public QObject
{
    Q_OBJECT

public:
    explicit LessonRunner(LessonHost* host, QObject* parent = nullptr);

    void setLesson(core::Lesson lesson);
    bool hasLesson() const { return m_lesson.has_value(); }
    const core::Lesson& lesson() const { return *m_lesson; }
    int stepIndex() const { return m_step; }
    int stepCount() const;
    const core::LessonStep& step() const;
    void goTo(int step);

    // Evaluates the current step (the dock calls it a few times a second); true when it
    // turned done by this call.
    bool update();
    bool isDone(int step) const;
    bool allDone() const;
    QString waitingFor() const { return m_waiting; } // what the current step still needs
    void answer(const QString& choice);
    QString answerOf(int step) const; // "" when not answered

    // Starts the current step's actions; false (actionError()) when there are none.
    bool showMe();
    bool isPerforming() const;
    QString actionError() const { return m_actionError; }

    // The current step's Markdown, placeholders filled: the text, the hint when asked, the
    // answer once done (a prediction: once answered, with whether it was right).
    QString stepMarkdown(bool withHint) const;
    QString fill(const QString& markdown) const;

    // Progress, for sessions: the step shown, the steps done and the answers given.
    QString progressText() const;
    void restoreProgress(const QString& text);

Q_SIGNALS:
    void changed();

private:
    void performNext();

    LessonHost* m_host;
    std::optional<core::Lesson> m_lesson;
    int m_step = 0;
    QSet<QString> m_done;
    QHash<QString, QString> m_answers;
    QString m_waiting;
    QList<core::LessonCondition> m_pending;
    QString m_actionError;
    QTimer* m_actionTimer = nullptr;
};

// The Lessons dock: a chooser of the shipped lessons and those of folders the user opened,
// the step's text (Markdown, images beside the lesson), a prediction's choices, what the
// step still waits for (green when done), and Hint, Show me, Back and Next.
class LessonDock final : public QWidget
{
    Q_OBJECT

public:
    explicit LessonDock(LessonHost* host, QWidget* parent = nullptr);

    // The lessons shipped in resources/lessons in the interface's language.
    static QString shippedFolder();
    void addLessons(const QString& folder); // a folder of lessons, or one lesson's folder
    QStringList lessonIds() const;
    // Opens the lesson (by id) at its first step, or as its progress says; false (and the
    // error shown in the dock) when it cannot be read.
    bool openLesson(const QString& id, const QString& progress = {});
    QString lessonId() const;
    QString errorText() const;
    LessonRunner* runner() const { return m_runner; }
    QTextBrowser* browser() const { return m_text; }
    QPushButton* nextButton() const { return m_next; }
    QPushButton* showMeButton() const { return m_showMe; }
    QString statusText() const;
    QString language() const { return m_language; }
    void setLanguage(const QString& language) { m_language = language; }

Q_SIGNALS:
    void progressChanged();

private:
    void refresh();
    void tick();
    void showError(const QString& message);

    LessonRunner* m_runner = nullptr;
    QHash<QString, QString> m_folders; // lesson id -> folder
    QHash<QString, int> m_orders;      // lesson id -> lesson.json "order" (the chooser's order)
    QString m_language;
    QComboBox* m_chooser = nullptr;
    QLabel* m_stepLabel = nullptr;
    QTextBrowser* m_text = nullptr;
    QWidget* m_choices = nullptr;
    QVBoxLayout* m_choiceLayout = nullptr;
    QButtonGroup* m_choiceGroup = nullptr;
    QPushButton* m_answer = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_error = nullptr;
    QPushButton* m_hint = nullptr;
    QPushButton* m_showMe = nullptr;
    QPushButton* m_back = nullptr;
    QPushButton* m_next = nullptr;
    QTimer* m_timer = nullptr;
    bool m_hintShown = false;
    QString m_shownMarkdown;
    int m_choicesOfStep = -1;
};

} // namespace patchbay::ui
