// SPDX-License-Identifier: MIT
#include "ui/modelloader.h"

#include "core/dataset.h"
#include "core/model.h"
#include "core/system.h"
#include "core/tokenizer.h"

#include <QDir>
#include <QFileInfo>

#include <filesystem>
#include <string>
#include <vector>

namespace patchbay::ui {

namespace fs = std::filesystem;

namespace {

// Qt strings are UTF-16, std::filesystem paths on Linux are the UTF-8 bytes.
fs::path toPath(const QString& path) { return fs::path(path.toStdString()); }
QString toQString(const std::string& text) { return QString::fromStdString(text); }

QString absolute(const QString& path)
{
    return path.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

QString idList(const std::vector<int32_t>& ids)
{
    QStringList parts;
    parts.reserve(static_cast<int>(ids.size()));
    for (const int32_t id : ids)
        parts << QString::number(id);
    return QLatin1Char('[') + parts.join(QLatin1Char(' ')) + QLatin1Char(']');
}

// A prompt as text: its own text, else its ids decoded (ids-only formats), else the ids.
QString promptText(const std::string& text, const std::vector<int32_t>& ids, const core::Tokenizer* tokenizer)
{
    if (!text.empty() || ids.empty())
        return toQString(text);
    if (tokenizer) {
        try {
            return toQString(tokenizer->decode(ids));
        } catch (const std::exception&) {
            // an id outside the vocabulary: validation reports it; show the ids
        }
    }
    return idList(ids);
}

// Answers quoted, so that the leading space that is part of the token shows; answers given
// as ids as their token text and id.
QStringList answerTexts(const std::vector<std::string>& texts, const std::vector<int32_t>& ids,
                        const core::Tokenizer* tokenizer)
{
    QStringList parts;
    if (!texts.empty()) {
        for (const auto& text : texts)
            parts << QLatin1Char('"') + toQString(text) + QLatin1Char('"');
        return parts;
    }
    for (const int32_t id : ids) {
        if (tokenizer && tokenizer->contains(id))
            parts << QStringLiteral("\"%1\" (#%2)").arg(toQString(tokenizer->tokenText(id))).arg(id);
        else
            parts << QStringLiteral("#%1").arg(id);
    }
    return parts;
}

// Reads a prompt-pair file and, when the model can encode prompts, validates it the way
// a run would (Model::encode applies the model's BOS policy). Throws core::Error when the
// file cannot be read as a table of pairs.
DatasetSummary readAndValidate(const QString& file, const core::Model* model)
{
    core::Dataset data = core::readDataset(toPath(file));
    DatasetSummary s;
    s.file = file;
    s.format = toQString(core::datasetFormatName(data.format));
    s.task = toQString(data.task);

    // Core messages start with the file's path; the table and the error label name the file
    // only (its path is in the dataset header's tooltip).
    const QString prefix = toQString(data.source.string()) + QLatin1Char(':');
    const QString name = QFileInfo(file).fileName() + QLatin1Char(':');
    auto shortened = [&](const std::string& text) {
        QString message = toQString(text);
        if (message.startsWith(prefix))
            message.replace(0, prefix.size(), name);
        return message;
    };

    const core::Tokenizer* tokenizer = model ? model->tokenizer() : nullptr;
    if (tokenizer) {
        const core::ValidationReport report = core::validateDataset(
            data, *tokenizer, [model](const std::string& text) { return model->encode(text); });
        s.validated = true;
        s.validRows = report.validRows;
        for (const auto& issue : report.issues)
            s.issues.push_back(
                {issue.row, issue.severity == core::DatasetIssue::Severity::Error, shortened(issue.message)});
    } else {
        s.issues.push_back({0, false,
                            model ? ModelLoader::tr("Not validated: the model has no tokenizer.")
                                  : ModelLoader::tr("Not validated: no model is loaded.")});
        for (const auto& warning : data.warnings)
            s.issues.push_back({0, false, shortened(warning)});
    }

    s.pairs.reserve(static_cast<int>(data.pairs.size()));
    for (const auto& pair : data.pairs) {
        PairSummary p;
        p.row = pair.row;
        p.clean = promptText(pair.clean, pair.cleanIds, tokenizer);
        p.corrupted = promptText(pair.corrupted, pair.corruptedIds, tokenizer);
        p.answers = answerTexts(pair.answers, pair.answerIds, tokenizer);
        p.wrongAnswers = answerTexts(pair.wrongAnswers, pair.wrongAnswerIds, tokenizer);
        if (!pair.cleanIds.empty())
            p.cleanTokens = static_cast<int>(pair.cleanIds.size());
        if (!pair.corruptedIds.empty())
            p.corruptedTokens = static_cast<int>(pair.corruptedIds.size());
        s.pairs.push_back(std::move(p));
    }
    return s;
}

} // namespace

struct ModelLoader::Outcome
{
    std::shared_ptr<core::Model> model; // newly loaded, else null
    LoadResult result;
    QString error; // non-empty: the request failed
    bool cancelled = false;
};

ModelLoader::ModelLoader(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<patchbay::ui::LoadResult>();
    m_pool.setMaxThreadCount(1);
}

ModelLoader::~ModelLoader()
{
    // Model::load checks the flag between layers; the job's queued result is dropped with
    // this object.
    m_cancel = true;
    m_pool.waitForDone();
}

bool ModelLoader::load(const Request& request)
{
    if (m_busy || (request.modelDir.isEmpty() && request.datasetFile.isEmpty()))
        return false;
    m_busy = true;
    m_cancel = false;

    const QString modelDir = absolute(request.modelDir);
    const QString datasetFile = absolute(request.datasetFile);
    const std::string device = request.device.toStdString();
    Q_EMIT started(modelDir.isEmpty() ? QFileInfo(datasetFile).fileName() : QFileInfo(modelDir).fileName());

    // The job sees the current model by value: nothing else uses it while the job runs
    // (m_busy), and on failure the loader still holds it.
    m_pool.start([this, modelDir, datasetFile, device, current = m_model] {
        auto outcome = std::make_shared<Outcome>();
        try {
            core::initRuntime();
            std::shared_ptr<core::Model> model = current;
            if (!modelDir.isEmpty()) {
                core::LoadOptions options;
                options.device = device;
                options.cancel = &m_cancel;
                options.progress = [this](double fraction, const std::string& stage) {
                    QMetaObject::invokeMethod(
                        this, [this, fraction, text = toQString(stage)] { Q_EMIT progress(fraction, text); },
                        Qt::QueuedConnection);
                };
                model = core::Model::load(toPath(modelDir), options);
                outcome->model = model;
                outcome->result.model = summariseModel(*model);
            }
            if (!datasetFile.isEmpty()) {
                try {
                    outcome->result.dataset = readAndValidate(datasetFile, model.get());
                } catch (const std::exception& e) {
                    if (!outcome->model)
                        throw; // a dataset-only request: nothing was loaded
                    outcome->result.datasetError = toQString(e.what());
                }
            }
        } catch (const core::Cancelled&) {
            outcome->cancelled = true;
        } catch (const std::exception& e) { // core::Error, c10::Error, std::bad_alloc…
            outcome->error = toQString(e.what());
        } catch (...) {
            outcome->error = tr("Loading failed with an unknown error.");
        }
        QMetaObject::invokeMethod(this, [this, outcome] { finish(outcome); }, Qt::QueuedConnection);
    });
    return true;
}

void ModelLoader::finish(const std::shared_ptr<Outcome>& outcome)
{
    m_busy = false;
    if (outcome->cancelled)
        return;
    if (!outcome->error.isEmpty()) {
        Q_EMIT failed(outcome->error);
        return;
    }
    if (outcome->model)
        m_model = outcome->model;
    Q_EMIT loaded(outcome->result);
}

} // namespace patchbay::ui
