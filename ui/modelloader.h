// SPDX-License-Identifier: MIT
#pragma once

#include "ui/modelsummary.h"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QVector>

#include <atomic>
#include <memory>
#include <optional>

namespace patchbay::core {
class Model;
}

namespace patchbay::ui {

// One prompt pair as text for the table. A field given only as token ids is shown decoded
// (when the model has a tokenizer) or as the id list.
struct PairSummary
{
    int row = 0; // 1-based row in the source file (core::PromptPair::row)
    QString clean;
    QString corrupted;
    QStringList answers; // each quoted so that a leading space shows: "\" Mary\""
    QStringList wrongAnswers;
    int cleanTokens = -1; // -1 when not tokenized (no model, or the row failed before)
    int corruptedTokens = -1;
};

struct IssueSummary
{
    int row = 0; // 0: the file as a whole
    bool error = true; // else a warning
    QString message;   // complete for display ("file: row N: what is wrong")
};

struct DatasetSummary
{
    QString file;   // absolute path
    QString format; // core::datasetFormatName
    QString task;   // "greater-than" or empty
    QVector<PairSummary> pairs;
    QVector<IssueSummary> issues; // file-level first, then by row
    bool validated = false;       // checked against a model's tokenizer
    int validRows = 0;            // meaningful when validated
};

// The outcome of one load request. A model that loaded with a dataset that could not be
// read is still a success (datasetError says why); the previous dataset is then gone,
// since it was validated against another model.
struct LoadResult
{
    std::optional<ModelSummary> model;     // set when the request named a model
    std::optional<DatasetSummary> dataset; // set when the request named a dataset that was read
    QString datasetError;
};

// Loads a model directory and/or a prompt-pair file off the GUI thread (one job at a time,
// on a private one-thread pool) and reports once through loaded() or failed(), on the
// thread this object lives in (the GUI thread): the job posts its result back with a queued
// call. Every exception stops at the job boundary and becomes failed(); on failure the
// loader keeps its previous model.
//
// The loader owns the loaded core::Model. It is the seed of the compute worker: the
// ComputeWorker of the next issue (a QObject on its own QThread) takes ownership of the
// model from here, and this class then only parses and validates.
class ModelLoader final : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QString modelDir;    // empty: keep the current model (a dataset-only request)
        QString datasetFile; // empty: no dataset
        QString device = QStringLiteral("cpu"); // core::LoadOptions::device
    };

    explicit ModelLoader(QObject* parent = nullptr);
    ~ModelLoader() override; // cancels a running load and waits for it

    // Starts a job; returns false (and does nothing) while another one runs. A dataset-only
    // request validates against the current model, which must not change meanwhile.
    bool load(const Request& request);
    bool isBusy() const { return m_busy; }

    // The loaded model (nullptr before the first success). GUI thread; the model itself is
    // used by one thread at a time, so nothing may run on it while a job is in flight.
    std::shared_ptr<core::Model> model() const { return m_model; }

Q_SIGNALS:
    void started(const QString& what);
    void progress(double fraction, const QString& stage); // model loading stages
    void loaded(const patchbay::ui::LoadResult& result);
    void failed(const QString& message);

private:
    struct Outcome;
    void finish(const std::shared_ptr<Outcome>& outcome);

    std::shared_ptr<core::Model> m_model;
    std::atomic_bool m_cancel{false};
    bool m_busy = false;
    QThreadPool m_pool; // one thread: jobs never overlap on the model
};

} // namespace patchbay::ui

Q_DECLARE_METATYPE(patchbay::ui::LoadResult)
