// SPDX-License-Identifier: MIT
// MainWindow's sessions: saving and opening them, autosave, crash recovery, unsaved-work prompts.
#include "ui/mainwindow.h"
#include "ui/mainwindow_p.h"
#include "ui/strings.h"
#include "core/graph/circuit.h"
#include "core/common/error.h"
#include "core/data/session.h"
#include "core/common/system.h"
#include "core/methods/taskperformance.h"
#include "core/tokenize/tokenizer.h"
#include "core/common/version.h"
#include "ui/attentiongrid.h"
#include "ui/graphcanvas.h"
#include "ui/heatmap.h"
#include "ui/lessons.h"
#include "ui/logitlensview.h"
#include "ui/pairseditor.h"
#include "ui/runpanel.h"
#include "ui/selection.h"
#include "ui/translations.h"
#include "ui/windowlessons.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QSpinBox>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <limits>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#endif

namespace patchbay::ui {

namespace {

// Whether the process that wrote an autosave still runs (its own window keeps it).
bool processRuns(qint64 pid)
{
#ifdef Q_OS_UNIX
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
#else
    Q_UNUSED(pid);
    return false;
#endif
}

} // namespace

// ---- sessions ------------------------------------------------------------------------

QString MainWindow::lastSessionFile() { return sessionsDirectory() + QStringLiteral("/last") + kSessionSuffix; }

QString MainWindow::recoveredSessionFile()
{
    return sessionsDirectory() + QStringLiteral("/recovered") + kSessionSuffix;
}

core::Session MainWindow::session() const
{
    core::Session s;
    if (const LoadedModel* model = m_worker->model()) {
        s.modelPath = toStdString(model->summary.path);
        s.modelFingerprint = toStdString(model->summary.fingerprint);
    } else if (m_pendingSession) {
        s.modelPath = m_pendingSession->modelPath;
        s.modelFingerprint = m_pendingSession->modelFingerprint;
    }
    s.device = toStdString(m_device);
    s.dtype = toStdString(m_dtype);
    if (m_editor->pairCount() > 0) {
        s.dataset = m_editor->dataset();
        s.datasetFile = toStdString(m_editor->fileName());
    }
    s.settings = m_runPanel->settings().toMap();
    for (const QString& key : m_resultOrder) {
        const auto it = m_results.constFind(key);
        core::SessionRun run;
        run.key = toStdString(it.key());
        run.settings = it->settings.toMap();
        run.modelKey = toStdString(it->modelKey);
        run.datasetKey = toStdString(it->datasetKey);
        run.datasetName = toStdString(it->datasetName);
        run.pairs = it->pairs;
        if (it->scores)
            run.scores = *it->scores;
        if (it->circuit)
            run.circuit = *it->circuit;
        s.runs.push_back(std::move(run));
    }
    s.currentRun = toStdString(m_currentResult);
    s.labels = m_labels;
    s.groups = m_groups;
    s.view = {{"pair", std::to_string(m_selection->pair())},
              {"node", toStdString(m_selection->node())},
              {"position", std::to_string(m_selection->position())},
              {"attention_layer", std::to_string(m_attentionLayer->value())},
              {"attention_head", std::to_string(m_attentionHead->value())},
              {"scores_tab", std::to_string(m_scoreTabs->currentIndex())},
              {"attention_prompt", m_attentionPrompt->currentIndex() == 1 ? "corrupted" : "clean"},
              {"attention_all_heads", m_attentionAllHeads->isChecked() ? "1" : "0"},
              {"graph_colour", m_canvas->colourByPort() ? "qkv" : "sign"},
              {"graph_layout", m_canvas->layeredLayout() ? "layers" : "graphviz"},
              {"acdc_choice", std::to_string(acdcChoice(m_currentResult))}};
    // The τ chosen for every ACDC result, not only the one on show: "index<TAB>key" lines.
    QStringList choices;
    for (auto it = m_acdcChoice.cbegin(); it != m_acdcChoice.cend(); ++it)
        if (it.value() > 0 && m_results.contains(it.key()))
            choices << QStringLiteral("%1\t%2").arg(it.value()).arg(it.key());
    choices.sort();
    if (!choices.isEmpty())
        s.view["acdc_choices"] = toStdString(choices.join(QLatin1Char('\n')));
    if (m_lessons->runner()->hasLesson()) { // the lesson followed, its progress, folders opened
        s.view["lesson"] = toStdString(m_lessons->lessonId());
        s.view["lesson_progress"] = toStdString(m_lessons->runner()->progressText());
        if (!m_lessonFolders.isEmpty())
            s.view["lesson_folders"] = toStdString(m_lessonFolders.join(QLatin1Char('\n')));
    }
    if (!m_canvas->collapsedGroups().isEmpty())
        s.view["graph_collapsed"] = toStdString(m_canvas->collapsedGroups().join(QLatin1Char('\n')));
    if (m_canvas->hasCircuit()) {
        s.canvas = m_canvas->circuit();
        s.canvasTitle = toStdString(m_canvas->title());
        s.view["graph_filter"] = std::to_string(static_cast<int>(m_canvas->filter()));
        s.view["graph_value"] = QString::number(m_canvas->filterValue(), 'g', 17).toStdString();
    }
    return s;
}

bool MainWindow::saveSession(const QString& file)
{
    try {
        QDir().mkpath(QFileInfo(file).absolutePath());
        core::writeSession(session(), file.toStdString());
    } catch (const std::exception& e) {
        showError(tr("The session could not be saved: %1").arg(toQString(e.what())));
        return false;
    }
    m_sessionFile = file;
    markSaved();
    showError(QString());
    statusBar()->showMessage(tr("Session saved to %1").arg(file), 4000);
    return true;
}

bool MainWindow::openSession(const QString& file)
{
    if (m_worker->isRunningLongJob()) {
        showError(tr("A computation is running; cancel it or wait for it to finish before opening a session."));
        return false;
    }
    core::Session s;
    try {
        s = core::readSession(file.toStdString());
    } catch (const std::exception& e) {
        showError(tr("The session could not be opened: %1").arg(toQString(e.what())));
        return false;
    }
    showError(QString());
    ++m_importGeneration; // a circuit still being read must not land on the session's graph
    // The session replaces the window's runs, pairs, settings and labels.
    m_results.clear();
    m_resultOrder.clear();
    m_acdcChoice.clear();
    m_runPanel->clearResults();
    m_currentResult.clear();
    m_exportCircuitAction->setEnabled(false);
    for (const core::SessionRun& run : s.runs) {
        RunResult result;
        result.settings = RunSettings::fromMap(run.settings);
        result.modelKey = toQString(run.modelKey);
        result.datasetKey = toQString(run.datasetKey);
        result.datasetName = toQString(run.datasetName);
        result.pairs = run.pairs;
        result.scores = std::make_shared<const core::AttributionResult>(run.scores);
        if (run.circuit)
            result.circuit = std::make_shared<const core::Circuit>(*run.circuit);
        const QString key = run.key.empty() ? resultKey(result) : toQString(run.key);
        insertResult(key, result);
    }
    m_runPanel->setSettings(RunSettings::fromMap(s.settings));
    m_labels = s.labels;
    m_groups = s.groups;
    // The session replaces the whole work (the window asked first where it was modified):
    // its pairs are not an undoable edit of the pairs before.
    if (s.dataset)
        m_editor->setDataset(*s.dataset);
    m_sessionFile = file;
    markSaved();
    setDevice(toQString(s.device));
    setDtype(toQString(s.dtype));

    const QString modelPath = toQString(s.modelPath.string());
    const LoadedModel* loaded = m_worker->model();
    if (loaded && QDir::cleanPath(loaded->summary.path) == QDir::cleanPath(modelPath) &&
        toStdString(loaded->summary.fingerprint) == s.modelFingerprint) {
        listResultsOf(loaded->summary);
        applySessionView(s);
        markDirty();
        return true;
    }
    if (modelPath.isEmpty()) {
        applySessionView(s);
        return true;
    }
    m_pendingSession = std::move(s);
    openModel(modelPath);
    return true;
}

void MainWindow::applySessionView(const core::Session& s)
{
    auto number = [&](const char* key, int fallback) {
        const auto it = s.view.find(key);
        bool ok = false;
        const int v = it == s.view.end() ? fallback : toQString(it->second).toInt(&ok);
        return ok ? v : fallback;
    };
    const QString current = toQString(s.currentRun);
    const LoadedModel* model = m_worker->model();
    if (const auto choices = s.view.find("acdc_choices"); choices != s.view.end())
        for (const QString& line : toQString(choices->second).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int tau = line.section(QLatin1Char('\t'), 0, 0).toInt(&ok);
            const QString key = line.section(QLatin1Char('\t'), 1);
            if (ok && tau > 0 && m_results.contains(key))
                m_acdcChoice[key] = tau;
        }
    if (const int tau = number("acdc_choice", 0); tau > 0)
        m_acdcChoice[current] = tau;
    if (model && m_results.contains(current) && m_results.value(current).modelKey == ComputeWorker::modelKey(model->summary)) {
        showResult(current);
        m_runPanel->selectResult(current);
    }
    m_scoreTabs->setCurrentIndex(std::clamp(number("scores_tab", 0), 0, m_scoreTabs->count() - 1));
    if (const auto prompt = s.view.find("attention_prompt"); prompt != s.view.end())
        m_attentionPrompt->setCurrentIndex(prompt->second == "corrupted" ? 1 : 0);
    m_attentionAllHeads->setChecked(number("attention_all_heads", 0) != 0);
    if (const auto layout = s.view.find("graph_layout"); layout != s.view.end())
        m_canvas->setLayeredLayout(layout->second != "graphviz");
    if (const auto colour = s.view.find("graph_colour"); colour != s.view.end())
        m_canvas->setColourByPort(colour->second == "qkv");
    {
        const auto collapsed = s.view.find("graph_collapsed");
        m_canvas->setCollapsedGroups(collapsed == s.view.end() ? QStringList()
                                                               : toQString(collapsed->second).split(QLatin1Char('\n'), Qt::SkipEmptyParts));
    }
    m_attentionLayer->setValue(number("attention_layer", m_attentionLayer->value()));
    m_attentionHead->setValue(number("attention_head", m_attentionHead->value()));
    const int pair = number("pair", -1);
    if (pair >= 0 && pair < m_editor->pairCount())
        m_selection->setPair(pair);
    m_selection->setPosition(number("position", -1));
    if (s.canvas) {
        m_canvas->setCircuit(*s.canvas, toQString(s.canvasTitle));
        // The session's canvas is its current run as edited, or a circuit imported then.
        // (Sessions before the τ choice titled a several-τ ACDC result without it.)
        const QString savedTitle = toQString(s.canvasTitle);
        const bool ofCurrent = m_results.contains(current) &&
                               (savedTitle == canvasTitle(m_results.value(current), acdcChoice(current)) ||
                                savedTitle == canvasTitle(m_results.value(current), -1));
        m_canvasResult = ofCurrent ? current : QString();
        const int filter = number("graph_filter", -1);
        const auto value = s.view.find("graph_value");
        if (filter >= 0 && filter <= static_cast<int>(GraphCanvas::Filter::InCircuit) && value != s.view.end())
            m_canvas->setFilter(static_cast<GraphCanvas::Filter>(filter), toQString(value->second).toDouble());
    }
    if (const auto node = s.view.find("node"); node != s.view.end() && !node->second.empty())
        m_selection->setNode(toQString(node->second));
    m_canvas->undoStack()->setClean(); // the canvas as the session has it
    // Last: the restored step is judged on the session's selection, result and canvas.
    if (const auto lesson = s.view.find("lesson"); lesson != s.view.end() && !lesson->second.empty()) {
        if (const auto folders = s.view.find("lesson_folders"); folders != s.view.end())
            for (const QString& folder : toQString(folders->second).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                if (!m_lessonFolders.contains(folder) && QFileInfo(folder).isDir()) {
                    m_lessons->addLessons(folder);
                    m_lessonFolders << folder;
                }
        const auto progress = s.view.find("lesson_progress");
        auto* dock = findChild<QDockWidget*>(QStringLiteral("lessonsDock"));
        dock->show();
        m_lessons->openLesson(toQString(lesson->second),
                              progress == s.view.end() ? QString() : toQString(progress->second));
    }
}

void MainWindow::markDirty()
{
    m_autosaveTimer->start();
}

void MainWindow::markUnsaved()
{
    m_unsaved = true;
    updateTitle();
    markDirty();
}

void MainWindow::markSaved()
{
    m_unsaved = false;
    m_editor->undoStack()->setClean();
    m_canvas->undoStack()->setClean();
    updateTitle();
}

bool MainWindow::isWorkModified() const
{
    return m_unsaved || !m_editor->undoStack()->isClean() || !m_canvas->undoStack()->isClean();
}

void MainWindow::updateTitle()
{
    QStringList parts;
    if (const LoadedModel* model = m_worker->model())
        parts << model->summary.name;
    if (!m_editor->fileName().isEmpty())
        parts << QFileInfo(m_editor->fileName()).fileName();
    else if (m_editor->pairCount() > 0)
        parts << tr("%1 pairs").arg(m_editor->pairCount());
    if (!m_sessionFile.isEmpty())
        parts << QFileInfo(m_sessionFile).fileName();
    if (parts.isEmpty()) {
        setWindowModified(false);
        setWindowTitle(tr("Patchbay"));
        return;
    }
    setWindowTitle(tr("%1[*] — Patchbay").arg(parts.join(QStringLiteral(" · "))));
    setWindowModified(isWorkModified());
}

bool MainWindow::keepOrDiscardWork(const QString& action)
{
    if (!isWorkModified())
        return true;
    QStringList what;
    if (!m_editor->undoStack()->isClean())
        what << tr("prompt pairs edited or generated");
    if (m_unsaved)
        what << tr("runs or node labels");
    if (!m_canvas->undoStack()->isClean())
        what << tr("edges patched on the graph");
    const QString question = tr("This window holds work that is in no file: %1. Save it as a session before %2?")
                                 .arg(what.join(QStringLiteral(", ")), action);
    const QMessageBox::StandardButton answer =
        m_unsavedWorkPrompt ? m_unsavedWorkPrompt(question)
                            : QMessageBox::question(this, tr("Unsaved Work"), question,
                                                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                                    QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return chooseSessionToSave(false);
    return answer == QMessageBox::Discard;
}

void MainWindow::autosave()
{
    core::Session s = session();
    if (s.modelPath.empty() && !s.dataset)
        return; // nothing to lose yet
    QPointer<MainWindow> self(this);
    const QString file = m_autosaveFile;
    m_ioPool.start([s = std::move(s), file, self] {
        try {
            QDir().mkpath(QFileInfo(file).absolutePath());
            core::writeSession(s, file.toStdString());
        } catch (const std::exception& e) {
            const QString message = toQString(e.what());
            QMetaObject::invokeMethod(qApp, [self, message] {
                if (self)
                    self->showError(MainWindow::tr("Autosave failed: %1").arg(message));
            });
        }
    });
}

void MainWindow::autosaveNow()
{
    m_autosaveTimer->stop();
    autosave();
    m_ioPool.waitForDone();
}

void MainWindow::recoverCrashedSessions()
{
    // Autosaves of processes that no longer run: the newest becomes the recovered session.
    const QDir dir(sessionsDirectory());
    const QFileInfoList files =
        dir.entryInfoList({QStringLiteral("autosave-*") + kSessionSuffix}, QDir::Files, QDir::Time);
    bool recovered = false;
    for (const QFileInfo& info : files) {
        const qint64 pid = info.completeBaseName().mid(QStringLiteral("autosave-").size()).section(QLatin1Char('-'), 0, 0).toLongLong();
        if (info.absoluteFilePath() == QFileInfo(m_autosaveFile).absoluteFilePath() ||
            (pid != QCoreApplication::applicationPid() && processRuns(pid)))
            continue; // this window's own, or a running window's
        if (!recovered) { // newest first
            QFile::remove(recoveredSessionFile());
            const QDateTime saved = info.lastModified(); // before the rename: the old path is gone after it
            recovered = QFile::rename(info.absoluteFilePath(), recoveredSessionFile());
            if (recovered) {
                m_notice = tr("Patchbay did not close cleanly last time. File > Reopen Last Session brings back "
                              "the work autosaved at %1.")
                               .arg(QLocale().toString(saved, QLocale::ShortFormat));
                showError(QString());
            }
        } else {
            QFile::remove(info.absoluteFilePath()); // older than the one recovered
        }
    }
    if (!recovered && QFileInfo::exists(lastSessionFile()))
        statusBar()->showMessage(tr("The work of the last window closed (%1) is under File > Reopen Last Session.")
                                     .arg(QLocale().toString(QFileInfo(lastSessionFile()).lastModified(), QLocale::ShortFormat)),
                                 30000);
    if (m_reopenSessionAction)
        m_reopenSessionAction->setEnabled(QFileInfo::exists(lastSessionFile()) || QFileInfo::exists(recoveredSessionFile()));
}

bool MainWindow::reopenLastSession()
{
    const QFileInfo last(lastSessionFile()), recovered(recoveredSessionFile());
    QString file;
    if (recovered.exists() && (!last.exists() || recovered.lastModified() >= last.lastModified()))
        file = recovered.absoluteFilePath();
    else if (last.exists())
        file = last.absoluteFilePath();
    if (file.isEmpty()) {
        showError(tr("There is no last session to reopen."));
        return false;
    }
    if (!openSession(file))
        return false;
    if (!m_notice.isEmpty()) {
        const QString notice = m_notice;
        m_notice.clear();
        if (errorText() == notice)
            showError(QString());
    }
    m_sessionFile.clear(); // Save asks for a name rather than writing into the autosave folder
    updateTitle();
    return true;
}

void MainWindow::chooseSessionToOpen()
{
    const QString start = m_sessionFile.isEmpty() ? QFileInfo(suggestedPath(QStringLiteral("session"), QStringLiteral("pbsession"))).absolutePath()
                                                  : QFileInfo(m_sessionFile).absolutePath();
    const QString file = QFileDialog::getOpenFileName(this, tr("Open Session"), start,
                                                      tr("Patchbay sessions (*.pbsession);;All files (*)"));
    if (!file.isEmpty() && keepOrDiscardWork(tr("opening %1").arg(QFileInfo(file).fileName())))
        openSession(file);
}

bool MainWindow::chooseSessionToSave(bool askForName)
{
    QString file = m_sessionFile;
    if (askForName || file.isEmpty()) {
        const QString start = file.isEmpty() ? suggestedPath(QStringLiteral("session"), kSessionSuffix.mid(1)) : file;
        file = QFileDialog::getSaveFileName(this, tr("Save Session"), start, tr("Patchbay sessions (*.pbsession)"));
        if (file.isEmpty())
            return false;
        if (!file.endsWith(kSessionSuffix))
            file += kSessionSuffix;
    }
    return saveSession(file);
}

void MainWindow::setNodeLabel(const QString& node, const QString& label)
{
    if (label.trimmed().isEmpty())
        m_labels.erase(toStdString(node));
    else
        m_labels[toStdString(node)] = toStdString(label.trimmed());
    markUnsaved();
}

void MainWindow::showError(const QString& message)
{
    // With no error to show, a standing notice (a session to recover) stays visible. The
    // status bar shows the first line; Details… shows the whole message.
    const QString shown = printableMessage(message.isEmpty() ? m_notice : message);
    m_errorText = shown;
    const QString firstLine = shown.section(QLatin1Char('\n'), 0, 0);
    m_errorLabel->setText(firstLine == shown ? shown : firstLine + QStringLiteral(" …"));
    m_errorLabel->setToolTip(shown.size() > 2000 ? shown.left(2000) + QStringLiteral(" …") : shown);
    m_errorDetails->setVisible(!shown.isEmpty());
}

void MainWindow::showErrorDetails()
{
    if (m_errorText.isEmpty())
        return;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Patchbay"), m_errorText.section(QLatin1Char('\n'), 0, 0),
                                QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("errorDetailsBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDetailedText(m_errorText);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();
}


} // namespace patchbay::ui
