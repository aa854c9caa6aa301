// SPDX-License-Identifier: MIT
// The main window offscreen: its docks, and loading a model and prompt pairs through the
// ModelLoader off the GUI thread (success, a dataset with row errors, unreadable files, a
// missing model folder), keeping the previous state when a load fails.
//
// Model fixture: tests/data/models/gpt2 (3 layers, 4 heads, vocabulary 256) has no
// tokenizer, so the tests copy its config and weights next to the word-level tokenizer of
// tests/data/tokenizers/wordlevel-whitespace (250 tokens, all inside the model's vocabulary).
#include "ui/mainwindow.h"
#include "ui/modelloader.h"
#include "ui/promptpairmodel.h"

#include "core/error.h"
#include "core/system.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using patchbay::ui::LoadResult;
using patchbay::ui::MainWindow;
using patchbay::ui::PromptPairModel;

namespace {

const QString kData = QStringLiteral(PATCHBAY_TEST_DATA_DIR);
constexpr int kTimeoutMs = 60000;

// Three valid pairs in the word-level vocabulary (the whitespace pre-tokenizer drops the
// answers' leading space, so each answer is one token).
const char* const kPairsCsv = "clean,corrupted,answer,wrong_answer\n"
                              "When Mary and John went to the store,When John and Mary went to the store, John, Mary\n"
                              "Mary and John went to the,John and Mary went to the, John, Mary\n"
                              "the Mary and the John,the John and the Mary, John, Mary\n";

bool copyFile(const QString& from, const QString& to)
{
    QFile::remove(to);
    return QFile::copy(from, to);
}

QString labelText(const QWidget& window, const char* objectName)
{
    const auto* label = window.findChild<QLabel*>(QLatin1String(objectName));
    return label ? label->text() : QStringLiteral("<no label %1>").arg(QLatin1String(objectName));
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Keep the user's saved layout out of the test.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("PatchbayTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_mainwindow"));

        QVERIFY(m_tmp.isValid());
        QDir root(m_tmp.path());
        QVERIFY(root.mkpath(QStringLiteral("model")));
        m_modelDir = root.filePath(QStringLiteral("model"));
        QVERIFY(copyFile(kData + "/models/gpt2/config.json", m_modelDir + "/config.json"));
        QVERIFY(copyFile(kData + "/models/gpt2/model.safetensors", m_modelDir + "/model.safetensors"));
        QVERIFY(copyFile(kData + "/tokenizers/wordlevel-whitespace/tokenizer.json", m_modelDir + "/tokenizer.json"));

        m_pairsFile = root.filePath(QStringLiteral("pairs.csv"));
        QFile pairs(m_pairsFile);
        QVERIFY(pairs.open(QIODevice::WriteOnly));
        pairs.write(kPairsCsv);
    }

