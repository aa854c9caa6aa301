// SPDX-License-Identifier: MIT
// Real pretrained models (CTest label "real-models"): SmolLM2-135M-Instruct as the GGUF
// file tools/fetch-models.sh fetches (never committed), against references made by
// tools/reference/make_smollm2_references.py with transformers' own GGUF loading:
//   - tokenization of 64 varied texts, exact;
//   - last-position logits of 7 prompts within 1e-3 in float32 (top 20, a vocabulary slice,
//     max and logsumexp of the whole row), top-1 equal;
//   - an induction sequence and an IOI prompt completed correctly.
// Gemma-3-270M as gemma-3-270m-q4_k_m.gguf (llama.cpp's Q4_K_M of google/gemma-3-270m), against
// tools/reference/make_gemma3_references.py (transformers' GGUF loading too: norm gains less
// the 1 the converter added, tokens of spaces respelled, merges in file order):
//   - tokenization of 41 varied texts, exact;
//   - last-position logits of 5 prompts (BOS prepended) within 1e-3 in float32, top-1 equal.
// Both models on every generated task (tools/reference/make_task_references.py: the ids
// Patchbay read, run through transformers): per pair the logit and probability differences,
// the prediction and whether the answers win; the accuracy each model reaches. Their
// induction, previous-token and duplicate-token heads (tools/reference/make_head_references.py:
// transformers' attention weights on the same repeated random tokens) within 1e-4.
// Each model's tests are skipped (QSKIP, with the command to run) when its file is absent.
// SmolLM2 is looked for at $PATCHBAY_SMOLLM2_GGUF, Gemma-3 at $PATCHBAY_GEMMA3_GGUF, else in
// ${PATCHBAY_MODELS:-$HOME/.cache/patchbay/models}/{smollm2,gemma3-270m}/.
#include "core/methods/attribution.h"
#include "core/graph/circuit.h"
#include "core/common/error.h"
#include "core/methods/evaluation.h"
#include "core/methods/headscores.h"
#include "core/common/json.h"
#include "core/model/model.h"
#include "core/methods/taskperformance.h"
#include "core/data/tasks.h"
#include "core/tokenize/tokenizer.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

const fs::path kRefs = fs::path(PATCHBAY_TEST_DATA_DIR) / "real-models";

fs::path modelPath(const char* env, const char* dir, const char* file)
{
    if (const char* p = std::getenv(env); p && *p)
        return p;
    fs::path cache;
    if (const char* m = std::getenv("PATCHBAY_MODELS"); m && *m)
        cache = m;
    else if (const char* home = std::getenv("HOME"); home && *home)
        cache = fs::path(home) / ".cache" / "patchbay" / "models";
    return cache / dir / file;
}

fs::path smollm2Path() { return modelPath("PATCHBAY_SMOLLM2_GGUF", "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"); }
fs::path gemma3Path() { return modelPath("PATCHBAY_GEMMA3_GGUF", "gemma3-270m", "gemma-3-270m-q4_k_m.gguf"); }

std::shared_ptr<Model> loadIfPresent(const fs::path& path)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return nullptr;
    auto model = Model::load(path);
    const auto& info = model->info();
    qInfo("loaded %s in %.2f s: %s, %lld parameters, stored as %s", path.filename().c_str(), info.loadSeconds,
          info.config.family.c_str(), static_cast<long long>(info.parameterCount), info.weightsDtype.c_str());
    return model;
}

std::string idList(const std::vector<int32_t>& ids)
{
    std::string s;
    for (auto id : ids)
        s += std::to_string(id) + " ";
    return s;
}

