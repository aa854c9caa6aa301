// SPDX-License-Identifier: MIT
#include "ui/heatmap.h"

#include <qcustomplot.h>

#include <QScopeGuard>

#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPdfWriter>
#include <QSaveFile>
#include <QStackedWidget>
#include <QSvgGenerator>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace patchbay::ui {

namespace {

QColor mix(const QColor& a, const QColor& b, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// ColorBrewer RdBu ends and a sequential blue.
const QColor kBlue(0x21, 0x66, 0xac);
const QColor kLightBlue(0x92, 0xc5, 0xde);
const QColor kWhite(0xff, 0xff, 0xff);
const QColor kLightRed(0xf4, 0xa5, 0x82);
const QColor kRed(0xb2, 0x18, 0x2b);
const QColor kDark(0x08, 0x30, 0x6b);
const QColor kMid(0x42, 0x92, 0xc6);

} // namespace

// ---- ColourScale -------------------------------------------------------------------------

ColourScale ColourScale::fitted(Kind kind, const QVector<double>& values)
{
    double lo = 0, hi = 0, extent = 0;
    for (const double v : values) {
        if (!std::isfinite(v))
            continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        extent = std::max(extent, std::abs(v));
    }
    if (kind == Diverging)
        return extent > 0 ? ColourScale(kind, -extent, extent) : ColourScale(kind, -1, 1);
    return ColourScale(kind, lo, std::max(hi, lo + 1e-12));
}

QVector<QPair<double, QColor>> ColourScale::stops() const
{
    if (m_kind == Diverging)
        return {{0.0, kRed}, {0.25, kLightRed}, {0.5, kWhite}, {0.75, kLightBlue}, {1.0, kBlue}};
    return {{0.0, kWhite}, {0.5, kMid}, {1.0, kDark}};
}

QColor ColourScale::colour(double value) const
{
    if (std::isnan(value))
        return nanColour();
    const double t = std::clamp((value - m_low) / (m_high - m_low), 0.0, 1.0);
    const auto s = stops();
    for (int i = 1; i < s.size(); ++i)
        if (t <= s[i].first)
            return mix(s[i - 1].second, s[i].second, (t - s[i - 1].first) / (s[i].first - s[i - 1].first));
    return s.back().second;
}

QImage ColourScale::render(const QVector<double>& values, int rows, int columns) const
{
    QImage image(std::max(columns, 1), std::max(rows, 1), QImage::Format_RGB32);
    image.fill(nanColour());
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < columns; ++c)
            image.setPixelColor(c, r, colour(values.value(r * columns + c, std::nan(""))));
    return image;
}

// ---- HeatmapView ---------------------------------------------------------------------------

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_stack = new QStackedWidget(this);
    layout->addWidget(m_stack);

    m_placeholder = new QLabel(m_stack);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setEnabled(false);
    m_stack->addWidget(m_placeholder);

    m_plot = new QCustomPlot(m_stack);
    m_plot->setObjectName(QStringLiteral("heatmapPlot"));
    m_plot->setMouseTracking(true);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->plotLayout()->insertRow(0);
    m_title = new QCPTextElement(m_plot, QString(), QFont(font().family(), font().pointSize(), QFont::Bold));
    m_plot->plotLayout()->addElement(0, 0, m_title);

    m_cells = new QCPItemPixmap(m_plot);
    m_cells->setScaled(true, Qt::IgnoreAspectRatio, Qt::FastTransformation); // crisp cells
    m_cells->setLayer(QStringLiteral("main"));
    m_outline = new QCPItemRect(m_plot);
    m_outline->setPen(QPen(Qt::black, 2.5));
    m_outline->setBrush(Qt::NoBrush);
    m_outline->setVisible(false);

    m_colourBar = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(1, 1, m_colourBar);
    m_colourBar->setBarWidth(12);
    auto* group = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_colourBar->setMarginGroup(QCP::msBottom | QCP::msTop, group);

    QCPAxis* x = m_plot->xAxis;
    QCPAxis* y = m_plot->yAxis;
    y->setRangeReversed(true); // row 0 on top
    for (QCPAxis* axis : {x, y}) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
        axis->setTickLength(0, 3);
    }
    m_stack->addWidget(m_plot);

    // The axis rectangle's size is known after each layout: thin the labels to fit it.
    connect(m_plot, &QCustomPlot::afterReplot, this, &HeatmapView::updateTicks);
    connect(m_plot, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* event) { onMouseMove(event->pos(), event->globalPosition().toPoint()); });
    // A click selects a cell; a press that moves before its release pans (setZoomable).
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        m_pressedAt = event->button() == Qt::LeftButton ? event->pos() : QPoint(-1, -1);
    });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* event) {
        if (event->button() == Qt::LeftButton && m_pressedAt.x() >= 0 && (event->pos() - m_pressedAt).manhattanLength() < 4)
            onMousePress(event->pos());
        m_pressedAt = QPoint(-1, -1);
    });
    connect(m_plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] { clampRanges(); });
    connect(m_plot->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] { clampRanges(); });
    clear(tr("No data"));
}

