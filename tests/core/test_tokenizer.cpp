// SPDX-License-Identifier: MIT
// core::Tokenizer against independent references:
//  - shared/data/gpt2-tokenizer/golden_tokenization.json (OpenAI's encoder, via the
//    gpt-3-encoder JavaScript port), through vocab.json + merges.txt and through
//    tokenizer.json files built from the same vocabulary;
//  - tests/data/tokenizers/*/cases.json, written by tools/reference/make_tokenizer_fixtures.py
//    with Hugging Face `tokenizers` (ids, byte offsets, decoded text).
#include "core/common/detail/unicode.h"
#include "core/common/error.h"
#include "core/tokenize/tokenizer.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

using patchbay::core::Error;
using patchbay::core::Tokenizer;
using patchbay::core::TokenSpan;
namespace fs = std::filesystem;

namespace {

const fs::path kShared = fs::path(PATCHBAY_SHARED_DATA_DIR) / "gpt2-tokenizer";
const fs::path kFixtures = fs::path(PATCHBAY_TEST_DATA_DIR) / "tokenizers";

nlohmann::json readJson(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + file.string());
    return nlohmann::json::parse(in);
}

void writeFile(const fs::path& file, const std::string& content)
{
    std::ofstream out(file, std::ios::binary);
    out << content;
}

std::vector<std::string> mergeLines()
{
    std::ifstream in(kShared / "merges.txt", std::ios::binary);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty() && line.rfind("#version", 0) != 0)
            lines.push_back(line);
    return lines;
}

// The gpt2-json fixture's tokenizer.json: the committed skeleton (what `tokenizers` wrote,
// minus vocab and merges) with the shared vocab.json and merges.txt put back. The fixture
// script checks that this reproduces the file `tokenizers` wrote. `pairs` selects the
// merges format (["a", "b"], as tokenizers >= 0.20 writes it, or the older "a b").
fs::path writeGpt2TokenizerJson(const fs::path& dir, bool pairs)
{
    nlohmann::json j = readJson(kFixtures / "gpt2-json" / "tokenizer.skeleton.json");
    j["model"]["vocab"] = readJson(kShared / "vocab.json");
    nlohmann::json merges = nlohmann::json::array();
    for (const std::string& line : mergeLines()) {
        if (pairs) {
            const auto sp = line.find(' ');
            merges.push_back({line.substr(0, sp), line.substr(sp + 1)});
        } else {
            merges.push_back(line);
        }
    }
    j["model"]["merges"] = merges;
    fs::create_directories(dir);
    const fs::path file = dir / "tokenizer.json";
    writeFile(file, j.dump());
    return file;
}

QList<int> toQList(const std::vector<int32_t>& v)
{
    return QList<int>(v.begin(), v.end());
}

QByteArray bytes(const std::string& s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

std::string str(const QByteArray& b)
{
    return std::string(b.constData(), std::size_t(b.size()));
}

// The message of the core::Error `f` throws, or a text saying what went wrong instead.
template<typename F>
QString expectError(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    } catch (const std::exception& e) {
        return QStringLiteral("WRONG EXCEPTION TYPE: ") + QString::fromUtf8(e.what());
    }
    return QStringLiteral("NO EXCEPTION");
}

const char* kFixtureNames[] = {"gpt2-json", "llama3-style", "qwen2-style", "neox-style", "smollm-style",
                               "misc-bytelevel", "wordlevel", "wordlevel-whitespace", "bpe-chars",
                               // SentencePiece style: byte fallback, Metaspace, decoder chains
                               "llama2-style", "llama2-legacy", "gemma-style", "metaspace-misc", "metaspace-never",
                               "unigram-style"};

// Fixtures whose pre-tokenizers drop nothing: spans must cover the text without gaps.
bool spansCoverText(const std::string& fixture)
{
    return fixture != "misc-bytelevel" && fixture != "wordlevel" && fixture != "wordlevel-whitespace"
           && fixture != "bpe-chars";
}

} // namespace