// Worst |logit - reference| of the last position over a logits fixture's prompts (top 20, the
// vocabulary slice, max and logsumexp of the whole row); top-1 must be equal.
double worstLogitDifference(const Model& model, const nlohmann::json& ref)
{
    const auto sliceIds = ref["slice_ids"].get<std::vector<int64_t>>();
    double worst = 0;
    for (const auto& p : ref["prompts"]) {
        const auto ids = p["input_ids"].get<std::vector<int32_t>>();
        if (model.encode(p["prompt"].get<std::string>()) != ids)
            throw std::runtime_error("prompt " + nlohmann::json(p["prompt"]).dump() + " encodes differently");
        const auto out = model.logits({ids}, false); // [1, vocab]
        const auto& v = out.values;
        const auto topIds = p["top_ids"].get<std::vector<int64_t>>();
        const auto topValues = p["top_values"].get<std::vector<double>>();
        const int64_t argmax = std::max_element(v.begin(), v.end()) - v.begin();
        if (argmax != topIds[0])
            throw std::runtime_error("prompt " + nlohmann::json(p["prompt"]).dump() + ": top-1 " + std::to_string(argmax)
                                     + ", transformers " + std::to_string(topIds[0]));
        for (std::size_t i = 0; i < topIds.size(); ++i)
            worst = std::max(worst, std::abs(double(v[std::size_t(topIds[i])]) - topValues[i]));
        const auto sliceValues = p["slice_values"].get<std::vector<double>>();
        for (std::size_t i = 0; i < sliceIds.size(); ++i)
            worst = std::max(worst, std::abs(double(v[std::size_t(sliceIds[i])]) - sliceValues[i]));
        double mx = -1e300;
        for (float x : v)
            mx = std::max(mx, double(x));
        double sum = 0;
        for (float x : v)
            sum += std::exp(double(x) - mx);
        worst = std::max(worst, std::abs(mx - p["max"].get<double>()));
        worst = std::max(worst, std::abs(mx + std::log(sum) - p["logsumexp"].get<double>()));
    }
    return worst;
}

// The pairs of task-performance.json (ids as Patchbay read them) as a dataset's pairs.
std::vector<PromptPair> fixturePairs(const nlohmann::json& pairs)
{
    std::vector<PromptPair> out;
    for (const auto& p : pairs) {
        PromptPair pair;
        pair.row = p["row"].get<int>();
        pair.cleanIds = p["clean_ids"].get<std::vector<int32_t>>();
        pair.corruptedIds = p["corrupted_ids"].get<std::vector<int32_t>>();
        pair.answerIds = p["answer_ids"].get<std::vector<int32_t>>();
        pair.wrongAnswerIds = p["wrong_answer_ids"].get<std::vector<int32_t>>();
        out.push_back(std::move(pair));
    }
    return out;
}

} // namespace

#define REQUIRE_MODEL(member, path)                                                                                    \
    if (!member)                                                                                                       \
    QSKIP(qPrintable(QString("%1 is not on this machine; run tools/fetch-models.sh to fetch it")                       \
                         .arg(QString::fromStdString((path).string()))))

class TestRealModels : public QObject
{
    Q_OBJECT

    std::shared_ptr<Model> m_model; // SmolLM2
    std::shared_ptr<Model> m_gemma;

private Q_SLOTS:
    void initTestCase()
    {
        m_model = loadIfPresent(smollm2Path());
        m_gemma = loadIfPresent(gemma3Path());
    }

    void architecture()
    {
        REQUIRE_MODEL(m_model, smollm2Path());
        const auto& c = m_model->config();
        QCOMPARE(c.family, std::string("llama"));
        QCOMPARE(c.nLayers, 30);
        QCOMPARE(c.nHeads, 9);
        QCOMPARE(c.nKvHeads, 3);
        QCOMPARE(c.dModel, 576);
        QCOMPARE(c.dVocab, 49152);
        QVERIFY(c.tiedEmbeddings);
        QCOMPARE(m_model->info().weightsDtype, std::string("Q4_1 x210, F32 x61, Q8_0 x1"));
        QVERIFY(!m_model->info().prependBos); // tokenizer.ggml.add_bos_token is false
    }

