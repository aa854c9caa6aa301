// SPDX-License-Identifier: MIT
#include "ui/runpanel.h"
#include "ui/methods.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QToolButton>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace patchbay::ui {

namespace {

struct Choice
{
    const char* name;
    QString title;
    QString tip;
};

void fill(QComboBox* box, const std::vector<Choice>& choices)
{
    for (const auto& c : choices) {
        box->addItem(c.title, QString::fromLatin1(c.name));
        box->setItemData(box->count() - 1, c.tip, Qt::ToolTipRole);
    }
}

void select(QComboBox* box, const QString& name)
{
    const int index = box->findData(name);
    if (index >= 0)
        box->setCurrentIndex(index);
}

QString current(const QComboBox* box) { return box->currentData().toString(); }

} // namespace

RunPanel::RunPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_method = new QComboBox(this);
    m_method->setObjectName(QStringLiteral("methodBox"));
    for (const auto& m : core::methods()) {
        if (m.needsReceivers)
            continue; // path patching: the CLI's --receivers has no field here
        m_method->addItem(methodLabel(m), QString::fromLatin1(m.name));
        m_method->setItemData(m_method->count() - 1, methodSummary(m), Qt::ToolTipRole);
    }
    // A field with a `?` after it that opens the guide's paragraph on it.
    auto withHelp = [this](QWidget* field, const QString& topic) {
        auto* row = new QWidget(this);
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        h->setSpacing(2);
        h->addWidget(field, 1);
        auto* help = new QToolButton(row);
        help->setObjectName(QStringLiteral("help_") + topic);
        help->setText(QStringLiteral("?"));
        help->setAutoRaise(true);
        help->setToolTip(tr("What this means (the user guide)"));
        connect(help, &QToolButton::clicked, this, [this, topic] { Q_EMIT helpRequested(topic); });
        h->addWidget(help);
        return row;
    };
    form->addRow(tr("Method:"), withHelp(m_method, QStringLiteral("method")));
    m_methodNote = new QLabel(this);
    m_methodNote->setObjectName(QStringLiteral("methodNote"));
    m_methodNote->setForegroundRole(QPalette::PlaceholderText);
    m_methodNote->hide();
    form->addRow(m_methodNote);

    m_metric = new QComboBox(this);
    m_metric->setObjectName(QStringLiteral("metricBox"));
    fill(m_metric, {
                       {"logit-diff", tr("logit difference"), tr("logit(answer) − logit(wrong answer)")},
                       {"prob-diff", tr("probability difference"), tr("Σ p(answers) − Σ p(wrong answers) (greater-than)")},
                       {"kl", tr("KL divergence"), tr("KL(clean ‖ patched) at the answer position")},
                       {"loss", tr("loss"), tr("Cross-entropy of the answer")},
                   });
    form->addRow(tr("Metric:"), withHelp(m_metric, QStringLiteral("metric")));

    m_reference = new QComboBox(this);
    m_reference->setObjectName(QStringLiteral("referenceBox"));
    fill(m_reference, {
                          {"corrupted", tr("corrupted prompt"), tr("Patch in the paired corrupted prompt's activation")},
                          {"zero", tr("zero"), tr("Zero ablation")},
                          {"mean", tr("mean (per position)"), tr("Mean over the corrupted prompts, per position")},
                          {"mean-all-positions", tr("mean (all positions)"), tr("Mean over the corrupted prompts and positions")},
                      });
    form->addRow(tr("Reference:"), withHelp(m_reference, QStringLiteral("reference")));

    m_steps = new QSpinBox(this);
    m_steps->setObjectName(QStringLiteral("stepsBox"));
    m_steps->setRange(1, 100);
    m_steps->setValue(5);
    m_steps->setToolTip(tr("Integrated-gradient steps m"));
    form->addRow(tr("Steps:"), m_steps);

    m_batch = new QSpinBox(this);
    m_batch->setObjectName(QStringLiteral("batchBox"));
    m_batch->setRange(1, 1024);
    m_batch->setValue(16);
    m_batch->setToolTip(tr("Prompt pairs per forward pass"));
    form->addRow(tr("Batch size:"), m_batch);

    m_taus = new QLineEdit(QStringLiteral("0.01"), this);
    m_taus->setObjectName(QStringLiteral("tausEdit"));
    m_taus->setToolTip(tr("ACDC thresholds τ, comma-separated: one circuit each"));
    form->addRow(tr("ACDC τ:"), m_taus);
    m_topK = new QSpinBox(this);
    m_topK->setObjectName(QStringLiteral("topKBox"));
    m_topK->setRange(0, 1'000'000);
    m_topK->setSpecialValueText(tr("every edge"));
    m_topK->setToolTip(tr("ACDC visits only EAP's top k edges (0: every edge)"));
    form->addRow(tr("ACDC on top:"), m_topK);
    m_perPosition = new QCheckBox(tr("per position"), this);
    m_perPosition->setObjectName(QStringLiteral("perPositionBox"));
    // Shown unticked while it does not apply (another method); the choice comes back with
    // activation patching.
    connect(m_perPosition, &QCheckBox::toggled, this, [this](bool on) {
        if (m_perPosition->isEnabled())
            m_perPositionWanted = on;
    });
    form->addRow(QString(), m_perPosition);
    m_ungroupedKv = new QCheckBox(tr("k/v per query head (MIB)"), this);
    m_ungroupedKv->setObjectName(QStringLiteral("ungroupedKvBox"));
    m_ungroupedKv->setToolTip(tr("Grouped-query models: give every query head its own key and value inputs in the "
                                 "graph (a3.h5<k>), as MIB's circuits for Llama, Qwen and Gemma were made, instead of one "
                                 "per key/value head (a3.kv1<k>, fewer edges)"));
    m_ungroupedKv->setEnabled(false);
    connect(m_ungroupedKv, &QCheckBox::toggled, this, &RunPanel::graphChoiceChanged);
    form->addRow(QString(), m_ungroupedKv);
    layout->addLayout(form);

    auto* buttons = new QHBoxLayout;
    m_run = new QPushButton(tr("Run"), this);
    m_run->setObjectName(QStringLiteral("runButton"));
    m_run->setDefault(true);
    m_run->setToolTip(tr("Run the method on the valid prompt pairs (Ctrl+R)"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_cancel->setToolTip(tr("Stop the running computation (Esc)"));
    buttons->addWidget(m_run, 1);
    buttons->addWidget(m_cancel);
    layout->addLayout(buttons);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("runProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    {
        // The bar keeps its place while hidden: appearing at Run, it used to grow the panel
        // inside its scroll area and scroll Method out of view.
        QSizePolicy policy = m_progress->sizePolicy();
        policy.setRetainSizeWhenHidden(true);
        m_progress->setSizePolicy(policy);
    }
    m_progress->hide();
    layout->addWidget(m_progress);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("runStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto* resultsLabel = new QLabel(tr("Results"), this);
    resultsLabel->setStyleSheet(QStringLiteral("font-weight: bold;"));
    layout->addWidget(resultsLabel);
    m_results = new QListWidget(this);
    m_results->setObjectName(QStringLiteral("resultList"));
    m_results->setToolTip(tr("Results computed in this session; select one to show it"));
    // The list takes the room that is left, from four rows up: its preferred 192 px counted
    // in the panel's height-for-width (the status wraps) made the dock's scroll area scroll
    // at 1400x900 although everything fitted.
    m_results->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    m_results->setMinimumHeight(4 * m_results->fontMetrics().height() + 12);
    layout->addWidget(m_results, 1);
    m_choiceRow = new QWidget(this);
    auto* choiceLayout = new QHBoxLayout(m_choiceRow);
    choiceLayout->setContentsMargins(0, 0, 0, 0);
    auto* choiceLabel = new QLabel(tr("Circuit at:"), m_choiceRow);
    m_choice = new QComboBox(m_choiceRow);
    m_choice->setObjectName(QStringLiteral("circuitChoice"));
    m_choice->setToolTip(tr("ACDC found one circuit per threshold τ: choose the one on the graph"));
    choiceLabel->setBuddy(m_choice);
    choiceLayout->addWidget(choiceLabel);
    choiceLayout->addWidget(m_choice, 1);
    m_choiceRow->hide();
    layout->addWidget(m_choiceRow);
    connect(m_choice, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            Q_EMIT circuitChoiceChanged(index);
    });

    connect(m_method, &QComboBox::currentIndexChanged, this, &RunPanel::updateEnabled);
    connect(m_method, &QComboBox::activated, this, [this] {
        m_methodChosen = true;
        m_methodNote->hide();
    });
    connect(m_run, &QPushButton::clicked, this, [this] {
        if (m_ready && !m_running)
            Q_EMIT runRequested(settings());
    });
    connect(m_cancel, &QPushButton::clicked, this, &RunPanel::cancelRequested);
    connect(m_results, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item)
            Q_EMIT resultSelected(item->data(Qt::UserRole).toString());
    });
    updateEnabled();
}

