// SPDX-License-Identifier: MIT
#pragma once

#include "core/methods/attribution.h"
#include "core/graph/circuit.h"
#include "core/data/dataset.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace patchbay::core {

// One attribution run kept in a session: what the app's result cache holds.
struct SessionRun
{
    std::string key;                            // the cache key (model | pairs | settings)
    std::map<std::string, std::string> settings; // the run settings by name (method, metric, …)
    std::string modelKey;                       // the weights fingerprint of the model it ran on
    std::string datasetKey;                     // identifies the pairs it ran on
    std::string datasetName;                    // the pairs' file name, or "generated ioi" ("" in older files)
    int pairs = 0;
    AttributionResult scores;
    std::optional<Circuit> circuit;
};

// Everything a user's work needs to come back: the model (path and weights fingerprint,
// so a changed model is noticed), the prompt pairs themselves (not only their file), the
// run settings, every run with its scores and circuit, node labels and groups, and the
// view state. The file is JSON ("format": "patchbay-session"), written whole or not at
// all (writeSession replaces the file only once the text is complete).
struct Session
{
    std::filesystem::path modelPath;
    std::string modelFingerprint;
    std::string device = "cpu";
    std::string dtype = "float32";

    std::optional<Dataset> dataset; // the pairs as edited (native JSON inside the session)
    std::string datasetFile;        // where they were last read from or written to (may be empty)

    std::map<std::string, std::string> settings; // the run panel's settings by name
    std::vector<SessionRun> runs;
    std::string currentRun; // key of the run on show
    std::optional<Circuit> canvas; // the circuit on the graph canvas as edited (kept edges, labels)
    std::string canvasTitle;

    std::map<std::string, std::string> labels; // node name -> user label
    std::map<std::string, std::string> groups; // node name -> group name
    std::map<std::string, std::string> view;   // view state by name (selection, tabs, …)
};

std::string sessionToString(const Session& session);
// Throws core::Error naming `where` and the field at fault; unknown fields are ignored,
// a newer format version is refused.
Session parseSession(const std::string& text, const std::string& where);

void writeSession(const Session& session, const std::filesystem::path& file);
Session readSession(const std::filesystem::path& file);

} // namespace patchbay::core
