// SPDX-License-Identifier: MIT
#include "ui/attentiongrid.h"

#include "ui/heatmap.h"

#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <cmath>
#include <limits>

namespace patchbay::ui {

namespace {
constexpr int kGap = 8; // between patterns, and around the grid
}

AttentionGrid::AttentionGrid(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void AttentionGrid::setPatterns(const AttentionPatterns& patterns, int layer, int selectedHead, const QString& title)
{
    m_patterns = patterns;
    m_layer = layer;
    m_selected = selectedHead;
    m_title = title;
    m_images.clear();
    const int n = patterns.positions;
    const ColourScale scale(ColourScale::Sequential, 0.0, 1.0);
    for (int h = 0; h < patterns.heads; ++h) {
        QVector<double> values;
        values.reserve(n * n);
        for (int q = 0; q < n; ++q)
            for (int k = 0; k < n; ++k)
                values << (k <= q ? static_cast<double>(patterns.at(layer, h, q, k)) : std::numeric_limits<double>::quiet_NaN());
        m_images << scale.render(values, n, n);
    }
    update();
}

void AttentionGrid::clear()
{
    m_patterns.reset();
    m_images.clear();
    m_title.clear();
    update();
}

int AttentionGrid::columns() const
{
    // As square as the widget: the column count whose cells are the largest.
    const int heads = static_cast<int>(m_images.size());
    int best = 1;
    double bestSide = 0;
    for (int c = 1; c <= std::max(1, heads); ++c) {
        const int rows = (heads + c - 1) / c;
        const double w = double(width() - kGap) / c - kGap;
        const double h = double(height() - titleHeight() - kGap) / std::max(rows, 1) - kGap - fontMetrics().height();
        const double side = std::min(w, h);
        if (side > bestSide) {
            bestSide = side;
            best = c;
        }
    }
    return best;
}

int AttentionGrid::titleHeight() const { return fontMetrics().height() + 6; }

QRect AttentionGrid::headRect(int head) const
{
    const int heads = static_cast<int>(m_images.size());
    if (head < 0 || head >= heads)
        return {};
    const int c = columns(), rows = (heads + c - 1) / c;
    const int label = fontMetrics().height();
    const int cellW = (width() - kGap) / c - kGap;
    const int cellH = (height() - titleHeight() - kGap) / std::max(rows, 1) - kGap - label;
    const int side = std::max(1, std::min(cellW, cellH));
    const int x = kGap + (head % c) * (side + kGap);
    const int y = titleHeight() + kGap + (head / c) * (side + kGap + label) + label;
    return {x, y, side, side};
}

std::optional<int> AttentionGrid::headAt(const QPoint& point) const
{
    for (int h = 0; h < static_cast<int>(m_images.size()); ++h)
        if (headRect(h).contains(point))
            return h;
    return std::nullopt;
}

void AttentionGrid::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    if (m_images.isEmpty())
        return;
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.drawText(QRect(0, 0, width(), titleHeight()), Qt::AlignCenter, m_title);
    painter.setFont(font());
    for (int h = 0; h < static_cast<int>(m_images.size()); ++h) {
        const QRect r = headRect(h);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(r.left(), r.top() - fontMetrics().height(), r.width(), fontMetrics().height()),
                         Qt::AlignLeft | Qt::AlignBottom, QStringLiteral("a%1.h%2").arg(m_layer).arg(h));
        painter.drawImage(r, m_images[h]);
        painter.setPen(h == m_selected ? QPen(Qt::black, 2.5) : QPen(palette().mid().color(), 1));
        painter.drawRect(r.adjusted(0, 0, -1, -1));
    }
}

void AttentionGrid::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        if (const auto h = headAt(event->position().toPoint())) {
            m_selected = *h;
            update();
            Q_EMIT headClicked(*h);
        }
    QWidget::mousePressEvent(event);
}

bool AttentionGrid::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip && m_patterns) {
        auto* help = static_cast<QHelpEvent*>(event);
        if (const auto h = headAt(help->pos())) {
            const QRect r = headRect(*h);
            const int n = m_patterns->positions;
            const int q = std::clamp((help->pos().y() - r.top()) * n / std::max(1, r.height()), 0, n - 1);
            const int k = std::clamp((help->pos().x() - r.left()) * n / std::max(1, r.width()), 0, n - 1);
            QString text = tr("a%1.h%2 · query %3, key %4").arg(m_layer).arg(*h).arg(q).arg(k);
            if (k <= q)
                text += QStringLiteral(": %1").arg(QLocale().toString(m_patterns->at(m_layer, *h, q, k), 'f', 3));
            QToolTip::showText(help->globalPos(), text, this);
            return true;
        }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}

} // namespace patchbay::ui