RunSettings RunPanel::settings() const
{
    RunSettings s;
    s.method = current(m_method);
    s.metric = current(m_metric);
    s.reference = current(m_reference);
    s.steps = m_steps->value();
    s.batchSize = m_batch->value();
    s.taus.clear();
    const QLocale locale;
    for (const QString& part : m_taus->text().split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
        bool ok = false;
        double tau = part.toDouble(&ok); // C locale first ("0.01"), then the user's ("0,01" is split above)
        if (!ok)
            tau = locale.toDouble(part, &ok);
        if (ok && tau >= 0)
            s.taus.push_back(tau);
    }
    if (s.taus.isEmpty())
        s.taus = {0.01};
    s.acdcTopK = m_topK->value();
    s.perPosition = m_perPosition->isChecked();
    s.ungroupedKv = m_groupedQuery && m_ungroupedKv->isChecked();
    return s;
}

void RunPanel::suggestMethodFor(const QString& family)
{
    if (m_methodChosen)
        return;
    const bool gemma = family == QLatin1String("gemma");
    select(m_method, QLatin1String(gemma ? "eap-ig" : "eap"));
    m_methodNote->setText(gemma ? tr("Chosen for Gemma models (the ? says why).") : QString());
    m_methodNote->setToolTip(gemma ? tr("On Gemma, EAP misses the circuits of the scaled embeddings; EAP-IG finds them.")
                                   : QString());
    m_methodNote->setVisible(gemma);
}

