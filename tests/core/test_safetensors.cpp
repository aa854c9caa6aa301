// SPDX-License-Identifier: MIT
// Safetensors files are untrusted input: every malformed header must give the specific
// error (naming the file and tensor), never a crash or an out-of-bounds read. Files are
// written by hand here, byte by byte, as the format specifies.
#include "core/common/error.h"
#include "core/common/json.h"
#include "core/model/model.h"
#include "core/io/safetensors.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

void writeRaw(const fs::path& file, const std::string& bytes)
{
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string lengthPrefix(uint64_t n)
{
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i)
        s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    return s;
}

// header JSON + payload, the way the format lays them out.
std::string safetensors(const std::string& header, const std::string& payload)
{
    return lengthPrefix(header.size()) + header + payload;
}

std::string floats(std::initializer_list<float> v)
{
    std::string s(v.size() * 4, '\0');
    std::memcpy(s.data(), std::data(v), s.size());
    return s;
}

const fs::path kModels = fs::path(PATCHBAY_TEST_DATA_DIR) / "models";

} // namespace

class TestSafetensors : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    fs::path tmp(const char* name) const { return fs::path(m_tmp.path().toStdString()) / name; }

    // Writes the file and expects an Error whose message contains every fragment.
    void expectError(const std::string& bytes, std::initializer_list<const char*> fragments)
    {
        const auto file = tmp("bad.safetensors");
        writeRaw(file, bytes);
        try {
            SafetensorsFile f(file);
            QFAIL("no error for a malformed file");
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(file.string()) != std::string::npos, msg.c_str()); // names the file
            for (const char* frag : fragments)
                QVERIFY2(msg.find(frag) != std::string::npos, (msg + "  (expected: " + frag + ")").c_str());
        }
    }