    void tokenization()
    {
        REQUIRE_MODEL(m_model, smollm2Path());
        const auto ref = readJsonFile(kRefs / "smollm2-tokenization.json");
        const Tokenizer& tok = *m_model->tokenizer();
        int checked = 0, differsFromTransformers = 0;
        for (const auto& row : ref["texts"]) {
            const std::string text = row["text"].get<std::string>();
            const auto want = row["expected"].get<std::vector<int32_t>>();
            const auto got = tok.encode(text);
            if (got != want) {
                std::string g, w;
                for (auto id : got)
                    g += std::to_string(id) + " ";
                for (auto id : want)
                    w += std::to_string(id) + " ";
                QFAIL(qPrintable(QString("text %1: got [%2], expected [%3]")
                                     .arg(QString::fromStdString(nlohmann::json(text).dump()), QString::fromStdString(g),
                                          QString::fromStdString(w))));
            }
            QCOMPARE(tok.decode(got), text); // byte-level: decode inverts encode
            differsFromTransformers += row["transformers"] != row["expected"];
            ++checked;
        }
        QVERIFY(checked >= 60);
        // The whitespace-before-digits case of issue 28.4: llama.cpp's "smollm" rule splits
        // digits first, so the two spaces stay one piece (token 256, "ĠĠ").
        QCOMPARE(tok.encode("Numbers  42"), (std::vector<int32_t>{39006, 256, 36, 34}));
        qInfo("%d texts exact; transformers' converter (which drops tokenizer.ggml.pre) differs on %d of them",
              checked, differsFromTransformers);
    }

    void logits()
    {
        REQUIRE_MODEL(m_model, smollm2Path());
        const auto ref = readJsonFile(kRefs / "smollm2-logits.json");
        const double worst = worstLogitDifference(*m_model, ref);
        qInfo("worst |logit - transformers| over %zu prompts: %.3g", ref["prompts"].size(), worst);
        QVERIFY2(worst <= 1e-3, qPrintable(QString::number(worst)));
    }

    // A real (not random) model: it copies an induction sequence and does IOI.
    void completesInductionAndIoi()
    {
        REQUIRE_MODEL(m_model, smollm2Path());
        const auto ref = readJsonFile(kRefs / "smollm2-logits.json");
        for (const auto& t : ref["tasks"]) {
            const auto ids = m_model->encode(t["prompt"].get<std::string>());
            QCOMPARE(ids, t["input_ids"].get<std::vector<int32_t>>());
            const auto out = m_model->logits({ids}, false);
            const auto& v = out.values;
            const int32_t top = int32_t(std::max_element(v.begin(), v.end()) - v.begin());
            QCOMPARE(m_model->tokenizer()->decode({top}), t["answer"].get<std::string>());
            QCOMPARE(top, t["answer_id"].get<int32_t>());
        }
    }