    void showsTitleAndDocks()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.windowTitle(), QStringLiteral("Patchbay"));
        QStringList names;
        for (auto* dock : window.docks()) {
            names << dock->objectName();
            QVERIFY(dock->isVisible());
            QVERIFY(!dock->windowTitle().isEmpty());
        }
        names.sort();
        QCOMPARE(names, (QStringList{QStringLiteral("heatmapDock"), QStringLiteral("modelDock"),
                                     QStringLiteral("promptDock"), QStringLiteral("runDock")}));
        QVERIFY(window.menuBar()->actions().size() >= 3);
        QVERIFY(window.statusBar()->isVisible());
        auto* openModel = window.findChild<QAction*>(QStringLiteral("openModelAction"));
        auto* openDataset = window.findChild<QAction*>(QStringLiteral("openDatasetAction"));
        QVERIFY(openModel && openDataset);
        QCOMPARE(openModel->shortcut(), QKeySequence(QKeySequence::Open));
        QCOMPARE(openDataset->shortcut(), QKeySequence(QStringLiteral("Ctrl+Shift+O")));
    }

    void loadsModelAndDataset()
    {
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.modelLoader(), &patchbay::ui::ModelLoader::loaded);
        QSignalSpy failed(window.modelLoader(), &patchbay::ui::ModelLoader::failed);
        QVERIFY(window.openModel(m_modelDir, m_pairsFile));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count() + failed.count(), 1, kTimeoutMs);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));

        const auto result = loaded.first().first().value<LoadResult>();
        QVERIFY(result.model && result.dataset);
        QCOMPARE(result.model->layers, 3);
        QCOMPARE(result.model->tokenizerKind, QStringLiteral("word-level"));
        QVERIFY(result.dataset->validated);
        QCOMPARE(result.dataset->validRows, 3);
        QVERIFY(window.modelLoader()->model() != nullptr);

        // The model dock, the table, the status bar.
        QCOMPARE(labelText(window, "model_layers"), QStringLiteral("3"));
        QCOMPARE(labelText(window, "model_heads"), QStringLiteral("4"));
        QCOMPARE(labelText(window, "model_name"), QStringLiteral("model"));
        auto* view = window.findChild<QTableView*>(QStringLiteral("pairView"));
        QVERIFY(view && view->isVisible());
        QCOMPARE(view->model()->rowCount(), 3);
        QCOMPARE(window.promptPairs()->errorRows(), 0);
        QCOMPARE(view->model()->index(0, PromptPairModel::AnswerColumn).data().toString(), QStringLiteral("\" John\""));
        QCOMPARE(view->model()->index(0, PromptPairModel::TokensColumn).data().toString(), QStringLiteral("8 / 8"));
        QVERIFY(labelText(window, "modelLabel").startsWith(QStringLiteral("model")));
        QCOMPARE(labelText(window, "deviceLabel"), QStringLiteral("Device: cpu"));
        QCOMPARE(labelText(window, "errorLabel"), QString());
        QVERIFY(window.windowTitle().contains(QStringLiteral("model")));
    }

    void datasetRowErrorsKeepTheModel()
    {
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.modelLoader(), &patchbay::ui::ModelLoader::loaded);
        QVERIFY(window.openModel(m_modelDir, m_pairsFile));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        const auto model = window.modelLoader()->model();

        // length_mismatch.csv: rows 2 and 3 tokenize to different clean/corrupted lengths.
        QVERIFY(window.openDataset(kData + "/datasets/invalid/length_mismatch.csv"));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 2, kTimeoutMs);
        const auto result = loaded.last().first().value<LoadResult>();
        QVERIFY(!result.model);
        QVERIFY(result.dataset);

        PromptPairModel* pairs = window.promptPairs();
        QCOMPARE(pairs->rowCount(), 3);
        QCOMPARE(pairs->errorRows(), 2);
        QCOMPARE(pairs->index(0, 0).data(PromptPairModel::SeverityRole).toInt(), int(PromptPairModel::NoIssue));
        for (int row : {1, 2}) {
            const QModelIndex index = pairs->index(row, PromptPairModel::CleanColumn);
            QCOMPARE(index.data(PromptPairModel::SeverityRole).toInt(), int(PromptPairModel::Error));
            QVERIFY(index.data(Qt::BackgroundRole).isValid());
            QVERIFY2(index.data(Qt::ToolTipRole).toString().contains(QStringLiteral("row %1").arg(row + 1)),
                     qPrintable(index.data(Qt::ToolTipRole).toString()));
        }
        const QString error = labelText(window, "errorLabel");
        QVERIFY2(error.contains(QStringLiteral("length_mismatch.csv")) && error.contains(QStringLiteral("row 2")),
                 qPrintable(error));

        // The model is the same one, still shown.
        QCOMPARE(window.modelLoader()->model(), model);
        QCOMPARE(labelText(window, "model_layers"), QStringLiteral("3"));
        QVERIFY(labelText(window, "modelLabel").startsWith(QStringLiteral("model")));
    }

    void unreadableDatasetKeepsPreviousState()
    {
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.modelLoader(), &patchbay::ui::ModelLoader::loaded);
        QSignalSpy failed(window.modelLoader(), &patchbay::ui::ModelLoader::failed);
        QVERIFY(window.openModel(m_modelDir, m_pairsFile));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);

        QVERIFY(window.openDataset(kData + "/datasets/invalid/missing_column.csv"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
        QCOMPARE(loaded.count(), 1);
        QVERIFY(labelText(window, "errorLabel").contains(QStringLiteral("missing_column.csv")));
        QCOMPARE(window.promptPairs()->rowCount(), 3);
        QCOMPARE(QFileInfo(window.promptPairs()->dataset().file).fileName(), QStringLiteral("pairs.csv"));
    }

    void missingModelFolderShowsTheError()
    {
        const QString missing = m_tmp.filePath(QStringLiteral("no-such-model"));
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.modelLoader(), &patchbay::ui::ModelLoader::loaded);
        QSignalSpy failed(window.modelLoader(), &patchbay::ui::ModelLoader::failed);
        QVERIFY(window.openModel(missing));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
        QVERIFY2(labelText(window, "errorLabel").contains(QStringLiteral("no-such-model")),
                 qPrintable(labelText(window, "errorLabel")));
        QVERIFY(labelText(window, "modelPlaceholder").contains(QStringLiteral("no-such-model")));
        QCOMPARE(window.modelLoader()->model(), nullptr);

        // After a success, a failing model keeps the loaded one.
        QVERIFY(window.openModel(m_modelDir));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        QCOMPARE(labelText(window, "errorLabel"), QString());
        const auto model = window.modelLoader()->model();
        QVERIFY(window.openModel(missing));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, kTimeoutMs);
        QVERIFY(labelText(window, "errorLabel").contains(QStringLiteral("no-such-model")));
        QCOMPARE(window.modelLoader()->model(), model);
        QCOMPARE(labelText(window, "model_layers"), QStringLiteral("3"));
        QVERIFY(window.windowTitle().startsWith(QStringLiteral("model")));
    }

    void modelWithoutTokenizerShowsUnvalidatedPairs()
    {
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.modelLoader(), &patchbay::ui::ModelLoader::loaded);
        QVERIFY(window.openModel(kData + "/models/gpt2", kData + "/datasets/native_text.csv"));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        QCOMPARE(window.promptPairs()->rowCount(), 3);
        QVERIFY(!window.promptPairs()->dataset().validated);
        QVERIFY(window.promptPairs()->fileIssues().join(QLatin1Char(' ')).contains(QStringLiteral("no tokenizer")));
        QVERIFY(labelText(window, "model_tokenizer").startsWith(QStringLiteral("none")));
    }

    void oneLoadAtATime()
    {
        MainWindow window;
        QSignalSpy loaded(window.modelLoader(), &patchbay::ui::ModelLoader::loaded);
        QVERIFY(window.openModel(m_modelDir));
        QVERIFY(window.modelLoader()->isBusy());
        QVERIFY(!window.openDataset(m_pairsFile)); // refused, not queued
        QVERIFY(!window.findChild<QAction*>(QStringLiteral("openDatasetAction"))->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
        QVERIFY(window.findChild<QAction*>(QStringLiteral("openDatasetAction"))->isEnabled());
        QVERIFY(!loaded.first().first().value<LoadResult>().dataset);
    }

    void demoModel()
    {
        // With the demo missing the window says so; with it present (resources/demo), it opens
        // the demo and its induction.csv.
        bool present = true;
        try {
            patchbay::core::findResource("demo");
        } catch (const patchbay::core::Error&) {
            present = false;
        }
        MainWindow window;
        window.show();
        QSignalSpy loaded(window.modelLoader(), &patchbay::ui::ModelLoader::loaded);
        QSignalSpy failed(window.modelLoader(), &patchbay::ui::ModelLoader::failed);
        if (!present) {
            QVERIFY(!window.openDemo());
            QVERIFY(labelText(window, "errorLabel").contains(QStringLiteral("demo")));
            QVERIFY(labelText(window, "modelPlaceholder").contains(QStringLiteral("demo")));
            QCOMPARE(window.modelLoader()->model(), nullptr);
            return;
        }
        QVERIFY(window.openDemo());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count() + failed.count(), 1, kTimeoutMs);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QCOMPARE(labelText(window, "model_name"), QStringLiteral("demo"));
        if (QFileInfo::exists(QString::fromStdString((patchbay::core::findResource("demo") / "induction.csv").string())))
            QVERIFY(window.promptPairs()->rowCount() > 0);
    }

    void closesCleanly()
    {
        auto* window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QSignalSpy destroyed(window, &QObject::destroyed);
        QVERIFY(window->close());
        QTRY_COMPARE(destroyed.count(), 1);
    }

    void closesWhileLoading()
    {
        // The loader cancels and waits for its job; the queued result dies with it.
        auto* window = new MainWindow;
        QVERIFY(window->openModel(m_modelDir, m_pairsFile));
        delete window;
    }

private:
    QTemporaryDir m_tmp;
    QString m_modelDir;
    QString m_pairsFile;
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
