// SPDX-License-Identifier: MIT
// What the parts of MainWindow (mainwindow*.cpp) share and nothing else uses.
#pragma once

#include <QString>

namespace patchbay::core {
struct Dataset;
}

namespace patchbay::ui {

inline constexpr int kAutosaveDelayMs = 2000;
inline const QString kSessionSuffix = QStringLiteral(".pbsession");

// Where sessions and autosaves are kept (the application's local data folder).
QString sessionsDirectory();

// Identifies the pairs a run uses: a hash of their text and ids.
QString datasetKey(const core::Dataset& data);

} // namespace patchbay::ui
