// SPDX-License-Identifier: MIT
#include "ui/pairtable.h"
#include "ui/strings.h"

#include "core/tokenize/tokenizer.h"

#include <QBrush>
#include <QColor>
#include <QHash>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <utility>

namespace patchbay::ui {

namespace {

const QString kAnswerSeparator = QStringLiteral(" | ");

QString idList(const std::vector<int32_t>& ids)
{
    QStringList parts;
    for (const int32_t id : ids)
        parts << QString::number(id);
    return QLatin1Char('[') + parts.join(QLatin1Char(' ')) + QLatin1Char(']');
}

int nextRowNumber(const core::Dataset& data)
{
    int row = 0;
    for (const auto& p : data.pairs)
        row = std::max(row, p.row);
    return row + 1;
}

} // namespace

// One undoable change: the pairs before and after (exact undo, whatever the change was).
class PairTableModel::EditCommand final : public QUndoCommand
{
public:
    EditCommand(PairTableModel* model, core::Dataset before, core::Dataset after, const QString& text)
        : QUndoCommand(text), m_model(model), m_before(std::move(before)), m_after(std::move(after))
    {
    }
    void undo() override { m_model->replaceAll(m_before); }
    void redo() override { m_model->replaceAll(m_after); }

private:
    PairTableModel* m_model;
    core::Dataset m_before;
    core::Dataset m_after;
};

PairTableModel::PairTableModel(QObject* parent) : QAbstractTableModel(parent), m_undo(new QUndoStack(this))
{
    m_undo->setUndoLimit(100);
}

int PairTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_data.pairs.size());
}

int PairTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString PairTableModel::promptText(int row, bool corrupted) const
{
    const auto& p = m_data.pairs[static_cast<std::size_t>(row)];
    const std::string& text = corrupted ? p.corrupted : p.clean;
    const std::vector<int32_t>& ids = corrupted ? p.corruptedIds : p.cleanIds;
    if (!text.empty() || ids.empty())
        return toQString(text);
    if (m_encoder) {
        try {
            return toQString(m_encoder.tokenizer->decode(ids));
        } catch (const std::exception&) {
            // an id outside the vocabulary: validation says so
        }
    }
    return idList(ids);
}

QString PairTableModel::answerText(int row, bool wrong) const
{
    const auto& p = m_data.pairs[static_cast<std::size_t>(row)];
    const auto& texts = wrong ? p.wrongAnswers : p.answers;
    const auto& ids = wrong ? p.wrongAnswerIds : p.answerIds;
    QStringList parts;
    if (!texts.empty()) {
        for (const auto& t : texts)
            parts << toQString(t);
    } else {
        for (const int32_t id : ids) {
            if (m_encoder && m_encoder.tokenizer->contains(id))
                parts << toQString(m_encoder.tokenizer->tokenText(id));
            else
                parts << QStringLiteral("#%1").arg(id);
        }
    }
    return parts.join(kAnswerSeparator);
}

QVariant PairTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const auto& p = m_data.pairs[static_cast<std::size_t>(row)];
    const Severity sev = severity(row);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case RowColumn: return p.row;
        case CleanColumn: return promptText(row, false);
        case CorruptedColumn: return promptText(row, true);
        case AnswerColumn: return answerText(row, false);
        case WrongAnswerColumn: return answerText(row, true);
        case TokensColumn: {
            if (!m_validated)
                return QString();
            const auto& f = m_filled.pairs[static_cast<std::size_t>(row)];
            if (f.cleanIds.empty() && f.corruptedIds.empty())
                return QString();
            return QStringLiteral("%1 / %2").arg(f.cleanIds.size()).arg(f.corruptedIds.size());
        }
        case StatusColumn:
            if (!m_validated)
                return tr("not validated");
            return sev == Error ? tr("error") : sev == Warning ? tr("warning") : QStringLiteral("✓");
        default: return {};
        }
    case Qt::ToolTipRole: {
        const QStringList issues = rowIssues(row);
        if (!issues.isEmpty())
            return issues.join(QLatin1Char('\n'));
        if (index.column() == AnswerColumn || index.column() == WrongAnswerColumn)
            return tr("Several answers: separate them with “ | ”. A leading space is part of the token.");
        return {};
    }
    case Qt::BackgroundRole:
        if (sev == Error)
            return QBrush(QColor(0xfd, 0xe0, 0xe0));
        if (sev == Warning)
            return QBrush(QColor(0xff, 0xf4, 0xd6));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == RowColumn || index.column() == TokensColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SeverityRole: return static_cast<int>(sev);
    case RowNumberRole: return p.row;
    default: return {};
    }
}

QVariant PairTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case RowColumn: return tr("Row");
    case CleanColumn: return tr("Clean");
    case CorruptedColumn: return tr("Corrupted");
    case AnswerColumn: return tr("Answer");
    case WrongAnswerColumn: return tr("Wrong answer");
    case TokensColumn: return tr("Tokens");
    case StatusColumn: return tr("Status");
    default: return {};
    }
}

Qt::ItemFlags PairTableModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() >= CleanColumn && index.column() <= WrongAnswerColumn)
        f |= Qt::ItemIsEditable;
    return f;
}

