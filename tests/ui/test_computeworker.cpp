// SPDX-License-Identifier: MIT
// The compute worker on its own (no window): loading the demo model through it, EAP with
// the same scores as `patchbay-cli attribute`, cancellation of a long run, errors that keep
// the worker usable, and attention patterns.
#include "core/graph/circuit.h"
#include "core/data/dataset.h"
#include "core/common/system.h"
#include "ui/computeworker.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using patchbay::ui::AttentionPatterns;
using patchbay::ui::ComputeWorker;
using patchbay::ui::LoadedModel;
using patchbay::ui::ModelRequest;
using patchbay::ui::RunResult;
using patchbay::ui::RunSettings;
namespace core = patchbay::core;

namespace {

constexpr int kTimeoutMs = 120'000;

QString demoDir() { return QString::fromStdString(core::findResource("demo").string()); }

// The demo's induction pairs, tokenized with the model's encoder as the editor does.
core::Dataset demoPairs(const LoadedModel& model, const QString& file = {})
{
    const QString path = file.isEmpty() ? demoDir() + QStringLiteral("/induction.csv") : file;
    core::Dataset data = core::readDataset(path.toStdString());
    const auto encoder = model.encoder;
    core::tokenizeDataset(data, *encoder.tokenizer, [encoder](const std::string& text) { return encoder.encodePrompt(text); });
    return data;
}

} // namespace

