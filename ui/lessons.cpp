// SPDX-License-Identifier: MIT
#include "ui/lessons.h"
#include "ui/strings.h"

#include "core/common/system.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace patchbay::ui {

LessonRunner::LessonRunner(LessonHost* host, QObject* parent) : QObject(parent), m_host(host)
{
    m_actionTimer = new QTimer(this);
    m_actionTimer->setInterval(100);
    connect(m_actionTimer, &QTimer::timeout, this, &LessonRunner::performNext);
}

void LessonRunner::setLesson(core::Lesson lesson)
{
    m_lesson = std::move(lesson);
    m_step = 0;
    m_done.clear();
    m_answers.clear();
    m_pending.clear();
    m_actionTimer->stop();
    m_actionError.clear();
    update();
    Q_EMIT changed();
}

int LessonRunner::stepCount() const { return m_lesson ? static_cast<int>(m_lesson->steps.size()) : 0; }

const core::LessonStep& LessonRunner::step() const { return m_lesson->steps[static_cast<std::size_t>(m_step)]; }

void LessonRunner::goTo(int step)
{
    if (!m_lesson)
        return;
    m_step = std::clamp(step, 0, stepCount() - 1);
    m_pending.clear();
    m_actionTimer->stop();
    m_actionError.clear();
    update();
    Q_EMIT changed();
}

bool LessonRunner::update()
{
    if (!m_lesson)
        return false;
    const core::LessonStep& s = step();
    const QString id = toQString(s.id);
    QString why;
    bool holds = true;
    if (!s.choices.empty() && !m_answers.contains(id)) {
        holds = false;
        why = tr("Choose your answer first.");
    }
    for (const auto& check : s.checks) {
        if (!holds)
            break;
        holds = m_host->holds(check, &why);
    }
    m_waiting = holds ? QString() : why;
    if (holds && !m_done.contains(id)) {
        m_done.insert(id);
        Q_EMIT changed();
        return true;
    }
    return false;
}

bool LessonRunner::isDone(int step) const
{
    return m_lesson && step >= 0 && step < stepCount() &&
           m_done.contains(toQString(m_lesson->steps[static_cast<std::size_t>(step)].id));
}

bool LessonRunner::allDone() const
{
    for (int i = 0; i < stepCount(); ++i)
        if (!isDone(i))
            return false;
    return hasLesson();
}

void LessonRunner::answer(const QString& choice)
{
    if (!m_lesson || step().choices.empty() || m_answers.contains(toQString(step().id)))
        return; // one answer per prediction: the point is to commit before seeing
    m_answers.insert(toQString(step().id), choice);
    update();
    Q_EMIT changed();
}

QString LessonRunner::answerOf(int step) const
{
    if (!m_lesson || step < 0 || step >= stepCount())
        return {};
    return m_answers.value(toQString(m_lesson->steps[static_cast<std::size_t>(step)].id));
}

bool LessonRunner::showMe()
{
    m_actionError.clear();
    if (!m_lesson || step().actions.empty()) {
        m_actionError = tr("This step has nothing to show: read it and go on.");
        return false;
    }
    m_pending.clear();
    for (const auto& action : step().actions)
        m_pending << action;
    performNext();
    if (!m_pending.isEmpty())
        m_actionTimer->start();
    Q_EMIT changed();
    return m_actionError.isEmpty();
}

bool LessonRunner::isPerforming() const { return !m_pending.isEmpty() || (m_lesson && m_host->busy()); }

void LessonRunner::performNext()
{
    while (!m_pending.isEmpty() && !m_host->busy()) {
        const core::LessonCondition action = m_pending.takeFirst();
        const QString error = m_host->perform(action, *m_lesson);
        if (!error.isEmpty()) {
            m_actionError = error;
            m_pending.clear();
            Q_EMIT changed();
        }
    }
    if (m_pending.isEmpty())
        m_actionTimer->stop();
}

QString LessonRunner::fill(const QString& markdown) const
{
    static const QRegularExpression placeholder(QStringLiteral("\\{\\{([a-z_]+)(?::([^}]*))?\\}\\}"));
    QString out;
    qsizetype last = 0;
    auto it = placeholder.globalMatch(markdown);
    while (it.hasNext()) {
        const auto match = it.next();
        out += markdown.mid(last, match.capturedStart() - last);
        const QString value = m_host->placeholder(match.captured(1), match.captured(2));
        out += value.isEmpty() ? QStringLiteral("…") : value;
        last = match.capturedEnd();
    }
    out += markdown.mid(last);
    return out;
}

