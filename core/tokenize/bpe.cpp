// SPDX-License-Identifier: MIT
#include "core/tokenize/bpe.h"

#include "core/common/detail/messages.h"
#include "core/common/detail/unicode.h"
#include "core/common/error.h"
#include "core/tokenize/tokenizer_impl.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace patchbay::core {

using detail::inQuotes;

namespace tokenize {

namespace {

uint64_t pairKey(int32_t a, int32_t b)
{
    return (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
}

} // namespace

void addMerge(Tokenizer::Impl& impl, const std::string& a, const std::string& b, int32_t rank, const std::string& where)
{
    const auto ia = impl.vocab.find(a);
    if (ia == impl.vocab.end())
        throw Error(where + ": token " + inQuotes(a) + " is not in the vocabulary");
    const auto ib = impl.vocab.find(b);
    if (ib == impl.vocab.end())
        throw Error(where + ": token " + inQuotes(b) + " is not in the vocabulary");
    std::string merged = a;
    const std::string& prefix = impl.continuingSubwordPrefix;
    if (!prefix.empty() && b.compare(0, prefix.size(), prefix) == 0)
        merged.append(b, prefix.size(), std::string::npos);
    else
        merged += b;
    const auto im = impl.vocab.find(merged);
    if (im == impl.vocab.end())
        throw Error(where + ": merged token " + inQuotes(merged) + " is not in the vocabulary");
    // A repeated pair takes its later rank, as in Hugging Face's and OpenAI's encoders.
    impl.merges[pairKey(ia->second, ib->second)] = MergeInfo{rank, im->second};
}

} // namespace tokenize

using tokenize::pairKey;

void Tokenizer::Impl::bpe(std::string_view text, Scratch& s) const
{
    auto& syms = s.symbols;
    syms.clear();
    std::optional<std::pair<uint32_t, uint32_t>> pendingUnk; // start, len (fuse_unk)
    auto flushUnk = [&] {
        if (pendingUnk) {
            syms.push_back({*modelUnk, pendingUnk->first, pendingUnk->second, -1, -1});
            pendingUnk.reset();
        }
    };
    auto unknown = [&](uint32_t start, uint32_t len) {
        if (!modelUnk) {
            if (!modelUnkToken.empty())
                throw Error(source + ": the unk_token " + inQuotes(modelUnkToken) + " is not in the vocabulary");
            return; // no unk_token: Hugging Face drops the character silently
        }
        if (pendingUnk && fuseUnk) {
            pendingUnk->second = start + len - pendingUnk->first;
            return;
        }
        flushUnk();
        pendingUnk = std::make_pair(start, len);
    };
    if (byteLevel) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            const int32_t id = byteToId[uint8_t(text[i])];
            if (id < 0) {
                unknown(uint32_t(i), 1);
                continue;
            }
            flushUnk();
            syms.push_back({id, uint32_t(i), 1, -1, -1});
        }
    } else {
        std::string key;
        for (std::size_t i = 0; i < text.size();) {
            const auto len = detail::decodeUtf8(text, i).length;
            key.clear();
            if (i > 0)
                key += continuingSubwordPrefix;
            key.append(text, i, len);
            if (i + len == text.size())
                key += endOfWordSuffix;
            const auto it = vocab.find(key);
            if (it == vocab.end()) {
                // Byte fallback, as Hugging Face does it: all the character's bytes or
                // none, and a pending unk is not flushed first.
                const bool allBytes = byteFallback && std::all_of(text.begin() + long(i), text.begin() + long(i + len),
                                                                  [&](char c) { return fallbackIds[uint8_t(c)] >= 0; });
                if (!allBytes)
                    unknown(uint32_t(i), len);
                else
                    for (std::size_t k = i; k < i + len; ++k)
                        syms.push_back({fallbackIds[uint8_t(text[k])], uint32_t(k), 1, -1, -1});
            } else {
                flushUnk();
                syms.push_back({it->second, uint32_t(i), len, -1, -1});
            }
            i += len;
        }
    }
    flushUnk();
    const auto n = int32_t(syms.size());
    for (int32_t i = 0; i < n; ++i) {
        syms[std::size_t(i)].prev = i - 1;
        syms[std::size_t(i)].next = i + 1 < n ? i + 1 : -1;
    }

    auto& heap = s.heap;
    heap.clear();
    for (int32_t i = 0; i + 1 < n; ++i) {
        const auto it = merges.find(pairKey(syms[std::size_t(i)].id, syms[std::size_t(i) + 1].id));
        if (it != merges.end())
            heap.push_back({it->second.rank, i, it->second.id});
    }
    std::make_heap(heap.begin(), heap.end());
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end());
        const Scratch::Candidate top = heap.back();
        heap.pop_back();
        auto& left = syms[std::size_t(top.pos)];
        if (left.len == 0 || left.next < 0)
            continue; // merged away, or nothing to the right any more
        auto& right = syms[std::size_t(left.next)];
        const auto current = merges.find(pairKey(left.id, right.id));
        if (current == merges.end() || current->second.id != top.id)
            continue; // stale: one side changed since this candidate was queued
        left.id = top.id;
        left.len = right.start + right.len - left.start; // spans a dropped character too
        right.len = 0;
        left.next = right.next;
        if (left.next >= 0)
            syms[std::size_t(left.next)].prev = top.pos;
        if (left.prev >= 0) {
            const auto it = merges.find(pairKey(syms[std::size_t(left.prev)].id, left.id));
            if (it != merges.end()) {
                heap.push_back({it->second.rank, left.prev, it->second.id});
                std::push_heap(heap.begin(), heap.end());
            }
        }
        if (left.next >= 0) {
            const auto it = merges.find(pairKey(left.id, syms[std::size_t(left.next)].id));
            if (it != merges.end()) {
                heap.push_back({it->second.rank, top.pos, it->second.id});
                std::push_heap(heap.begin(), heap.end());
            }
        }
    }
    for (int32_t i = n > 0 ? 0 : -1; i >= 0; i = syms[std::size_t(i)].next)
        s.out.push_back({syms[std::size_t(i)].id, syms[std::size_t(i)].start, syms[std::size_t(i)].len});
}

} // namespace patchbay::core