    // Every task generator makes pairs that this real model solves (issue 28): on most rows the
    // clean prompt favours the answers over the wrong answers, and more than the corrupted
    // prompt does. The metric is the task's own: logit-diff (mean answer logit minus mean
    // wrong-answer logit) or prob-diff (summed probabilities), computed here from the logits.
    void generatedTasksAreSolved_data()
    {
        QTest::addColumn<QString>("task");
        for (const char* t : {"ioi", "greater-than-digit", "induction", "docstring"})
            QTest::newRow(t) << QString(t);
    }
    void generatedTasksAreSolved()
    {
        REQUIRE_MODEL(m_model, smollm2Path());
        QFETCH(QString, task);
        TaskOptions options;
        options.task = task.toStdString();
        options.n = 24;
        options.seed = 11;
        auto generated = generateTask(options, *m_model->tokenizer());
        tokenizeDataset(generated.data, *m_model->tokenizer(),
                        [&](const std::string& text) { return m_model->encode(text); });
        const bool probDiff = generated.metric == "prob-diff";
        auto metric = [&](const std::vector<int32_t>& ids, const PromptPair& pair) {
            const auto v = m_model->logits({ids}, false).values; // [1, vocab]
            const double mx = *std::max_element(v.begin(), v.end());
            double z = 0;
            for (float x : v)
                z += std::exp(double(x) - mx);
            auto side = [&](const std::vector<int32_t>& answers) {
                double sum = 0;
                for (auto id : answers)
                    sum += probDiff ? std::exp(double(v[std::size_t(id)]) - mx) / z : double(v[std::size_t(id)]);
                return probDiff ? sum : sum / double(answers.size());
            };
            return side(pair.answerIds) - side(pair.wrongAnswerIds);
        };
        int solved = 0;
        double clean = 0, corrupted = 0;
        for (const auto& pair : generated.data.pairs) {
            const double c = metric(pair.cleanIds, pair), k = metric(pair.corruptedIds, pair);
            solved += c > 0 && c > k;
            clean += c;
            corrupted += k;
        }
        const int n = int(generated.data.pairs.size());
        qInfo("%s (%s): %d of %d rows solved; mean clean %.3f, corrupted %.3f", qPrintable(task),
              generated.metric.c_str(), solved, n, clean / n, corrupted / n);
        QCOMPARE(n, options.n);
        QVERIFY2(solved >= n * 3 / 4, qPrintable(QString("%1 of %2 rows solved").arg(solved).arg(n)));
        QVERIFY(clean / n > corrupted / n);
    }

    // Issue 22's finding, pinned: EAP's induction circuit on SmolLM2 is faithful when the
    // corrupted prompt changes only the answer's first occurrence (the default corruption)
    // and not when the whole first half is fresh. Measured on these 20 pairs (seed 1) with
    // the top 1 % of the edges by |score| (706 of 70,651): 0.411 against 0.058; at 100 pairs
    // 0.40 against 0.02 (docs/real-circuits.md). The bounds leave 0.1 either side.
    void inductionCircuitFaithfulnessByCorruption()
    {
        REQUIRE_MODEL(m_model, smollm2Path());
        auto faithfulnessAtOnePercent = [&](const std::string& corruption) {
            TaskOptions options;
            options.task = "induction";
            options.n = 20;
            options.seed = 1;
            options.corruption = corruption;
            auto data = generateTask(options, *m_model->tokenizer()).data;
            EvaluationOptions eo;
            eo.batchSize = 10;
            const Evaluator ev(m_model, data, eo);
            AttributionOptions ao;
            ao.method = Method::Eap;
            auto circuit = attributionCircuit(ev, attribute(ev, ao));
            selectTopN(circuit, circuit.graph.edgeCount() / 100); // 706 of 70,651
            const double f = ev.faithfulness(ev.evaluate(circuit));
            qInfo("induction (%s): clean %.3f, all patched %.3f, top 706 edges faithfulness %.3f", corruption.c_str(),
                  ev.cleanMetric(), ev.referenceMetric(), f);
            return f;
        };
        const double answer = faithfulnessAtOnePercent("answer");
        const double firstHalf = faithfulnessAtOnePercent("first-half");
        QVERIFY2(answer > 0.31, qPrintable(QString::number(answer)));
        QVERIFY2(firstHalf < 0.16, qPrintable(QString::number(firstHalf)));
    }

