// SPDX-License-Identifier: MIT
#include "ui/pairseditor.h"
#include "ui/strings.h"

#include "core/data/tasks.h"
#include "core/tokenize/tokenizer.h"
#include "ui/pairtable.h"

#include <QAction>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace patchbay::ui {

namespace {

constexpr int kRowHeight = 26;
constexpr int kTop = 18; // position numbers
constexpr int kPad = 6;

} // namespace

// ---- TokenView ---------------------------------------------------------------------------

TokenView::TokenView(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("tokenView"));
    clear(tr("Select a pair to see its tokens"));
}

void TokenView::clear(const QString& placeholder)
{
    m_clean.clear();
    m_corrupted.clear();
    m_differs.clear();
    m_answers.clear();
    m_bos = false;
    m_placeholder = placeholder;
    updateGeometry();
    update();
}

void TokenView::setPair(const core::PromptPair& pair, const TextEncoder& encoder)
{
    if (!encoder) {
        clear(tr("Load a model with a tokenizer to see tokens"));
        return;
    }
    auto ids = [&](const std::string& text, const std::vector<int32_t>& given) {
        if (!given.empty())
            return given;
        try {
            return encoder.encodePrompt(text);
        } catch (const std::exception&) {
            return std::vector<int32_t>();
        }
    };
    const auto clean = ids(pair.clean, pair.cleanIds), corrupted = ids(pair.corrupted, pair.corruptedIds);
    m_clean.clear();
    m_corrupted.clear();
    m_differs.clear();
    for (const int32_t id : clean)
        m_clean << tokenLabel(encoder, id);
    for (const int32_t id : corrupted)
        m_corrupted << tokenLabel(encoder, id);
    const std::size_t n = std::max(clean.size(), corrupted.size());
    for (std::size_t p = 0; p < n; ++p)
        if (p >= clean.size() || p >= corrupted.size() || clean[p] != corrupted[p])
            m_differs << static_cast<int>(p);
    m_bos = encoder.bos.has_value() && !clean.empty() && clean.front() == *encoder.bos;

    QStringList answers, wrong;
    for (const auto& a : pair.answers)
        answers << toQString(a).replace(QLatin1Char(' '), QStringLiteral("·"));
    for (const int32_t id : pair.answerIds)
        if (pair.answers.empty())
            answers << tokenLabel(encoder, id);
    for (const auto& a : pair.wrongAnswers)
        wrong << toQString(a).replace(QLatin1Char(' '), QStringLiteral("·"));
    for (const int32_t id : pair.wrongAnswerIds)
        if (pair.wrongAnswers.empty())
            wrong << tokenLabel(encoder, id);
    m_answers = tr("answer %1   wrong %2").arg(answers.join(QStringLiteral(" | ")), wrong.join(QStringLiteral(" | ")));
    m_placeholder.clear();
    updateGeometry();
    update();
}

int TokenView::boxWidth(int position) const
{
    const QFontMetrics fm(font());
    const int a = position < m_clean.size() ? fm.horizontalAdvance(m_clean[position]) : 0;
    const int b = position < m_corrupted.size() ? fm.horizontalAdvance(m_corrupted[position]) : 0;
    return std::max({a, b, fm.horizontalAdvance(QString::number(position))}) + 2 * kPad;
}

QSize TokenView::sizeHint() const
{
    const int n = static_cast<int>(std::max(m_clean.size(), m_corrupted.size()));
    int width = 90;
    for (int p = 0; p < n; ++p)
        width += boxWidth(p) + 2;
    width = std::max(width, 90 + QFontMetrics(font()).horizontalAdvance(m_answers) + 20);
    return {width, kTop + 3 * kRowHeight + 8};
}

// As wide as the tokens: in its scroll area a long prompt scrolls sideways instead of being
// cut off after the positions that fit (issue 24 item 7).
QSize TokenView::minimumSizeHint() const { return {std::max(200, sizeHint().width()), kTop + 3 * kRowHeight + 8}; }