class TestTokenizer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    std::map<std::string, Tokenizer> m_tokenizers;

    // Tokenizers are loaded once per name and shared by the data rows.
    const Tokenizer& tokenizer(const std::string& name)
    {
        auto it = m_tokenizers.find(name);
        if (it != m_tokenizers.end())
            return it->second;
        Tokenizer t = [&] {
            if (name == "gpt2-files")
                return Tokenizer::load(kShared);
            if (name == "gpt2-json")
                return Tokenizer::load(writeGpt2TokenizerJson(fs::path(str(m_tmp.path().toUtf8())) / "gpt2-json", true));
            if (name == "gpt2-json-string-merges")
                return Tokenizer::load(
                    writeGpt2TokenizerJson(fs::path(str(m_tmp.path().toUtf8())) / "gpt2-json-strings", false));
            return Tokenizer::load(kFixtures / name);
        }();
        return m_tokenizers.emplace(name, t).first->second;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(fs::exists(kShared / "golden_tokenization.json"), qPrintable(QString::fromStdString(kShared.string())));
        for (const char* name : kFixtureNames)
            QVERIFY2(fs::exists(kFixtures / name / "cases.json"), name);
    }

    // OpenAI's GPT-2 encoder output, through the three ways of loading GPT-2.
    void gpt2Golden_data()
    {
        QTest::addColumn<QString>("loader");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QList<int>>("ids");
        const nlohmann::json golden = readJson(kShared / "golden_tokenization.json");
        for (const char* loader : {"gpt2-files", "gpt2-json", "gpt2-json-string-merges"}) {
            int i = 0;
            for (const auto& c : golden) {
                QTest::addRow("%s/%d", loader, i++)
                    << QString::fromLatin1(loader) << bytes(c["text"].get<std::string>())
                    << toQList(c["ids"].get<std::vector<int32_t>>());
            }
        }
    }

    void gpt2Golden()
    {
        QFETCH(QString, loader);
        QFETCH(QByteArray, text);
        QFETCH(QList<int>, ids);
        const Tokenizer& tok = tokenizer(loader.toStdString());
        const std::string s = str(text);
        const std::vector<TokenSpan> spans = tok.encodeWithSpans(s);
        std::vector<int32_t> got;
        for (const TokenSpan& sp : spans)
            got.push_back(sp.id);
        QCOMPARE(toQList(got), ids);
        QCOMPARE(toQList(tok.encode(s)), ids);
        QCOMPARE(bytes(tok.decode(got)), text);
        // Byte spans: contiguous, covering, and each one is exactly its token's bytes.
        std::size_t at = 0;
        for (const TokenSpan& sp : spans) {
            QCOMPARE(sp.begin, at);
            QVERIFY(sp.end > sp.begin);
            QCOMPARE(bytes(s.substr(sp.begin, sp.end - sp.begin)), bytes(tok.tokenBytes(sp.id)));
            at = sp.end;
        }
        QCOMPARE(at, s.size());
    }

    void gpt2Properties()
    {
        for (const char* loader : {"gpt2-files", "gpt2-json"}) {
            const Tokenizer& tok = tokenizer(loader);
            QCOMPARE(tok.vocabSize(), 50257);
            QCOMPARE(QString::fromStdString(tok.kind()), QStringLiteral("bpe-byte-level"));
            QCOMPARE(tok.bosId(), std::optional<int32_t>(50256));
            QCOMPARE(tok.eosId(), std::optional<int32_t>(50256));
            QVERIFY(!tok.padId());
            QVERIFY(!tok.unkId());
            QVERIFY(!tok.addsBosByDefault());
            QCOMPARE(tok.idOf("Ġthe"), std::optional<int32_t>(262));
            QCOMPARE(tok.idOf("<|endoftext|>"), std::optional<int32_t>(50256));
            QVERIFY(!tok.idOf("not a token"));
            QCOMPARE(QString::fromStdString(tok.tokenString(262)), QStringLiteral("Ġthe"));
            QCOMPARE(QString::fromStdString(tok.tokenText(262)), QStringLiteral(" the"));
            QVERIFY(tok.isSpecial(50256));
            QVERIFY(!tok.isSpecial(262));
            // "<|endoftext|>" in text is the special token, not its characters.
            const std::vector<int32_t> ids = tok.encode("a<|endoftext|>b");
            QCOMPARE(toQList(ids), QList<int>({64, 50256, 65}));
            QCOMPARE(QString::fromStdString(tok.decode(ids, true)), QStringLiteral("ab"));
            QCOMPARE(QString::fromStdString(tok.decode(ids)), QStringLiteral("a<|endoftext|>b"));
            // A token holding part of a character: raw bytes, and U+FFFD for display.
            const std::vector<int32_t> emoji = tok.encode("😀");
            QCOMPARE(emoji.size(), std::size_t(2));
            QCOMPARE(tok.tokenBytes(emoji[0]).size() + tok.tokenBytes(emoji[1]).size(), std::size_t(4));
            QVERIFY(QString::fromStdString(tok.tokenText(emoji[0])).contains(QChar(0xFFFD)));
            QCOMPARE(QString::fromStdString(tok.decode(emoji)), QStringLiteral("😀"));
        }
    }

    void invalidUtf8()
    {
        const Tokenizer& tok = tokenizer("gpt2-files");
        for (const std::string& s : {std::string("ab\xff\xfe c"), std::string("trunc \xe6\x97"),
                                     std::string("\x80\x80 lone continuation"), std::string("ok \xed\xa0\x80 surrogate"),
                                     std::string("over\xc0\xaflong"), std::string("\xf0\x9f\x98\x80\xf0\x9f")}) {
            const std::vector<TokenSpan> spans = tok.encodeWithSpans(s);
            std::vector<int32_t> ids;
            std::size_t at = 0;
            for (const TokenSpan& sp : spans) {
                QCOMPARE(sp.begin, at);
                at = sp.end;
                ids.push_back(sp.id);
            }
            QCOMPARE(at, s.size());
            QCOMPARE(bytes(tok.decode(ids)), bytes(s));
        }
        // "ab\xff" : the invalid byte is a token of its own (byte 0xFF is "ÿ" in GPT-2's alphabet).
        QCOMPARE(toQList(tok.encode("ab\xff")), QList<int>({397, 187}));

        const Tokenizer& words = tokenizer("wordlevel");
        const QString message = expectError([&] { words.encode("caf\xc3"); });
        QVERIFY2(message.contains(QStringLiteral("not valid UTF-8 (byte 3)")), qPrintable(message));
    }

    // Hugging Face `tokenizers` output for every fixture.
    void fixtureCases_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QList<int>>("ids");
        QTest::addColumn<bool>("hasOffsets");
        QTest::addColumn<QList<int>>("offsets"); // begin, end pairs; -1 where not comparable
        QTest::addColumn<QByteArray>("decoded");
        QTest::addColumn<bool>("hasDecodedSkip");
        QTest::addColumn<QByteArray>("decodedSkip"); // decode(ids, skipSpecialTokens = true)
        for (const char* name : kFixtureNames) {
            const nlohmann::json doc = readJson(kFixtures / name / "cases.json");
            int i = 0;
            for (const auto& c : doc["cases"]) {
                QList<int> offsets;
                const bool hasOffsets = !c["offsets"].is_null();
                if (hasOffsets) {
                    for (const auto& o : c["offsets"]) {
                        offsets << (o.is_null() ? -1 : o[0].get<int>());
                        offsets << (o.is_null() ? -1 : o[1].get<int>());
                    }
                }
                QTest::addRow("%s/%d", name, i++)
                    << QString::fromLatin1(name) << bytes(c["text"].get<std::string>())
                    << toQList(c["ids"].get<std::vector<int32_t>>()) << hasOffsets << offsets
                    << bytes(c["decoded"].get<std::string>()) << c.contains("decoded_skip_special")
                    << bytes(c.value("decoded_skip_special", std::string()));
            }
        }
    }

    void fixtureCases()
    {
        QFETCH(QString, fixture);
        QFETCH(QByteArray, text);
        QFETCH(QList<int>, ids);
        QFETCH(bool, hasOffsets);
        QFETCH(QList<int>, offsets);
        QFETCH(QByteArray, decoded);
        QFETCH(bool, hasDecodedSkip);
        QFETCH(QByteArray, decodedSkip);
        const Tokenizer& tok = tokenizer(fixture.toStdString());
        const std::string s = str(text);
        const std::vector<TokenSpan> spans = tok.encodeWithSpans(s);
        std::vector<int32_t> got;
        for (const TokenSpan& sp : spans)
            got.push_back(sp.id);
        QCOMPARE(toQList(got), ids);
        QCOMPARE(bytes(tok.decode(got)), decoded);
        if (hasDecodedSkip)
            QCOMPARE(bytes(tok.decode(got, true)), decodedSkip);

        if (hasOffsets) {
            QCOMPARE(qsizetype(spans.size() * 2), offsets.size());
            for (std::size_t i = 0; i < spans.size(); ++i) {
                if (offsets[qsizetype(2 * i)] < 0)
                    continue;
                const auto where = QByteArray("token ") + QByteArray::number(qulonglong(i));
                QVERIFY2(int(spans[i].begin) == offsets[qsizetype(2 * i)], where.constData());
                QVERIFY2(int(spans[i].end) == offsets[qsizetype(2 * i + 1)], where.constData());
            }
        }
        // In order, inside the text; and without gaps where nothing is dropped.
        const bool covering = spansCoverText(fixture.toStdString());
        std::size_t at = 0;
        std::size_t previousBegin = 0;
        for (const TokenSpan& sp : spans) {
            QVERIFY(sp.begin <= sp.end && sp.end <= s.size());
            QVERIFY(sp.begin >= previousBegin);
            if (covering) // == at, or < at for byte tokens sharing a character NFC composed
                QVERIFY(sp.begin <= at);
            previousBegin = sp.begin;
            at = std::max(at, std::size_t(sp.end));
        }
        if (covering)
            QCOMPARE(at, s.size());
    }

    void fixtureProperties_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("bos"); // token content, empty: none
        QTest::addColumn<QString>("eos");
        QTest::addColumn<QString>("pad");
        QTest::addColumn<QString>("unk");
        QTest::addColumn<bool>("addsBos");
        const QString none;
        const QString eot = QStringLiteral("<|endoftext|>");
        auto row = [&](const char* fixture, const char* kind, const QString& bos, const QString& eos, const QString& pad,
                       const QString& unk, bool addsBos) {
            QTest::newRow(fixture) << QString::fromLatin1(fixture) << QString::fromLatin1(kind) << bos << eos << pad
                                   << unk << addsBos;
        };
        row("gpt2-json", "bpe-byte-level", eot, eot, none, none, false);
        row("llama3-style", "bpe-byte-level", QStringLiteral("<|begin_of_text|>"), none, none, none, true);
        row("qwen2-style", "bpe-byte-level", none, QStringLiteral("<|im_end|>"), eot, none, false);
        row("neox-style", "bpe-byte-level", eot, eot, none, eot, false);
        row("smollm-style", "bpe-byte-level", eot, eot, none, eot, false);
        row("misc-bytelevel", "bpe-byte-level", none, none, none, none, false);
        row("wordlevel", "word-level", QStringLiteral("[BOS]"), QStringLiteral("[EOS]"), QStringLiteral("[PAD]"),
            QStringLiteral("[UNK]"), false);
        row("wordlevel-whitespace", "word-level", none, none, none, QStringLiteral("<unk>"), false);
        row("bpe-chars", "bpe", none, none, none, QStringLiteral("[UNK]"), false);
        const QString s = QStringLiteral("<s>"), unk = QStringLiteral("<unk>");
        row("llama2-style", "bpe-byte-fallback", s, QStringLiteral("</s>"), none, unk, true);
        // no tokenizer_config.json, and LlamaTokenizer's model has no unk_token
        row("llama2-legacy", "bpe-byte-fallback", s, none, none, none, true);
        row("gemma-style", "bpe-byte-fallback", QStringLiteral("<bos>"), QStringLiteral("<eos>"), QStringLiteral("<pad>"),
            unk, true);
        row("metaspace-misc", "bpe-byte-fallback", none, none, none, unk, false);
        row("metaspace-never", "bpe-byte-fallback", s, none, none, none, true);
        row("unigram-style", "unigram", none, none, none, unk, false);
    }

    // Hugging Face's decode of random id sequences: byte tokens that cut a character (one
    // U+FFFD per byte), stray "▁", specials in the middle, with and without skipping them.
    void sentencePieceDecode_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QList<int>>("ids");
        QTest::addColumn<QByteArray>("decoded");
        QTest::addColumn<QByteArray>("decodedSkip");
        int rows = 0;
        for (const char* name : kFixtureNames) {
            const nlohmann::json doc = readJson(kFixtures / name / "cases.json");
            if (!doc.contains("decode_cases"))
                continue;
            int i = 0;
            for (const auto& c : doc["decode_cases"]) {
                QTest::addRow("%s/%d", name, i++) << QString::fromLatin1(name) << toQList(c["ids"].get<std::vector<int32_t>>())
                                                  << bytes(c["decoded"].get<std::string>())
                                                  << bytes(c["decoded_skip_special"].get<std::string>());
                ++rows;
            }
        }
        QVERIFY(rows >= 150);
    }

    void sentencePieceDecode()
    {
        QFETCH(QString, fixture);
        QFETCH(QList<int>, ids);
        QFETCH(QByteArray, decoded);
        QFETCH(QByteArray, decodedSkip);
        const Tokenizer& tok = tokenizer(fixture.toStdString());
        const std::vector<int32_t> v(ids.begin(), ids.end());
        QCOMPARE(bytes(tok.decode(v)), decoded);
        QCOMPARE(bytes(tok.decode(v, true)), decodedSkip);
    }

    void fixtureProperties()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, kind);
        QFETCH(QString, bos);
        QFETCH(QString, eos);
        QFETCH(QString, pad);
        QFETCH(QString, unk);
        QFETCH(bool, addsBos);
        const Tokenizer& tok = tokenizer(fixture.toStdString());
        const nlohmann::json doc = readJson(kFixtures / fixture.toStdString() / "cases.json");
        QCOMPARE(tok.vocabSize(), doc["vocab_size"].get<int32_t>());
        QCOMPARE(QString::fromStdString(tok.kind()), kind);
        auto expected = [&](const QString& content) -> std::optional<int32_t> {
            if (content.isEmpty())
                return std::nullopt;
            const auto id = tok.idOf(content.toStdString());
            if (!id)
                QTest::qFail(qPrintable(QStringLiteral("no id for ") + content), __FILE__, __LINE__);
            return id;
        };
        QCOMPARE(tok.bosId(), expected(bos));
        QCOMPARE(tok.eosId(), expected(eos));
        QCOMPARE(tok.padId(), expected(pad));
        QCOMPARE(tok.unkId(), expected(unk));
        QCOMPARE(tok.addsBosByDefault(), addsBos);
        // Every id round-trips through its raw string.
        for (int32_t id = 0; id < tok.vocabSize(); ++id) {
            if (!tok.contains(id))
                continue;
            QCOMPARE(tok.idOf(tok.tokenString(id)), std::optional<int32_t>(id));
        }
    }

    // Tokenizer::fromSentencePiece against what transformers' GGUF loader builds from the
    // same pieces, scores and types (merges derived from random, tied scores).
    void sentencePieceFromPieces()
    {
        const nlohmann::json p = readJson(kFixtures / "sp-pieces" / "pieces.json");
        using Vocab = Tokenizer::SentencePieceVocab;
        Vocab v;
        v.source = "sp-pieces";
        v.tokens = p["tokens"].get<std::vector<std::string>>();
        v.scores = p["scores"].get<std::vector<float>>();
        for (const int t : p["types"].get<std::vector<int>>())
            v.types.push_back(Vocab::TokenType(t));
        v.bos = p["bos"].get<int32_t>();
        v.eos = p["eos"].get<int32_t>();
        const Tokenizer tok = Tokenizer::fromSentencePiece(v);
        const nlohmann::json doc = readJson(kFixtures / "sp-pieces" / "cases.json");
        QCOMPARE(tok.vocabSize(), doc["vocab_size"].get<int32_t>());
        QCOMPARE(QString::fromStdString(tok.kind()), QStringLiteral("bpe-byte-fallback"));
        int i = 0;
        for (const auto& c : doc["cases"]) {
            const auto where = QByteArray("case ") + QByteArray::number(i++);
            const std::vector<int32_t> ids = tok.encode(c["text"].get<std::string>());
            QVERIFY2(toQList(ids) == toQList(c["ids"].get<std::vector<int32_t>>()), where.constData());
            QVERIFY2(tok.decode(ids) == c["decoded"].get<std::string>(), where.constData());
            QVERIFY2(tok.decode(ids, true) == c["decoded_skip_special"].get<std::string>(), where.constData());
        }
        for (const auto& c : doc["decode_cases"]) {
            const auto ids = c["ids"].get<std::vector<int32_t>>();
            QCOMPARE(bytes(tok.decode(ids)), bytes(c["decoded"].get<std::string>()));
            QCOMPARE(bytes(tok.decode(ids, true)), bytes(c["decoded_skip_special"].get<std::string>()));
        }
        QCOMPARE(tok.bosId(), std::optional<int32_t>(1));
        QCOMPARE(tok.eosId(), std::optional<int32_t>(2));
        QCOMPARE(tok.unkId(), std::optional<int32_t>(0)); // the Unknown-type piece
        QVERIFY(tok.addsBosByDefault());
        QVERIFY(tok.isSpecial(1) && tok.isSpecial(0));
        const auto user = tok.idOf("<|user|>");
        QVERIFY(user && !tok.isSpecial(*user));
        QCOMPARE(toQList(tok.encode("<|user|>")), QList<int>({*user})); // matched whole
    }

    // The same vocabularies as the llama2-style, llama2-legacy and gemma-style fixtures, given
    // piece by piece with their merges, in the matching style.
    void sentencePieceStyles_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<int>("style");
        using Style = Tokenizer::SentencePieceVocab::Style;
        QTest::newRow("llama") << QStringLiteral("llama2-style") << int(Style::Llama);
        QTest::newRow("legacy") << QStringLiteral("llama2-legacy") << int(Style::Legacy);
        QTest::newRow("gemma") << QStringLiteral("gemma-style") << int(Style::Gemma);
    }

    void sentencePieceStyles()
    {
        QFETCH(QString, fixture);
        QFETCH(int, style);
        using Vocab = Tokenizer::SentencePieceVocab;
        const fs::path dir = kFixtures / fixture.toStdString();
        const nlohmann::json j = readJson(dir / "tokenizer.json");
        Vocab v;
        v.source = fixture.toStdString();
        v.style = Vocab::Style(style);
        v.tokens.resize(j["model"]["vocab"].size());
        for (const auto& [piece, id] : j["model"]["vocab"].items())
            v.tokens.at(id.get<std::size_t>()) = piece;
        v.types.assign(v.tokens.size(), Vocab::TokenType::Normal);
        for (std::size_t id = 0; id < v.tokens.size(); ++id)
            if (v.tokens[id].size() == 6 && v.tokens[id].rfind("<0x", 0) == 0)
                v.types[id] = Vocab::TokenType::Byte;
        for (const auto& a : j["added_tokens"])
            v.types.at(a["id"].get<std::size_t>()) = a["content"] == "<unk>" ? Vocab::TokenType::Unknown
                                                                             : Vocab::TokenType::Control;
        for (const auto& m : j["model"]["merges"])
            v.merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
        const Tokenizer reference = tokenizer(fixture.toStdString());
        v.bos = reference.bosId();
        v.eos = reference.eosId();
        const Tokenizer tok = Tokenizer::fromSentencePiece(v);
        const nlohmann::json doc = readJson(dir / "cases.json");
        int i = 0;
        for (const auto& c : doc["cases"]) {
            const auto where = QByteArray("case ") + QByteArray::number(i++);
            const std::vector<int32_t> ids = tok.encode(c["text"].get<std::string>());
            QVERIFY2(toQList(ids) == toQList(c["ids"].get<std::vector<int32_t>>()), where.constData());
            QVERIFY2(tok.decode(ids) == c["decoded"].get<std::string>(), where.constData());
        }
        QCOMPARE(tok.bosId(), reference.bosId());
        QCOMPARE(tok.unkId(), tok.idOf("<unk>")); // the Unknown-type piece
    }

    // The derived merge order, by hand: score, then the longer left part, then the longer
    // right part, then the order of the pieces (transformers' generate_merges).
    void sentencePieceMergeOrder()
    {
        using Vocab = Tokenizer::SentencePieceVocab;
        auto build = [](std::vector<std::string> tokens, std::vector<float> scores) {
            Vocab v;
            v.tokens = std::move(tokens);
            v.scores = std::move(scores);
            v.byteFallback = false;
            v.style = Vocab::Style::Gemma; // no "▁" prefix: the pieces are plain letters
            v.types.assign(v.tokens.size(), Vocab::TokenType::Normal);
            v.types[0] = Vocab::TokenType::Unknown;
            return Tokenizer::fromSentencePiece(v);
        };
        // "cd" first (best score); then (b, cd) beats (a, b) at equal score: longer right part.
        const Tokenizer lengths = build({"<unk>", "a", "b", "c", "d", "cd", "ab", "bcd"}, {0, 0, 0, 0, 0, -1, -2, -2});
        QCOMPARE(toQList(lengths.encode("abcd")), QList<int>({1, 7}));
        // All equal: the piece listed first merges first.
        const Tokenizer abFirst = build({"<unk>", "a", "b", "c", "ab", "bc"}, {0, 0, 0, 0, -1, -1});
        QCOMPARE(toQList(abFirst.encode("abc")), QList<int>({4, 3}));
        const Tokenizer bcFirst = build({"<unk>", "a", "b", "c", "bc", "ab"}, {0, 0, 0, 0, -1, -1});
        QCOMPARE(toQList(bcFirst.encode("abc")), QList<int>({1, 4}));
        // A higher score wins whatever the order.
        const Tokenizer scored = build({"<unk>", "a", "b", "c", "ab", "bc"}, {0, 0, 0, 0, -2, -1});
        QCOMPARE(toQList(scored.encode("abc")), QList<int>({1, 5}));
        // Without byte fallback a missing character is <unk> for Gemma, consecutive ones
        // fused, and dropped for Llama, whose neighbours then merge (as transformers' GGUF
        // loader builds them: checked with transformers 5.25).
        QCOMPARE(toQList(scored.encode("axyb")), QList<int>({1, 0, 2}));
        Vocab llama;
        llama.tokens = {"<unk>", "a", "b", "c", "ab", "bc"};
        llama.scores = {0, 0, 0, 0, -2, -1};
        llama.types = {Vocab::TokenType::Unknown, Vocab::TokenType::Normal, Vocab::TokenType::Normal,
                       Vocab::TokenType::Normal, Vocab::TokenType::Normal, Vocab::TokenType::Normal};
        llama.byteFallback = false;
        const Tokenizer dropping = Tokenizer::fromSentencePiece(llama);
        QCOMPARE(toQList(dropping.encode("axyb")), QList<int>({4})); // "▁", "x", "y" dropped
        QCOMPARE(toQList(dropping.encode("abc")), QList<int>({1, 5}));
        QCOMPARE(dropping.unkId(), std::optional<int32_t>(0));
    }

    void sentencePieceErrors_data()
    {
        QTest::addColumn<int>("breakage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << 0 << QStringLiteral("pieces.gguf: the vocabulary has no tokens");
        QTest::newRow("scores") << 1 << QStringLiteral("pieces.gguf: 4 tokens but 3 scores");
        QTest::newRow("types") << 2 << QStringLiteral("pieces.gguf: 4 tokens but 2 token types");
        QTest::newRow("duplicate") << 3 << QStringLiteral("pieces.gguf: tokens 1 and 3 are the same piece \"a\"");
        QTest::newRow("type") << 4 << QStringLiteral("pieces.gguf: token 2 has type 9");
        QTest::newRow("bos") << 5 << QStringLiteral("pieces.gguf: the BOS token id 4 is not in 0..3");
        QTest::newRow("merge") << 6 << QStringLiteral("pieces.gguf: model.merges[0]: token \"zz\" is not in the vocabulary");
        QTest::newRow("empty piece") << 7 << QStringLiteral("pieces.gguf: token 2 is empty");
        QTest::newRow("utf8") << 8 << QStringLiteral("pieces.gguf: token 1 is not valid UTF-8");
        QTest::newRow("long piece") << 9 << QStringLiteral("pieces.gguf: token 3 is 2000 bytes long");
    }

    void sentencePieceErrors()
    {
        QFETCH(int, breakage);
        QFETCH(QString, expected);
        using Vocab = Tokenizer::SentencePieceVocab;
        Vocab v;
        v.source = "pieces.gguf";
        v.tokens = {"<unk>", "a", "b", "ab"};
        v.scores = {0, 0, 0, -1};
        switch (breakage) {
        case 0: v.tokens.clear(); v.scores.clear(); break;
        case 1: v.scores.pop_back(); break;
        case 2: v.types = {Vocab::TokenType::Unknown, Vocab::TokenType::Normal}; break;
        case 3: v.tokens[3] = "a"; break;
        case 4: v.types.assign(4, Vocab::TokenType::Normal); v.types[2] = Vocab::TokenType(9); break;
        case 5: v.bos = 4; break;
        case 6: v.merges = {{"zz", "a"}}; break;
        case 7: v.tokens[2].clear(); break;
        case 8: v.tokens[1] = "\xff"; break;
        case 9: v.tokens[3] = std::string(2000, 'x'); break;
        }
        const QString message = expectError([&] { Tokenizer::fromSentencePiece(v); });
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    // What one SentencePiece token reads as, and how a lone token decodes.
    void sentencePieceTokenText()
    {
        const Tokenizer& llama = tokenizer("llama2-style");
        const auto the = llama.idOf("\xE2\x96\x81the");
        QVERIFY(the);
        QCOMPARE(QString::fromStdString(llama.tokenString(*the)), QStringLiteral("\u2581the"));
        QCOMPARE(QString::fromStdString(llama.tokenText(*the)), QStringLiteral(" the"));
        QCOMPARE(QString::fromStdString(llama.decode({*the})), QStringLiteral("the")); // Strip: the text's first space
        QCOMPARE(bytes(llama.tokenBytes(*llama.idOf("<0x0A>"))), QByteArray("\n"));
        const auto e6 = *llama.idOf("<0xE6>");
        QCOMPARE(bytes(llama.tokenBytes(e6)), QByteArray("\xE6"));
        QCOMPARE(QString::fromStdString(llama.tokenText(e6)), QString(QChar(0xFFFD)));
        QCOMPARE(QString::fromStdString(llama.tokenText(*llama.idOf("<s>"))), QStringLiteral("<s>"));
        const Tokenizer& gemma = tokenizer("gemma-style");
        QCOMPARE(QString::fromStdString(gemma.decode({*gemma.idOf("\xE2\x96\x81the")})), QStringLiteral(" the"));
        // Spans point into the input: the prepended "▁" is not there.
        const std::vector<TokenSpan> spans = llama.encodeWithSpans("the x");
        QCOMPARE(spans.front().id, *the);
        QCOMPARE(spans.front().begin, std::size_t(0));
        QCOMPARE(spans.front().end, std::size_t(3));
    }

    // Spans map through NFC back to the decomposed input.
    void nfcSpans()
    {
        const Tokenizer& tok = tokenizer("qwen2-style");
        const std::string text = "cafe\xcc\x81 x"; // "café" with a combining acute, then " x"
        const std::vector<TokenSpan> spans = tok.encodeWithSpans(text);
        QVERIFY(!spans.empty());
        QCOMPARE(spans.front().begin, std::size_t(0));
        QCOMPARE(spans.back().end, text.size());
        // The added token "café" (normalized) matches the decomposed spelling and covers it.
        QCOMPARE(spans.front().id, *tok.idOf("cafe\xcc\x81"));
        QCOMPARE(spans.front().end, std::size_t(6));
    }

    void nfc_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("compose") << QStringLiteral("e\u0301") << QStringLiteral("\u00e9");
        QTest::newRow("singleton") << QStringLiteral("\u212b") << QStringLiteral("\u00c5");
        QTest::newRow("reorder") << QStringLiteral("e\u0301\u0323") << QStringLiteral("\u1eb9\u0301");
        QTest::newRow("hangul") << QStringLiteral("\u1100\u1161\u11a8") << QStringLiteral("\uac01");
        QTest::newRow("blocked") << QStringLiteral("a\u0315\u0300\u05ae\u0300b") << QStringLiteral("\u00e0\u05ae\u0300\u0315b");
        QTest::newRow("exclusion") << QStringLiteral("\u0958") << QStringLiteral("\u0915\u093c");
        QTest::newRow("leading mark") << QStringLiteral("\u0301e") << QStringLiteral("\u0301e");
        QTest::newRow("ascii") << QStringLiteral("plain text") << QStringLiteral("plain text");
    }

    void nfc()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        patchbay::core::detail::AlignedText in;
        in.text = input.toStdString();
        const auto out = patchbay::core::detail::nfc(in);
        QCOMPARE(QString::fromStdString(out.text), expected);
        if (!out.identity) {
            QCOMPARE(out.begin.size(), out.text.size());
            QCOMPARE(std::size_t(out.begin.front()), std::size_t(0));
            QCOMPARE(std::size_t(*std::max_element(out.end.begin(), out.end.end())), in.text.size());
        }
    }

    void decodeErrors()
    {
        const Tokenizer& tok = tokenizer("gpt2-files");
        for (int32_t id : {-1, 50257, 1 << 30}) {
            const QString m = expectError([&] { tok.decode({id}); });
            QVERIFY2(m.contains(QStringLiteral("token id %1 is not in the vocabulary").arg(id)), qPrintable(m));
        }
        QVERIFY(expectError([&] { tok.tokenString(-5); }).contains(QStringLiteral("not in the vocabulary")));
    }

    void loadErrors_data()
    {
        QTest::addColumn<QString>("file");   // name written in a fresh directory
        QTest::addColumn<QByteArray>("content");
        // vocab.json rows: the merges.txt content; other rows: "NAME:CONTENT" of an extra file
        QTest::addColumn<QByteArray>("second");
        QTest::addColumn<QStringList>("expected");

        const QByteArray bpeHead = R"({"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]})";
        auto tj = [](const QByteArray& rest) {
            return QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]},)") + rest
                   + "}";
        };
        QTest::newRow("bad json") << "tokenizer.json" << QByteArray("{\"model\": ") << QByteArray()
                                  << QStringList{"tokenizer.json", "invalid JSON"};
        QTest::newRow("not an object") << "tokenizer.json" << QByteArray("[1,2]") << QByteArray()
                                       << QStringList{"tokenizer.json", "expected a JSON object"};
        QTest::newRow("no model") << "tokenizer.json" << QByteArray("{}") << QByteArray()
                                  << QStringList{"tokenizer.json", "no \"model\""};
        QTest::newRow("wordpiece")
            << "tokenizer.json" << QByteArray(R"({"model":{"type":"WordPiece","vocab":{}}})") << QByteArray()
            << QStringList{"tokenizer.json: model.type \"WordPiece\" is not supported (supported: BPE, WordLevel, Unigram)"};
        QTest::newRow("unigram entry")
            << "tokenizer.json" << QByteArray(R"({"model":{"type":"Unigram","vocab":[["a",-1.0],["b"]]}})") << QByteArray()
            << QStringList{"tokenizer.json: model.vocab[1] must be [piece, score]"};
        QTest::newRow("unigram duplicate")
            << "tokenizer.json" << QByteArray(R"({"model":{"type":"Unigram","vocab":[["a",-1.0],["a",-2]]}})")
            << QByteArray() << QStringList{"model.vocab[1]: the piece \"a\" is also at 0"};
        QTest::newRow("unigram unk_id")
            << "tokenizer.json" << QByteArray(R"({"model":{"type":"Unigram","unk_id":2,"vocab":[["a",-1.0]]}})")
            << QByteArray() << QStringList{"model.unk_id must be the index of a piece"};
        QTest::newRow("nfkc") << "tokenizer.json" << tj(R"("normalizer":{"type":"NFKC"})") << QByteArray()
                              << QStringList{"normalizer type \"NFKC\" is not supported"};
        QTest::newRow("metaspace not first")
            << "tokenizer.json"
            << tj(R"("pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Digits"},{"type":"Metaspace"}]})")
            << QByteArray() << QStringList{"pre_tokenizer.pretokenizers[1]", "Metaspace is supported only as the first"};
        QTest::newRow("metaspace replacement")
            << "tokenizer.json" << tj(R"("pre_tokenizer":{"type":"Metaspace","replacement":"__"})") << QByteArray()
            << QStringList{"pre_tokenizer", "\"replacement\" must be one character"};
        QTest::newRow("metaspace scheme")
            << "tokenizer.json" << tj(R"("pre_tokenizer":{"type":"Metaspace","prepend_scheme":"sometimes"})")
            << QByteArray() << QStringList{"\"prepend_scheme\" must be \"first\", \"always\" or \"never\", got \"sometimes\""};
        QTest::newRow("metaspace and bytelevel")
            << "tokenizer.json"
            << tj(R"("pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Metaspace"},{"type":"ByteLevel"}]})")
            << QByteArray() << QStringList{"Metaspace and ByteLevel together are not supported"};
        QTest::newRow("replace regex")
            << "tokenizer.json" << tj(R"("normalizer":{"type":"Replace","pattern":{"Regex":" +"},"content":" "})")
            << QByteArray() << QStringList{"normalizer.pattern", "Regex pattern is not supported"};
        QTest::newRow("replace content")
            << "tokenizer.json" << tj(R"("normalizer":{"type":"Replace","pattern":{"String":" "},"content":5})")
            << QByteArray() << QStringList{"normalizer.content must be a string"};
        QTest::newRow("prepend")
            << "tokenizer.json" << tj(R"("normalizer":{"type":"Sequence","normalizers":[{"type":"Prepend"}]})")
            << QByteArray() << QStringList{"normalizer.normalizers[0].prepend must be a string"};
        QTest::newRow("bytelevel decoder in sequence")
            << "tokenizer.json"
            << tj(R"("decoder":{"type":"Sequence","decoders":[{"type":"Fuse"},{"type":"ByteLevel"}]})") << QByteArray()
            << QStringList{"decoder.decoders[1]", "ByteLevel decoder is supported only on its own"};
        QTest::newRow("strip content")
            << "tokenizer.json" << tj(R"("decoder":{"type":"Strip","content":"ab","start":1,"stop":0})") << QByteArray()
            << QStringList{"decoder", "\"content\" must be one character"};
        QTest::newRow("ctc decoder") << "tokenizer.json" << tj(R"("decoder":{"type":"CTC"})") << QByteArray()
                                     << QStringList{"decoder type \"CTC\" is not supported", "ByteFallback"};
        QTest::newRow("wordpiece decoder") << "tokenizer.json" << tj(R"("decoder":{"type":"WordPiece"})")
                                           << QByteArray() << QStringList{"decoder type \"WordPiece\" is not supported"};
        QTest::newRow("bad regex")
            << "tokenizer.json"
            << tj("\"pre_tokenizer\":{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(unclosed\"},\"behavior\":\"Isolated\"}")
            << QByteArray() << QStringList{"pre_tokenizer.pattern", "cannot compile pattern \"(unclosed\""};
        QTest::newRow("bad behavior")
            << "tokenizer.json"
            << tj(R"("pre_tokenizer":{"type":"Split","pattern":{"String":"x"},"behavior":"Sideways"})")
            << QByteArray() << QStringList{"behavior \"Sideways\""};
        QTest::newRow("bytelevel not last")
            << "tokenizer.json"
            << tj(R"("pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"ByteLevel"},{"type":"Digits"}]})")
            << QByteArray() << QStringList{"ByteLevel must come last"};
        QTest::newRow("byte fallback with bytelevel")
            << "tokenizer.json"
            << QByteArray(R"({"model":{"type":"BPE","byte_fallback":true,"vocab":{"a":0},"merges":[]},)"
                          R"("pre_tokenizer":{"type":"ByteLevel"}})")
            << QByteArray() << QStringList{"model.byte_fallback with a ByteLevel pre-tokenizer"};
        QTest::newRow("merge not in vocab")
            << "tokenizer.json"
            << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b","ab c"]}})")
            << QByteArray() << QStringList{"model.merges[1]: token \"c\" is not in the vocabulary"};
        QTest::newRow("merged not in vocab")
            << "tokenizer.json" << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0,"b":1},"merges":[["a","b"]]}})")
            << QByteArray() << QStringList{"model.merges[0]: merged token \"ab\" is not in the vocabulary"};
        QTest::newRow("merge malformed")
            << "tokenizer.json" << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":["a b c"]}})")
            << QByteArray() << QStringList{"model.merges[0]: expected two tokens"};
        QTest::newRow("duplicate id")
            << "tokenizer.json" << QByteArray(R"({"model":{"type":"WordLevel","vocab":{"a":0,"b":0},"unk_token":"a"}})")
            << QByteArray() << QStringList{"model.vocab: id 0 is used by both \"a\" and \"b\""};
        QTest::newRow("id out of range")
            << "tokenizer.json"
            << QByteArray(R"({"model":{"type":"WordLevel","vocab":{"a":0,"b":99999999999},"unk_token":"a"}})")
            << QByteArray() << QStringList{"\"b\"", "id 99999999999 is out of range"};
        QTest::newRow("negative id")
            << "tokenizer.json" << QByteArray(R"({"model":{"type":"WordLevel","vocab":{"a":-1},"unk_token":"a"}})")
            << QByteArray() << QStringList{"id -1 is out of range"};
        QTest::newRow("non-integer id")
            << "tokenizer.json" << QByteArray(R"({"model":{"type":"WordLevel","vocab":{"a":"zero"},"unk_token":"a"}})")
            << QByteArray() << QStringList{"id must be an integer"};
        QTest::newRow("added token id")
            << "tokenizer.json" << tj(R"("added_tokens":[{"content":"<s>","id":-3,"special":true}])") << QByteArray()
            << QStringList{"added_tokens[0]", "out of range"};
        QTest::newRow("added token content")
            << "tokenizer.json" << tj(R"("added_tokens":[{"content":"","id":3}])") << QByteArray()
            << QStringList{"added_tokens[0].content must be a non-empty string"};
        QTest::newRow("bad special config")
            << "tokenizer.json" << bpeHead + "}" << QByteArray("tokenizer_config.json:{\"bos_token\": 5}")
            << QStringList{"tokenizer_config.json", "bos_token must be a string"};

        const QByteArray vocab = R"({"a":0,"b":1,"ab":2,"c":3})";
        QTest::newRow("merges.txt malformed line")
            << "vocab.json" << vocab << QByteArray("#version: 0.2\na b\nab c d\n")
            << QStringList{"merges.txt line 3: expected two tokens"};
        QTest::newRow("merges.txt unknown token")
            << "vocab.json" << vocab << QByteArray("a b\nzz c\n")
            << QStringList{"merges.txt line 2: token \"zz\" is not in the vocabulary"};
        QTest::newRow("merges.txt blank line")
            << "vocab.json" << vocab << QByteArray("a b\n\nab c\n") << QStringList{"merges.txt line 2"};
        QTest::newRow("vocab.json duplicate")
            << "vocab.json" << QByteArray(R"({"a":0,"b":0})") << QByteArray("")
            << QStringList{"vocab.json: id 0 is used by both"};
        QTest::newRow("vocab.json bad json") << "vocab.json" << QByteArray(R"({"a":0,)") << QByteArray("")
                                             << QStringList{"vocab.json", "invalid JSON"};
        QTest::newRow("vocab.json not object") << "vocab.json" << QByteArray("[]") << QByteArray("")
                                               << QStringList{"vocab.json must be an object"};
    }

    void loadErrors()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, content);
        QFETCH(QByteArray, second);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        const fs::path d = str(dir.path().toUtf8());
        writeFile(d / str(file.toUtf8()), str(content));
        if (file == QStringLiteral("vocab.json")) {
            writeFile(d / "merges.txt", str(second));
        } else if (!second.isEmpty()) {
            const auto colon = second.indexOf(':');
            writeFile(d / str(second.left(colon)), str(second.mid(colon + 1)));
        }
        const QString message = expectError([&] { Tokenizer::load(d); });
        for (const QString& part : expected)
            QVERIFY2(message.contains(part), qPrintable(QStringLiteral("message: ") + message));
    }

    void loadPaths()
    {
        QString m = expectError([] { Tokenizer::load("/nonexistent/patchbay/tokenizer"); });
        QVERIFY2(m.contains(QStringLiteral("/nonexistent/patchbay/tokenizer: no such file")), qPrintable(m));
        QTemporaryDir empty;
        m = expectError([&] { Tokenizer::load(str(empty.path().toUtf8())); });
        QVERIFY2(m.contains(QStringLiteral("no tokenizer.json, and no vocab.json + merges.txt")), qPrintable(m));
        writeFile(fs::path(str(empty.path().toUtf8())) / "tokenizer.model", "\x0a\x05");
        m = expectError([&] { Tokenizer::load(str(empty.path().toUtf8())); });
        QVERIFY2(m.contains(QStringLiteral("only a SentencePiece tokenizer.model, which is not read")), qPrintable(m));
        m = expectError([&] { Tokenizer::fromTokenizerJson(fs::path(str(empty.path().toUtf8())) / "tokenizer.json"); });
        QVERIFY2(m.contains(QStringLiteral("tokenizer.json: cannot open")), qPrintable(m));
        m = expectError([&] { Tokenizer::fromVocabAndMerges(kShared / "vocab.json", kShared / "missing.txt"); });
        QVERIFY2(m.contains(QStringLiteral("missing.txt: cannot open")), qPrintable(m));

        // A file path works as well as its directory; vocab.json finds its merges.txt.
        const Tokenizer a = Tokenizer::load(kFixtures / "llama3-style" / "tokenizer.json");
        QCOMPARE(toQList(a.encode("Hello")), toQList(tokenizer("llama3-style").encode("Hello")));
        const Tokenizer b = Tokenizer::load(kShared / "vocab.json");
        QCOMPARE(toQList(b.encode("Hello world")), QList<int>({15496, 995}));
    }

    void wordLevelWithoutUnk()
    {
        QTemporaryDir dir;
        const fs::path d = str(dir.path().toUtf8());
        writeFile(d / "tokenizer.json", R"({"model":{"type":"WordLevel","vocab":{"hello":0,"world":1},"unk_token":"<unk>"},
                  "pre_tokenizer":{"type":"WhitespaceSplit"}})");
        const Tokenizer tok = Tokenizer::load(d);
        QCOMPARE(toQList(tok.encode("hello  world\n")), QList<int>({0, 1}));
        QCOMPARE(QString::fromStdString(tok.decode({0, 1, 0})), QStringLiteral("hello world hello"));
        const QString m = expectError([&] { tok.encode("hello there"); });
        QVERIFY2(m.contains(QStringLiteral("\"there\" is not in the vocabulary")), qPrintable(m));
        QVERIFY(!tok.unkId());
    }

    void unknownCharacters()
    {
        QTemporaryDir dir;
        const fs::path d = str(dir.path().toUtf8());
        // Character-level BPE without unk_token drops unknown characters, as `tokenizers`
        // does; the spans still point at the right bytes.
        writeFile(d / "tokenizer.json", R"({"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}})");
        const Tokenizer tok = Tokenizer::load(d);
        const std::vector<TokenSpan> spans = tok.encodeWithSpans("abxab\xc3\xa9" "a");
        QCOMPARE(spans.size(), std::size_t(3));
        QCOMPARE(spans[0].id, 2);
        QCOMPARE(spans[1].id, 2);
        QCOMPARE(spans[1].begin, std::size_t(3));
        QCOMPARE(spans[1].end, std::size_t(5));
        QCOMPARE(spans[2].begin, std::size_t(7));
        QCOMPARE(toQList(tok.encode("axb")), QList<int>({2}));
        QCOMPARE(tok.encodeWithSpans("axb").front().end, std::size_t(3));
        QCOMPARE(QString::fromStdString(tok.kind()), QStringLiteral("bpe"));
        // An unk_token the vocabulary lacks is an error once it is needed.
        writeFile(d / "tokenizer.json", R"({"model":{"type":"BPE","unk_token":"<unk>","vocab":{"a":0},"merges":[]}})");
        const Tokenizer bad = Tokenizer::load(d);
        QCOMPARE(toQList(bad.encode("aa")), QList<int>({0, 0}));
        const QString m = expectError([&] { bad.encode("ax"); });
        QVERIFY2(m.contains(QStringLiteral("unk_token \"<unk>\" is not in the vocabulary")), qPrintable(m));
    }

    void copiesAndThreads()
    {
        const Tokenizer tok = tokenizer("gpt2-files");
        const Tokenizer copy = tok; // shares the implementation
        const nlohmann::json golden = readJson(kShared / "golden_tokenization.json");
        const std::string text = golden.back()["text"].get<std::string>();
        const std::vector<int32_t> expected = golden.back()["ids"].get<std::vector<int32_t>>();
        std::vector<int> ok(4, 0);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                int good = 0;
                for (int i = 0; i < 50; ++i)
                    good += (t % 2 ? copy : tok).encode(text) == expected ? 1 : 0;
                ok[std::size_t(t)] = good;
            });
        }
        for (auto& th : threads)
            th.join();
        for (int good : ok)
            QCOMPARE(good, 50);
    }

    // Not a timed assertion: encodes about 1 MB once and reports the rate.
    void speed()
    {
        const nlohmann::json golden = readJson(kShared / "golden_tokenization.json");
        const std::string corpus = golden.back()["text"].get<std::string>();
        std::string big;
        while (big.size() < (1u << 20))
            big += corpus;
        QVERIFY(big.front() != ' '); // SentencePiece decoders drop a leading space
        for (const char* name : {"gpt2-files", "llama3-style", "neox-style", "llama2-style", "gemma-style", "unigram-style"}) {
            const Tokenizer& tok = tokenizer(name);
            const auto t0 = std::chrono::steady_clock::now();
            const std::vector<int32_t> ids = tok.encode(big);
            const auto t1 = std::chrono::steady_clock::now();
            const double s = std::chrono::duration<double>(t1 - t0).count();
            qInfo("%s: %zu bytes -> %zu tokens in %.1f ms (%.2f M tokens/s)", name, big.size(), ids.size(), s * 1e3,
                  double(ids.size()) / s / 1e6);
            if (std::string(name) != "unigram-style") // which lacks the bytes of emoji
                QCOMPARE(bytes(tok.decode(ids)), bytes(big));
        }
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
