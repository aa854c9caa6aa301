// SPDX-License-Identifier: MIT
// GGUF files as models and tokenizers. The tiny models under tests/data/gguf/models/ are
// fixtures of tests/data/models/ converted the way llama.cpp converts each architecture
// (tools/reference/make_gguf_model_fixtures.py); their logits come from transformers'
// own GGUF loading (llama, qwen2) or from the original model holding the file's
// dequantized values (gpt2, gptneox). The tokenizer fixtures' ids come from the
// `tokenizers` library with llama.cpp's pre-tokenizer rules (make_gguf_fixtures.py).
// Also: what a model path means (issue 23.6) — a file argument is that file.
#include "core/common/error.h"
#include "core/io/gguf.h"
#include "core/common/json.h"
#include "core/model/model.h"
#include "core/tokenize/tokenizer.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(PATCHBAY_TEST_DATA_DIR);
const fs::path kGguf = kData / "gguf";

std::string readRaw(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeRaw(const fs::path& file, const std::string& bytes)
{
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

template<typename F>
std::string errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

struct Bytes
{
    std::string s;
    Bytes& u32(uint32_t v)
    {
        for (int i = 0; i < 4; ++i)
            s += char((v >> (8 * i)) & 0xff);
        return *this;
    }
    Bytes& u64(uint64_t v)
    {
        for (int i = 0; i < 8; ++i)
            s += char((v >> (8 * i)) & 0xff);
        return *this;
    }
    Bytes& str(const std::string& v)
    {
        u64(v.size());
        s += v;
        return *this;
    }
    Bytes& kvU32(const std::string& k, uint32_t v) { return str(k).u32(4).u32(v); }
    Bytes& kvF32(const std::string& k, float v)
    {
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        return str(k).u32(6).u32(bits);
    }
    Bytes& kvStr(const std::string& k, const std::string& v) { return str(k).u32(8).str(v); }
    Bytes& kvStrings(const std::string& k, const std::vector<std::string>& vs)
    {
        str(k).u32(9).u32(8).u64(vs.size());
        for (const auto& v : vs)
            str(v);
        return *this;
    }
    Bytes& kvInts(const std::string& k, const std::vector<uint32_t>& vs) // int32 elements
    {
        str(k).u32(9).u32(5).u64(vs.size());
        for (auto v : vs)
            u32(v);
        return *this;
    }
};

// A one-tensor "llama" file (metadata enough to map it), to provoke mapping errors.
std::string oneTensorLlama(const std::string& arch, const std::string& tensor, uint32_t type, uint64_t bytes)
{
    Bytes kv;
    kv.kvStr("general.architecture", arch)
        .kvU32(arch + ".block_count", 1)
        .kvU32(arch + ".embedding_length", 32)
        .kvU32(arch + ".feed_forward_length", 64)
        .kvU32(arch + ".attention.head_count", 4)
        .kvF32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f)
        .kvU32(arch + ".vocab_size", 16);
    Bytes b;
    b.s = "GGUF";
    b.u32(3).u64(1).u64(7);
    b.s += kv.s;
    b.str(tensor).u32(2).u64(256).u64(1).u32(type).u64(0);
    while (b.s.size() % 32)
        b.s += '\0';
    b.s += std::string(bytes, '\0');
    return b.s;
}

} // namespace

