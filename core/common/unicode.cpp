// SPDX-License-Identifier: MIT
#include "core/common/detail/unicode.h"

#include <algorithm>
#include <iterator>

namespace patchbay::core::detail {

namespace {

struct CccRange
{
    char32_t first;
    char32_t last;
    uint8_t ccc;
};

struct CodepointRange
{
    char32_t first;
    char32_t last;
};

// A code point mapped to `length` code points starting at `offset` in a flat data array.
struct Mapping
{
    char32_t cp;
    uint16_t offset;
    uint8_t length;
};

struct Composition
{
    char32_t first;
    char32_t second;
    char32_t composite;
};

#include "core/common/unicode_tables.inc"

// Hangul syllable arithmetic (The Unicode Standard, §3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr char32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

bool isHangulSyllable(char32_t cp) { return cp >= kSBase && cp < kSBase + kSCount; }

uint8_t combiningClass(char32_t cp)
{
    if (cp < 0x300)
        return 0;
    const auto it = std::upper_bound(std::begin(kCccRanges), std::end(kCccRanges), cp,
                                     [](char32_t c, const CccRange& r) { return c < r.first; });
    if (it == std::begin(kCccRanges))
        return 0;
    const CccRange& r = *std::prev(it);
    return cp <= r.last ? r.ccc : 0;
}

bool inRanges(const CodepointRange* first, const CodepointRange* last, char32_t cp)
{
    const auto it = std::upper_bound(first, last, cp, [](char32_t c, const CodepointRange& r) { return c < r.first; });
    return it != first && cp <= std::prev(it)->last;
}

const Mapping* findMapping(const Mapping* first, const Mapping* last, char32_t cp)
{
    const auto it = std::lower_bound(first, last, cp, [](const Mapping& m, char32_t c) { return m.cp < c; });
    return (it != last && it->cp == cp) ? it : nullptr;
}

bool isCompositionSecond(char32_t cp)
{
    if ((cp >= kVBase && cp < kVBase + kVCount) || (cp > kTBase && cp < kTBase + kTCount))
        return true; // Hangul vowel and trailing jamo combine algorithmically
    return std::binary_search(std::begin(kCompositionSeconds), std::end(kCompositionSeconds), cp);
}

// NFC_Quick_Check=Yes and ccc 0: text before such a character never interacts with text
// after it under NFC, so normalization can restart there.
bool isNfcBoundary(const Utf8Unit& u)
{
    if (!u.valid || u.cp < 0x80)
        return true;
    return combiningClass(u.cp) == 0 && !inRanges(std::begin(kNfcQcNo), std::end(kNfcQcNo), u.cp)
           && !isCompositionSecond(u.cp);
}

char32_t compose(char32_t a, char32_t b)
{
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    if (isHangulSyllable(a) && (a - kSBase) % kTCount == 0 && b > kTBase && b < kTBase + kTCount)
        return a + (b - kTBase);
    const Composition key{a, b, 0};
    const auto it = std::lower_bound(std::begin(kCompositions), std::end(kCompositions), key,
                                     [](const Composition& x, const Composition& y) {
                                         return x.first != y.first ? x.first < y.first : x.second < y.second;
                                     });
    if (it != std::end(kCompositions) && it->first == a && it->second == b)
        return it->composite;
    return 0;
}

// A code point while normalizing, with the byte range [b, e) of the input it came from.
struct Working
{
    char32_t cp;
    uint32_t b;
    uint32_t e;
    uint8_t ccc;
    bool raw; // an invalid input byte carried through unchanged (cp holds the byte)
};

void appendAligned(AlignedText& out, const AlignedText& in, const Working& w)
{
    const std::size_t before = out.text.size();
    if (w.raw)
        out.text.push_back(char(w.cp));
    else
        appendUtf8(out.text, w.cp);
    const uint32_t ob = in.originalBegin(w.b);
    const uint32_t oe = in.originalEnd(w.e - 1);
    out.begin.insert(out.begin.end(), out.text.size() - before, ob);
    out.end.insert(out.end.end(), out.text.size() - before, oe);
}

void copyAligned(AlignedText& out, const AlignedText& in, std::size_t from, std::size_t to)
{
    out.text.append(in.text, from, to - from);
    for (std::size_t i = from; i < to; ++i) {
        out.begin.push_back(in.originalBegin(i));
        out.end.push_back(in.originalEnd(i));
    }
}

// Decompose, reorder and compose one segment [from, to) of `in`, appending to `out`.
void normalizeSegment(const AlignedText& in, std::size_t from, std::size_t to, std::vector<Working>& buf,
                      AlignedText& out)
{
    buf.clear();
    const std::string_view text = in.text;
    for (std::size_t pos = from; pos < to;) {
        const Utf8Unit u = decodeUtf8(text, pos);
        const auto b = uint32_t(pos), e = uint32_t(pos + u.length);
        if (!u.valid) {
            buf.push_back({u.cp, b, e, 0, true});
        } else if (isHangulSyllable(u.cp)) {
            const char32_t s = u.cp - kSBase;
            buf.push_back({kLBase + s / kNCount, b, e, 0, false});
            buf.push_back({kVBase + (s % kNCount) / kTCount, b, e, 0, false});
            if (s % kTCount != 0)
                buf.push_back({kTBase + s % kTCount, b, e, 0, false});
        } else if (const Mapping* m = u.cp >= 0xC0 ? findMapping(std::begin(kDecomposition),
                                                                 std::end(kDecomposition), u.cp)
                                                   : nullptr) {
            for (int i = 0; i < m->length; ++i) {
                const char32_t c = kDecompositionData[m->offset + i];
                buf.push_back({c, b, e, combiningClass(c), false});
            }
        } else {
            buf.push_back({u.cp, b, e, combiningClass(u.cp), false});
        }
        pos += u.length;
    }

    // Canonical ordering: stable sort of each run of non-starters by class.
    for (std::size_t i = 0; i < buf.size();) {
        if (buf[i].ccc == 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < buf.size() && buf[j].ccc != 0)
            ++j;
        std::stable_sort(buf.begin() + std::ptrdiff_t(i), buf.begin() + std::ptrdiff_t(j),
                         [](const Working& x, const Working& y) { return x.ccc < y.ccc; });
        i = j;
    }

    // Canonical composition (UAX #15, the reference algorithm).
    std::size_t starter = 0;
    bool haveStarter = !buf.empty() && buf[0].ccc == 0 && !buf[0].raw;
    int lastClass = buf.empty() ? 0 : (buf[0].ccc == 0 ? 0 : 256);
    std::size_t kept = buf.empty() ? 0 : 1;
    for (std::size_t i = 1; i < buf.size(); ++i) {
        Working w = buf[i];
        if (haveStarter && !w.raw && (lastClass < w.ccc || lastClass == 0)) {
            if (const char32_t c = compose(buf[starter].cp, w.cp)) {
                buf[starter].cp = c;
                buf[starter].b = std::min(buf[starter].b, w.b);
                buf[starter].e = std::max(buf[starter].e, w.e);
                continue;
            }
        }
        if (w.ccc == 0) {
            starter = kept;
            haveStarter = !w.raw;
        }
        lastClass = w.raw ? 256 : w.ccc;
        buf[kept++] = w;
    }
    buf.resize(kept);
    for (const Working& w : buf)
        appendAligned(out, in, w);
}

} // namespace

Utf8Unit decodeUtf8(std::string_view text, std::size_t pos)
{
    const auto c0 = uint8_t(text[pos]);
    Utf8Unit bad{c0, 1, false};
    if (c0 < 0x80)
        return {c0, 1, true};
    int n;
    char32_t cp;
    char32_t min;
    if ((c0 & 0xE0) == 0xC0) {
        n = 2;
        cp = c0 & 0x1F;
        min = 0x80;
    } else if ((c0 & 0xF0) == 0xE0) {
        n = 3;
        cp = c0 & 0x0F;
        min = 0x800;
    } else if ((c0 & 0xF8) == 0xF0) {
        n = 4;
        cp = c0 & 0x07;
        min = 0x10000;
    } else {
        return bad;
    }
    if (pos + std::size_t(n) > text.size())
        return bad;
    for (int i = 1; i < n; ++i) {
        const auto c = uint8_t(text[pos + std::size_t(i)]);
        if ((c & 0xC0) != 0x80)
            return bad;
        cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
        return bad;
    return {cp, uint8_t(n), true};
}

Utf8Unit decodeUtf8Before(std::string_view text, std::size_t end)
{
    // A valid character is at most 4 bytes long: try the longest valid one ending at `end`.
    for (std::size_t n = 1; n <= 4 && n <= end; ++n) {
        const auto c = uint8_t(text[end - n]);
        if ((c & 0xC0) == 0x80)
            continue;
        const Utf8Unit u = decodeUtf8(text, end - n);
        if (u.valid && u.length == n)
            return u;
        break;
    }
    return {uint8_t(text[end - 1]), 1, false};
}

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(char(cp));
    } else if (cp < 0x800) {
        out.push_back(char(0xC0 | (cp >> 6)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(char(0xE0 | (cp >> 12)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (cp >> 18)));
        out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    }
}

std::size_t findInvalidUtf8(std::string_view text)
{
    for (std::size_t pos = 0; pos < text.size();) {
        if (uint8_t(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const Utf8Unit u = decodeUtf8(text, pos);
        if (!u.valid)
            return pos;
        pos += u.length;
    }
    return std::string_view::npos;
}

std::string toValidUtf8Lossy(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t pos = 0; pos < bytes.size();) {
        const Utf8Unit u = decodeUtf8(bytes, pos);
        if (u.valid) {
            out.append(bytes, pos, u.length);
            pos += u.length;
            continue;
        }
        // Skip the maximal prefix of a valid sequence (Unicode §3.9 "maximal subpart"),
        // so that e.g. a truncated 3-byte character gives one U+FFFD, not two.
        const auto c0 = uint8_t(bytes[pos]);
        std::size_t skip = 1;
        int need = 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c0 >= 0xC2 && c0 <= 0xDF) {
            need = 1;
        } else if (c0 >= 0xE0 && c0 <= 0xEF) {
            need = 2;
            if (c0 == 0xE0)
                lo = 0xA0;
            if (c0 == 0xED)
                hi = 0x9F;
        } else if (c0 >= 0xF0 && c0 <= 0xF4) {
            need = 3;
            if (c0 == 0xF0)
                lo = 0x90;
            if (c0 == 0xF4)
                hi = 0x8F;
        }
        for (int i = 0; i < need && pos + skip < bytes.size(); ++i) {
            const auto c = uint8_t(bytes[pos + skip]);
            if (c < lo || c > hi)
                break;
            ++skip;
            lo = 0x80;
            hi = 0xBF;
        }
        out += "\xEF\xBF\xBD";
        pos += skip;
    }
    return out;
}

bool isNfcQuick(std::string_view text)
{
    for (std::size_t pos = 0; pos < text.size();) {
        if (uint8_t(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const Utf8Unit u = decodeUtf8(text, pos);
        if (!isNfcBoundary(u))
            return false;
        pos += u.length;
    }
    return true;
}

AlignedText nfc(const AlignedText& in)
{
    if (isNfcQuick(in.text))
        return in;
    AlignedText out;
    out.identity = false;
    out.text.reserve(in.text.size());
    out.begin.reserve(in.text.size());
    out.end.reserve(in.text.size());
    std::vector<Working> buf;
    const std::string_view text = in.text;

    // Segments start at NFC boundaries. Runs of one-character segments are copied as
    // they are; a segment with anything after its boundary character (or a text that
    // starts with a non-boundary character) goes through decomposition and composition.
    std::size_t copyStart = 0; // start of the pending run of plain copies
    std::size_t segStart = 0;  // start of the current segment
    bool complex = false;      // whether the current segment needs normalizing
    for (std::size_t pos = 0; pos < text.size();) {
        const Utf8Unit u = decodeUtf8(text, pos);
        if (isNfcBoundary(u)) {
            if (complex) {
                normalizeSegment(in, segStart, pos, buf, out);
                copyStart = pos;
                complex = false;
            }
            segStart = pos;
        } else if (!complex) {
            copyAligned(out, in, copyStart, segStart);
            complex = true;
        }
        pos += u.length;
    }
    if (complex)
        normalizeSegment(in, segStart, text.size(), buf, out);
    else
        copyAligned(out, in, copyStart, text.size());
    return out;
}

AlignedText lowercase(const AlignedText& in)
{
    const std::string_view text = in.text;
    // Find the first character that changes; most text has few.
    std::size_t first = text.size();
    for (std::size_t pos = 0; pos < text.size();) {
        const Utf8Unit u = decodeUtf8(text, pos);
        if (u.valid && (u.cp < 0x80 ? (u.cp >= 'A' && u.cp <= 'Z')
                                    : findMapping(std::begin(kLowercase), std::end(kLowercase), u.cp) != nullptr)) {
            first = pos;
            break;
        }
        pos += u.length;
    }
    if (first == text.size())
        return in;

    AlignedText out;
    out.identity = false;
    out.text.reserve(text.size());
    copyAligned(out, in, 0, first);
    for (std::size_t pos = first; pos < text.size();) {
        const Utf8Unit u = decodeUtf8(text, pos);
        const Mapping* m = nullptr;
        if (u.valid && u.cp >= 0x80)
            m = findMapping(std::begin(kLowercase), std::end(kLowercase), u.cp);
        if (u.valid && u.cp >= 'A' && u.cp <= 'Z') {
            out.text.push_back(char(u.cp - 'A' + 'a'));
            out.begin.push_back(in.originalBegin(pos));
            out.end.push_back(in.originalEnd(pos));
        } else if (m) {
            for (int i = 0; i < m->length; ++i) {
                Working w{kLowercaseData[m->offset + i], uint32_t(pos), uint32_t(pos + u.length), 0, false};
                appendAligned(out, in, w);
            }
        } else {
            copyAligned(out, in, pos, pos + u.length);
        }
        pos += u.length;
    }
    return out;
}

bool isWhiteSpace(char32_t cp)
{
    // PropList.txt White_Space (stable since Unicode 6.3).
    switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

const char* unicodeVersion() { return PATCHBAY_UNICODE_VERSION; }

} // namespace patchbay::core::detail
