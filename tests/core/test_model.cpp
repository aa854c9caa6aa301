// SPDX-License-Identifier: MIT
// The model engine against Hugging Face transformers: every fixture under
// tests/data/models/ was made by tools/reference/make_model_fixtures.py (random-initialised
// checkpoints saved by save_pretrained, plus transformers' logits and activations for fixed
// inputs). Tolerance: max |Δ| <= 1e-4 in fp32.
#include "core/model/detail/transformer.h"
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/model/model.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

const fs::path kModels = fs::path(PATCHBAY_TEST_DATA_DIR) / "models";

// [batch][pos][...] nested JSON arrays -> a float tensor.
torch::Tensor jsonTensor(const nlohmann::json& j)
{
    std::vector<int64_t> shape;
    const nlohmann::json* cur = &j;
    while (cur->is_array()) {
        shape.push_back(static_cast<int64_t>(cur->size()));
        if (cur->empty())
            break;
        cur = &(*cur)[0];
    }
    std::vector<float> flat;
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& v) {
        if (v.is_array())
            for (const auto& e : v)
                walk(e);
        else
            flat.push_back(v.get<float>());
    };
    walk(j);
    return torch::from_blob(flat.data(), shape, torch::kFloat32).clone();
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat32) - b.to(torch::kFloat32)).abs().max().item<double>();
}

} // namespace

class TestModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesTransformers_data()
    {
        QTest::addColumn<QString>("fixture");
        for (const char* name : {"gpt2", "gpt2-noprefix", "pythia", "pythia-sequential", "llama-gqa", "qwen2",
                                 "mistral", "llama-bf16", "llama-f16",
                                 // issue 20: windows, rotary scaling (both config layouts), q/k norms, Gemma
                                 "qwen2-window-off", "qwen2-window", "rope-llama3", "rope-llama3-legacy", "rope-linear",
                                 "rope-dynamic", "rope-yarn", "rope-yarn-explicit", "qwen3", "gemma2", "gemma3",
                                 "gemma3-legacy", "olmo2", "phi3"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void matchesTransformers()
    {
        QFETCH(QString, fixture);
        const fs::path dir = kModels / fixture.toStdString();
        const auto ref = readJsonFile(dir / "reference.json");
        const auto model = Model::load(dir);
        const auto& cfg = model->config();
        const auto& summary = ref["config_summary"];
        QCOMPARE(cfg.nLayers, summary["n_layers"].get<int>());
        QCOMPARE(cfg.nHeads, summary["n_heads"].get<int>());
        QCOMPARE(cfg.nKvHeads, summary["n_kv_heads"].get<int>());
        QCOMPARE(cfg.dHead, summary["d_head"].get<int>());
        QCOMPARE(cfg.dMlp, summary["d_mlp"].get<int>());
        QCOMPARE(cfg.rotaryDim, summary.value("rotary_dim", 0));
        QCOMPARE(model->info().parameterCount, summary["n_params"].get<int64_t>());

        // Batch with right padding: compare only real tokens.
        const auto ids = jsonTensor(ref["input_ids"]).to(torch::kInt64);        // [batch, pos]
        const auto mask = jsonTensor(ref["attention_mask"]).to(torch::kInt64);  // [batch, pos]
        const auto refLogits = jsonTensor(ref["logits"]);                        // [batch, pos, vocab]
        torch::NoGradGuard noGrad;
        auto cache = patchbay::core::detail::ActivationCache::all();
        const auto logits = model->transformer().forward(ids, mask, &cache);
        const auto valid = mask.to(torch::kBool);
        const double dLogits = maxAbsDiff(logits.index({valid}), refLogits.index({valid}));
        qInfo("%s: max |dlogit| = %.3g", qPrintable(fixture), dLogits);
        QVERIFY2(dLogits <= 1e-4, qPrintable(QString::number(dLogits)));

        for (const auto& [name, value] : ref["activations"].items()) {
            const auto expected = jsonTensor(value);
            torch::Tensor ours;
            torch::Tensor a, b;
            if (name == "final_hidden") {
                ours = cache.at("ln_final.hook_normalized");
            } else {
                ours = cache.at(name);
            }
            if (name.find("hook_pattern") != std::string::npos) {
                // [batch, head, query, key]: real query rows only.
                const auto rows = valid.unsqueeze(1).unsqueeze(-1).expand_as(expected);
                a = ours.index({rows});
                b = expected.index({rows});
            } else {
                a = ours.index({valid});
                b = expected.index({valid});
            }
            const double d = maxAbsDiff(a, b);
            QVERIFY2(d <= 1e-4, qPrintable(QStringLiteral("%1 %2: max |d| = %3").arg(fixture, QString::fromStdString(name)).arg(d)));
        }

        // The value-typed attention patterns of batch row 0 (no padding) against Hugging Face's.
        const auto row0 = ids[0].to(torch::kInt32).contiguous();
        const auto patterns = model->attentionPatterns(
            std::vector<int32_t>(row0.data_ptr<int32_t>(), row0.data_ptr<int32_t>() + row0.numel()));
        const int64_t pos = ids.size(1);
        QCOMPARE(patterns.shape, (std::vector<int64_t>{cfg.nLayers, cfg.nHeads, pos, pos}));
        for (int l = 0; l < cfg.nLayers; ++l) {
            const auto expected = jsonTensor(ref["activations"]["blocks." + std::to_string(l) + ".attn.hook_pattern"])[0];
            const auto oursL = torch::from_blob(const_cast<float*>(patterns.values.data()), patterns.shape, torch::kFloat32)[l];
            QVERIFY2(maxAbsDiff(oursL, expected) <= 1e-4, qPrintable(QStringLiteral("%1 layer %2 patterns").arg(fixture).arg(l)));
        }

        // The value-typed API on an unpadded sequence: logits of the last position.
        std::vector<int32_t> single;
        for (const auto& v : ref["single"]["input_ids"])
            single.push_back(v.get<int32_t>());
        const auto last = model->logits({single}, false);
        QCOMPARE(last.shape, (std::vector<int64_t>{1, cfg.dVocab}));
        const auto refLast = jsonTensor(ref["single"]["logits_last"]);
        const auto oursLast = torch::from_blob(const_cast<float*>(last.values.data()), {cfg.dVocab}, torch::kFloat32);
        QVERIFY(maxAbsDiff(oursLast, refLast) <= 1e-4);

        // A sequence past the sliding window and the rotary scaling's original context:
        // logits at every position.
        if (ref.contains("long")) {
            std::vector<int32_t> longIds;
            for (const auto& v : ref["long"]["input_ids"])
                longIds.push_back(v.get<int32_t>());
            const auto all = model->logits({longIds}, true);
            const auto n = static_cast<int64_t>(longIds.size());
            const auto ours = torch::from_blob(const_cast<float*>(all.values.data()), {n, cfg.dVocab}, torch::kFloat32);
            const double d = maxAbsDiff(ours, jsonTensor(ref["long"]["logits"]));
            qInfo("%s: long sequence of %lld tokens, max |dlogit| = %.3g", qPrintable(fixture), static_cast<long long>(n), d);
            QVERIFY2(d <= 1e-4, qPrintable(QString::number(d)));
        }
    }

    // Configurations the forward does not implement are refused by name, with the file.
    void refusesUnsupportedConfigs_data()
    {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("message");
        const QString llama = QStringLiteral(R"({"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 4,
            "hidden_size": 32, "intermediate_size": 64, "vocab_size": 128, "max_position_embeddings": 64, %1})");
        QTest::newRow("longrope") << llama.arg(QStringLiteral(R"("rope_scaling": {"type": "longrope", "long_factor": [1], "short_factor": [1]})"))
                                  << QStringLiteral("rotary scaling of type \"longrope\" is not supported");
        QTest::newRow("llama3 without factor") << llama.arg(QStringLiteral(R"("rope_parameters": {"rope_type": "llama3", "rope_theta": 10000})"))
                                               << QStringLiteral("\"factor\" must be a positive number");
        QTest::newRow("yarn mscale_all_dim") << llama.arg(QStringLiteral(R"("rope_scaling": {"rope_type": "yarn", "factor": 4, "mscale": 1, "mscale_all_dim": 1})"))
                                             << QStringLiteral("mscale_all_dim");
        QTest::newRow("mistral use_sliding_window") << QString(llama).replace(QStringLiteral("\"llama\""), QStringLiteral("\"mistral\"")).arg(QStringLiteral(R"("use_sliding_window": true)"))
                                                   << QStringLiteral("use_sliding_window = true is not supported");
        QTest::newRow("bad layer_types") << QString(llama).replace(QStringLiteral("\"llama\""), QStringLiteral("\"qwen2\"")).arg(QStringLiteral(R"("use_sliding_window": true, "sliding_window": 4, "layer_types": ["full_attention", "chunked_attention"])"))
                                        << QStringLiteral("layer_types entry \"chunked_attention\" is not supported");
        const QString gemma = QStringLiteral(R"({"model_type": "gemma3_text", "num_hidden_layers": 2, "num_attention_heads": 4,
            "hidden_size": 32, "intermediate_size": 64, "vocab_size": 128, "head_dim": 16, %1})");
        QTest::newRow("gemma3 bidirectional") << gemma.arg(QStringLiteral(R"("use_bidirectional_attention": true)"))
                                              << QStringLiteral("use_bidirectional_attention = true");
        QTest::newRow("gemma activation") << gemma.arg(QStringLiteral(R"("hidden_activation": "silu")"))
                                          << QStringLiteral("hidden_activation \"silu\" is not supported");
        QTest::newRow("gemma3 multimodal") << QStringLiteral(R"({"model_type": "gemma3", "text_config": {}})")
                                           << QStringLiteral("model_type \"gemma3\" is not supported");
    }

    void refusesUnsupportedConfigs()
    {
        QFETCH(QString, config);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const fs::path dir = tmp.path().toStdString();
        {
            std::ofstream(dir / "config.json") << config.toStdString();
        }
        try {
            readModelConfig(dir);
            QFAIL("accepted");
        } catch (const Error& e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains(message), qPrintable(what));
            QVERIFY2(what.contains(QStringLiteral("config.json")), qPrintable(what));
        }
    }

    // LibTorch's own errors reach users as their first line: no C++ backtrace.
    void torchErrorsReadWithoutBacktrace()
    {
        try {
            (void)torch::ones({2, 3}).view({4});
            QFAIL("LibTorch accepted an impossible view");
        } catch (const std::exception& e) {
            const std::string shown = patchbay::core::userMessage(e);
            QVERIFY2(!shown.empty(), e.what());
            QVERIFY2(shown.find("Exception raised from") == std::string::npos, shown.c_str());
            QVERIFY2(shown.find('4') != std::string::npos, shown.c_str()); // it names the bad shape
        }
        const std::runtime_error plain("weights.safetensors: tensor wte.weight is 3 x 4, expected 5 x 4\n");
        QCOMPARE(patchbay::core::userMessage(plain),
                 std::string("weights.safetensors: tensor wte.weight is 3 x 4, expected 5 x 4"));
    }

    void paddedRowEqualsUnpaddedRun()
    {
        // Right padding must not change a shorter sequence's logits.
        const auto model = Model::load(kModels / "llama-gqa");
        const std::vector<int32_t> a = {5, 17, 33, 2, 9, 100, 101, 7};
        const std::vector<int32_t> b = {42, 3, 250};
        const auto both = model->logits({a, b}, true);
        const auto alone = model->logits({b}, true);
        const int64_t vocab = model->config().dVocab;
        for (int64_t p = 0; p < 3; ++p)
            for (int64_t v = 0; v < vocab; ++v)
                // Different GEMM shapes (batch 2 vs 1) may round differently in the last bits.
                QVERIFY(std::abs(both.at({1, p, v}) - alone.at({0, p, v})) <= 1e-5f * std::max(1.0f, std::abs(alone.at({0, p, v}))));
        QCOMPARE(both.at({1, 5, 0}), 0.0f); // padding rows are zeroed
    }

    void halfPrecisionComputeIsClose_data()
    {
        QTest::addColumn<QString>("dtype");
        QTest::newRow("bfloat16") << QStringLiteral("bfloat16");
        QTest::newRow("float16") << QStringLiteral("float16");
    }

    void halfPrecisionComputeIsClose()
    {
        QFETCH(QString, dtype);
        LoadOptions options;
        options.dtype = dtype.toStdString();
        std::shared_ptr<Model> half;
        try {
            half = Model::load(kModels / "gpt2", options);
        } catch (const Error& e) {
            // LibTorch 1.13 has no float16 matrix product on the CPU; the loader says so.
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("not supported")), e.what());
            QSKIP("this LibTorch cannot compute in this dtype on the CPU");
        }
        const auto full = Model::load(kModels / "gpt2");
        QCOMPARE(QString::fromStdString(half->info().dtype), dtype);
        const std::vector<int32_t> ids = {1, 2, 3, 4, 5, 6, 7, 8};
        const auto h = half->logits({ids}, true);
        const auto f = full->logits({ids}, true);
        double maxDiff = 0, maxAbs = 0;
        for (std::size_t i = 0; i < f.values.size(); ++i) {
            maxDiff = std::max(maxDiff, double(std::abs(h.values[i] - f.values[i])));
            maxAbs = std::max(maxAbs, double(std::abs(f.values[i])));
        }
        qInfo("%s: max |dlogit| vs fp32 = %.3g (max |logit| %.3g)", qPrintable(dtype), maxDiff, maxAbs);
        QVERIFY(maxDiff < 0.05 * maxAbs); // a half-precision forward, not a different model
        QVERIFY(maxDiff > 0);             // and really computed in half precision
    }

    // The logit lens against Hugging Face: hidden_states decoded by the final norm and
    // lm_head (tools/reference/make_logit_lens_fixtures.py), the last stage the logits.
    void logitLensMatchesTransformers_data()
    {
        QTest::addColumn<QString>("fixture");
        for (const char* name : {"gpt2", "pythia", "llama-gqa"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void logitLensMatchesTransformers()
    {
        QFETCH(QString, fixture);
        const auto ref = readJsonFile(fs::path(PATCHBAY_TEST_DATA_DIR) / "logit_lens" / (fixture.toStdString() + ".json"));
        const auto model = Model::load(kModels / fixture.toStdString());
        std::vector<int32_t> ids;
        for (const auto& v : ref["input_ids"])
            ids.push_back(v.get<int32_t>());
        const int topK = ref["top_k"].get<int>();
        for (const auto& at : ref["positions"]) {
            std::vector<int32_t> tracked;
            for (const auto& t : at["tracked"])
                tracked.push_back(t["id"].get<int32_t>());
            const auto lens = model->logitLens(ids, at["position"].get<int64_t>(), topK, tracked);
            // Every token's probability per stage, to tell a rank that differs from a near tie.
            const int vocab = model->config().dVocab;
            const auto full = model->logitLens(ids, at["position"].get<int64_t>(), vocab);
            QCOMPARE(lens.stages, ref["stages"].get<int>());
            QCOMPARE(lens.position, at["position"].get<int64_t>());
            for (int s = 0; s < lens.stages; ++s) {
                for (int k = 0; k < topK; ++k) {
                    const auto i = static_cast<std::size_t>(s * topK + k);
                    const float p = at["top_probs"][s][k].get<float>();
                    QVERIFY2(std::abs(lens.topProbs[i] - p) <= 1e-5,
                             qPrintable(QStringLiteral("%1 stage %2 top %3: %4 vs %5").arg(fixture).arg(s).arg(k).arg(lens.topProbs[i]).arg(p)));
                    // Ids must agree unless two probabilities tie within the tolerance.
                    if (k + 1 < topK && std::abs(p - at["top_probs"][s][k + 1].get<float>()) > 1e-5 && (k == 0 || std::abs(p - at["top_probs"][s][k - 1].get<float>()) > 1e-5))
                        QCOMPARE(lens.topIds[i], at["top_ids"][s][k].get<int32_t>());
                }
                for (std::size_t t = 0; t < tracked.size(); ++t) {
                    const auto i = static_cast<std::size_t>(s) * tracked.size() + t;
                    QVERIFY(std::abs(lens.trackedProbs[i] - at["tracked"][t]["probs"][s].get<float>()) <= 1e-5);
                    // Ranks must agree, except across probabilities that tie within float32
                    // rounding (1e-6), whose order another CPU's kernels may swap.
                    const int64_t want = at["tracked"][t]["ranks"][s].get<int64_t>();
                    const float p = lens.trackedProbs[i];
                    int64_t ties = 0;
                    for (int k = 0; k < vocab; ++k)
                        ties += std::abs(full.topProbs[static_cast<std::size_t>(s) * vocab + k] - p) <= 1e-6f;
                    QVERIFY2(std::abs(lens.trackedRanks[i] - want) <= std::max<int64_t>(0, ties - 1),
                             qPrintable(QStringLiteral("%1 stage %2: rank %3 vs %4").arg(fixture).arg(s).arg(lens.trackedRanks[i]).arg(want)));
                }
            }
        }
        // The last stage is the model's output: its top token is the argmax of the logits.
        const auto lens = model->logitLens(ids, -1, 1);
        const auto logits = model->logits({ids}, false);
        const auto argmax = std::max_element(logits.values.begin(), logits.values.end()) - logits.values.begin();
        // Two code paths: the top token must be the argmax unless the two are tied within rounding.
        const auto chosen = static_cast<std::size_t>(lens.topIds.back());
        QVERIFY2(lens.topIds.back() == static_cast<int32_t>(argmax)
                     || logits.values[static_cast<std::size_t>(argmax)] - logits.values[chosen] <= 1e-5f,
                 qPrintable(QStringLiteral("%1: top %2 vs argmax %3").arg(fixture).arg(lens.topIds.back()).arg(argmax)));
        QCOMPARE(lens.stageLabel(0), std::string("embed"));
        QCOMPARE(lens.stageLabel(lens.stages - 1), "after " + std::to_string(lens.stages - 2));
        QVERIFY_THROWS_EXCEPTION(Error, model->logitLens(ids, static_cast<int64_t>(ids.size()), 5));
        QVERIFY_THROWS_EXCEPTION(Error, model->logitLens(ids, -static_cast<int64_t>(ids.size()) - 1, 5));
        QVERIFY_THROWS_EXCEPTION(Error, model->logitLens(ids, 0, 5, {model->config().dVocab}));
    }

    // Loading reports progress after every tensor and stops between tensors when cancelled
    // (a large model's weights are most of the load; the GUI's Cancel must not wait for them).
    void loadReportsAndCancelsPerTensor()
    {
        // The fixture's file holds 40 tensors (3 layers); every one the architecture reads
        // is one kLoadingWeights report after the first.
        std::vector<double> fractions;
        LoadOptions options;
        options.progress = [&](double f, const std::string& stage) {
            if (stage == LoadOptions::kLoadingWeights)
                fractions.push_back(f);
        };
        Model::load(kModels / "gpt2", options);
        QVERIFY2(fractions.size() >= 30, std::to_string(fractions.size()).c_str());
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QCOMPARE(fractions.front(), 0.1);
        QVERIFY(fractions.back() > 0.8 && fractions.back() <= 0.9);

        std::atomic_bool cancel{false};
        int reports = 0;
        options.cancel = &cancel;
        options.progress = [&](double, const std::string& stage) {
            if (stage == LoadOptions::kLoadingWeights && ++reports == 4) // the third tensor is read
                cancel = true;
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, Model::load(kModels / "gpt2", options));
        QCOMPARE(reports, 4); // stopped right there, not after the rest of the weights
    }

    void refusesBadInput()
    {
        const auto model = Model::load(kModels / "gpt2");
        QVERIFY_THROWS_EXCEPTION(Error, model->logits({{1, 2, 256}}, false)); // vocab is 256
        QVERIFY_THROWS_EXCEPTION(Error, model->logits({std::vector<int32_t>(65, 1)}, false)); // context 64
        QVERIFY_THROWS_EXCEPTION(Error, model->logits({{}}, false));
        LoadOptions cuda;
        cuda.device = "cuda:7";
        if (!torch::cuda::is_available())
            QVERIFY_THROWS_EXCEPTION(Error, Model::load(kModels / "gpt2", cuda));
        LoadOptions badDtype;
        badDtype.dtype = "int8";
        QVERIFY_THROWS_EXCEPTION(Error, Model::load(kModels / "gpt2", badDtype));
        // Gemma in float16 overflows (NaN logits in transformers too): refused on any device,
        // before the device's own float16 support is looked at.
        for (const char* gemma : {"gemma2", "gemma3"}) {
            LoadOptions half;
            half.dtype = "float16";
            try {
                Model::load(kModels / gemma, half);
                QFAIL("Gemma loaded in float16");
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find("exceed float16's range") != std::string::npos, e.what());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestModel)
#include "test_model.moc"