    // How well each model does each generated task (issue 22.1), against transformers on the
    // same ids: 20 pairs per task (seed 1) from task-performance.json. Logit differences within
    // 2e-3 (measured: 4e-5 at most), probability differences within 1e-3, the prediction equal
    // unless transformers' top two are within 2e-3, `correct` equal unless the metric is within
    // the tolerance of 0. The accuracy is then checked against the fixture's own count, and the
    // tasks the docs say a model solves must stay solved (accuracy ≥ 0.8 on these pairs).
    void taskPerformanceMatchesTransformers_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("task");
        const auto ref = readJsonFile(kRefs / "task-performance.json");
        for (const auto& [model, entry] : ref["models"].items())
            for (const auto& [task, unused] : entry["tasks"].items())
                QTest::newRow((model + " " + task).c_str()) << QString::fromStdString(model) << QString::fromStdString(task);
    }
    void taskPerformanceMatchesTransformers()
    {
        QFETCH(QString, model);
        QFETCH(QString, task);
        const bool smol = model == QLatin1String("smollm2");
        const auto& m = smol ? m_model : m_gemma;
        REQUIRE_MODEL(m, smol ? smollm2Path() : gemma3Path());
        const auto ref = readJsonFile(kRefs / "task-performance.json")["models"][model.toStdString()]["tasks"][task.toStdString()];
        Dataset data;
        data.source = "task-performance.json";
        const bool probDiff = ref["metric"] == "prob-diff";
        if (probDiff)
            data.task = "greater-than-digit";
        data.pairs = fixturePairs(ref["pairs"]);
        PerformanceOptions options;
        options.batchSize = 8;
        const auto got = measureTask(*m, data, options);
        QCOMPARE(got.metric, probDiff ? Metric::ProbDiff : Metric::LogitDiff);
        double worstLogit = 0, worstProb = 0;
        int correct = 0;
        for (std::size_t i = 0; i < got.perPair.size(); ++i) {
            const auto& r = got.perPair[i];
            const auto& p = ref["pairs"][i];
            worstLogit = std::max({worstLogit, std::abs(r.logitDiff - p["logit_diff"].get<double>()),
                                   std::abs(r.corruptedLogitDiff - p["corrupted_logit_diff"].get<double>())});
            worstProb = std::max({worstProb, std::abs(r.probDiff - p["prob_diff"].get<double>()),
                                  std::abs(r.corruptedProbDiff - p["corrupted_prob_diff"].get<double>())});
            if (p["top_gap"].get<double>() > 2e-3)
                QCOMPARE(r.prediction, p["prediction"].get<int32_t>());
            const double metric = p[probDiff ? "prob_diff" : "logit_diff"].get<double>();
            if (std::abs(metric) > (probDiff ? 1e-3 : 2e-3))
                QCOMPARE(r.correct, metric > 0);
            correct += metric > 0;
        }
        qInfo("%s %s: accuracy %.2f, top-1 %.2f, clean %.3f, corrupted %.3f; worst |Δ logit diff| %.2g, |Δ prob diff| %.2g",
              qPrintable(model), qPrintable(task), got.accuracy, got.top1, got.cleanMetric, got.corruptedMetric, worstLogit,
              worstProb);
        QVERIFY2(worstLogit <= 2e-3, qPrintable(QString::number(worstLogit)));
        QVERIFY2(worstProb <= 1e-3, qPrintable(QString::number(worstProb)));
        QCOMPARE(got.accuracy, double(correct) / double(got.pairs));
        if (ref["transformers"]["accuracy"].get<double>() >= 0.8) // what docs/real-circuits.md calls solved
            QVERIFY2(got.accuracy >= 0.8, qPrintable(QString::number(got.accuracy)));
    }

    // Issue 22.5: each head's induction, previous-token and duplicate-token score against
    // transformers' attention weights on the same sequences (measured: 2e-7 and 5e-7 at
    // most), and the induction heads found: SmolLM2's a18.h6 (0.86) and a17.h3/h4/h5,
    // a18.h7 (0.62-0.73), the next at 0.41; Gemma-3's a5.h1 (0.76), then a5.h2 (0.53).
    void headScoresMatchTransformers_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QStringList>("inductionHeads"); // above 0.5, the highest first
        QTest::newRow("smollm2") << QStringLiteral("smollm2")
                                 << QStringList{"a18.h6", "a17.h4", "a17.h3", "a17.h5", "a18.h7"};
        QTest::newRow("gemma3") << QStringLiteral("gemma3") << QStringList{"a5.h1", "a5.h2"};
    }
    void headScoresMatchTransformers()
    {
        QFETCH(QString, model);
        QFETCH(QStringList, inductionHeads);
        const bool smol = model == QLatin1String("smollm2");
        const auto& m = smol ? m_model : m_gemma;
        REQUIRE_MODEL(m, smol ? smollm2Path() : gemma3Path());
        const auto file = readJsonFile(kRefs / "head-scores.json");
        const auto& ref = file["models"][model.toStdString()];
        HeadScoreOptions options;
        options.sequences = file["sequences"].get<int>();
        options.length = file["length"].get<int>();
        options.seed = file["seed"].get<uint64_t>();
        const auto got = scoreHeads(*m, options);
        QCOMPARE(got.bos, ref["bos"].get<bool>());
        QVERIFY(got.tokens == ref["tokens"].get<std::vector<std::vector<int32_t>>>()); // the generator, on any platform
        double worst = 0;
        for (const auto& [kind, values] : {std::pair{"induction", &got.induction}, std::pair{"previous_token", &got.previousToken},
                                           std::pair{"duplicate_token", &got.duplicateToken}}) {
            const auto want = ref[kind].get<std::vector<std::vector<double>>>();
            QCOMPARE(int(want.size()), got.layers);
            for (int l = 0; l < got.layers; ++l)
                for (int h = 0; h < got.heads; ++h)
                    worst = std::max(worst, std::abs(got.at(*values, l, h) - want[std::size_t(l)][std::size_t(h)]));
        }
        QStringList found;
        for (const auto& [head, score] : headsAbove(got, got.induction, 0.5))
            found << QString::fromStdString(head);
        qInfo("%s: worst |score - transformers| %.2g; induction heads above 0.5: %s", qPrintable(model), worst,
              qPrintable(found.join(u' ')));
        QVERIFY2(worst <= 1e-4, qPrintable(QString::number(worst)));
        QCOMPARE(found.first(), inductionHeads.first());
        found.sort(); // a17.h4 and a17.h3 differ by 0.001: the set, not their order
        inductionHeads.sort();
        QCOMPARE(found, inductionHeads);

        // Where each head looks from the answer position on IOI (the 20 IOI (s2) pairs of
        // task-performance.json): SmolLM2's name-mover-like heads attend to the indirect
        // object with 0.52-0.58, the next head 0.39 (docs/real-circuits.md).
        const auto tasks = readJsonFile(kRefs / "task-performance.json");
        Dataset ioi;
        ioi.pairs = fixturePairs(tasks["models"][model.toStdString()]["tasks"]["ioi (s2)"]["pairs"]);
        const auto attention = answerAttention(*m, ioi);
        double worstAttention = 0;
        for (const auto& [kind, values] : {std::pair{"answer_attention", &attention.toAnswer},
                                           std::pair{"wrong_answer_attention", &attention.toWrongAnswer}}) {
            const auto want = ref[kind].get<std::vector<std::vector<double>>>();
            for (int l = 0; l < attention.layers; ++l)
                for (int h = 0; h < attention.heads; ++h)
                    worstAttention = std::max(worstAttention, std::abs((*values)[std::size_t(l * attention.heads + h)]
                                                                       - want[std::size_t(l)][std::size_t(h)]));
        }
        QStringList toAnswer;
        for (const auto& [head, score] : headsAbove(attention.layers, attention.heads, attention.toAnswer, 0.45))
            toAnswer << QString::fromStdString(head);
        toAnswer.sort();
        qInfo("%s IOI: worst |attention - transformers| %.2g; heads attending to the answer above 0.45: %s", qPrintable(model),
              worstAttention, qPrintable(toAnswer.join(u' ')));
        QVERIFY2(worstAttention <= 1e-4, qPrintable(QString::number(worstAttention)));
        if (smol)
            QCOMPARE(toAnswer, (QStringList{"a22.h7", "a23.h0", "a23.h1", "a23.h7", "a24.h4"}));
        else
            QVERIFY(toAnswer.isEmpty()); // Gemma-3's highest: a13.h3 0.38
    }

    // Issue 22's test of EAP against the ground truth: exact patching of EAP's top 60 edges on
    // 20 induction (`answer`) pairs, one edge at a time. Measured: Spearman 0.95, signs 0.97, 10
    // of the top 10 shared (docs/real-circuits.md); the bounds leave a margin for other CPUs.
    void eapAgreesWithExactPatching()
    {
        REQUIRE_MODEL(m_model, smollm2Path());
        TaskOptions options;
        options.task = "induction";
        options.n = 20;
        options.seed = 1;
        options.corruption = "answer";
        EvaluationOptions eo;
        eo.batchSize = 10;
        const Evaluator ev(m_model, generateTask(options, *m_model->tokenizer()).data, eo);
        AttributionOptions ao;
        ao.method = Method::Exact;
        ao.exactTopK = 60;
        ao.rankingMethod = Method::Eap;
        const auto r = attribute(ev, ao);
        QVERIFY(r.hasAgreement);
        const auto& a = r.agreement;
        int topTen = -1;
        for (const auto& o : a.overlaps)
            if (o.n == 10)
                topTen = static_cast<int>(o.shared);
        qInfo("EAP vs exact on its top %zu edges: Spearman %.3f, signs %.2f, top 10 shared %d", a.edges, a.spearman,
              a.signAgreement, topTen);
        QCOMPARE(a.edges, std::size_t{60});
        QVERIFY2(a.spearman >= 0.85, qPrintable(QString::number(a.spearman)));
        QVERIFY2(a.signAgreement >= 0.9, qPrintable(QString::number(a.signAgreement)));
        QVERIFY2(topTen >= 8, qPrintable(QString::number(topTen)));
    }

    void gemma3Architecture()
    {
        REQUIRE_MODEL(m_gemma, gemma3Path());
        const auto& c = m_gemma->config();
        QCOMPARE(c.family, std::string("gemma"));
        QCOMPARE(c.modelType, std::string("gemma3_text"));
        QCOMPARE(c.nLayers, 18);
        QCOMPARE(c.nHeads, 4);
        QCOMPARE(c.nKvHeads, 1);
        QCOMPARE(c.dModel, 640);
        QCOMPARE(c.dHead, 256);
        QCOMPARE(c.dVocab, 262144);
        QCOMPARE(c.slidingWindow, 512);
        QVERIFY(c.tiedEmbeddings);
        QVERIFY(m_gemma->info().prependBos); // tokenizer.ggml.add_bos_token is true
        QCOMPARE(m_gemma->info().bosId, std::optional<int32_t>(2));
    }

    void gemma3Tokenization()
    {
        REQUIRE_MODEL(m_gemma, gemma3Path());
        const auto ref = readJsonFile(kRefs / "gemma3-tokenization.json");
        const Tokenizer& tok = *m_gemma->tokenizer();
        int checked = 0;
        for (const auto& row : ref["texts"]) {
            const std::string text = row["text"].get<std::string>();
            const auto want = row["ids"].get<std::vector<int32_t>>();
            const auto got = tok.encode(text);
            if (got != want)
                QFAIL(qPrintable(QString("text %1: got [%2], transformers [%3]")
                                     .arg(QString::fromStdString(nlohmann::json(text).dump()),
                                          QString::fromStdString(idList(got)), QString::fromStdString(idList(want)))));
            ++checked;
        }
        QVERIFY(checked >= 40);
        qInfo("%d texts exact", checked);
    }

    void gemma3Logits()
    {
        REQUIRE_MODEL(m_gemma, gemma3Path());
        const auto ref = readJsonFile(kRefs / "gemma3-logits.json");
        const double worst = worstLogitDifference(*m_gemma, ref);
        qInfo("worst |logit - transformers| over %zu prompts: %.3g", ref["prompts"].size(), worst);
        QVERIFY2(worst <= 1e-3, qPrintable(QString::number(worst)));
    }
};

QTEST_GUILESS_MAIN(TestRealModels)
#include "test_real_models.moc"