QString LessonRunner::stepMarkdown(bool withHint) const
{
    if (!m_lesson)
        return {};
    const core::LessonStep& s = step();
    QString md = QStringLiteral("### %1\n\n%2\n").arg(toQString(s.title), fill(toQString(s.text)));
    if (withHint && !s.hint.empty())
        md += QStringLiteral("\n> **%1** %2\n").arg(tr("Hint:"), fill(toQString(s.hint)).replace(QLatin1Char('\n'), QStringLiteral("\n> ")));
    const QString given = m_answers.value(toQString(s.id));
    if (!s.choices.empty() && !given.isEmpty()) {
        const auto correct = toQString(s.correctChoice);
        const auto index = std::find(s.choices.begin(), s.choices.end(), s.correctChoice) - s.choices.begin();
        const QString correctText = toQString(s.choiceTexts[static_cast<std::size_t>(index)]);
        md += QLatin1Char('\n') + (given == correct ? tr("**Your prediction: right.**")
                                                   : tr("**Your prediction was not right: %1**").arg(correctText)) +
              QLatin1Char('\n');
    }
    if (m_done.contains(toQString(s.id)) && !s.answer.empty())
        md += QStringLiteral("\n---\n\n%1\n").arg(fill(toQString(s.answer)));
    return md;
}

