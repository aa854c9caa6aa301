// SPDX-License-Identifier: MIT
// MainWindow: Run > Find Induction and Previous-Token Heads (issue 22.5).
#include "ui/mainwindow.h"
#include "ui/strings.h"

#include "ui/graphcanvas.h"
#include "ui/headroles.h"
#include "ui/heatmap.h"
#include "ui/runpanel.h"

#include <QLocale>
#include <QStatusBar>
#include <QTabWidget>

#include <set>

namespace patchbay::ui {

bool MainWindow::findHeadRoles()
{
    if (!m_worker->hasModel()) {
        showError(tr("Load a model first."));
        return false;
    }
    m_headsJob = m_worker->scoreHeads(core::HeadScoreOptions{});
    m_runPanel->setRunning(true);
    m_runPanel->setStatus(tr("Finding induction heads…"));
    return true;
}

void MainWindow::onHeadScores(const HeadScoresResult& result)
{
    if (result.job != m_headsJob || !result.scores)
        return;
    const core::HeadScores& scores = *result.scores;
    m_runPanel->setRunning(false);
    m_headMap->setData(headRolesHeatmap(scores));
    m_scoreTabs->setCurrentWidget(m_headMap);
    // The labels: on the graph's circuit when one is drawn (its labels follow into the
    // window's through labelsChanged), else the window's own, which the next circuit gets.
    const auto labels = withHeadRoleLabels(m_labels, scores);
    std::set<std::string> nodes;
    for (const auto& [node, unused] : m_labels)
        nodes.insert(node);
    for (const auto& [node, unused] : labels)
        nodes.insert(node);
    for (const auto& node : nodes) {
        const auto it = labels.find(node);
        const QString text = it == labels.end() ? QString() : toQString(it->second);
        if (m_canvas->hasCircuit())
            m_canvas->setNodeLabel(toQString(node), text);
    }
    if (!m_canvas->hasCircuit() && labels != m_labels) {
        m_labels = labels;
        markUnsaved();
    }
    const QString summary = tr("Induction heads: %1. Previous-token heads: %2. (%3 s; labelled on the graph)")
                                .arg(headRoleSummary(scores, scores.induction), headRoleSummary(scores, scores.previousToken),
                                     QLocale().toString(result.seconds, 'f', 1));
    m_runPanel->setStatus(summary);
    statusBar()->showMessage(summary, 15000);
}

} // namespace patchbay::ui