private Q_SLOTS:
    void readsAWellFormedFile()
    {
        const std::string header =
            R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
            R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        writeRaw(tmp("ok.safetensors"), safetensors(header, floats({1.f, 2.f, 3.f, 4.f})));
        SafetensorsFile f(tmp("ok.safetensors"));
        QCOMPARE(f.tensors().size(), std::size_t(2));
        QCOMPARE(f.metadata().at("format"), std::string("pt"));
        const auto* b = f.find("b");
        QVERIFY(b);
        QCOMPARE(b->shape, (std::vector<int64_t>{2}));
        float v[2];
        std::memcpy(v, b->data, 8);
        QCOMPARE(v[0], 3.f);
        QCOMPARE(v[1], 4.f);
    }

    void rejectsMalformedFiles()
    {
        const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        expectError("", {"truncated"});
        expectError("abc", {"truncated"});
        expectError(lengthPrefix(1000) + "{}", {"past the end"});
        expectError(lengthPrefix(~uint64_t{0}) + "{}", {"past the end"});
        expectError(safetensors("{not json", ""), {"header: invalid JSON"});
        expectError(safetensors("[1,2]", ""), {"JSON object"});
        // payload shorter than the offsets (a truncated download)
        expectError(safetensors(ok, floats({1.f})), {"\"a\"", "past the end"});
        expectError(safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999]}})", floats({1.f, 2.f})),
                    {"\"a\"", "past the end"});
        expectError(safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", floats({1.f, 2.f})),
                    {"\"a\"", "reversed"});
        // byte size does not match shape x dtype size
        expectError(safetensors(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})", floats({1.f, 2.f})),
                    {"\"a\"", "does not match"});
        expectError(safetensors(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", floats({1.f, 2.f})),
                    {"\"a\"", "does not match"});
        // a shape whose product overflows 64 bits
        expectError(safetensors(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})",
                                floats({1.f, 2.f})),
                    {"\"a\"", "overflows"});
        expectError(safetensors(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", floats({1.f, 2.f})),
                    {"\"a\"", "non-negative"});
        expectError(safetensors(R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", floats({1.f, 2.f})),
                    {"\"a\"", "unknown dtype"});
        expectError(safetensors(R"({"a":{"dtype":"F32","shape":[2]}})", floats({1.f, 2.f})), {"\"a\"", "data_offsets"});
        // overlapping tensors
        expectError(safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                floats({1.f, 2.f, 3.f})),
                    {"\"a\"", "\"b\"", "overlapping"});
    }

    void refusesPickledCheckpoints()
    {
        const auto dir = tmp("pickled");
        fs::create_directories(dir);
        fs::copy_file(kModels / "gpt2" / "config.json", dir / "config.json");
        writeRaw(dir / "pytorch_model.bin", "PK\x03\x04 not really a zip");
        try {
            Model::load(dir);
            QFAIL("a pickled checkpoint was accepted");
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("pytorch_model.bin") != std::string::npos, msg.c_str());
            QVERIFY2(msg.find("safetensors") != std::string::npos, msg.c_str());
        }
    }

    // A real checkpoint with one tensor broken in each of the ways a loader must notice.
    void rejectsBrokenModels_data()
    {
        QTest::addColumn<QString>("breakage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing tensor") << "drop:transformer.h.1.mlp.c_fc.bias" << "transformer.h.1.mlp.c_fc.bias";
        QTest::newRow("wrong shape") << "reshape:transformer.h.0.attn.c_attn.weight" << "has shape [96, 32], expected [32, 96]";
        QTest::newRow("integer weights") << "int:transformer.ln_f.weight" << "not a floating-point";
        QTest::newRow("bad config json") << "config:{" << "invalid JSON";
        QTest::newRow("config missing field") << R"(config:{"model_type":"gpt2","n_layer":3})" << "n_head";
        QTest::newRow("config bad value") << R"(config:{"model_type":"gpt2","n_layer":-3,"n_head":4})" << "n_layer";
        QTest::newRow("unknown model type") << R"(config:{"model_type":"rwkv"})" << "model_type \"rwkv\" is not supported";
        QTest::newRow("truncated weights") << "truncate" << "past the end";
        // config.json and the weights disagree: the checkpoint's layer 2 would go unused.
        QTest::newRow("fewer layers than the weights")
            << "set:n_layer=1"
            << "model.safetensors: 24 tensors are not used by the model config.json describes (layers: 1, heads: 4): "
               "\"transformer.h.1.attn.c_attn.bias\"";
    }

    void rejectsBrokenModels()
    {
        QFETCH(QString, breakage);
        QFETCH(QString, expected);
        const auto dir = tmp("broken");
        fs::remove_all(dir);
        fs::create_directories(dir);
        fs::copy_file(kModels / "gpt2" / "config.json", dir / "config.json");
        const std::string what = breakage.section(QLatin1Char(':'), 0, 0).toStdString();
        const std::string arg = breakage.section(QLatin1Char(':'), 1).toStdString();

        // Re-serialise the fixture's tensors with the change applied.
        SafetensorsFile src(kModels / "gpt2" / "model.safetensors");
        nlohmann::json header = nlohmann::json::object();
        std::string payload;
        for (const auto& [name, view] : src.tensors()) {
            if (what == "drop" && name == arg)
                continue;
            auto shape = view.shape;
            std::string dtype = dtypeName(view.dtype);
            if (what == "reshape" && name == arg)
                std::reverse(shape.begin(), shape.end());
            if (what == "int" && name == arg)
                dtype = "I32";
            header[name] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {payload.size(), payload.size() + view.bytes}}};
            payload.append(reinterpret_cast<const char*>(view.data), view.bytes);
        }
        std::string bytes = safetensors(header.dump(), payload);
        if (what == "truncate")
            bytes.resize(bytes.size() - 100);
        writeRaw(dir / "model.safetensors", bytes);
        if (what == "config")
            writeRaw(dir / "config.json", arg);
        if (what == "set") { // key=value in the fixture's config.json
            auto config = readJsonFile(kModels / "gpt2" / "config.json");
            const auto eq = arg.find('=');
            config[arg.substr(0, eq)] = nlohmann::json::parse(arg.substr(eq + 1));
            writeRaw(dir / "config.json", config.dump());
        }

        try {
            Model::load(dir);
            QFAIL("a broken model loaded");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(expected), e.what());
        }
    }

    void shardedIndex()
    {
        // Two shards named by model.safetensors.index.json load like one file.
        const auto dir = tmp("sharded");
        fs::create_directories(dir);
        fs::copy_file(kModels / "gpt2" / "config.json", dir / "config.json");
        SafetensorsFile src(kModels / "gpt2" / "model.safetensors");
        nlohmann::json h1 = nlohmann::json::object(), h2 = nlohmann::json::object(), map = nlohmann::json::object();
        std::string p1, p2;
        int i = 0;
        for (const auto& [name, view] : src.tensors()) {
            auto& h = (i % 2) ? h2 : h1;
            auto& p = (i % 2) ? p2 : p1;
            h[name] = {{"dtype", dtypeName(view.dtype)}, {"shape", view.shape}, {"data_offsets", {p.size(), p.size() + view.bytes}}};
            p.append(reinterpret_cast<const char*>(view.data), view.bytes);
            map[name] = (i % 2) ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
            ++i;
        }
        writeRaw(dir / "model-00001-of-00002.safetensors", safetensors(h1.dump(), p1));
        writeRaw(dir / "model-00002-of-00002.safetensors", safetensors(h2.dump(), p2));
        writeRaw(dir / "model.safetensors.index.json", nlohmann::json{{"weight_map", map}}.dump());
        const auto sharded = Model::load(dir);
        const auto single = Model::load(kModels / "gpt2");
        QCOMPARE(QString::fromStdString(sharded->info().weightFiles), QStringLiteral("2 shards of model.safetensors.index.json"));
        const auto a = sharded->logits({{3, 1, 4, 1, 5}}, false);
        const auto b = single->logits({{3, 1, 4, 1, 5}}, false);
        QCOMPARE(a.values, b.values);

        // A shard path escaping the directory is refused.
        map[map.begin().key()] = "../../etc/passwd";
        writeRaw(dir / "model.safetensors.index.json", nlohmann::json{{"weight_map", map}}.dump());
        QVERIFY_THROWS_EXCEPTION(Error, Model::load(dir));
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