QString HeatmapView::placeholderText() const { return m_hasData ? QString() : m_placeholder->text(); }

void HeatmapView::setZoomable(bool zoomable)
{
    m_plot->setInteractions(zoomable ? QCP::Interactions(QCP::iRangeDrag | QCP::iRangeZoom) : QCP::Interactions());
    // Only the cells: the colour bar's legend stays that of the rendered colours.
    m_colourBar->setRangeDrag(false);
    m_colourBar->setRangeZoom(false);
}

void HeatmapView::clampRanges()
{
    if (!m_hasData)
        return;
    // Within [-0.5, n - 0.5], and at least two cells wide and high.
    auto clamp = [](QCPAxis* axis, int n) {
        const double low = -0.5, high = n - 0.5;
        QCPRange r = axis->range();
        double size = std::clamp(r.size(), std::min(2.0, high - low), high - low);
        double lower = std::clamp(r.center() - size / 2, low, high - size);
        if (std::abs(lower - r.lower) > 1e-9 || std::abs(lower + size - r.upper) > 1e-9) {
            const QSignalBlocker block(axis);
            axis->setRange(lower, lower + size);
        }
    };
    clamp(m_plot->xAxis, m_data.columns());
    clamp(m_plot->yAxis, m_data.rows());
}

QRect HeatmapView::visibleCells() const
{
    if (!m_hasData)
        return {};
    const QCPRange x = m_plot->xAxis->range(), y = m_plot->yAxis->range();
    const int left = std::max(0, static_cast<int>(std::floor(x.lower + 0.5)));
    const int top = std::max(0, static_cast<int>(std::floor(y.lower + 0.5)));
    const int right = std::min(m_data.columns() - 1, static_cast<int>(std::ceil(x.upper - 0.5)));
    const int bottom = std::min(m_data.rows() - 1, static_cast<int>(std::ceil(y.upper - 0.5)));
    return QRect(QPoint(left, top), QPoint(right, bottom));
}

