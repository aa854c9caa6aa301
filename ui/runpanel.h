// SPDX-License-Identifier: MIT
#pragma once

#include "ui/computeworker.h"

#include <QElapsedTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace patchbay::ui {

// The "Run" dock: choose a method, metric, reference and steps, start or cancel a run,
// watch its progress, and switch between the results computed so far (each listed once
// per settings; the window keeps them). Only displays and asks: the window owns the
// worker and the result cache. GUI thread only.
class RunPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit RunPanel(QWidget* parent = nullptr);

    RunSettings settings() const;
    void setSettings(const RunSettings& settings);

    // Run is enabled when a model and runnable pairs are there and nothing runs.
    void setReady(bool ready, const QString& why = {});
    void setRunning(bool running);
    // "stage — 42% · 1:05 elapsed, about 1:30 left": the remaining time is the elapsed
    // time scaled by the fraction still to do (shown from 2 % and 1 s on).
    void setProgress(double fraction, const QString& stage);
    static QString durationText(double seconds); // "m:ss", or "h:mm:ss" from an hour
    void setStatus(const QString& text);
    // Whether the loaded model has grouped-query attention: the ungrouped-graph choice
    // ("k/v per query head") applies only then.
    void setGroupedQuery(bool groupedQuery);
    // The method to start from for a model family (ModelConfig::family), unless the user
    // picked one (in the box or from a session): EAP-IG for Gemma, EAP otherwise. Measured
    // in docs/real-circuits.md: on Gemma-3 EAP scores the (√d_model-scaled) embedding's
    // edges near zero and its small circuits keep nothing; EAP-IG's keep 45 % with 11 edges.
    void suggestMethodFor(const QString& family);

    // The list of results: `key` identifies one (the window's cache key), `text` shows it.
    void addResult(const QString& key, const QString& text, const QString& tooltip);
    void selectResult(const QString& key);
    void clearResults();
    QString selectedResult() const;
    // The circuits one result holds (ACDC: one per threshold τ), shown under the list as a
    // choice; fewer than two hide it. `current` is the one on show.
    void setCircuitChoices(const QStringList& choices, int current);
    int circuitChoice() const; // -1: no choice shown

    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }

Q_SIGNALS:
    void runRequested(const patchbay::ui::RunSettings& settings);
    void cancelRequested();
    void resultSelected(const QString& key);
    void circuitChoiceChanged(int index);
    // The "k/v per query head" choice changed: which graph a circuit's metric runs on.
    void graphChoiceChanged();
    // A `?` beside Method, Metric or Reference: the user guide's paragraph on `topic`
    // ("method", "metric", "reference"; anchors of docs/concepts.md).
    void helpRequested(const QString& topic);

private:
    void updateEnabled();

    QComboBox* m_method = nullptr;
    bool m_methodChosen = false; // by the user or a session: suggestMethodFor leaves it
    QLabel* m_methodNote = nullptr; // why the suggested method, under the box
    QComboBox* m_metric = nullptr;
    QComboBox* m_reference = nullptr;
    QSpinBox* m_steps = nullptr;
    QSpinBox* m_batch = nullptr;
    QLineEdit* m_taus = nullptr;
    QSpinBox* m_topK = nullptr;
    QCheckBox* m_perPosition = nullptr;
    QCheckBox* m_ungroupedKv = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QListWidget* m_results = nullptr;
    QWidget* m_choiceRow = nullptr;
    QComboBox* m_choice = nullptr;
    bool m_ready = false;
    bool m_running = false;
    bool m_groupedQuery = false;
    bool m_perPositionWanted = false; // "per position" as the user left it (shown only where it applies)
    bool m_statusIsWhy = false; // the status says why it cannot run (setReady), not a run's outcome
    QElapsedTimer m_runClock; // since setRunning(true): elapsed and remaining time in the status
};

} // namespace patchbay::ui