QString LessonRunner::progressText() const
{
    if (!m_lesson)
        return {};
    QJsonObject o;
    o[QStringLiteral("step")] = m_step;
    QStringList done(m_done.begin(), m_done.end());
    done.sort();
    o[QStringLiteral("done")] = QJsonArray::fromStringList(done);
    QJsonObject answers;
    for (auto it = m_answers.cbegin(); it != m_answers.cend(); ++it)
        answers[it.key()] = it.value();
    o[QStringLiteral("answers")] = answers;
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

void LessonRunner::restoreProgress(const QString& text)
{
    if (!m_lesson)
        return;
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    QSet<QString> ids;
    for (const auto& s : m_lesson->steps)
        ids.insert(toQString(s.id));
    m_done.clear();
    for (const auto& v : o.value(QStringLiteral("done")).toArray())
        if (ids.contains(v.toString()))
            m_done.insert(v.toString());
    m_answers.clear();
    const QJsonObject answers = o.value(QStringLiteral("answers")).toObject();
    for (auto it = answers.begin(); it != answers.end(); ++it)
        if (ids.contains(it.key()))
            m_answers.insert(it.key(), it.value().toString());
    goTo(o.value(QStringLiteral("step")).toInt(0));
}

// ---------------------------------------------------------------------------------------

LessonDock::LessonDock(LessonHost* host, QWidget* parent) : QWidget(parent)
{
    m_runner = new LessonRunner(host, this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto* top = new QHBoxLayout;
    m_chooser = new QComboBox(this);
    m_chooser->setObjectName(QStringLiteral("lessonChooser"));
    m_chooser->setToolTip(tr("The lessons shipped with Patchbay and those of folders you opened (Lessons > Open a Lesson Folder…)"));
    top->addWidget(m_chooser, 1);
    layout->addLayout(top);

    m_stepLabel = new QLabel(this);
    m_stepLabel->setObjectName(QStringLiteral("lessonStep"));
    layout->addWidget(m_stepLabel);

    m_text = new QTextBrowser(this);
    m_text->setObjectName(QStringLiteral("lessonText"));
    m_text->setOpenExternalLinks(true);
    layout->addWidget(m_text, 1);

    m_choices = new QWidget(this);
    m_choiceLayout = new QVBoxLayout(m_choices);
    m_choiceLayout->setContentsMargins(0, 0, 0, 0);
    m_choiceGroup = new QButtonGroup(this);
    layout->addWidget(m_choices);
    m_answer = new QPushButton(tr("Answer"), this);
    m_answer->setObjectName(QStringLiteral("lessonAnswer"));
    m_answer->setToolTip(tr("Commit to your prediction; the step then tells you what was measured"));
    m_choiceLayout->addWidget(m_answer, 0, Qt::AlignLeft);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("lessonStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("lessonError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    layout->addWidget(m_error);

    // Two rows: the four buttons fit the right column's width in every language.
    auto* buttons = new QHBoxLayout;
    auto* moves = new QHBoxLayout;
    m_hint = new QPushButton(tr("Hint"), this);
    m_hint->setToolTip(tr("Show a hint for this step"));
    m_showMe = new QPushButton(tr("Show me"), this);
    m_showMe->setObjectName(QStringLiteral("lessonShowMe"));
    m_showMe->setToolTip(tr("Let Patchbay perform this step for you"));
    m_back = new QPushButton(tr("Back"), this);
    m_next = new QPushButton(tr("Next"), this);
    m_next->setObjectName(QStringLiteral("lessonNext"));
    buttons->addWidget(m_hint);
    buttons->addWidget(m_showMe);
    buttons->addStretch(1);
    moves->addStretch(1);
    moves->addWidget(m_back);
    moves->addWidget(m_next);
    layout->addLayout(buttons);
    layout->addLayout(moves);

    m_timer = new QTimer(this);
    m_timer->setInterval(250);
    connect(m_timer, &QTimer::timeout, this, &LessonDock::tick);
    m_timer->start();

    connect(m_chooser, &QComboBox::activated, this, [this](int index) { openLesson(m_chooser->itemData(index).toString()); });
    connect(m_hint, &QPushButton::clicked, this, [this] {
        m_hintShown = true;
        refresh();
    });
    connect(m_showMe, &QPushButton::clicked, this, [this] {
        if (!m_runner->showMe())
            showError(m_runner->actionError());
    });
    connect(m_back, &QPushButton::clicked, this, [this] { m_runner->goTo(m_runner->stepIndex() - 1); });
    connect(m_next, &QPushButton::clicked, this, [this] { m_runner->goTo(m_runner->stepIndex() + 1); });
    connect(m_answer, &QPushButton::clicked, this, [this] {
        if (QAbstractButton* chosen = m_choiceGroup->checkedButton())
            m_runner->answer(chosen->property("choice").toString());
    });
    connect(m_runner, &LessonRunner::changed, this, [this] {
        showError(m_runner->actionError()); // cleared by the next step or Show me
        refresh();
        Q_EMIT progressChanged();
    });
    refresh();
}

QString LessonDock::shippedFolder()
{
    return toQString(core::findResource("lessons").string());
}

void LessonDock::addLessons(const QString& folder)
{
    const QString current = m_chooser->currentData().toString();
    for (const auto& path : core::lessonFolders(folder.toStdString())) {
        try {
            const core::Lesson lesson = core::readLesson(path, m_language.toStdString());
            const QString id = toQString(lesson.id);
            if (m_folders.contains(id))
                m_chooser->removeItem(m_chooser->findData(id));
            m_folders.insert(id, toQString(path.string()));
            m_orders.insert(id, lesson.order);
            QString title = toQString(lesson.title);
            if (lesson.minutes > 0)
                title += tr(" (about %1 min)").arg(lesson.minutes);
            int at = 0; // by "order", then as added
            while (at < m_chooser->count() && m_orders.value(m_chooser->itemData(at).toString()) <= lesson.order)
                ++at;
            m_chooser->insertItem(at, title, id);
            if (!lesson.level.empty())
                m_chooser->setItemData(at, toQString(lesson.level), Qt::ToolTipRole);
        } catch (const std::exception& e) {
            showError(toQString(e.what()));
        }
    }
    if (!current.isEmpty())
        m_chooser->setCurrentIndex(m_chooser->findData(current)); // the lesson followed stays chosen
}

QStringList LessonDock::lessonIds() const
{
    QStringList ids;
    for (int i = 0; i < m_chooser->count(); ++i)
        ids << m_chooser->itemData(i).toString();
    return ids;
}

bool LessonDock::openLesson(const QString& id, const QString& progress)
{
    if (progress.isEmpty() && m_runner->hasLesson() && id == lessonId())
        return true; // the lesson followed: chosen again from the menu, its progress stays
    const QString folder = m_folders.value(id);
    if (folder.isEmpty()) {
        showError(tr("There is no lesson “%1”.").arg(id));
        return false;
    }
    try {
        m_runner->setLesson(core::readLesson(folder.toStdString(), m_language.toStdString()));
    } catch (const std::exception& e) {
        showError(toQString(e.what()));
        return false;
    }
    m_error->hide();
    m_choicesOfStep = -1; // another lesson's step at the same index: its own choices
    m_shownMarkdown.clear();
    m_text->setSearchPaths({folder});
    m_chooser->setCurrentIndex(m_chooser->findData(id));
    if (!progress.isEmpty())
        m_runner->restoreProgress(progress);
    refresh();
    Q_EMIT progressChanged();
    return true;
}

QString LessonDock::lessonId() const { return m_runner->hasLesson() ? toQString(m_runner->lesson().id) : QString(); }

QString LessonDock::errorText() const { return m_error->isHidden() ? QString() : m_error->text(); }

QString LessonDock::statusText() const { return m_status->text(); }

void LessonDock::showError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void LessonDock::tick()
{
    if (!m_runner->hasLesson() || !isVisible())
        return;
    m_runner->update();
    refresh();
}

void LessonDock::refresh()
{
    const bool has = m_runner->hasLesson();
    m_hint->setEnabled(has && !m_runner->step().hint.empty());
    m_back->setEnabled(has && m_runner->stepIndex() > 0);
    if (!has) {
        m_stepLabel->setText(tr("Choose a lesson above."));
        m_text->setMarkdown(tr("Lessons teach mechanistic interpretability step by step, in this window: each step "
                               "asks you to do something and turns green when you have done it."));
        m_choices->hide();
        m_showMe->setEnabled(false);
        m_next->setEnabled(false);
        m_status->clear();
        return;
    }
    const int index = m_runner->stepIndex();
    const core::LessonStep& step = m_runner->step();
    if (m_choicesOfStep != index) { // a new step: its choices, the hint hidden again
        m_choicesOfStep = index;
        m_hintShown = false;
        for (QAbstractButton* button : m_choiceGroup->buttons()) {
            m_choiceGroup->removeButton(button);
            delete button;
        }
        for (std::size_t i = 0; i < step.choices.size(); ++i) {
            auto* radio = new QRadioButton(toQString(step.choiceTexts[i]), m_choices);
            radio->setProperty("choice", toQString(step.choices[i]));
            m_choiceGroup->addButton(radio);
            m_choiceLayout->insertWidget(static_cast<int>(i), radio);
        }
    }
    const bool done = m_runner->isDone(index);
    const QString given = m_runner->answerOf(index);
    m_choices->setVisible(!step.choices.empty());
    for (QAbstractButton* button : m_choiceGroup->buttons()) {
        button->setEnabled(given.isEmpty());
        if (!given.isEmpty() && button->property("choice").toString() == given)
            button->setChecked(true);
    }
    m_answer->setEnabled(given.isEmpty());
    int doneCount = 0;
    for (int i = 0; i < m_runner->stepCount(); ++i)
        doneCount += m_runner->isDone(i) ? 1 : 0;
    m_stepLabel->setText(tr("<b>%1</b> · step %2 of %3 · %4 done")
                             .arg(toQString(m_runner->lesson().title).toHtmlEscaped())
                             .arg(index + 1)
                             .arg(m_runner->stepCount())
                             .arg(doneCount));
    const QString markdown = m_runner->stepMarkdown(m_hintShown);
    if (markdown != m_shownMarkdown) { // unchanged text keeps the reader's scroll position
        m_shownMarkdown = markdown;
        m_text->setMarkdown(markdown);
        if (done || !given.isEmpty() || m_hintShown) // what was just added is at the end: show it
            m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
    }
    const bool needsAnswer = !step.choices.empty() && given.isEmpty();
    m_showMe->setEnabled(!step.actions.empty() && !needsAnswer && !m_runner->isPerforming());
    m_showMe->setToolTip(needsAnswer ? tr("Answer the question first") : tr("Let Patchbay perform this step for you"));
    const bool last = index + 1 >= m_runner->stepCount();
    m_next->setEnabled(done && !last);
    if (done) {
        m_status->setStyleSheet(QStringLiteral("color: #1b7f3b; font-weight: bold;"));
        m_status->setText(last ? tr("✓ Done. You finished the lesson.") : tr("✓ Done. Press Next."));
    } else {
        m_status->setStyleSheet(QString());
        m_status->setText(m_runner->isPerforming() ? tr("Working…")
                                                   : tr("To do: %1").arg(m_runner->waitingFor()));
    }
}

} // namespace patchbay::ui
