// SPDX-License-Identifier: MIT
#pragma once

#include "ui/computeworker.h"
#include "ui/textencoder.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QTableWidget;

namespace patchbay::ui {

// The logit lens of the selected pair's clean prompt: one row a stage (the embeddings,
// then the residual stream after each block), the tracked answers' probability and rank,
// then the top tokens with their probabilities, each cell tinted by its probability. The
// answer's cells are marked green and the wrong answer's red wherever they appear. The
// position to decode is chosen in a combo box (the last token, where the answer is read,
// by default). GUI thread only; the numbers come from ComputeWorker::logitLens.
class LogitLensView final : public QWidget
{
    Q_OBJECT

public:
    explicit LogitLensView(QWidget* parent = nullptr);

    // The prompt whose lens is asked for: fills the position box (keeps the chosen
    // position when the length is the same, else selects the last token).
    void setPrompt(const std::vector<int32_t>& ids, const TextEncoder& encoder);
    // The answers to track (nullopt: none known).
    void setAnswers(std::optional<int32_t> answer, std::optional<int32_t> wrongAnswer);
    // The position chosen in the box (0-based; -1 when there is no prompt).
    int position() const;
    // Shows a result of the prompt last set.
    void setLens(const LogitLensResult& lens, const TextEncoder& encoder);
    // Empties the table and shows `message` in its place.
    void clear(const QString& message);

    QTableWidget* table() const { return m_table; }
    QString message() const;

Q_SIGNALS:
    void positionChanged(int position);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override; // the table's viewport resized

private:
    // Columns at their contents' width where they fit the view, else all of one width that
    // does (text elided, the full value in the tooltip): top 2…5 were scrolled out of sight.
    void fitColumns();

    QComboBox* m_position = nullptr;
    QLabel* m_message = nullptr;
    QTableWidget* m_table = nullptr;
    std::optional<int32_t> m_answer, m_wrongAnswer;
};

} // namespace patchbay::ui