void TokenView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    if (!m_placeholder.isEmpty()) {
        painter.setPen(palette().color(QPalette::Disabled, QPalette::Text));
        painter.drawText(rect(), Qt::AlignCenter, m_placeholder);
        return;
    }
    const QFontMetrics fm(font());
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QRect(4, kTop, 80, kRowHeight), Qt::AlignVCenter, tr("clean"));
    painter.drawText(QRect(4, kTop + kRowHeight, 80, kRowHeight), Qt::AlignVCenter, tr("corrupted"));
    const int n = static_cast<int>(std::max(m_clean.size(), m_corrupted.size()));
    int x = 90;
    const QColor differ(0xff, 0xd5, 0x4f), normal(0xe8, 0xee, 0xf7), bos(0xee, 0xee, 0xee);
    for (int p = 0; p < n; ++p) {
        const int w = boxWidth(p);
        const bool differs = m_differs.contains(p);
        painter.setPen(palette().color(QPalette::Disabled, QPalette::Text));
        painter.drawText(QRect(x, 0, w, kTop), Qt::AlignCenter, QString::number(p));
        for (int row = 0; row < 2; ++row) {
            const QStringList& tokens = row == 0 ? m_clean : m_corrupted;
            if (p >= tokens.size())
                continue;
            const QRect box(x, kTop + row * kRowHeight + 2, w, kRowHeight - 4);
            const bool isBos = m_bos && p == 0;
            painter.setPen(QPen(differs ? QColor(0xc7, 0x8b, 0x00) : QColor(0xb0, 0xbc, 0xcc)));
            painter.setBrush(differs ? differ : isBos ? bos : normal);
            painter.drawRoundedRect(box, 3, 3);
            painter.setPen(isBos ? palette().color(QPalette::Disabled, QPalette::Text) : palette().color(QPalette::Text));
            painter.drawText(box, Qt::AlignCenter, tokens[p]);
        }
        x += w + 2;
    }
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QRect(90, kTop + 2 * kRowHeight, width() - 90, kRowHeight), Qt::AlignVCenter,
                     fm.elidedText(m_answers, Qt::ElideRight, std::max(0, width() - 96)));
}

// ---- PromptEditor ------------------------------------------------------------------------