void RunPanel::setSettings(const RunSettings& s)
{
    // A session or a lesson that names another method has chosen it; the window's own
    // adjustments (the metric for greater-than data) pass the method on unchanged.
    if (s.method != current(m_method))
        m_methodChosen = true;
    select(m_method, s.method);
    select(m_metric, s.metric);
    select(m_reference, s.reference);
    m_steps->setValue(s.steps);
    m_batch->setValue(s.batchSize);
    QStringList taus;
    for (const double tau : s.taus)
        taus << QString::number(tau, 'g', 6);
    m_taus->setText(taus.join(QStringLiteral(", ")));
    m_topK->setValue(s.acdcTopK);
    m_perPositionWanted = s.perPosition;
    m_perPosition->setChecked(s.perPosition);
    m_ungroupedKv->setChecked(s.ungroupedKv);
    updateEnabled();
}

void RunPanel::setGroupedQuery(bool groupedQuery)
{
    m_groupedQuery = groupedQuery;
    updateEnabled();
}

void RunPanel::setReady(bool ready, const QString& why)
{
    m_ready = ready;
    m_run->setToolTip(ready ? tr("Run the method on the valid prompt pairs (Ctrl+R)") : why);
    // Why it cannot run replaces the status; once it can, that reason goes, but a run's
    // outcome ("Done in…", "Cancelled") stays when a quick job makes the window ready again.
    if (!m_running && !ready) {
        setStatus(why);
        m_statusIsWhy = true;
    } else if (!m_running && m_statusIsWhy) {
        setStatus(QString());
    }
    updateEnabled();
}

void RunPanel::setRunning(bool running)
{
    m_running = running;
    m_progress->setVisible(running);
    if (running) {
        m_progress->setValue(0);
        m_runClock.start();
    }
    updateEnabled();
}

void RunPanel::setProgress(double fraction, const QString& stage)
{
    m_progress->setValue(static_cast<int>(fraction * 1000.0));
    QString text = tr("%1 — %2%").arg(stage).arg(static_cast<int>(fraction * 100.0));
    if (m_runClock.isValid()) {
        // Remaining time at the rate so far, once there is a rate to speak of.
        const double elapsed = static_cast<double>(m_runClock.elapsed()) / 1000.0;
        text += tr(" · %1 elapsed").arg(durationText(elapsed));
        if (fraction >= 0.02 && fraction < 1.0 && elapsed >= 1.0)
            text += tr(", about %1 left").arg(durationText(elapsed * (1.0 - fraction) / fraction));
    }
    m_status->setText(text);
}

