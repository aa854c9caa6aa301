// SPDX-License-Identifier: MIT
#pragma once

#include "ui/computeworker.h"

#include <QWidget>

#include <optional>

namespace patchbay::ui {

// Every head of one layer side by side (as CircuitsVis shows them): one small attention
// pattern per head, query down and key across, the same 0..1 colour scale for all, the
// selected head outlined. Click a head to select it (headClicked). GUI thread only.
class AttentionGrid final : public QWidget
{
    Q_OBJECT

public:
    explicit AttentionGrid(QWidget* parent = nullptr);

    void setPatterns(const AttentionPatterns& patterns, int layer, int selectedHead, const QString& title);
    void clear();
    int layer() const { return m_layer; }
    int heads() const { return m_patterns ? m_patterns->heads : 0; }
    int selectedHead() const { return m_selected; }
    QString title() const { return m_title; }
    // Where head h's pattern is drawn (widget coordinates); empty when not drawn.
    QRect headRect(int head) const;
    std::optional<int> headAt(const QPoint& point) const;
    QSize minimumSizeHint() const override { return {160, 120}; }

Q_SIGNALS:
    void headClicked(int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override; // tooltips: the hovered query, key and weight

private:
    int columns() const;
    int titleHeight() const;

    std::optional<AttentionPatterns> m_patterns;
    int m_layer = 0;
    int m_selected = -1;
    QString m_title;
    QVector<QImage> m_images; // per head, one pixel per (query, key)
};

} // namespace patchbay::ui
