// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace patchbay::core {
class Model;
}

namespace patchbay::ui {

// What the window shows about a loaded model: display strings and numbers copied out of
// core::ModelInfo on the loading thread, so the GUI never touches the model itself.
struct ModelSummary
{
    QString name;         // the directory's name ("gpt2", "demo")
    QString path;         // absolute directory
    QString family;       // implementation family: gpt2, gpt_neox, llama
    QString architecture; // config.json model_type
    int layers = 0;
    int heads = 0;
    int kvHeads = 0; // < heads: grouped-query attention
    int dModel = 0;
    int dHead = 0;
    int dMlp = 0;
    int dVocab = 0;
    int context = 0;
    qint64 parameters = 0;
    QString tokenizerKind; // empty when the directory has no tokenizer
    bool prependsBos = false;
    QString dtype;        // compute dtype
    QString weightsDtype; // as stored
    QString weightFiles;
    QString device;
    QString fingerprint; // core::ModelInfo::weightsFingerprint: sessions and result caches key on it
    double loadSeconds = 0.0;
};

// Copies the display facts out of a loaded model (any thread: reads info() only).
ModelSummary summariseModel(const core::Model& model);

} // namespace patchbay::ui
