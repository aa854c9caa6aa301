// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QImage>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPColorScale;
class QCPItemPixmap;
class QCPItemRect;
class QCPTextElement;
class QLabel;
class QStackedWidget;

namespace patchbay::ui {

// Colour mapping apart from any widget: values to colours, a grid of values to an image.
// Diverging: red (−range) – white (0) – blue (+range), centred on zero so that the sign of
// a score reads at a glance, in the graph's colours: a score is the metric's change when
// the node or edge is patched, red where it falls, blue where it rises. Sequential: white (low) to dark blue (high), for attention
// probabilities. NaN (no value, e.g. the masked half of an attention pattern) is a light
// grey. Values beyond the range take the end colour.
class ColourScale
{
public:
    enum Kind { Diverging, Sequential };

    ColourScale() = default;
    ColourScale(Kind kind, double low, double high) : m_kind(kind), m_low(low), m_high(high) {}
    // The range for `values`: ±max|v| for a diverging scale (±1 when all are zero or NaN),
    // [min(0, lowest), max(1e-12, highest)] for a sequential one.
    static ColourScale fitted(Kind kind, const QVector<double>& values);

    Kind kind() const { return m_kind; }
    double low() const { return m_low; }
    double high() const { return m_high; }
    QColor colour(double value) const;
    // The colour stops from low to high (position in [0,1], colour), for colour bars.
    QVector<QPair<double, QColor>> stops() const;
    // rows × columns values (row-major) as an image of one pixel per cell, row 0 on top.
    QImage render(const QVector<double>& values, int rows, int columns) const;

    static QColor nanColour() { return QColor(0xe6, 0xe6, 0xe6); }

private:
    Kind m_kind = Diverging;
    double m_low = -1.0;
    double m_high = 1.0;
};

// What a heatmap shows: a grid with its labels. Row 0 is drawn at the top.
struct HeatmapData
{
    QString title;
    QStringList rowLabels;
    QStringList columnLabels;
    QVector<double> values; // rows × columns, row-major; NaN = no value
    QString valueName;      // the colour bar's label ("score", "attention")
    QString columnTitle;    // the axes' titles ("head", "key position"; "" none)
    QString rowTitle;       // ("layer", "query position")
    ColourScale::Kind scale = ColourScale::Diverging;
    QVector<QString> cellIds; // optional, per cell: the node name the cell stands for ("a3.h2")

    int rows() const { return static_cast<int>(rowLabels.size()); }
    int columns() const { return static_cast<int>(columnLabels.size()); }
    double value(int row, int column) const { return values.value(row * columns() + column); }
};

// A heatmap (QCustomPlot): the grid as cells, tick labels from the data, a colour bar,
// the hovered cell's value in a tooltip, click to select (an outline). Export to PNG, SVG
// or PDF. Shows a placeholder text until it has data. GUI thread only.
class HeatmapView final : public QWidget
{
    Q_OBJECT

public:
    explicit HeatmapView(QWidget* parent = nullptr);

    void setData(const HeatmapData& data);
    void clear(const QString& placeholder);
    bool hasData() const { return m_hasData; }
    QString placeholderText() const; // what is shown instead of a plot (empty with data)
    const HeatmapData& data() const { return m_data; }
    // Draws an outline around a cell; (-1, -1) removes it.
    void setSelectedCell(int row, int column);
    QPair<int, int> selectedCell() const { return {m_selectedRow, m_selectedColumn}; }
    // The cell under a pixel of plot(), or (-1, -1).
    QPair<int, int> cellAt(const QPoint& pixel) const;
    // The centre pixel of a cell in plot() coordinates.
    QPoint cellCentre(int row, int column) const;

    // The tick labels drawn on an axis (columns: Horizontal), after thinning; the axis title.
    QStringList tickLabels(Qt::Orientation axis) const;
    QString axisTitle(Qt::Orientation axis) const;

    // Writes the plot to `file` by its suffix: .png, .svg or .pdf. False (and *error) when
    // the suffix is unknown, there is nothing to export or the file cannot be written.
    bool exportTo(const QString& file, QString* error = nullptr) const;

    // Wheel zooms around the mouse, dragging pans, within the grid (for grids of thousands of
    // cells, e.g. a whole graph's sender × receiver edges); new data shows all of it again.
    void setZoomable(bool zoomable);
    // The rows and columns in view: (first column, first row, columns, rows), rounded out.
    QRect visibleCells() const;
    // Shows the cells of `cells` (columns x, rows y; within the grid).
    void zoomTo(const QRectF& cells);
    // Where the tick labels in view are drawn along an axis (pixels, ascending) and their font.
    QVector<double> tickPixels(Qt::Orientation axis) const;
    QFont tickFont() const;

    QCustomPlot* plot() const { return m_plot; }
    QWidget* plotWidget() const; // the same, as a widget (for code without qcustomplot.h)
    void replotNow();            // lays out and draws at once (tests, exports)

Q_SIGNALS:
    void cellClicked(int row, int column, const QString& cellId);
    void cellHovered(int row, int column, double value);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateTicks();
    void onMouseMove(const QPoint& pixel, const QPoint& global);
    void onMousePress(const QPoint& pixel);
    void clampRanges(); // the view stays within the grid
    QString cellText(int row, int column) const;

    QStackedWidget* m_stack = nullptr;
    QLabel* m_placeholder = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPItemPixmap* m_cells = nullptr;
    QCPItemRect* m_outline = nullptr;
    QCPColorScale* m_colourBar = nullptr;
    QCPTextElement* m_title = nullptr;
    HeatmapData m_data;
    bool m_hasData = false;
    int m_tickKey = -1; // the label thinning in effect (see updateTicks())
    QSize m_fontChosenFor;     // the plot size the tick font was chosen at (updateTicks())
    bool m_smallLabels = false; // the smaller tick font is in use
    int m_refineFont = 0;      // choices of the font still to make for new data
    QSize m_tickSize;          // the plot size the tick changes are counted at
    int m_tickChanges = 0;     // label changes at that size (a cap against replot loops)
    int m_selectedRow = -1;
    int m_selectedColumn = -1;
    QPoint m_pressedAt{-1, -1}; // a press that becomes a click when released where it was
    QRectF m_tickRange;         // the ranges the tick changes are counted at
};

} // namespace patchbay::ui