class TestComputeWorker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<quint64>("quint64");
        QSignalSpy loaded(&m_worker, &ComputeWorker::modelLoaded);
        QSignalSpy failed(&m_worker, &ComputeWorker::failed);
        ModelRequest request;
        request.path = demoDir();
        const quint64 job = m_worker.loadModel(request);
        QVERIFY(job > 0);
        QVERIFY(m_worker.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count() + failed.count(), 1, kTimeoutMs);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        QCOMPARE(loaded.first().at(0).value<quint64>(), job);
        QTRY_VERIFY_WITH_TIMEOUT(!m_worker.isBusy(), kTimeoutMs);
    }

    void loadedModelSummary()
    {
        const LoadedModel* model = m_worker.model();
        QVERIFY(model);
        QCOMPARE(model->summary.layers, 2);
        QCOMPARE(model->summary.heads, 4);
        QCOMPARE(model->summary.dModel, 64);
        QVERIFY(!model->summary.fingerprint.isEmpty());
        QVERIFY(model->encoder);
        QVERIFY(model->encoder.bos.has_value()); // the demo tokenizer prepends <bos>
        QCOMPARE(model->encoder.vocabularySize, int64_t(274));
        // 2 layers × 4 heads: 4·3·4·... the graph's own count, checked against design.md's formula:
        // q/k/v edges: layer 0 heads read input (1 sender), layer 1 heads read 1 + 4 + 1 = 6
        // senders; MLPs read 1 + 4 (layer 0) and 1 + 5 + 4 (layer 1); logits read all 11.
        QCOMPARE(model->graph->edgeCount(), std::size_t(4 * 3 * 1 + 4 * 3 * 6 + 5 + 10 + 11));
    }

    // EAP run through the worker gives the scores the CLI writes for the same model and pairs.
    void eapMatchesTheCli()
    {
        QSignalSpy finished(&m_worker, &ComputeWorker::runFinished);
        QSignalSpy failed(&m_worker, &ComputeWorker::failed);
        QSignalSpy progress(&m_worker, &ComputeWorker::progress);
        RunSettings settings; // eap, logit-diff, corrupted, batch 16
        const quint64 job = m_worker.runAttribution(settings, demoPairs(*m_worker.model()), QStringLiteral("induction"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count() + failed.count(), 1, kTimeoutMs);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        const auto result = finished.first().first().value<RunResult>();
        QCOMPARE(result.job, job);
        QCOMPARE(result.pairs, 64);
        QVERIFY(result.scores && result.circuit);
        QVERIFY(!progress.isEmpty());

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString out = tmp.filePath(QStringLiteral("eap.json"));
        QProcess cli;
        cli.start(QStringLiteral(PATCHBAY_CLI_PATH),
                  {QStringLiteral("attribute"), QStringLiteral("--model"), demoDir(), QStringLiteral("--data"),
                   demoDir() + QStringLiteral("/induction.csv"), QStringLiteral("--method"), QStringLiteral("eap"),
                   QStringLiteral("--out"), out, QStringLiteral("--format"), QStringLiteral("native")});
        QVERIFY(cli.waitForFinished(kTimeoutMs));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const core::Circuit fromCli = core::readCircuit(out.toStdString());
        const auto& ours = result.scores->edgeScores;
        QCOMPARE(fromCli.edgeScores.size(), ours.size());
        double largest = 0;
        for (const double s : ours)
            largest = std::max(largest, std::abs(s));
        QVERIFY(largest > 0.1); // the demo's induction circuit has large scores
        for (std::size_t e = 0; e < ours.size(); ++e)
            QVERIFY2(std::abs(ours[e] - fromCli.edgeScores[e]) <= 1e-5 * largest,
                     qPrintable(QStringLiteral("edge %1: %2 vs %3").arg(e).arg(ours[e]).arg(fromCli.edgeScores[e])));
        QCOMPARE(result.circuit->method, std::string("eap"));
    }

    // A long run stops soon after cancel(): cancelled, never finished, and the worker runs
    // the next job.
    void cancelStopsALongRun()
    {
        QSignalSpy finished(&m_worker, &ComputeWorker::runFinished);
        QSignalSpy cancelled(&m_worker, &ComputeWorker::cancelled);
        QSignalSpy progress(&m_worker, &ComputeWorker::progress);
        RunSettings settings;
        settings.method = QStringLiteral("eap-ig");
        settings.steps = 200000; // hours of work on the demo model on any machine
        settings.batchSize = 4;
        const quint64 job = m_worker.runAttribution(settings, demoPairs(*m_worker.model()), QStringLiteral("induction"));
        QVERIFY(m_worker.isRunningLongJob());
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty(), kTimeoutMs); // it has started
        QElapsedTimer clock;
        clock.start();
        m_worker.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, kTimeoutMs);
        const qint64 ms = clock.elapsed();
        QCOMPARE(cancelled.first().first().value<quint64>(), job);
        QCOMPARE(finished.count(), 0);
        // Cancelled and never finished is the behaviour; how soon is bench_responsiveness's
        // to measure (a loaded 2-core machine may take seconds to schedule the worker).
        qInfo("cancel took %lld ms", static_cast<long long>(ms));
        QTRY_VERIFY_WITH_TIMEOUT(!m_worker.isBusy(), kTimeoutMs);

        // The next job runs normally.
        QSignalSpy attention(&m_worker, &ComputeWorker::attentionReady);
        m_worker.attentionPatterns(demoPairs(*m_worker.model()).pairs.front().cleanIds);
        QTRY_COMPARE_WITH_TIMEOUT(attention.count(), 1, kTimeoutMs);
    }

    // A job queued behind a running one and cancelled with it never starts.
    void cancelReachesQueuedJobs()
    {
        QSignalSpy finished(&m_worker, &ComputeWorker::runFinished);
        QSignalSpy cancelled(&m_worker, &ComputeWorker::cancelled);
        RunSettings slow;
        slow.method = QStringLiteral("eap-ig");
        slow.steps = 2000;
        const auto data = demoPairs(*m_worker.model());
        m_worker.runAttribution(slow, data, QStringLiteral("induction"));
        m_worker.runAttribution(RunSettings{}, data, QStringLiteral("induction"));
        m_worker.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 2, kTimeoutMs);
        QCOMPARE(finished.count(), 0);
    }

    // Bad input becomes failed() with a message naming what is wrong; the model stays.
    void errorsKeepTheWorkerUsable()
    {
        QSignalSpy failed(&m_worker, &ComputeWorker::failed);
        QSignalSpy loaded(&m_worker, &ComputeWorker::modelLoaded);
        const QString fingerprint = m_worker.model()->summary.fingerprint;
        ModelRequest missing;
        missing.path = QStringLiteral("/nonexistent/no-such-model");
        m_worker.loadModel(missing);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("no-such-model")));
        QCOMPARE(loaded.count(), 0);
        QVERIFY(m_worker.hasModel());
        QCOMPARE(m_worker.model()->summary.fingerprint, fingerprint);

        // An id outside the vocabulary.
        core::Dataset data = demoPairs(*m_worker.model());
        data.pairs.front().cleanIds[1] = 100000;
        m_worker.runAttribution(RunSettings{}, data, QStringLiteral("bad ids"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, kTimeoutMs);
        const QString message = failed.at(1).at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("100000")), qPrintable(message));

        // An unknown method name.
        RunSettings wrong;
        wrong.method = QStringLiteral("no-such-method");
        m_worker.runAttribution(wrong, demoPairs(*m_worker.model()), QStringLiteral("induction"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 3, kTimeoutMs);
        QVERIFY(failed.at(2).at(1).toString().contains(QStringLiteral("no-such-method")));
        QTRY_VERIFY_WITH_TIMEOUT(!m_worker.isBusy(), kTimeoutMs);
    }

    // Attention patterns of a prompt: causal rows that sum to one, and the demo's
    // previous-token head a0.h0 attends to the previous token.
    void attentionPatterns()
    {
        QSignalSpy ready(&m_worker, &ComputeWorker::attentionReady);
        const auto ids = demoPairs(*m_worker.model()).pairs.front().cleanIds;
        const quint64 job = m_worker.attentionPatterns(ids);
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kTimeoutMs);
        const auto patterns = ready.first().first().value<AttentionPatterns>();
        QCOMPARE(patterns.job, job);
        QCOMPARE(patterns.layers, 2);
        QCOMPARE(patterns.heads, 4);
        QCOMPARE(patterns.positions, static_cast<int>(ids.size()));
        double previous = 0;
        for (int q = 0; q < patterns.positions; ++q) {
            double sum = 0;
            for (int k = 0; k < patterns.positions; ++k) {
                const float a = patterns.at(0, 0, q, k);
                if (k > q)
                    QCOMPARE(a, 0.0f);
                sum += a;
            }
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
            if (q > 0)
                previous += patterns.at(0, 0, q, q - 1);
        }
        QVERIFY2(previous / (patterns.positions - 1) > 0.8, qPrintable(QString::number(previous)));
    }

    void settingsKeys()
    {
        RunSettings a, b;
        QCOMPARE(a.key(), b.key());
        b.steps = 7; // steps do not matter to EAP
        QCOMPARE(a.key(), b.key());
        a.method = b.method = QStringLiteral("eap-ig");
        QVERIFY(a.key() != b.key());
        b.steps = a.steps;
        b.metric = QStringLiteral("kl");
        QVERIFY(a.key() != b.key());
        QVERIFY(a.describe().startsWith(QStringLiteral("EAP-IG (5 steps)")));
    }

private:
    ComputeWorker m_worker;
};

QTEST_MAIN(TestComputeWorker)
#include "test_computeworker.moc"
