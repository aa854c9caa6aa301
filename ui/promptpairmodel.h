// SPDX-License-Identifier: MIT
#pragma once

#include "ui/modelloader.h"

#include <QAbstractTableModel>
#include <QHash>

namespace patchbay::ui {

// The prompt pairs of a dataset as a read-only table, one row per pair in file order,
// with each row's validation issues. GUI thread only.
//
// Roles (the one place they are documented):
//   Qt::DisplayRole        the cell text; line breaks in prompts shown as U+23CE; more
//                          than four answers as the first three and the count; the Row
//                          column and the Tokens column ("clean / corrupted") as text
//   Qt::ToolTipRole        the row's issue messages, one a line, when it has any; else the
//                          full text of a prompt cell or every answer of an answer cell
//   Qt::BackgroundRole     light red for a row with an error, light yellow for a row with
//                          warnings only; none otherwise
//   Qt::ForegroundRole     black on those coloured rows (readable on dark themes)
//   Qt::TextAlignmentRole  numbers right-aligned
//   SourceRowRole          int: the 1-based row in the source file (PairSummary::row)
//   IssuesRole             QStringList: the row's issue messages
//   SeverityRole           int: a Severity value
class PromptPairModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { RowColumn, CleanColumn, CorruptedColumn, AnswerColumn, WrongAnswerColumn, TokensColumn, ColumnCount };
    enum Role { SourceRowRole = Qt::UserRole + 1, IssuesRole, SeverityRole };
    enum Severity { NoIssue = 0, Warning = 1, Error = 2 };

    explicit PromptPairModel(QObject* parent = nullptr);

    void setDataset(const DatasetSummary& dataset);
    void clear();
    bool hasDataset() const { return m_hasDataset; }
    const DatasetSummary& dataset() const { return m_dataset; }
    // Issues about the file as a whole (row 0): shown above the table.
    QStringList fileIssues() const;
    int errorRows() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    struct RowIssues
    {
        QStringList messages;
        Severity severity = NoIssue;
    };
    const RowIssues* issuesOf(int sourceRow) const;

    DatasetSummary m_dataset;
    bool m_hasDataset = false;
    QHash<int, RowIssues> m_issues; // by source row
};

} // namespace patchbay::ui