QString RunPanel::durationText(double seconds)
{
    const auto s = static_cast<qint64>(std::llround(std::max(0.0, seconds)));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

void RunPanel::setStatus(const QString& text)
{
    m_status->setText(text);
    m_statusIsWhy = false;
}

void RunPanel::addResult(const QString& key, const QString& text, const QString& tooltip)
{
    for (int i = 0; i < m_results->count(); ++i) {
        if (m_results->item(i)->data(Qt::UserRole).toString() == key) {
            m_results->item(i)->setText(text);
            m_results->item(i)->setToolTip(tooltip);
            return;
        }
    }
    auto* item = new QListWidgetItem(text, m_results);
    item->setData(Qt::UserRole, key);
    item->setToolTip(tooltip);
}

void RunPanel::selectResult(const QString& key)
{
    for (int i = 0; i < m_results->count(); ++i) {
        if (m_results->item(i)->data(Qt::UserRole).toString() == key) {
            const QSignalBlocker block(m_results);
            m_results->setCurrentRow(i);
            return;
        }
    }
}

void RunPanel::clearResults()
{
    m_results->clear();
    setCircuitChoices({}, -1);
}

void RunPanel::setCircuitChoices(const QStringList& choices, int current)
{
    const QSignalBlocker block(m_choice);
    m_choice->clear();
    m_choice->addItems(choices);
    m_choice->setCurrentIndex(choices.size() >= 2 ? std::clamp(current, 0, static_cast<int>(choices.size()) - 1) : -1);
    m_choiceRow->setVisible(choices.size() >= 2);
}

int RunPanel::circuitChoice() const { return m_choiceRow->isHidden() ? -1 : m_choice->currentIndex(); }

QString RunPanel::selectedResult() const
{
    const auto* item = m_results->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

void RunPanel::updateEnabled()
{
    const auto* method = findMethod(current(m_method));
    m_steps->setEnabled(method && method->usesSteps);
    m_taus->setEnabled(method && method->usesThresholds);
    m_topK->setEnabled(method && method->usesThresholds);
    const bool perPosition = method && method->perPosition;
    m_perPosition->setEnabled(perPosition);
    {
        const QSignalBlocker quiet(m_perPosition);
        m_perPosition->setChecked(perPosition && m_perPositionWanted);
    }
    const bool runEnabled = m_ready && !m_running;
    // Focus goes with the job, Run -> Cancel -> Run: a focused control that is disabled
    // hands focus to the next one, and the dock's scroll area scrolled to it (the Results
    // list), taking Method out of view at the default window size.
    if (QWidget* focus = QApplication::focusWidget(); focus && isAncestorOf(focus)) {
        const bool disabling = (focus == m_run && !runEnabled) || (focus == m_cancel && !m_running) ||
                               (m_running && (focus == m_method || focus == m_metric || focus == m_reference ||
                                              focus == m_batch || m_batch->isAncestorOf(focus)));
        if (disabling) {
            QPushButton* next = m_running ? m_cancel : runEnabled ? m_run : nullptr;
            if (next) {
                next->setEnabled(true);
                next->setFocus(Qt::OtherFocusReason);
            } else {
                setFocus(Qt::OtherFocusReason); // the panel itself until a button is enabled
            }
        }
    }
    m_ungroupedKv->setEnabled(m_groupedQuery && !m_running);
    for (QWidget* w : {static_cast<QWidget*>(m_method), static_cast<QWidget*>(m_metric),
                       static_cast<QWidget*>(m_reference), static_cast<QWidget*>(m_batch)})
        w->setEnabled(!m_running);
    m_run->setEnabled(runEnabled);
    m_cancel->setEnabled(m_running);
    if (QApplication::focusWidget() == this && (m_running || runEnabled))
        (m_running ? m_cancel : m_run)->setFocus(Qt::OtherFocusReason);
}

} // namespace patchbay::ui
