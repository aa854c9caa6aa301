// SPDX-License-Identifier: MIT
// `patchbay --session FILE`: QGuiApplication used to swallow "--session FILE" (its X11
// session-manager option) before the app's parser saw it. Checked against a real
// QGuiApplication on the offscreen platform.
#include "app/gui/arguments.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QTest>

namespace {

// The arguments QGuiApplication leaves for the app's own parser after joinSessionOption.
QStringList argumentsSeenByTheApp(std::vector<std::string> args)
{
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int argc = static_cast<int>(args.size());
    static std::vector<std::string> storage; // one QGuiApplication per process: see main()
    patchbay::app::joinSessionOption(argc, argv.data(), storage);
    QStringList out;
    for (int i = 0; i < argc; ++i)
        out << QString::fromLocal8Bit(argv[std::size_t(i)]);
    return out;
}

} // namespace

class TestGuiArguments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sessionOptionReachesTheParser()
    {
        // main() below built the application from "--session a.pbsession -session b": what
        // Qt left must still name the first file, as QCommandLineParser reads it.
        QCommandLineParser parser;
        const QCommandLineOption session(QStringList{"s", "session"}, "", "file");
        parser.addOption(session);
        QVERIFY(parser.parse(QCoreApplication::arguments()));
        QCOMPARE(parser.values(session), (QStringList{"/tmp/a.pbsession", "b.pbsession"}));
    }

    void otherArgumentsAreKept()
    {
        QCOMPARE(argumentsSeenByTheApp({"patchbay", "--model", "m", "--session", "x", "--", "--session", "y"}),
                 (QStringList{"patchbay", "--model", "m", "--session=x", "--", "--session", "y"}));
        QCOMPARE(argumentsSeenByTheApp({"patchbay", "--session=z", "-s", "w", "--session"}),
                 (QStringList{"patchbay", "--session=z", "-s", "w", "--session"}));
    }
};

int main(int argc, char* argv[])
{
    // The real path: our arguments through joinSessionOption, then into QGuiApplication.
    std::vector<std::string> args = {argv[0], "--session", "/tmp/a.pbsession", "-session", "b.pbsession"};
    std::vector<char*> appArgv;
    for (auto& a : args)
        appArgv.push_back(a.data());
    appArgv.push_back(nullptr);
    int appArgc = static_cast<int>(args.size());
    std::vector<std::string> storage;
    patchbay::app::joinSessionOption(appArgc, appArgv.data(), storage);
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(appArgc, appArgv.data());
    TestGuiArguments test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_guiarguments.moc"
