// SPDX-License-Identifier: MIT
#include "ui/modelsummary.h"
#include "ui/strings.h"

#include "core/model/model.h"

#include <QDir>
#include <QFileInfo>

namespace patchbay::ui {

ModelSummary summariseModel(const core::Model& model)
{
    const core::ModelInfo& info = model.info();
    const core::ModelConfig& config = info.config;
    ModelSummary s;
    s.path = QDir::cleanPath(QFileInfo(toQString(info.path.string())).absoluteFilePath());
    s.name = QFileInfo(s.path).fileName();
    s.family = toQString(config.family);
    s.architecture = toQString(config.modelType);
    s.layers = config.nLayers;
    s.heads = config.nHeads;
    s.kvHeads = config.nKvHeads;
    s.dModel = config.dModel;
    s.dHead = config.dHead;
    s.dMlp = config.dMlp;
    s.dVocab = config.dVocab;
    s.context = config.nCtx;
    s.parameters = info.parameterCount;
    s.tokenizerKind = toQString(info.tokenizerKind);
    s.prependsBos = info.prependBos;
    s.dtype = toQString(info.dtype);
    s.weightsDtype = toQString(info.weightsDtype);
    s.weightFiles = toQString(info.weightFiles);
    s.device = toQString(info.device);
    s.fingerprint = toQString(info.weightsFingerprint);
    s.loadSeconds = info.loadSeconds;
    return s;
}

} // namespace patchbay::ui