PromptEditor::PromptEditor(QWidget* parent) : QWidget(parent), m_model(new PairTableModel(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);

    auto* toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("pairToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->setIconSize(QSize(16, 16));
    QAction* add = toolbar->addAction(tr("Add"), this, [this] {
        m_model->addPair(selectedPair() < 0 ? -1 : selectedPair() + 1);
    });
    add->setToolTip(tr("Add an empty pair after the selected one"));
    QAction* remove = toolbar->addAction(tr("Delete"), this, [this] {
        QVector<int> rows;
        for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
            rows << index.row();
        m_model->removePairs(rows);
    });
    remove->setToolTip(tr("Delete the selected pairs"));
    toolbar->addSeparator();
    // Undo and Redo keep their one-word labels (QUndoStack's own actions grew to "Undo Open
    // induction.csv" and pushed the rest of the bar about); what they would undo is in the
    // tooltip.
    QUndoStack* stack = m_model->undoStack();
    QAction* undo = toolbar->addAction(tr("Undo"), stack, &QUndoStack::undo);
    QAction* redo = toolbar->addAction(tr("Redo"), stack, &QUndoStack::redo);
    undo->setObjectName(QStringLiteral("pairsUndo"));
    redo->setObjectName(QStringLiteral("pairsRedo"));
    auto updateUndo = [stack, undo, redo] {
        undo->setEnabled(stack->canUndo());
        redo->setEnabled(stack->canRedo());
        undo->setToolTip(stack->canUndo() ? tr("Undo: %1").arg(stack->undoText()) : tr("Nothing to undo"));
        redo->setToolTip(stack->canRedo() ? tr("Redo: %1").arg(stack->redoText()) : tr("Nothing to redo"));
    };
    connect(stack, &QUndoStack::canUndoChanged, this, updateUndo);
    connect(stack, &QUndoStack::canRedoChanged, this, updateUndo);
    connect(stack, &QUndoStack::undoTextChanged, this, updateUndo);
    connect(stack, &QUndoStack::redoTextChanged, this, updateUndo);
    updateUndo();
    toolbar->addSeparator();
    toolbar->addAction(tr("Import…"), this, &PromptEditor::chooseImport)->setToolTip(tr("Open prompt pairs from a file"));
    toolbar->addAction(tr("Export…"), this, &PromptEditor::chooseExport)
        ->setToolTip(tr("Save the pairs as native CSV/JSON, EAP-IG CSV or auto-circuit JSON"));
    toolbar->addAction(tr("Generate…"), this, &PromptEditor::chooseGenerate)
        ->setToolTip(tr("Generate pairs for IOI, greater-than, induction or docstring"));
    toolbar->addSeparator();
    QAction* drop = toolbar->addAction(tr("Drop invalid"), this, [this] { m_model->dropInvalid(); });
    drop->setToolTip(tr("Delete every pair with an error (undoable)"));
    layout->addWidget(toolbar);

    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("datasetHeader"));
    // One line, not wrapped: a wrapped label has height-for-width, and the dock's scroll area
    // then sizes the editor to its preferred height (the table's) instead of the dock's,
    // which scrolled the token strip and its scroll bar out of sight at the default window
    // size. A line too long for the dock is cut; the tooltip has it whole.
    m_header->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_header);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(QStringLiteral("pairView"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::AnyKeyPressed);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    auto* header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(PairTableModel::CleanColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(PairTableModel::CorruptedColumn, QHeaderView::Stretch);
    m_table->setColumnWidth(PairTableModel::RowColumn, 48);
    m_table->setColumnWidth(PairTableModel::AnswerColumn, 90);
    m_table->setColumnWidth(PairTableModel::WrongAnswerColumn, 100);
    m_table->setColumnWidth(PairTableModel::TokensColumn, 64);
    m_table->setColumnWidth(PairTableModel::StatusColumn, 70);
    auto* scroll = new QScrollArea(splitter);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::StyledPanel);
    scroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_tokens = new TokenView(scroll);
    scroll->setWidget(m_tokens);
    scroll->setMinimumHeight(m_tokens->minimumSizeHint().height() + 18);
    scroll->setMaximumHeight(m_tokens->minimumSizeHint().height() + 24);
    splitter->addWidget(m_table);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setCollapsible(0, false);
    layout->addWidget(splitter, 1);

    connect(m_model, &PairTableModel::changed, this, [this] {
        // The file the pairs came from follows Undo/Redo (generated pairs have none).
        m_file = toQString(m_model->dataset().source.string());
        if (!m_table->selectionModel()->currentIndex().isValid() && m_model->rowCount() > 0)
            m_table->selectRow(0);
        updateHeader();
        showSelectedPair();
        Q_EMIT datasetChanged();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &PromptEditor::showSelectedPair);
    updateHeader();
}

const core::Dataset& PromptEditor::dataset() const { return m_model->dataset(); }
core::Dataset PromptEditor::runnableDataset(QString* why) const { return m_model->runnable(why); }
int PromptEditor::pairCount() const { return m_model->rowCount(); }
int PromptEditor::errorRows() const { return m_model->errorRows(); }
QUndoStack* PromptEditor::undoStack() const { return m_model->undoStack(); }
QString PromptEditor::headerText() const { return m_header->text(); }

bool PromptEditor::openFile(const QString& file, QString* error)
{
    core::Dataset data;
    try {
        data = core::readDataset(file.toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = toQString(e.what());
        return false;
    }
    // Opening replaces the pairs as one undoable step (pairs edited or generated before it
    // come back with Undo); the file's pairs are the saved state of the stack.
    data.source = QFileInfo(file).absoluteFilePath().toStdString();
    const QString undoText = m_model->rowCount() > 0 ? tr("Open %1").arg(QFileInfo(file).fileName()) : QString();
    setDataset(std::move(data), undoText);
    m_model->undoStack()->setClean();
    return true;
}

bool PromptEditor::exportFile(const QString& file, core::DatasetFormat format, QString* error)
{
    // EAP-IG needs answer ids: the validated pairs carry them.
    QString why;
    core::Dataset data = format == core::DatasetFormat::EapIgCsv ? m_model->runnable(&why) : m_model->dataset();
    if (format == core::DatasetFormat::EapIgCsv && data.pairs.size() != m_model->dataset().pairs.size()) {
        if (error)
            *error = why.isEmpty() ? tr("%1: EAP-IG CSV needs every pair valid (%2 have errors)")
                                         .arg(file)
                                         .arg(m_model->errorRows())
                                   : QStringLiteral("%1: %2").arg(file, why);
        return false;
    }
    try {
        core::writeDataset(data, file.toStdString(), format);
    } catch (const std::exception& e) {
        if (error)
            *error = toQString(e.what());
        return false;
    }
    m_model->undoStack()->setClean(); // the pairs as they are now are in a file
    return true;
}

void PromptEditor::setDataset(core::Dataset data, const QString& undoText)
{
    m_model->setDataset(std::move(data), undoText);
    if (m_model->rowCount() > 0)
        m_table->selectRow(0);
}

void PromptEditor::setGenerated(core::GeneratedTask generated)
{
    // No file yet: the pairs are named after their task ("generated ioi" in results).
    generated.data.source.clear();
    if (generated.data.task.empty())
        generated.data.task = generated.task;
    const QString undoText = tr("Generate %1 pairs").arg(toQString(generated.task));
    setDataset(std::move(generated.data), undoText);
}

void PromptEditor::setEncoder(TextEncoder encoder) { m_model->setEncoder(std::move(encoder)); }

void PromptEditor::selectPair(int pair)
{
    if (pair == selectedPair())
        return;
    if (pair >= 0 && pair < m_model->rowCount())
        m_table->selectRow(pair);
    else
        m_table->selectionModel()->clear();
}

int PromptEditor::selectedPair() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void PromptEditor::showSelectedPair()
{
    const int row = selectedPair();
    if (row < 0 || row >= m_model->rowCount())
        m_tokens->clear(tr("Select a pair to see its tokens"));
    else
        m_tokens->setPair(m_model->dataset().pairs[static_cast<std::size_t>(row)], m_model->encoder());
    if (row != m_lastSelected) {
        m_lastSelected = row;
        Q_EMIT selectedPairChanged(row);
    }
}

void PromptEditor::updateHeader()
{
    const int n = m_model->rowCount();
    if (n == 0 && m_file.isEmpty()) {
        m_header->setText(tr("No prompt pairs yet: Import… a file or Generate… a task."));
        return;
    }
    const core::Dataset& data = m_model->dataset();
    QString text = tr("<b>%1</b> · %2 · pairs: %3")
                       .arg(m_file.isEmpty() ? tr("unsaved pairs") : QFileInfo(m_file).fileName().toHtmlEscaped(),
                            toQString(core::datasetFormatName(data.format)))
                       .arg(n);
    if (!data.task.empty())
        text += tr(" · task %1").arg(toQString(data.task));
    if (!m_model->validated())
        text += tr(" · not validated (no model tokenizer yet)");
    else if (m_model->errorRows() == 0)
        text += tr(" · all valid");
    else
        text += tr(" · <span style=\"color:#b00020\">with errors: %1</span> (hover a red row)").arg(m_model->errorRows());
    for (const QString& issue : m_model->fileIssues())
        text += QStringLiteral("<br>") + issue.toHtmlEscaped();
    m_header->setText(text);
    m_header->setToolTip(m_file.isEmpty() ? text : m_file.toHtmlEscaped() + QStringLiteral("<br>") + text);
}

// ---- dialogs -----------------------------------------------------------------------------

void PromptEditor::chooseImport()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Import Prompt Pairs"), QFileInfo(m_file).absolutePath(),
                                                      tr("Prompt pairs (*.csv *.json);;All files (*)"));
    if (file.isEmpty())
        return;
    QString error;
    if (!openFile(file, &error))
        Q_EMIT errorOccurred(error);
}

