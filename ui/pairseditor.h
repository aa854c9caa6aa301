// SPDX-License-Identifier: MIT
#pragma once

#include "core/data/dataset.h"
#include "core/data/tasks.h"
#include "ui/textencoder.h"

#include <QStringList>
#include <QVector>
#include <QWidget>

class QLabel;
class QTableView;
class QUndoStack;

namespace patchbay::ui {

class PairTableModel;

// The tokens of one prompt pair as the model reads them: two rows of boxes (clean above
// corrupted) with their positions, the positions where the two differ highlighted, BOS
// greyed, and the answer / wrong answer at the end. A leading space shows as "·".
class TokenView final : public QWidget
{
    Q_OBJECT

public:
    explicit TokenView(QWidget* parent = nullptr);

    void setPair(const core::PromptPair& pair, const TextEncoder& encoder);
    void clear(const QString& placeholder);

    QStringList cleanTokens() const { return m_clean; }
    QStringList corruptedTokens() const { return m_corrupted; }
    QVector<int> differingPositions() const { return m_differs; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int boxWidth(int position) const;

    QStringList m_clean, m_corrupted;
    QVector<int> m_differs;
    bool m_bos = false;
    QString m_answers;
    QString m_placeholder;
};

// The "Prompt pairs" dock: a toolbar (add, delete, undo, redo, import, export, generate,
// drop invalid rows), a header with the file and the validation summary, the editable
// table, and the token view of the selected pair. File errors come back as messages; the
// pairs on show stay as they were. GUI thread only.
class PromptEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit PromptEditor(QWidget* parent = nullptr);

    // Reads a prompt-pair file (any format of core::readDataset); false and *error (naming
    // the file and row) when it cannot be read, keeping the current pairs. Replacing pairs
    // is undoable; the undo stack is clean while the pairs are those of a file (opened or
    // exported), so !undoStack()->isClean() means pairs that exist in no file.
    bool openFile(const QString& file, QString* error);
    // Writes the pairs in `format`; false and *error when they cannot be expressed in it.
    bool exportFile(const QString& file, core::DatasetFormat format, QString* error);
    // New pairs (e.g. generated), undoable.
    void setDataset(core::Dataset data, const QString& undoText = {});
    // Generated pairs (Generate…), undoable, named after their task.
    void setGenerated(core::GeneratedTask generated);
    // Generates pairs with the model's tokenizer (what Generate… does once its dialog is
    // answered); false and *error when there is no tokenizer or the task cannot be built.
    bool generate(const core::TaskOptions& options, QString* error);
    // The model's tokenizer: every pair is validated again.
    void setEncoder(TextEncoder encoder);

    const core::Dataset& dataset() const;
    core::Dataset runnableDataset(QString* why) const;
    int pairCount() const;
    int errorRows() const;
    QString fileName() const { return m_file; }
    QUndoStack* undoStack() const;
    PairTableModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    TokenView* tokenView() const { return m_tokens; }
    QString headerText() const;
    // The row the table shows as current: the shared selection's pair (out of range: none).
    void selectPair(int pair);
    int selectedPair() const;

    // The dialogs (not used by tests).
    void chooseImport();
    void chooseExport();
    void chooseGenerate();

Q_SIGNALS:
    void datasetChanged();
    void errorOccurred(const QString& message);
    void selectedPairChanged(int pair); // -1: none

private:
    void updateHeader();
    void showSelectedPair();

    PairTableModel* m_model = nullptr;
    QLabel* m_header = nullptr;
    QTableView* m_table = nullptr;
    TokenView* m_tokens = nullptr;
    QString m_file;
    int m_lastSelected = -2;
};

} // namespace patchbay::ui
