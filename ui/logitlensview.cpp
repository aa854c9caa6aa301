// SPDX-License-Identifier: MIT
#include "ui/logitlensview.h"
#include "ui/strings.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QLocale>
#include <QVBoxLayout>

namespace patchbay::ui {

namespace {

// Every probability as a percentage ("98%", "0.2%", "<0.1%"); a column mixed "2e-07"
// with "0.2%". The exact value is in the tooltip.
QString percent(float p)
{
    const QLocale locale;
    if (p >= 0.1f)
        return locale.toString(100.0 * static_cast<double>(p), 'f', 0) + QLatin1Char('%');
    if (p >= 0.001f)
        return locale.toString(100.0 * static_cast<double>(p), 'f', 1) + QLatin1Char('%');
    return QLatin1Char('<') + locale.toString(0.1, 'f', 1) + QLatin1Char('%');
}

QColor tint(float p, const QColor& base)
{
    QColor c = base;
    c.setAlphaF(std::clamp(0.08 + 0.75 * static_cast<double>(p), 0.0, 1.0));
    return c;
}

} // namespace

LogitLensView::LogitLensView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Position"), this));
    m_position = new QComboBox(this);
    m_position->setObjectName(QStringLiteral("lensPosition"));
    m_position->setToolTip(tr("The position whose residual stream is decoded; the answer is read at the last token"));
    m_position->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    row->addWidget(m_position);
    row->addStretch(1);
    layout->addLayout(row);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_message);
    m_table = new QTableWidget(this);
    m_table->setObjectName(QStringLiteral("lensTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_table, 1);
    m_table->viewport()->installEventFilter(this);
    connect(m_position, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            Q_EMIT positionChanged(index);
    });
    clear(tr("Select a prompt pair to see the logit lens"));
}

void LogitLensView::setPrompt(const std::vector<int32_t>& ids, const TextEncoder& encoder)
{
    const QSignalBlocker block(m_position);
    const bool keep = m_position->count() == static_cast<int>(ids.size());
    const int chosen = m_position->currentIndex();
    m_position->clear();
    for (std::size_t p = 0; p < ids.size(); ++p)
        m_position->addItem(QStringLiteral("%1 %2").arg(p).arg(encoder ? tokenLabel(encoder, ids[p]) : QString::number(ids[p])));
    m_position->setCurrentIndex(keep && chosen >= 0 ? chosen : m_position->count() - 1);
}

void LogitLensView::setAnswers(std::optional<int32_t> answer, std::optional<int32_t> wrongAnswer)
{
    m_answer = answer;
    m_wrongAnswer = wrongAnswer;
}

int LogitLensView::position() const
{
    return m_position->currentIndex();
}

QString LogitLensView::message() const
{
    return m_message->isVisible() ? m_message->text() : QString();
}

void LogitLensView::clear(const QString& message)
{
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    m_table->hide();
    m_message->setText(message);
    m_message->show();
}

void LogitLensView::setLens(const LogitLensResult& result, const TextEncoder& encoder)
{
    const core::LogitLens& lens = *result.lens;
    const QColor green(46, 160, 67), red(207, 34, 46), blue(33, 102, 172);
    const auto trackedCount = static_cast<int>(lens.tracked.size());
    QStringList headers;
    for (int t = 0; t < trackedCount; ++t) {
        const QString name = encoder ? tokenLabel(encoder, lens.tracked[static_cast<std::size_t>(t)])
                                     : QString::number(lens.tracked[static_cast<std::size_t>(t)]);
        headers << (t == 0 && m_answer ? tr("answer %1").arg(name) : tr("wrong %1").arg(name));
    }
    for (int k = 0; k < lens.topK; ++k)
        headers << tr("top %1").arg(k + 1);
    m_table->clear();
    m_table->setColumnCount(static_cast<int>(headers.size()));
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(lens.stages);
    QStringList stages;
    for (int s = 0; s < lens.stages; ++s)
        stages << toQString(lens.stageLabel(s));
    m_table->setVerticalHeaderLabels(stages);
    for (int s = 0; s < lens.stages; ++s) {
        for (int t = 0; t < trackedCount; ++t) {
            const auto i = static_cast<std::size_t>(s * trackedCount + t);
            const float p = lens.trackedProbs[i];
            auto* item = new QTableWidgetItem(tr("%1 · rank %2").arg(percent(p)).arg(lens.trackedRanks[i]));
            item->setToolTip(tr("p = %1, rank %2 after stage %3")
                                 .arg(static_cast<double>(p), 0, 'g', 4)
                                 .arg(lens.trackedRanks[i])
                                 .arg(stages[s]));
            item->setBackground(tint(p, t == 0 && m_answer ? green : red));
            item->setData(Qt::UserRole, static_cast<double>(p));
            m_table->setItem(s, t, item);
        }
        for (int k = 0; k < lens.topK; ++k) {
            const auto i = static_cast<std::size_t>(s * lens.topK + k);
            const int32_t id = lens.topIds[i];
            const float p = lens.topProbs[i];
            const QString token = encoder ? tokenLabel(encoder, id) : QStringLiteral("#%1").arg(id);
            auto* item = new QTableWidgetItem(QStringLiteral("%1  %2").arg(token, percent(p)));
            QColor base = blue;
            if (m_answer && id == *m_answer)
                base = green;
            else if (m_wrongAnswer && id == *m_wrongAnswer)
                base = red;
            item->setBackground(tint(p, base));
            item->setToolTip(tr("%1 (id %2): p = %3 after stage %4")
                                 .arg(token)
                                 .arg(id)
                                 .arg(static_cast<double>(p), 0, 'g', 4)
                                 .arg(stages[s]));
            item->setData(Qt::UserRole, id);
            m_table->setItem(s, trackedCount + k, item);
        }
    }
    m_message->hide();
    m_table->show();
    fitColumns();
}

void LogitLensView::fitColumns()
{
    QHeaderView* header = m_table->horizontalHeader();
    const int columns = m_table->columnCount();
    if (columns == 0)
        return;
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    int total = 0;
    for (int c = 0; c < columns; ++c)
        total += header->sectionSize(c);
    const int available = m_table->viewport()->width();
    if (total <= available || available <= 0)
        return;
    header->setSectionResizeMode(QHeaderView::Fixed);
    const int width = std::max(header->minimumSectionSize(), available / columns);
    for (int c = 0; c < columns; ++c)
        header->resizeSection(c, width);
}

bool LogitLensView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    return QWidget::eventFilter(watched, event);
}

} // namespace patchbay::ui
