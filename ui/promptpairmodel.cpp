// SPDX-License-Identifier: MIT
#include "ui/promptpairmodel.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace patchbay::ui {

namespace {

QString oneLine(QString text)
{
    text.replace(QLatin1Char('\n'), QChar(0x23CE)); // ⏎
    return text;
}

// Greater-than pairs have dozens of answers: the cell shows the first few and the count.
QString answerCell(const QStringList& answers)
{
    constexpr int shown = 3;
    if (answers.size() <= shown + 1)
        return answers.join(QStringLiteral(", "));
    return PromptPairModel::tr("%1, … (%2 in all)").arg(answers.mid(0, shown).join(QStringLiteral(", "))).arg(answers.size());
}

} // namespace

PromptPairModel::PromptPairModel(QObject* parent) : QAbstractTableModel(parent) {}

void PromptPairModel::setDataset(const DatasetSummary& dataset)
{
    beginResetModel();
    m_dataset = dataset;
    m_hasDataset = true;
    m_issues.clear();
    for (const auto& issue : m_dataset.issues) {
        if (issue.row == 0)
            continue;
        RowIssues& row = m_issues[issue.row];
        row.messages << issue.message;
        row.severity = std::max(row.severity, issue.error ? Error : Warning);
    }
    endResetModel();
}

void PromptPairModel::clear()
{
    beginResetModel();
    m_dataset = {};
    m_hasDataset = false;
    m_issues.clear();
    endResetModel();
}

QStringList PromptPairModel::fileIssues() const
{
    QStringList messages;
    for (const auto& issue : m_dataset.issues)
        if (issue.row == 0)
            messages << issue.message;
    return messages;
}

int PromptPairModel::errorRows() const
{
    int count = 0;
    for (const auto& row : m_issues)
        count += row.severity == Error ? 1 : 0;
    return count;
}

const PromptPairModel::RowIssues* PromptPairModel::issuesOf(int sourceRow) const
{
    const auto it = m_issues.constFind(sourceRow);
    return it == m_issues.constEnd() ? nullptr : &*it;
}

int PromptPairModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_dataset.pairs.size());
}

int PromptPairModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant PromptPairModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PairSummary& pair = m_dataset.pairs.at(index.row());
    const RowIssues* issues = issuesOf(pair.row);
    const Severity severity = issues ? issues->severity : NoIssue;

    auto fullText = [&]() -> QString {
        switch (index.column()) {
        case CleanColumn: return pair.clean;
        case CorruptedColumn: return pair.corrupted;
        case AnswerColumn: return pair.answers.join(QStringLiteral(", "));
        case WrongAnswerColumn: return pair.wrongAnswers.join(QStringLiteral(", "));
        default: return {};
        }
    };

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case RowColumn: return QString::number(pair.row);
        case TokensColumn:
            if (pair.cleanTokens < 0 && pair.corruptedTokens < 0)
                return QString();
            return QStringLiteral("%1 / %2")
                .arg(pair.cleanTokens < 0 ? QStringLiteral("?") : QString::number(pair.cleanTokens),
                     pair.corruptedTokens < 0 ? QStringLiteral("?") : QString::number(pair.corruptedTokens));
        case AnswerColumn: return answerCell(pair.answers);
        case WrongAnswerColumn: return answerCell(pair.wrongAnswers);
        default: return oneLine(fullText());
        }
    case Qt::ToolTipRole:
        if (issues)
            return issues->messages.join(QLatin1Char('\n'));
        return fullText().isEmpty() ? QVariant() : QVariant(fullText());
    case Qt::BackgroundRole:
        if (severity == Error)
            return QBrush(QColor(0xf8, 0xd7, 0xda));
        if (severity == Warning)
            return QBrush(QColor(0xff, 0xf3, 0xcd));
        return {};
    case Qt::ForegroundRole:
        return severity == NoIssue ? QVariant() : QVariant(QBrush(Qt::black));
    case Qt::TextAlignmentRole:
        if (index.column() == RowColumn || index.column() == TokensColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SourceRowRole: return pair.row;
    case IssuesRole: return issues ? issues->messages : QStringList();
    case SeverityRole: return static_cast<int>(severity);
    default: return {};
    }
}

QVariant PromptPairModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    if (orientation == Qt::Vertical) {
        if (section < 0 || section >= rowCount())
            return {};
        return m_dataset.pairs.at(section).row;
    }
    const bool tip = role == Qt::ToolTipRole;
    switch (section) {
    case RowColumn: return tip ? tr("Row in the source file") : tr("Row");
    case CleanColumn: return tip ? tr("The clean prompt") : tr("Clean");
    case CorruptedColumn: return tip ? tr("The corrupted prompt") : tr("Corrupted");
    case AnswerColumn: return tip ? tr("The correct answer token(s); the quotes show a leading space") : tr("Answer");
    case WrongAnswerColumn: return tip ? tr("The incorrect answer token(s)") : tr("Wrong answer");
    case TokensColumn:
        return tip ? tr("Token counts of the clean and the corrupted prompt, as the model reads them") : tr("Tokens");
    default: return {};
    }
}

Qt::ItemFlags PromptPairModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

} // namespace patchbay::ui