bool PairTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid) ||
        !(flags(index) & Qt::ItemIsEditable))
        return false;
    const QString text = value.toString();
    if (text == data(index, Qt::EditRole).toString())
        return false;
    core::Dataset after = m_data;
    auto& p = after.pairs[static_cast<std::size_t>(index.row())];
    auto answers = [&text] {
        std::vector<std::string> out;
        for (const QString& part : text.split(kAnswerSeparator))
            if (!part.isEmpty())
                out.push_back(part.toStdString());
        return out;
    };
    switch (index.column()) {
    case CleanColumn:
        p.clean = text.toStdString();
        p.cleanIds.clear();
        break;
    case CorruptedColumn:
        p.corrupted = text.toStdString();
        p.corruptedIds.clear();
        break;
    case AnswerColumn:
        p.answers = answers();
        p.answerIds.clear();
        break;
    case WrongAnswerColumn:
        p.wrongAnswers = answers();
        p.wrongAnswerIds.clear();
        break;
    default: return false;
    }
    m_undo->push(new EditCommand(this, m_data, std::move(after),
                                 tr("Edit %1 of row %2").arg(headerData(index.column(), Qt::Horizontal).toString().toLower())
                                     .arg(p.row)));
    return true;
}

void PairTableModel::setDataset(core::Dataset data, const QString& undoText)
{
    if (undoText.isEmpty()) {
        m_undo->clear();
        replaceAll(data);
        return;
    }
    m_undo->push(new EditCommand(this, m_data, std::move(data), undoText));
}

void PairTableModel::setEncoder(TextEncoder encoder)
{
    m_encoder = std::move(encoder);
    revalidate();
    // The rows stay (and so does the view's selection): every cell may read differently.
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    Q_EMIT changed();
}

void PairTableModel::addPair(int before)
{
    core::Dataset after = m_data;
    core::PromptPair pair;
    pair.row = nextRowNumber(m_data);
    const auto at = before < 0 || before > static_cast<int>(after.pairs.size()) ? after.pairs.end()
                                                                              : after.pairs.begin() + before;
    after.pairs.insert(at, pair);
    m_undo->push(new EditCommand(this, m_data, std::move(after), tr("Add a pair")));
}

void PairTableModel::removePairs(QVector<int> rows)
{
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.isEmpty())
        return;
    core::Dataset after = m_data;
    for (auto it = rows.crbegin(); it != rows.crend(); ++it)
        if (*it >= 0 && *it < static_cast<int>(after.pairs.size()))
            after.pairs.erase(after.pairs.begin() + *it);
    m_undo->push(new EditCommand(this, m_data, std::move(after),
                                 rows.size() == 1 ? tr("Delete a pair") : tr("Delete %1 pairs").arg(rows.size())));
}

int PairTableModel::dropInvalid()
{
    QVector<int> bad;
    for (int r = 0; r < rowCount(); ++r)
        if (severity(r) == Error)
            bad << r;
    if (bad.isEmpty())
        return 0;
    core::Dataset after = m_data;
    for (auto it = bad.crbegin(); it != bad.crend(); ++it)
        after.pairs.erase(after.pairs.begin() + *it);
    m_undo->push(new EditCommand(this, m_data, std::move(after), tr("Drop %1 invalid pairs").arg(bad.size())));
    return static_cast<int>(bad.size());
}

void PairTableModel::replaceAll(const core::Dataset& data)
{
    beginResetModel();
    m_data = data;
    revalidate();
    endResetModel();
    Q_EMIT changed();
}

void PairTableModel::revalidate()
{
    const int n = static_cast<int>(m_data.pairs.size());
    m_issues = QVector<QStringList>(n);
    m_severity = QVector<int>(n, NoIssue);
    m_fileIssues.clear();
    m_filled = m_data;
    m_validRows = 0;
    m_validated = false;
    if (!m_encoder) {
        for (const auto& w : m_data.warnings)
            m_fileIssues << toQString(w);
        return;
    }
    const TextEncoder encoder = m_encoder;
    const core::ValidationReport report = core::validateDataset(
        m_filled, *encoder.tokenizer, [encoder](const std::string& text) { return encoder.encodePrompt(text); });
    m_validated = true;
    m_validRows = report.validRows;
    QHash<int, int> indexOfRow;
    for (int i = 0; i < n; ++i)
        indexOfRow.insert(m_data.pairs[static_cast<std::size_t>(i)].row, i);
    for (const auto& issue : report.issues) {
        const QString message = toQString(issue.message);
        if (issue.row == 0 || !indexOfRow.contains(issue.row)) {
            m_fileIssues << message;
            continue;
        }
        const int i = indexOfRow.value(issue.row);
        m_issues[i] << message;
        const int sev = issue.severity == core::DatasetIssue::Severity::Error ? Error : Warning;
        m_severity[i] = std::max(m_severity[i], sev);
    }
}

int PairTableModel::errorRows() const
{
    return static_cast<int>(std::count(m_severity.cbegin(), m_severity.cend(), static_cast<int>(Error)));
}

QStringList PairTableModel::fileIssues() const { return m_fileIssues; }

QStringList PairTableModel::rowIssues(int row) const { return m_issues.value(row); }

PairTableModel::Severity PairTableModel::severity(int row) const
{
    return static_cast<Severity>(m_severity.value(row, NoIssue));
}

core::Dataset PairTableModel::runnable(QString* why) const
{
    core::Dataset out;
    out.source = m_data.source;
    out.format = m_data.format;
    out.task = m_data.task;
    auto fail = [&](const QString& message) {
        if (why)
            *why = message;
        return core::Dataset();
    };
    if (m_data.pairs.empty())
        return fail(tr("There are no prompt pairs."));
    if (!m_validated)
        return fail(tr("The pairs are not validated: load a model with a tokenizer."));
    for (int r = 0; r < rowCount(); ++r)
        if (severity(r) != Error)
            out.pairs.push_back(m_filled.pairs[static_cast<std::size_t>(r)]);
    if (out.pairs.empty())
        return fail(tr("Every pair has errors: fix them or generate new pairs."));
    if (why)
        why->clear();
    return out;
}

} // namespace patchbay::ui
