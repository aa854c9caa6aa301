// SPDX-License-Identifier: MIT
// The GGUF reader and dequantizers. Dequantization is checked bit for bit against
// gguf-py's gguf.quants.dequantize on the fixtures tools/reference/make_gguf_fixtures.py
// wrote; GGUF files are untrusted input, so malformed files (written by hand here, byte by
// byte) must give a specific error naming the file and the key or tensor, and random
// damage must never crash.
#include "core/common/error.h"
#include "core/io/gguf.h"
#include "core/common/json.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

using namespace patchbay::core;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(PATCHBAY_TEST_DATA_DIR) / "gguf";

void writeRaw(const fs::path& file, const std::string& bytes)
{
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string readRaw(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Little-endian encoders for hand-made files.
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
    Bytes& raw(const std::string& v)
    {
        s += v;
        return *this;
    }
    Bytes& pad(std::size_t alignment)
    {
        while (s.size() % alignment)
            s += '\0';
        return *this;
    }
};

struct TensorSpec
{
    std::string name;
    std::vector<uint64_t> dims;
    uint32_t type = 0;
    uint64_t offset = 0;
};

// A GGUF file: header, `kv` (already encoded entries), tensor infos, padding, `data`.
std::string gguf(const std::string& kv, uint64_t nKv, const std::vector<TensorSpec>& tensors, const std::string& data,
                 uint32_t version = 3, std::size_t alignment = 32)
{
    Bytes b;
    b.raw("GGUF").u32(version).u64(tensors.size()).u64(nKv).raw(kv);
    for (const auto& t : tensors) {
        b.str(t.name).u32(uint32_t(t.dims.size()));
        for (const auto d : t.dims)
            b.u64(d);
        b.u32(t.type).u64(t.offset);
    }
    b.pad(alignment).raw(data);
    return b.s;
}

std::string kvU32(const std::string& key, uint32_t v) { return Bytes().str(key).u32(4).u32(v).s; }
std::string kvString(const std::string& key, const std::string& v) { return Bytes().str(key).u32(8).str(v).s; }

std::string f32s(std::initializer_list<float> v)
{
    std::string s(v.size() * 4, '\0');
    std::memcpy(s.data(), std::data(v), s.size());
    return s;
}

} // namespace

class TestGguf : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    fs::path tmp(const std::string& name) const { return fs::path(m_tmp.path().toStdString()) / name; }

    void expectError(const std::string& name, const std::string& bytes, std::initializer_list<const char*> fragments)
    {
        const fs::path file = tmp(name);
        writeRaw(file, bytes);
        try {
            GgufFile f(file);
            QFAIL(qPrintable(QString::fromStdString(name + ": expected an error")));
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(file.string()) != std::string::npos, msg.c_str());
            for (const char* frag : fragments)
                QVERIFY2(msg.find(frag) != std::string::npos, (msg + "  [missing: " + frag + "]").c_str());
        }
    }

