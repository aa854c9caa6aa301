// SPDX-License-Identifier: MIT
#pragma once

// The regular expressions of pre-tokenizers and added tokens, on PCRE2: a compiled pattern
// (Regex) and the per-call matching state (MatchScratch), and the rewrite of Hugging Face's
// Oniguruma patterns into PCRE2's syntax. Private to core; a Regex is immutable and shared by
// all threads, a MatchScratch belongs to one call.

#include "core/common/detail/unicode.h"
#include "core/common/error.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>

namespace patchbay::core::tokenize {

// Rust regex's Unicode \w (what Hugging Face's Whitespace pre-tokenizer and the
// single_word check of added tokens use).
inline constexpr const char* kWordClass = R"(\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control})";

// PCRE2's text for an error code.
std::string pcre2Message(int code);

// Hugging Face runs pre-tokenizer patterns on Oniguruma (Ruby syntax), whose classes
// differ from PCRE2's in a few places: \s is Unicode White_Space (PCRE2 adds U+180E),
// \w is Letter|Mark|Number|Connector_Punctuation (PCRE2: L, N and "_"), and \h is a
// hexadecimal digit (PCRE2: horizontal space). Rewrite those; \W and \H inside a
// bracketed class are left to PCRE2.
std::string onigurumaToPcre2(const std::string& pattern);

// A compiled pattern (UTF + Unicode properties, JIT when available). Immutable after
// construction, so one instance is shared by all threads; match data lives in MatchScratch.
class Regex
{
public:
    // `shown` is the pattern as the file wrote it, for messages (default: `pattern`).
    // Throws core::Error naming `where` when the pattern does not compile.
    Regex(const std::string& pattern, bool literal, const std::string& where, const std::string& shown = {});

    const pcre2_code* code() const { return m_code.get(); }

private:
    std::shared_ptr<pcre2_code> m_code;
};

// Per-call matching state (PCRE2 match data and JIT stack are not shareable).
class MatchScratch
{
public:
    MatchScratch() : m_data(pcre2_match_data_create(1, nullptr)), m_context(pcre2_match_context_create(nullptr))
    {
        if (!m_data || !m_context)
            throw std::bad_alloc();
    }
    ~MatchScratch()
    {
        if (m_stack)
            pcre2_jit_stack_free(m_stack);
        pcre2_match_context_free(m_context);
        pcre2_match_data_free(m_data);
    }
    MatchScratch(const MatchScratch&) = delete;
    MatchScratch& operator=(const MatchScratch&) = delete;

    // Calls f(begin, end) for every non-empty match of `re` in `text`, left to right.
    template<typename F>
    void forEachMatch(const Regex& re, std::string_view text, const std::string& where, F&& f)
    {
        const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
        PCRE2_SIZE start = 0;
        uint32_t flags = 0;
        while (start <= text.size()) {
            const int rc = match(re, subject, text.size(), start, flags);
            if (rc == PCRE2_ERROR_NOMATCH)
                return;
            if (rc < 0)
                throw Error(where + ": pre-tokenizer pattern failed: " + pcre2Message(rc));
            const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m_data);
            if (ov[1] > ov[0]) {
                f(std::size_t(ov[0]), std::size_t(ov[1]));
                start = ov[1];
                flags = 0;
            } else {
                // An empty match: look again from the same place for a non-empty one.
                start = ov[0];
                if (flags != 0) {
                    if (start >= text.size())
                        return;
                    start += detail::decodeUtf8(text, start).length;
                    flags = 0;
                } else {
                    flags = PCRE2_NOTEMPTY_ATSTART;
                }
            }
        }
    }

    // Whether `re` matches at exactly `pos` (anchored).
    bool matchesAt(const Regex& re, std::string_view text, std::size_t pos)
    {
        return match(re, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), pos, PCRE2_ANCHORED) >= 0;
    }

private:
    int match(const Regex& re, PCRE2_SPTR subject, std::size_t length, std::size_t start, uint32_t flags)
    {
        int rc = pcre2_match(re.code(), subject, length, start, flags, m_data, m_context);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !m_stack) {
            // JIT code starts on a 32 KiB machine stack, enough for ordinary text; very
            // long runs (e.g. a megabyte of spaces) get a growable stack of their own.
            m_stack = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, nullptr);
            if (!m_stack)
                throw std::bad_alloc();
            pcre2_jit_stack_assign(m_context, nullptr, m_stack);
            rc = pcre2_match(re.code(), subject, length, start, flags, m_data, m_context);
        }
        return rc;
    }

    pcre2_match_data* m_data;
    pcre2_match_context* m_context;
    pcre2_jit_stack* m_stack = nullptr;
};

// A pattern compiled as it is (`literal`: matched as plain text); throws core::Error naming `where`.
std::shared_ptr<const Regex> makeRegex(const std::string& pattern, bool literal, const std::string& where);

// A pattern from a tokenizer file (Oniguruma syntax, as Hugging Face runs it).
std::shared_ptr<const Regex> makeOnigurumaRegex(const std::string& pattern, const std::string& where);

} // namespace patchbay::core::tokenize
