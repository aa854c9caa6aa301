// SPDX-License-Identifier: MIT
#pragma once

#include "core/data/dataset.h"
#include "ui/textencoder.h"

#include <QAbstractTableModel>
#include <QStringList>
#include <QVector>

class QUndoStack;

namespace patchbay::ui {

// The editable prompt pairs: a core::Dataset is the truth, every change goes through the
// undo stack, and after each change the pairs are validated again with the model's
// encoder (core::validateDataset: microseconds per prompt), so the offending rows carry
// their messages at once. Text cells are editable; answers are edited as text, several on
// a side separated by " | ". A field given only as ids (EAP-IG files) shows its decoded
// text and becomes text when edited. GUI thread only.
//
// Roles (one place):
//   Qt::DisplayRole / EditRole  the cell's text ("✓", "error", "warning" in StatusColumn)
//   Qt::ToolTipRole             every validation message of the row, one per line
//   Qt::BackgroundRole          a red tint on rows with errors, amber on warnings
//   SeverityRole                int Severity of the row
//   RowNumberRole               int, the pair's row in its source file (PromptPair::row)
class PairTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { RowColumn, CleanColumn, CorruptedColumn, AnswerColumn, WrongAnswerColumn, TokensColumn, StatusColumn, ColumnCount };
    enum Role { SeverityRole = Qt::UserRole + 1, RowNumberRole };
    enum Severity { NoIssue = 0, Warning = 1, Error = 2 };

    explicit PairTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    // Through the undo stack.
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    QUndoStack* undoStack() const { return m_undo; }

    // Replaces everything (an opened file, generated pairs); undoable when `undoText` is set.
    void setDataset(core::Dataset data, const QString& undoText = {});
    void setEncoder(TextEncoder encoder);
    const TextEncoder& encoder() const { return m_encoder; }
    const core::Dataset& dataset() const { return m_data; }

    // Undoable edits.
    void addPair(int before = -1); // an empty pair (to be filled in) before `before` (-1: at the end)
    void removePairs(QVector<int> rows);
    int dropInvalid(); // removes the rows with errors; returns how many

    // Validation of the current pairs.
    bool validated() const { return m_validated; }
    int errorRows() const;
    int validRows() const { return m_validRows; }
    QStringList fileIssues() const; // row-0 findings (file warnings)
    QStringList rowIssues(int row) const;
    Severity severity(int row) const;
    // The pairs without errors, ids filled. Empty (and *why) without an encoder or valid pair.
    core::Dataset runnable(QString* why) const;

    // Cell text for display: a field's text, else its ids decoded, else the ids.
    QString promptText(int row, bool corrupted) const;
    QString answerText(int row, bool wrong) const;

Q_SIGNALS:
    void changed(); // pairs or validation changed

private:
    class EditCommand;
    friend class EditCommand;
    void replaceAll(const core::Dataset& data); // no undo
    void revalidate();

    core::Dataset m_data;      // as edited (ids only where the source gave ids)
    core::Dataset m_filled;    // m_data with ids filled by validation (same rows)
    TextEncoder m_encoder;
    QVector<QStringList> m_issues; // per row
    QVector<int> m_severity;       // per row
    QStringList m_fileIssues;
    int m_validRows = 0;
    bool m_validated = false;
    QUndoStack* m_undo = nullptr;
};

} // namespace patchbay::ui