private Q_SLOTS:
    // Every supported block format, bit for bit as gguf-py dequantizes it.
    void dequantizeMatchesGgufPy_data()
    {
        QTest::addColumn<QString>("type");
        for (const char* t : {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
            QTest::newRow(t) << QString(t);
    }
    void dequantizeMatchesGgufPy()
    {
        QFETCH(QString, type);
        const GgufFile f(kData / ("quant-" + type.toStdString() + ".gguf"));
        const GgufTensorInfo* q = f.findTensor("q");
        const GgufTensorInfo* ref = f.findTensor("ref");
        QVERIFY(q && ref);
        QCOMPARE(QString::fromStdString(q->typeName()), type);
        QCOMPARE(ref->type, GgmlType::F32);
        QCOMPARE(q->shape, ref->shape);
        const std::vector<float> got = f.dequantize(*q);
        QCOMPARE(int64_t(got.size()), ref->numel);
        int mismatches = 0;
        for (std::size_t i = 0; i < got.size(); ++i) {
            uint32_t a, b;
            std::memcpy(&a, &got[i], 4);
            std::memcpy(&b, ref->data + 4 * i, 4);
            if (a != b && ++mismatches <= 5) {
                float want;
                std::memcpy(&want, &b, 4);
                qWarning("element %zu: got %.9g (0x%08x), gguf-py %.9g (0x%08x)", i, double(got[i]), a, double(want), b);
            }
        }
        QCOMPARE(mismatches, 0);
    }

    void metadataOfEveryType_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("version");
        QTest::newRow("v3") << "metadata-v3.gguf" << 3;
        QTest::newRow("v2") << "metadata-v2.gguf" << 2;
    }
    void metadataOfEveryType()
    {
        QFETCH(QString, file);
        QFETCH(int, version);
        const GgufFile f(kData / file.toStdString());
        QCOMPARE(int(f.version()), version);
        QCOMPARE(f.alignment(), uint64_t(64));
        QCOMPARE(f.dataOffset() % 64, uint64_t(0));
        QCOMPARE(f.getString("general.architecture"), std::string("patchbay-test"));
        QCOMPARE(f.getInt("test.u8"), int64_t(200));
        QCOMPARE(f.getInt("test.i8"), int64_t(-100));
        QCOMPARE(f.getInt("test.u16"), int64_t(60000));
        QCOMPARE(f.getInt("test.i16"), int64_t(-30000));
        QCOMPARE(f.getInt("test.u32"), int64_t(4000000000));
        QCOMPARE(f.getInt("test.i32"), int64_t(-2000000000));
        QCOMPARE(f.getFloat("test.f32"), 0.15625);
        QCOMPARE(f.optBool("test.bool").value_or(false), true);
        QCOMPARE(f.getString("test.string"), std::string("h\xc3\xa9llo, GGUF"));
        QCOMPARE(f.find("test.u64")->unsignedInteger, uint64_t(18000000000000000000ull));
        QVERIFY_THROWS_EXCEPTION(Error, f.getInt("test.u64")); // above INT64_MAX
        QCOMPARE(f.getInt("test.i64"), int64_t(-9000000000000000000ll));
        QCOMPARE(f.getFloat("test.f64"), 2.718281828459045);
        QCOMPARE(*f.intArray("test.array.i32"), (std::vector<int64_t>{1, -2, 3}));
        QCOMPARE(*f.floatArray("test.array.f32"), (std::vector<double>{0.5, -1.25}));
        QCOMPARE(*f.stringArray("test.array.string"), (std::vector<std::string>{"a", "", "\xc3\xbcn\xc3\xaf"}));
        QCOMPARE(*f.intArray("test.array.bool"), (std::vector<int64_t>{1, 0}));
        const GgufValue* nested = f.find("test.array.nested");
        QVERIFY(nested && nested->elementType == GgufType::Array && nested->arrays.size() == 2);
        QCOMPARE(nested->arrays[0].integers, (std::vector<int64_t>{1, 2}));
        QCOMPARE(nested->arrays[1].integers, (std::vector<int64_t>{3}));
        QCOMPARE(QString::fromStdString(f.find("test.array.i32")->describe()), QString("[3 x int32: 1 -2 3]"));

        // Wrong-type access names the file and the key.
        try {
            (void)f.getString("test.u8");
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("\"test.u8\" is uint8, expected a string") != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(Error, f.getInt("test.missing"));
        QVERIFY(!f.optInt("test.missing"));

        // Tensors: shapes reversed from the file's dims, data at 64-byte alignment.
        const auto expected = readJsonFile(kData / "metadata-expected.json")["tensors"];
        QCOMPARE(f.tensors().size(), std::size_t(3));
        for (const auto& [name, key] : {std::pair<const char*, const char*>{"t.f32", "f32"}, {"t.f16", "f16"}, {"t.q8", "q8"}}) {
            const GgufTensorInfo* t = f.findTensor(name);
            QVERIFY(t);
            QCOMPARE(t->offset % 64, uint64_t(0));
            const auto values = f.dequantize(*t);
            const auto& want = expected[key];
            QCOMPARE(values.size(), want.size());
            for (std::size_t i = 0; i < values.size(); ++i)
                QCOMPARE(values[i], want[i].get<float>());
        }
        QCOMPARE(f.findTensor("t.f32")->shape, (std::vector<int64_t>{3, 5}));
        QCOMPARE(f.findTensor("t.f32")->dims, (std::vector<int64_t>{5, 3}));
        QCOMPARE(f.typeSummary(), std::string("F16 x1, F32 x1, Q8_0 x1"));
    }

    void typesThatDoNotDequantizeAreNamed()
    {
        const fs::path path = kData / "iq2_xxs.gguf";
        const GgufFile f(path);
        const GgufTensorInfo* t = f.findTensor("blk.0.attn_q.weight");
        QVERIFY(t);
        QCOMPARE(t->typeName(), std::string("IQ2_XXS"));
        try {
            (void)f.dequantize(*t);
            QFAIL("expected an error");
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(path.string()) != std::string::npos, msg.c_str());
            QVERIFY2(msg.find("\"blk.0.attn_q.weight\"") != std::string::npos, msg.c_str());
            QVERIFY2(msg.find("IQ2_XXS") != std::string::npos, msg.c_str());
        }
    }

    void handMadeFileOpens()
    {
        const std::string kv = kvString("general.architecture", "x") + kvU32("general.alignment", 16);
        const std::string data = f32s({1, 2, 3, 4}) + std::string(0, '\0');
        writeRaw(tmp("ok.gguf"), gguf(kv, 2, {{"a", {2, 2}, 0, 0}}, data, 3, 16));
        const GgufFile f(tmp("ok.gguf"));
        QCOMPARE(f.dequantize(*f.findTensor("a")), (std::vector<float>{1, 2, 3, 4}));
        QVERIFY(looksLikeGguf(tmp("ok.gguf")));
    }

    void malformedFilesAreRefusedByName()
    {
        const std::string arch = kvString("general.architecture", "x");
        const std::string four = f32s({1, 2, 3, 4});
        expectError("magic.gguf", "GGUX" + std::string(40, '\0'), {"not a GGUF file"});
        expectError("short.gguf", "GGUF", {"not a GGUF file"});
        expectError("v1.gguf", gguf(arch, 1, {}, "", 1), {"version 1"});
        expectError("v9.gguf", gguf(arch, 1, {}, "", 9), {"unknown GGUF version 9"});
        expectError("bigendian.gguf", gguf(arch, 1, {}, "", 0x03000000), {"big-endian"});
        // Counts that cannot fit in the file fail before anything is allocated.
        expectError("kvcount.gguf", Bytes().raw("GGUF").u32(3).u64(0).u64(uint64_t(1) << 60).s, {"metadata count"});
        expectError("tensorcount.gguf", Bytes().raw("GGUF").u32(3).u64(uint64_t(1) << 40).u64(0).s + std::string(64, '\0'),
                    {"tensor count"});
        expectError("keylen.gguf", gguf(Bytes().u64(uint64_t(1) << 62).s, 1, {}, std::string(64, '\0')), {"metadata key 0", "past the end"});
        expectError("strlen.gguf", gguf(Bytes().str("k").u32(8).u64(1000).s, 1, {}, std::string(64, '\0')), {"\"k\"", "past the end"});
        expectError("valuetype.gguf", gguf(Bytes().str("k").u32(13).s, 1, {}, std::string(64, '\0')), {"\"k\"", "unknown value type 13"});
        expectError("arraylen.gguf", gguf(Bytes().str("k").u32(9).u32(4).u64(uint64_t(1) << 40).s, 1, {}, std::string(64, '\0')),
                    {"\"k\"", "array"});
        expectError("arraytype.gguf", gguf(Bytes().str("k").u32(9).u32(77).u64(1).s, 1, {}, std::string(64, '\0')),
                    {"\"k\"", "unknown array element type 77"});
        {
            Bytes deep;
            deep.str("k").u32(9);
            for (int i = 0; i < 6; ++i)
                deep.u32(9).u64(1);
            deep.u32(4).u64(1).u32(7);
            expectError("deep.gguf", gguf(deep.s, 1, {}, std::string(64, '\0')), {"\"k\"", "nested deeper"});
        }
        expectError("bool.gguf", gguf(Bytes().str("k").u32(7).raw("\x05").s, 1, {}, std::string(64, '\0')), {"\"k\"", "bool value 5"});
        expectError("dupkey.gguf", gguf(arch + arch, 2, {}, std::string(64, '\0')), {"\"general.architecture\" appears twice"});
        expectError("align.gguf", gguf(arch + kvU32("general.alignment", 24), 2, {}, std::string(64, '\0')), {"general.alignment", "power of two"});
        expectError("align0.gguf", gguf(arch + kvU32("general.alignment", 0), 2, {}, std::string(64, '\0')), {"general.alignment"});
        // Tensor infos.
        expectError("ndims.gguf", gguf(arch, 1, {{"w", {1, 1, 1, 1, 1}, 0, 0}}, four), {"tensor \"w\"", "5 dimensions"});
        expectError("ndims0.gguf", gguf(arch, 1, {{"w", {}, 0, 0}}, four), {"tensor \"w\"", "0 dimensions"});
        expectError("overflow.gguf", gguf(arch, 1, {{"w", {uint64_t(1) << 40, uint64_t(1) << 40}, 0, 0}}, four),
                    {"tensor \"w\"", "overflow"});
        expectError("type.gguf", gguf(arch, 1, {{"w", {4}, 99, 0}}, four), {"tensor \"w\"", "unknown tensor type 99"});
        expectError("block.gguf", gguf(arch, 1, {{"w", {16}, 8, 0}}, std::string(34, '\0')),
                    {"tensor \"w\"", "not a multiple of the Q8_0 block size 32"});
        expectError("unaligned.gguf", gguf(arch, 1, {{"w", {4}, 0, 4}}, four + four), {"tensor \"w\"", "alignment"});
        expectError("extent.gguf", gguf(arch, 1, {{"w", {8}, 0, 0}}, four), {"tensor \"w\"", "past the end"});
        expectError("far.gguf", gguf(arch, 1, {{"w", {1}, 0, uint64_t(1) << 62}}, four), {"tensor \"w\"", "past the end"});
        expectError("overlap.gguf", gguf(arch, 1, {{"a", {4}, 0, 0}, {"b", {4}, 0, 0}}, four), {"\"a\" and \"b\" overlap"});
        expectError("duptensor.gguf", gguf(arch, 1, {{"a", {4}, 0, 0}, {"a", {4}, 0, 32}}, four + std::string(32, '\0')),
                    {"tensor \"a\" appears twice"});
        expectError("split.gguf", gguf(arch + Bytes().str("split.count").u32(2).raw(std::string("\x03\0", 2)).s, 2, {}, std::string(64, '\0')),
                    {"split GGUF"});
    }

    void nonRegularFilesAreRefused()
    {
        QVERIFY_THROWS_EXCEPTION(Error, GgufFile(tmp("")));
        QVERIFY_THROWS_EXCEPTION(Error, GgufFile(tmp("does-not-exist.gguf")));
    }

    // Every truncation and many random byte flips of a real file: an Error or a file that
    // opens and dequantizes, never a crash (run under ASan in the sanitizer build).
    void damagedFilesNeverCrash()
    {
        const std::string good = readRaw(kData / "metadata-v3.gguf");
        QVERIFY(good.size() > 100);
        const fs::path file = tmp("damaged.gguf");
        auto tryOpen = [&](const std::string& bytes) {
            writeRaw(file, bytes);
            try {
                GgufFile f(file);
                for (const auto& t : f.tensors())
                    if (ggmlTypeDequantizable(t.type))
                        (void)f.dequantize(t);
                for (const auto& k : f.keys())
                    (void)f.find(k)->describe();
                return true;
            } catch (const Error&) {
                return false;
            }
        };
        const GgufFile whole(kData / "metadata-v3.gguf");
        uint64_t end = 0; // where the last tensor's bytes end (padding may follow)
        for (const auto& t : whole.tensors())
            end = std::max(end, whole.dataOffset() + t.offset + t.bytes);
        for (std::size_t n = 0; n < good.size(); ++n)
            QCOMPARE(tryOpen(good.substr(0, n)), n >= end);
        std::mt19937 rng(7);
        for (int i = 0; i < 1500; ++i) {
            std::string bad = good;
            const int flips = 1 + int(rng() % 4);
            for (int k = 0; k < flips; ++k)
                bad[rng() % bad.size()] = char(rng() & 0xff);
            tryOpen(bad);
        }
    }
};

QTEST_GUILESS_MAIN(TestGguf)
#include "test_gguf.moc"