void HeatmapView::zoomTo(const QRectF& cells)
{
    m_plot->xAxis->setRange(cells.left() - 0.5, cells.right() - 0.5);
    m_plot->yAxis->setRange(cells.top() - 0.5, cells.bottom() - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QVector<double> HeatmapView::tickPixels(Qt::Orientation axis) const
{
    QVector<double> pixels;
    QCPAxis* a = axis == Qt::Horizontal ? m_plot->xAxis : m_plot->yAxis;
    const auto ticker = a->ticker().dynamicCast<QCPAxisTickerText>();
    if (!m_hasData || !ticker)
        return pixels;
    for (auto it = ticker->ticks().cbegin(); it != ticker->ticks().cend(); ++it)
        if (a->range().contains(it.key()))
            pixels << a->coordToPixel(it.key());
    std::sort(pixels.begin(), pixels.end());
    return pixels;
}

QFont HeatmapView::tickFont() const { return m_plot->xAxis->tickLabelFont(); }

void HeatmapView::clear(const QString& placeholder)
{
    m_hasData = false;
    m_data = HeatmapData();
    m_selectedRow = m_selectedColumn = -1;
    m_placeholder->setText(placeholder);
    m_stack->setCurrentWidget(m_placeholder);
}

void HeatmapView::setData(const HeatmapData& data)
{
    m_data = data;
    m_hasData = data.rows() > 0 && data.columns() > 0 && data.values.size() == data.rows() * data.columns();
    if (!m_hasData) {
        clear(tr("Nothing to show"));
        return;
    }
    const ColourScale scale = ColourScale::fitted(data.scale, data.values);
    const int rows = data.rows(), columns = data.columns();

    m_cells->setPixmap(QPixmap::fromImage(scale.render(data.values, rows, columns)));
    m_cells->topLeft->setCoords(-0.5, -0.5);
    m_cells->bottomRight->setCoords(columns - 0.5, rows - 0.5);

    m_plot->xAxis->setRange(-0.5, columns - 0.5);
    m_plot->yAxis->setRange(-0.5, rows - 0.5);

    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (const auto& [position, colour] : scale.stops())
        gradient.setColorStopAt(position, colour);
    m_colourBar->setGradient(gradient);
    m_tickKey = -1;
    m_fontChosenFor = QSize();
    m_refineFont = 2; // now, and once more at the first replot, with the new labels' margins
    m_tickChanges = 0;
    updateTicks();
    m_colourBar->setDataRange(QCPRange(scale.low(), scale.high()));
    m_colourBar->axis()->setLabel(data.valueName);
    m_plot->xAxis->setLabel(data.columnTitle);
    m_plot->yAxis->setLabel(data.rowTitle);
    m_title->setText(data.title);

    if (m_selectedRow >= rows || m_selectedColumn >= columns)
        m_selectedRow = m_selectedColumn = -1;
    setSelectedCell(m_selectedRow, m_selectedColumn);
    m_stack->setCurrentWidget(m_plot);
    m_plot->replot();
}

// Tick labels from the data, thinned to every k-th where they would overlap at the
// current size; long column labels are rotated.
void HeatmapView::updateTicks()
{
    if (!m_hasData)
        return;
    // The cells in view (all of them unless zoomed in) share the axis rectangle.
    const int rows = std::max(1, static_cast<int>(std::lround(m_plot->yAxis->range().size())));
    const int columns = std::max(1, static_cast<int>(std::lround(m_plot->xAxis->range().size())));
    const QRect area = m_plot->axisRect()->rect();
    const double cellWidth = area.width() > 0 ? double(area.width()) / columns : 40.0;
    const double cellHeight = area.height() > 0 ? double(area.height()) / rows : 20.0;
    struct Fit
    {
        bool rotate;
        int xStep, yStep;
    };
    auto fit = [&](const QFont& font) {
        const QFontMetrics fm(font);
        int longest = 0;
        for (const QString& label : m_data.columnLabels)
            longest = std::max(longest, fm.horizontalAdvance(label));
        const bool rotate = longest + 6 > cellWidth;
        const double needX = rotate ? fm.ascent() + 2 : longest + 8; // upright: a line per column
        // Cells may be less than a pixel (a whole graph's grid): a label every ~1/cell cells.
        return Fit{rotate, std::max(1, static_cast<int>(std::ceil(needX / std::max(cellWidth, 1e-3)))),
                   std::max(1, static_cast<int>(std::ceil((fm.height() + 1) / std::max(cellHeight, 1e-3))))};
    };
    // Every label at the normal size where they fit; else a smaller font where that labels
    // every row and column (a 20-token attention pattern in a narrow dock); else thinned.
    // The font is chosen once per data and plot size: the smaller font's narrower margins
    // can make the normal one fit again, whose wider margins then call for the smaller one,
    // and each choice replots, so re-choosing on every replot looped for ever.
    QFont labelFont = font();
    QFont smaller = labelFont;
    smaller.setPointSizeF(std::max(6.5, labelFont.pointSizeF() - 2.0));
    if (m_fontChosenFor != m_plot->size() || m_refineFont > 0) {
        m_refineFont = std::max(0, m_refineFont - 1);
        const Fit normal = fit(labelFont);
        const Fit f = fit(smaller);
        m_smallLabels = (normal.xStep > 1 || normal.yStep > 1) && (f.xStep < normal.xStep || f.yStep < normal.yStep);
        m_fontChosenFor = m_plot->size();
    }
    const bool small = m_smallLabels;
    if (small)
        labelFont = smaller;
    Fit chosen = fit(labelFont);
    const bool rotate = chosen.rotate;
    const int xStep = chosen.xStep, yStep = chosen.yStep;
    auto ticker = [](const QStringList& labels, int step) {
        // Every step-th label from the first, and always the last (an attention pattern's
        // answer position, a model's last layer), never closer than a step to it.
        QSharedPointer<QCPAxisTickerText> t(new QCPAxisTickerText);
        const int last = static_cast<int>(labels.size()) - 1;
        for (int i = 0; i < last; i += step)
            if (i == 0 || last - i >= step)
                t->addTick(i, labels[i]);
        if (last >= 0)
            t->addTick(last, labels[last]);
        return t;
    };
    const int key = ((xStep * 1000 + yStep) * 2 + (rotate ? 1 : 0)) * 2 + (small ? 1 : 0);
    if (key == m_tickKey)
        return;
    // Labels change the margins, the margins the cells: at a stubborn size that could go on
    // for ever (each change replots). A few changes per size settle any real case.
    const QRectF ranges(m_plot->xAxis->range().lower, m_plot->yAxis->range().lower, m_plot->xAxis->range().size(),
                        m_plot->yAxis->range().size());
    if (m_tickSize != m_plot->size() || m_tickRange != ranges) { // a new size, or a zoom
        m_tickSize = m_plot->size();
        m_tickRange = ranges;
        m_tickChanges = 0;
    }
    if (++m_tickChanges > 6 && m_tickKey != -1)
        return;
    m_tickKey = key;
    m_plot->xAxis->setTickLabelFont(labelFont);
    m_plot->yAxis->setTickLabelFont(labelFont);
    m_plot->xAxis->setTicker(ticker(m_data.columnLabels, xStep));
    m_plot->yAxis->setTicker(ticker(m_data.rowLabels, yStep));
    // Upright labels stay within their column (at 60° the last ran past the plot's edge).
    m_plot->xAxis->setTickLabelRotation(rotate ? 90 : 0);
    m_plot->replot(QCustomPlot::rpQueuedReplot); // once more, with the labels for this size
}

QStringList HeatmapView::tickLabels(Qt::Orientation axis) const
{
    QStringList labels;
    if (!m_hasData)
        return labels;
    const auto ticker = (axis == Qt::Horizontal ? m_plot->xAxis : m_plot->yAxis)->ticker().dynamicCast<QCPAxisTickerText>();
    if (ticker)
        for (auto it = ticker->ticks().cbegin(); it != ticker->ticks().cend(); ++it)
            labels << it.value();
    return labels;
}

QString HeatmapView::axisTitle(Qt::Orientation axis) const
{
    return (axis == Qt::Horizontal ? m_plot->xAxis : m_plot->yAxis)->label();
}

void HeatmapView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (m_hasData)
        m_plot->replot(QCustomPlot::rpQueuedReplot); // afterReplot then fits the labels
}

void HeatmapView::setSelectedCell(int row, int column)
{
    const bool valid = m_hasData && row >= 0 && column >= 0 && row < m_data.rows() && column < m_data.columns();
    m_selectedRow = valid ? row : -1;
    m_selectedColumn = valid ? column : -1;
    m_outline->setVisible(valid);
    if (valid) {
        m_outline->topLeft->setCoords(column - 0.5, row - 0.5);
        m_outline->bottomRight->setCoords(column + 0.5, row + 0.5);
    }
    if (m_hasData)
        m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QWidget* HeatmapView::plotWidget() const { return m_plot; }

void HeatmapView::replotNow() { m_plot->replot(QCustomPlot::rpImmediateRefresh); }

QPair<int, int> HeatmapView::cellAt(const QPoint& pixel) const
{
    if (!m_hasData || !m_plot->axisRect()->rect().contains(pixel))
        return {-1, -1};
    const int column = static_cast<int>(std::lround(m_plot->xAxis->pixelToCoord(pixel.x())));
    const int row = static_cast<int>(std::lround(m_plot->yAxis->pixelToCoord(pixel.y())));
    if (row < 0 || column < 0 || row >= m_data.rows() || column >= m_data.columns())
        return {-1, -1};
    return {row, column};
}

QPoint HeatmapView::cellCentre(int row, int column) const
{
    return QPoint(static_cast<int>(std::lround(m_plot->xAxis->coordToPixel(column))),
                  static_cast<int>(std::lround(m_plot->yAxis->coordToPixel(row))));
}

QString HeatmapView::cellText(int row, int column) const
{
    const int index = row * m_data.columns() + column;
    QString name = m_data.cellIds.value(index);
    if (name.isEmpty())
        name = QStringLiteral("%1%2 · %3%4")
                   .arg(m_data.rowTitle.isEmpty() ? QString() : m_data.rowTitle + QLatin1Char(' '), m_data.rowLabels.value(row),
                        m_data.columnTitle.isEmpty() ? QString() : m_data.columnTitle + QLatin1Char(' '),
                        m_data.columnLabels.value(column));
    const double v = m_data.value(row, column);
    const QString value = std::isnan(v) ? tr("no value") : QLocale().toString(v, 'g', 4);
    return QStringLiteral("%1 · %2 %3").arg(name, m_data.valueName, value);
}

void HeatmapView::onMouseMove(const QPoint& pixel, const QPoint& global)
{
    const auto [row, column] = cellAt(pixel);
    if (row < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(global, cellText(row, column), m_plot);
    Q_EMIT cellHovered(row, column, m_data.value(row, column));
}

void HeatmapView::onMousePress(const QPoint& pixel)
{
    const auto [row, column] = cellAt(pixel);
    if (row < 0)
        return;
    setSelectedCell(row, column);
    Q_EMIT cellClicked(row, column, m_data.cellIds.value(row * m_data.columns() + column));
}

bool HeatmapView::exportTo(const QString& file, QString* error) const
{
    auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    if (!m_hasData)
        return fail(tr("%1: there is nothing to export yet").arg(file));
    const QString suffix = QFileInfo(file).suffix().toLower();
    const int w = std::max(m_plot->width(), 640), h = std::max(m_plot->height(), 480);
    if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf") && suffix != QLatin1String("svg"))
        return fail(tr("%1: unknown image type “%2” (use .png, .svg or .pdf)").arg(file, suffix));
    // QSaveFile: written beside the target under a unique name and renamed over it only
    // when complete, so a failed export never leaves half an image or a stray temporary.
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly))
        return fail(tr("%1: could not be written (%2)").arg(file, out.errorString()));
    // The on-screen selection (the outline) is not part of the figure.
    const bool outlined = m_outline->visible();
    m_outline->setVisible(false);
    const auto restore = qScopeGuard([this, outlined] { m_outline->setVisible(outlined); });
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        QImage image = m_plot->toPixmap(w, h, 2.0).toImage();
        image.setDotsPerMeterX(qRound(96 / 0.0254)); // what QCustomPlot::savePng records
        image.setDotsPerMeterY(qRound(96 / 0.0254));
        ok = image.save(&out, "PNG");
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(&out);
        pdf.setPageSize(QPageSize(QSizeF(w, h), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(72); // one pixel of the plot per point
        pdf.setTitle(m_data.title);
        QCPPainter painter;
        if (painter.begin(&pdf)) {
            painter.setMode(QCPPainter::pmVectorized);
            painter.setMode(QCPPainter::pmNoCaching);
            m_plot->toPainter(&painter, w, h);
            ok = painter.end();
        }
    } else {
        QSvgGenerator svg;
        svg.setOutputDevice(&out);
        svg.setSize(QSize(w, h));
        svg.setViewBox(QRect(0, 0, w, h));
        svg.setTitle(m_data.title);
        QCPPainter painter;
        if (painter.begin(&svg)) {
            m_plot->toPainter(&painter, w, h);
            ok = painter.end();
        }
    }
    ok = ok && out.commit();
    return ok ? true : fail(tr("%1: could not be written").arg(file));
}

} // namespace patchbay::ui
