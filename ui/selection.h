// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QString>

namespace patchbay::ui {

// What the user has selected, shared by every view (design: one selection model): a node
// of the graph ("a1.h3", "m0", "input"; empty = none), a prompt pair (index into the
// editor's pairs; -1 = none) and a token position of that pair (-1 = the answer position).
// Views set it when clicked and follow it when it changes; a setter that does not change
// the value emits nothing, so views may set it from their own change handlers.
// GUI thread only.
class Selection final : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    QString node() const { return m_node; }
    int pair() const { return m_pair; }
    int position() const { return m_position; }

    void setNode(const QString& node)
    {
        if (node == m_node)
            return;
        m_node = node;
        Q_EMIT nodeChanged(m_node);
    }
    void setPair(int pair)
    {
        if (pair == m_pair)
            return;
        m_pair = pair;
        m_position = -1;
        Q_EMIT pairChanged(m_pair);
    }
    void setPosition(int position)
    {
        if (position == m_position)
            return;
        m_position = position;
        Q_EMIT positionChanged(m_position);
    }

Q_SIGNALS:
    void nodeChanged(const QString& node);
    void pairChanged(int pair);
    void positionChanged(int position);

private:
    QString m_node;
    int m_pair = -1;
    int m_position = -1;
};

} // namespace patchbay::ui
