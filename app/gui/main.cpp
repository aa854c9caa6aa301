// SPDX-License-Identifier: MIT
// patchbay [--model PATH] [--data FILE] [--device DEV] [--dtype DTYPE] [--run METHOD]
// Without --model the window opens the bundled demo model and, without --data, the demo's
// induction dataset.
#include "app/gui/arguments.h"
#include "ui/mainwindow.h"
#include "ui/runpanel.h"
#include "ui/translations.h"

#include "core/common/system.h"
#include "core/common/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

// --help and --version only print: they must work without a display, so they get a
// QCoreApplication (QApplication aborts when it finds no platform).
bool printsOnly(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (arg == "--")
            break;
        if (arg == "-h" || arg == "-?" || arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char* argv[])
{
    patchbay::core::configureAllocator(); // before the first large allocation
    static std::vector<std::string> joinedArguments; // argv points into it while the app lives
    patchbay::app::joinSessionOption(argc, argv, joinedArguments);
    const std::unique_ptr<QCoreApplication> app(printsOnly(argc, argv) ? new QCoreApplication(argc, argv)
                                                                       : new QApplication(argc, argv));
    QApplication::setApplicationName(QStringLiteral("Patchbay"));
    QApplication::setOrganizationName(QStringLiteral("Patchbay"));
    QApplication::setApplicationVersion(QStringLiteral(PATCHBAY_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("org.patchbay.Patchbay"));
    if (auto* gui = qobject_cast<QApplication*>(app.get())) {
        QIcon icon;
        for (const int size : {32, 64, 256})
            icon.addFile(QStringLiteral(":/icons/org.patchbay.Patchbay-%1.png").arg(size));
        gui->setWindowIcon(icon);
    }

    // The chosen (or the system's) language, before any text is made (--help included).
    patchbay::ui::installTranslations(*app, patchbay::ui::chosenLanguage());

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "Find and inspect circuits in transformer language models.\n"
                "Without --model, opens the bundled demo model and its induction dataset."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption modelOption(
        {QStringLiteral("m"), QStringLiteral("model")},
        QApplication::translate("main", "Open the model <path>: a GGUF file, a safetensors file, or a Hugging Face "
                                        "model folder (config.json, model.safetensors, tokenizer.json)."),
        QStringLiteral("path"));
    const QCommandLineOption dataOption(
        {QStringLiteral("d"), QStringLiteral("data")},
        QApplication::translate("main", "Open the prompt-pair file <file> (CSV or JSON)."), QStringLiteral("file"));
    const QCommandLineOption deviceOption(
        QStringLiteral("device"),
        QApplication::translate("main", "Load the model on <device>: cpu, cuda, cuda:N or auto (default: cpu)."),
        QStringLiteral("device"), QStringLiteral("cpu"));
    const QCommandLineOption dtypeOption(
        QStringLiteral("dtype"),
        QApplication::translate("main", "Compute in <dtype>: float32, bfloat16 or float16 (default: float32)."),
        QStringLiteral("dtype"), QStringLiteral("float32"));
    const QCommandLineOption runOption(
        QStringLiteral("run"),
        QApplication::translate("main", "Once the model has loaded, run <method> (eap, eap-ig, atp, "
                                        "activation-patching, exact, acdc, …) on the prompt pairs."),
        QStringLiteral("method"));
    const QCommandLineOption sessionOption(
        {QStringLiteral("s"), QStringLiteral("session")},
        QApplication::translate("main", "Open the saved session <file> (.pbsession): its model, prompt pairs, "
                                        "scores and view."),
        QStringLiteral("file"));
    const QCommandLineOption circuitOption(
        {QStringLiteral("c"), QStringLiteral("circuit")},
        QApplication::translate("main", "Show the circuit file <file> on the graph (EAP-IG/MIB JSON, a Patchbay "
                                        "circuit, auto-circuit's edge list, …), as File > Import Circuit."),
        QStringLiteral("file"));
    const QCommandLineOption languageOption(
        QStringLiteral("language"),
        QApplication::translate("main", "Show the window in <lang>: en, de or zh_CN (default: the language chosen "
                                        "in View > Language, else the system's)."),
        QStringLiteral("lang"));
    parser.addOptions({modelOption, dataOption, deviceOption, dtypeOption, runOption, sessionOption, circuitOption, languageOption});
    parser.addPositionalArgument(QStringLiteral("session"),
                                 QApplication::translate("main", "A .pbsession file to open (as --session)."),
                                 QStringLiteral("[session]"));
    parser.process(*app); // exits after --help, --version or a bad option
    QString sessionFile = parser.value(sessionOption);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() == 1 && sessionFile.isEmpty() && positional.constFirst().endsWith(QStringLiteral(".pbsession")))
        sessionFile = positional.constFirst();
    else if (!positional.isEmpty()) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(QApplication::translate("main", "Unexpected argument: %1 (see --help)")
                                    .arg(parser.positionalArguments().constFirst())));
        return 2;
    }

    if (parser.isSet(languageOption))
        patchbay::ui::installTranslations(*app, parser.value(languageOption));
    patchbay::ui::MainWindow window;
    window.setDevice(parser.value(deviceOption));
    window.setDtype(parser.value(dtypeOption));
    window.show();
    if (parser.isSet(runOption)) {
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = QObject::connect(window.worker(), &patchbay::ui::ComputeWorker::modelLoaded, &window,
                                       [&window, connection, method = parser.value(runOption)] {
                                           QObject::disconnect(*connection);
                                           patchbay::ui::RunSettings settings = window.runPanel()->settings();
                                           settings.method = method;
                                           window.runPanel()->setSettings(settings);
                                           window.runAttribution(settings);
                                       });
    }
    if (parser.isSet(circuitOption)) { // once the model is in (a load drops an import under way)
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = QObject::connect(window.worker(), &patchbay::ui::ComputeWorker::modelLoaded, &window,
                                       [&window, connection, file = parser.value(circuitOption)] {
                                           QObject::disconnect(*connection);
                                           window.importCircuit(file); // read on a thread
                                       });
    }
    // Loading runs off the GUI thread: the window is up at once.
    if (!sessionFile.isEmpty()) {
        if (!window.openSession(sessionFile))
            window.openDemo();
    } else if (parser.isSet(modelOption))
        window.openModel(parser.value(modelOption), parser.value(dataOption));
    else
        window.openDemo(parser.value(dataOption));
    return QApplication::exec();
}