class TestGgufModel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    fs::path tmp(const std::string& name) const { return fs::path(m_tmp.path().toStdString()) / name; }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void logitsMatchReference_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("types");
        QTest::newRow("llama") << "llama-q8_0" << "llama" << "Q8_0 x23, F32 x7";
        QTest::newRow("qwen2") << "qwen2-q5_1" << "llama" << "Q5_1 x15, F32 x11";
        QTest::newRow("gpt2") << "gpt2-q4_0" << "gpt2" << "F32 x27, Q4_0 x13";
        QTest::newRow("gptneox") << "gptneox-q8_0" << "gpt_neox" << "F32 x18, Q8_0 x10";
    }
    void logitsMatchReference()
    {
        QFETCH(QString, name);
        QFETCH(QString, family);
        QFETCH(QString, types);
        const fs::path file = kGguf / "models" / (name.toStdString() + ".gguf");
        const auto ref = readJsonFile(kGguf / "models" / (name.toStdString() + ".json"));
        const auto model = Model::load(file);
        const auto& info = model->info();
        QCOMPARE(QString::fromStdString(model->config().family), family);
        QCOMPARE(QString::fromStdString(info.weightsFormat), QString("gguf"));
        QCOMPARE(QString::fromStdString(info.weightsDtype), types);
        QCOMPARE(info.path, fs::absolute(file));
        QCOMPARE(QString::fromStdString(info.weightFiles), name + ".gguf");
        QVERIFY(info.tokenizerKind.empty()); // these files carry no tokenizer.ggml.model
        QCOMPARE(readModelConfig(file).nLayers, model->config().nLayers);
        QCOMPARE(readModelConfig(file).dVocab, model->config().dVocab);

        const std::vector<int32_t> ids = ref["input_ids"].get<std::vector<int32_t>>();
        const auto logits = model->logits({ids}, true); // [1, pos, vocab]
        const auto& want = ref["logits"];
        QCOMPARE(logits.shape[1], int64_t(want.size()));
        QCOMPARE(logits.shape[2], int64_t(want[0].size()));
        double worst = 0;
        for (std::size_t p = 0; p < want.size(); ++p)
            for (std::size_t v = 0; v < want[p].size(); ++v)
                worst = std::max(worst, std::abs(double(logits.at({0, int64_t(p), int64_t(v)})) - want[p][v].get<double>()));
        qInfo("%s: max |logit - reference| = %.3g", qPrintable(name), worst);
        QVERIFY2(worst <= 1e-4, qPrintable(QString::number(worst)));

        // The same file in bfloat16 loads and agrees roughly.
        LoadOptions bf16;
        bf16.dtype = "bfloat16";
        const auto half = Model::load(file, bf16);
        const auto hl = half->logits({ids}, false);
        const auto fl = model->logits({ids}, false);
        double diff = 0;
        for (std::size_t i = 0; i < fl.values.size(); ++i)
            diff = std::max(diff, double(std::abs(fl.values[i] - hl.values[i])));
        QVERIFY2(diff < 0.5, qPrintable(QString::number(diff)));
    }

    void fingerprintIsStableAndChanges()
    {
        const fs::path a = kGguf / "models" / "llama-q8_0.gguf";
        const auto m1 = Model::load(a);
        const auto m2 = Model::load(a);
        QCOMPARE(m1->info().weightsFingerprint, m2->info().weightsFingerprint);
        const auto other = Model::load(kGguf / "models" / "qwen2-q5_1.gguf");
        QVERIFY(other->info().weightsFingerprint != m1->info().weightsFingerprint);
        // One byte of one tensor's payload changed: a different fingerprint.
        std::string bytes = readRaw(a);
        const GgufFile f(a);
        const auto* t = f.findTensor("output_norm.weight");
        bytes[f.dataOffset() + t->offset] ^= 0x01;
        writeRaw(tmp("changed.gguf"), bytes);
        QVERIFY(Model::load(tmp("changed.gguf"))->info().weightsFingerprint != m1->info().weightsFingerprint);
    }

    void mappingErrorsNameTheTensor()
    {
        writeRaw(tmp("bogus.gguf"), oneTensorLlama("llama", "blk.0.bogus.weight", 0, 1024));
        std::string msg = errorOf([&] { Model::load(tmp("bogus.gguf")); });
        QVERIFY2(msg.find("\"blk.0.bogus.weight\"") != std::string::npos, msg.c_str());

        writeRaw(tmp("iq.gguf"), oneTensorLlama("llama", "blk.0.attn_q.weight", 16 /* IQ2_XXS */, 66));
        msg = errorOf([&] { Model::load(tmp("iq.gguf")); });
        QVERIFY2(msg.find("\"blk.0.attn_q.weight\"") != std::string::npos && msg.find("IQ2_XXS") != std::string::npos,
                 msg.c_str());

        writeRaw(tmp("mamba.gguf"), oneTensorLlama("mamba", "blk.0.ssm_in.weight", 0, 1024));
        msg = errorOf([&] { Model::load(tmp("mamba.gguf")); });
        QVERIFY2(msg.find("\"mamba\" is not supported") != std::string::npos && msg.find("llama") != std::string::npos,
                 msg.c_str());

        // A tensor the table knows that the family, as the metadata configures it, does not use.
        msg = errorOf([&] { Model::load(kGguf / "models" / "qwen2-unused-bias.gguf"); });
        QVERIFY2(msg.find("\"blk.0.attn_output.bias\"") != std::string::npos && msg.find("not used") != std::string::npos, msg.c_str());

        // A missing tensor the family needs: named with its GGUF name.
        writeRaw(tmp("partial.gguf"), oneTensorLlama("llama", "blk.0.attn_norm.weight", 0, 1024));
        msg = errorOf([&] { Model::load(tmp("partial.gguf")); });
        QVERIFY2(msg.find("token_embd.weight") != std::string::npos, msg.c_str());
    }

    // tokenizer.ggml.pre picks llama.cpp's pre-tokenizer rules; ids equal the tokenizers
    // library's with those rules (issue 28.4: whitespace before digits).
    void tokenizerFollowsPreTokenizerName_data()
    {
        QTest::addColumn<QString>("pre");
        for (const char* p : {"smollm", "gpt-2", "llama-bpe", "qwen2"})
            QTest::newRow(p) << QString(p);
    }
    void tokenizerFollowsPreTokenizerName()
    {
        QFETCH(QString, pre);
        const auto expected = readJsonFile(kGguf / "tokenizer-expected.json")["ids"][pre.toStdString()];
        const Tokenizer tok = Tokenizer::load(kGguf / ("tokenizer-" + pre.toStdString() + ".gguf"));
        QCOMPARE(QString::fromStdString(tok.kind()), QString("bpe-byte-level"));
        QCOMPARE(tok.vocabSize(), 268);
        QCOMPARE(tok.bosId(), std::optional<int32_t>(266));
        QVERIFY(!tok.addsBosByDefault());
        QVERIFY(tok.isSpecial(266));
        QVERIFY(!tok.isSpecial(267)); // user-defined: matched whole, not special
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            const auto ids = tok.encode(it.key());
            QCOMPARE(ids, it.value().get<std::vector<int32_t>>());
            QCOMPARE(tok.decode(ids), it.key());
        }
    }

    // A SentencePiece ("llama") vocabulary is read (test_real_models checks Gemma-3's against
    // transformers); one without its tokens is refused naming the file and the key.
    void sentencePieceTokenizerWithoutTokensIsRefusedClearly()
    {
        Bytes b;
        b.s = "GGUF";
        b.u32(3).u64(0).u64(2);
        b.kvStr("general.architecture", "llama").kvStr("tokenizer.ggml.model", "llama");
        writeRaw(tmp("spm.gguf"), b.s);
        const std::string msg = errorOf([&] { Tokenizer::load(tmp("spm.gguf")); });
        QVERIFY2(msg.find("tokenizer.ggml.tokens") != std::string::npos
                     && msg.find(tmp("spm.gguf").string()) != std::string::npos,
                 msg.c_str());
    }

    // A Gemma vocabulary as transformers' gemma_tokenizer() reads it: tokens of spaces stored
    // as real spaces are respelled as "▁" runs, merges follow file order, BOS by default.
    void gemmaSentencePieceVocabulary()
    {
        Bytes b;
        b.s = "GGUF";
        b.u32(3).u64(0).u64(5);
        b.kvStr("general.architecture", "gemma3").kvStr("tokenizer.ggml.model", "llama");
        b.kvStrings("tokenizer.ggml.tokens", {"<pad>", "<eos>", "<bos>", "<unk>", "a", "b", "ab", " ", "  "});
        b.kvInts("tokenizer.ggml.token_type", {3, 3, 3, 2, 1, 1, 1, 1, 1});
        b.kvU32("tokenizer.ggml.bos_token_id", 2);
        writeRaw(tmp("gemma-spm.gguf"), b.s);
        const Tokenizer tok = Tokenizer::load(tmp("gemma-spm.gguf"));
        QCOMPARE(tok.tokenString(8), std::string("\u2581\u2581"));
        QCOMPARE(tok.encode("ab  a b"), (std::vector<int32_t>{6, 8, 4, 7, 5}));
        QCOMPARE(tok.decode({6, 8, 4, 7, 5}), std::string("ab  a b"));
        QVERIFY(tok.addsBosByDefault());
        QCOMPARE(tok.bosId(), std::optional<int32_t>(2));
    }

    // Issue 23.6: a file argument means that file.
    void aFileArgumentIsThatFile()
    {
        const fs::path src = kData / "models" / "gpt2";
        const fs::path dir = tmp("pathdir");
        fs::create_directories(dir);
        fs::copy_file(src / "config.json", dir / "config.json");
        fs::copy_file(src / "model.safetensors", dir / "model.safetensors");
        // other.safetensors: gpt2-sparse's weights (same shapes, other values), so which file
        // was read shows in the logits.
        fs::copy_file(kData / "models" / "gpt2-sparse" / "model.safetensors", dir / "other.safetensors");
        const auto main = Model::load(dir);
        const auto viaFile = Model::load(dir / "model.safetensors");
        const auto other = Model::load(dir / "other.safetensors");
        QCOMPARE(viaFile->info().weightsFingerprint, main->info().weightsFingerprint);
        QVERIFY(other->info().weightsFingerprint != main->info().weightsFingerprint);
        QCOMPARE(other->info().path, fs::absolute(dir / "other.safetensors"));
        QCOMPARE(QString::fromStdString(other->info().weightFiles), QString("other.safetensors"));
        QVERIFY(other->logits({{1, 2, 3}}, false).values != main->logits({{1, 2, 3}}, false).values);

        // A pickle beside the safetensors is refused when named, never replaced.
        writeRaw(dir / "pytorch_model.bin", "PK\x03\x04 not really a zip");
        std::string msg = errorOf([&] { Model::load(dir / "pytorch_model.bin"); });
        QVERIFY2(msg.find("pytorch_model.bin") != std::string::npos && msg.find("pickled") != std::string::npos,
                 msg.c_str());
        // Other files are not models.
        msg = errorOf([&] { Model::load(dir / "config.json"); });
        QVERIFY2(msg.find("not a model file") != std::string::npos, msg.c_str());
        msg = errorOf([&] { Model::load(dir / "missing.safetensors"); });
        QVERIFY2(msg.find("no such model") != std::string::npos, msg.c_str());
        // readModelConfig follows the same rules.
        QCOMPARE(readModelConfig(dir / "other.safetensors").nLayers, main->config().nLayers);
        QVERIFY_THROWS_EXCEPTION(Error, readModelConfig(dir / "pytorch_model.bin"));
    }
};

QTEST_GUILESS_MAIN(TestGgufModel)
#include "test_gguf_model.moc"
