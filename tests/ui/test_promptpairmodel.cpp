// SPDX-License-Identifier: MIT
// The prompt-pair table model: structure checked by QAbstractItemModelTester through
// resets, and every documented role on rows without issues, with warnings and with errors.
#include "ui/promptpairmodel.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QSignalSpy>
#include <QTest>

using patchbay::ui::DatasetSummary;
using patchbay::ui::PromptPairModel;

namespace {

// Three pairs: row 1 clean, row 2 two errors, row 4 (a gap: rows keep their file number) a
// warning; plus a file-level warning.
DatasetSummary sampleDataset()
{
    DatasetSummary data;
    data.file = QStringLiteral("/data/pairs.csv");
    data.format = QStringLiteral("native-csv");
    data.validated = true;
    data.validRows = 2;
    data.pairs = {
        {1, QStringLiteral("When Mary and John went"), QStringLiteral("When Anna and John went"),
         {QStringLiteral("\" Mary\"")}, {QStringLiteral("\" John\"")}, 5, 5},
        {2, QStringLiteral("Line one\nline two"), QStringLiteral("Line one"), {QStringLiteral("\" a\"")},
         {QStringLiteral("\" b\"")}, 4, 2},
        {4, QStringLiteral("Hello world"), QStringLiteral("Hello world"),
         {QStringLiteral("\"1\""), QStringLiteral("\"2\""), QStringLiteral("\"3\""), QStringLiteral("\"4\""),
          QStringLiteral("\"5\"")},
         {QStringLiteral("\" b\"")}, -1, -1},
    };
    data.issues = {
        {0, false, QStringLiteral("pairs.csv: column \"note\" ignored")},
        {2, true, QStringLiteral("pairs.csv: row 2: clean has 4 tokens, corrupted 2")},
        {2, true, QStringLiteral("pairs.csv: row 2: the answer has 2 tokens")},
        {4, false, QStringLiteral("pairs.csv: row 4: repeats row 1")},
    };
    return data;
}

} // namespace

class TestPromptPairModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void structureSurvivesResets()
    {
        PromptPairModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.hasDataset());

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setDataset(sampleDataset());
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(PromptPairModel::ColumnCount));
        QCOMPARE(model.rowCount(model.index(0, 0)), 0); // a table: no children

        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.hasDataset());
        model.setDataset(sampleDataset());
        QCOMPARE(model.rowCount(), 3);
    }

    void rowRoles_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("sourceRow");
        QTest::addColumn<int>("severity");
        QTest::addColumn<int>("issueCount");
        QTest::addColumn<QString>("tokens");

        QTest::newRow("valid") << 0 << 1 << int(PromptPairModel::NoIssue) << 0 << QStringLiteral("5 / 5");
        QTest::newRow("two errors") << 1 << 2 << int(PromptPairModel::Error) << 2 << QStringLiteral("4 / 2");
        QTest::newRow("warning, not tokenized") << 2 << 4 << int(PromptPairModel::Warning) << 1 << QString();
    }

    void rowRoles()
    {
        QFETCH(int, row);
        QFETCH(int, sourceRow);
        QFETCH(int, severity);
        QFETCH(int, issueCount);
        QFETCH(QString, tokens);

        PromptPairModel model;
        model.setDataset(sampleDataset());
        for (int column = 0; column < model.columnCount(); ++column) {
            const QModelIndex index = model.index(row, column);
            QCOMPARE(index.data(PromptPairModel::SourceRowRole).toInt(), sourceRow);
            QCOMPARE(index.data(PromptPairModel::SeverityRole).toInt(), severity);
            QCOMPARE(index.data(PromptPairModel::IssuesRole).toStringList().size(), issueCount);
            QVERIFY(!(index.flags() & Qt::ItemIsEditable));
            const QVariant background = index.data(Qt::BackgroundRole);
            QCOMPARE(background.isValid(), severity != PromptPairModel::NoIssue);
            QCOMPARE(index.data(Qt::ForegroundRole).isValid(), severity != PromptPairModel::NoIssue);
            if (issueCount > 0) // every cell of an offending row explains it
                QCOMPARE(index.data(Qt::ToolTipRole).toString(),
                         index.data(PromptPairModel::IssuesRole).toStringList().join(QLatin1Char('\n')));
        }
        QCOMPARE(model.index(row, PromptPairModel::RowColumn).data().toString(), QString::number(sourceRow));
        QCOMPARE(model.index(row, PromptPairModel::TokensColumn).data().toString(), tokens);
        if (severity == PromptPairModel::Error)
            QCOMPARE(model.index(row, 0).data(Qt::BackgroundRole).value<QBrush>().color(), QColor(0xf8, 0xd7, 0xda));
    }

    void displayAndTooltips()
    {
        PromptPairModel model;
        model.setDataset(sampleDataset());
        // A line break shows as U+23CE in the cell; the tooltip of a clean row has the full text.
        QCOMPARE(model.index(1, PromptPairModel::CleanColumn).data().toString(),
                 QStringLiteral("Line one") + QChar(0x23CE) + QStringLiteral("line two"));
        QCOMPARE(model.index(0, PromptPairModel::CleanColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("When Mary and John went"));
        QCOMPARE(model.index(0, PromptPairModel::AnswerColumn).data().toString(), QStringLiteral("\" Mary\""));
        // Many answers: the first three and the count in the cell; all of them in the tooltip
        // when the row has no issue to explain.
        QCOMPARE(model.index(2, PromptPairModel::AnswerColumn).data().toString(),
                 QStringLiteral("\"1\", \"2\", \"3\", … (5 in all)"));
        DatasetSummary withoutIssues = sampleDataset();
        withoutIssues.issues.clear();
        model.setDataset(withoutIssues);
        QCOMPARE(model.index(2, PromptPairModel::AnswerColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("\"1\", \"2\", \"3\", \"4\", \"5\""));
        model.setDataset(sampleDataset());
        QCOMPARE(model.index(0, PromptPairModel::TokensColumn).data(Qt::TextAlignmentRole).toInt(),
                 int(Qt::AlignRight | Qt::AlignVCenter));

        QCOMPARE(model.headerData(PromptPairModel::CleanColumn, Qt::Horizontal).toString(), QStringLiteral("Clean"));
        QVERIFY(!model.headerData(PromptPairModel::TokensColumn, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
        QCOMPARE(model.headerData(2, Qt::Vertical).toInt(), 4);

        QCOMPARE(model.fileIssues(), QStringList{QStringLiteral("pairs.csv: column \"note\" ignored")});
        QCOMPARE(model.errorRows(), 1);
        QVERIFY(!model.index(3, 0).isValid());
    }
};

QTEST_MAIN(TestPromptPairModel)
#include "test_promptpairmodel.moc"