void PromptEditor::chooseExport()
{
    const QList<QPair<QString, core::DatasetFormat>> formats = {
        {tr("Native CSV (*.csv)"), core::DatasetFormat::NativeCsv},
        {tr("Native JSON (*.json)"), core::DatasetFormat::NativeJson},
        {tr("EAP-IG CSV (*.csv)"), core::DatasetFormat::EapIgCsv},
        {tr("auto-circuit JSON (*.json)"), core::DatasetFormat::AutoCircuitJson},
    };
    QStringList filters;
    for (const auto& f : formats)
        filters << f.first;
    QString chosen;
    const QString file =
        QFileDialog::getSaveFileName(this, tr("Export Prompt Pairs"), QFileInfo(m_file).absolutePath(), filters.join(QStringLiteral(";;")), &chosen);
    if (file.isEmpty())
        return;
    core::DatasetFormat format = core::DatasetFormat::NativeCsv;
    for (const auto& f : formats)
        if (f.first == chosen)
            format = f.second;
    QString error;
    if (!exportFile(file, format, &error))
        Q_EMIT errorOccurred(error);
}

void PromptEditor::chooseGenerate()
{
    const TextEncoder& encoder = m_model->encoder();
    if (!encoder) {
        Q_EMIT errorOccurred(tr("Generating pairs needs the model's tokenizer: load a model first."));
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Generate Prompt Pairs"));
    auto* form = new QFormLayout(&dialog);
    auto* task = new QComboBox(&dialog);
    for (const auto& info : core::taskInfos()) {
        task->addItem(toQString(info.name), toQString(info.name));
        task->setItemData(task->count() - 1, toQString(info.summary), Qt::ToolTipRole);
    }
    auto* corruption = new QComboBox(&dialog);
    auto* n = new QSpinBox(&dialog);
    n->setRange(1, 100000);
    n->setValue(100);
    auto* seed = new QSpinBox(&dialog);
    seed->setRange(0, 1'000'000);
    auto* templates = new QComboBox(&dialog);
    templates->addItems({QStringLiteral("mixed"), QStringLiteral("abba"), QStringLiteral("baba")});
    auto* length = new QSpinBox(&dialog);
    length->setRange(2, 200);
    length->setValue(10);
    auto* summary = new QLabel(&dialog);
    summary->setWordWrap(true);
    form->addRow(tr("Task:"), task);
    form->addRow(QString(), summary);
    form->addRow(tr("Corruption:"), corruption);
    form->addRow(tr("Pairs:"), n);
    form->addRow(tr("Seed:"), seed);
    form->addRow(tr("IOI templates:"), templates);
    form->addRow(tr("Induction length T:"), length);
    auto update = [&] {
        const auto& info = core::taskInfo(task->currentData().toString().toStdString());
        summary->setText(toQString(info.summary));
        corruption->clear();
        for (const auto& c : info.corruptions)
            corruption->addItem(toQString(c));
        templates->setEnabled(info.name == "ioi");
        length->setEnabled(info.name == "induction");
    };
    connect(task, &QComboBox::currentIndexChanged, &dialog, update);
    update();
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    core::TaskOptions options;
    options.task = task->currentData().toString().toStdString();
    options.n = n->value();
    options.seed = static_cast<uint64_t>(seed->value());
    options.corruption = corruption->currentText().toStdString();
    options.templates = templates->currentText().toStdString();
    options.length = length->value();
    QString error;
    if (!generate(options, &error))
        Q_EMIT errorOccurred(error);
}

bool PromptEditor::generate(const core::TaskOptions& options, QString* error)
{
    const TextEncoder& encoder = m_model->encoder();
    if (!encoder) {
        *error = tr("Generating pairs needs the model's tokenizer: load a model first.");
        return false;
    }
    try {
        setGenerated(core::generateTask(options, *encoder.tokenizer));
    } catch (const std::exception& e) {
        *error = toQString(e.what());
        return false;
    }
    return true;
}

} // namespace patchbay::ui
