// SPDX-License-Identifier: MIT
#include "core/tokenize/regex.h"

#include "core/common/detail/messages.h"

namespace patchbay::core::tokenize {

using detail::inQuotes;

std::string pcre2Message(int code)
{
    PCRE2_UCHAR buffer[256];
    if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0)
        return "PCRE2 error " + std::to_string(code);
    return reinterpret_cast<const char*>(buffer);
}

std::string onigurumaToPcre2(const std::string& pattern)
{
    std::string out;
    out.reserve(pattern.size() + 32);
    int depth = 0; // nesting of [...] classes
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char d = pattern[++i];
            const bool inClass = depth > 0;
            switch (d) {
            case 's': out += R"(\p{White_Space})"; break;
            case 'S': out += R"(\P{White_Space})"; break;
            case 'w': out += inClass ? R"(\p{L}\p{M}\p{N}\p{Pc})" : R"([\p{L}\p{M}\p{N}\p{Pc}])"; break;
            case 'W': out += inClass ? R"(\W)" : R"([^\p{L}\p{M}\p{N}\p{Pc}])"; break;
            case 'h': out += inClass ? "0-9a-fA-F" : "[0-9a-fA-F]"; break;
            case 'H': out += inClass ? R"(\H)" : "[^0-9a-fA-F]"; break;
            case 'Q': { // literal up to \E
                const std::size_t e = pattern.find("\\E", i + 1);
                const std::size_t stop = e == std::string::npos ? pattern.size() : e + 2;
                out += '\\';
                out.append(pattern, i, stop - i);
                i = stop - 1;
                break;
            }
            default:
                out += c;
                out += d;
            }
            continue;
        }
        if (c == '[') {
            out += c;
            ++depth;
            // "[]...]" and "[^]...]": a ']' right after the opening is a literal
            if (i + 1 < pattern.size() && pattern[i + 1] == '^')
                out += pattern[++i];
            if (i + 1 < pattern.size() && pattern[i + 1] == ']' && depth == 1)
                out += pattern[++i];
            continue;
        }
        if (c == ']' && depth > 0)
            --depth;
        out += c;
    }
    return out;
}

Regex::Regex(const std::string& pattern, bool literal, const std::string& where, const std::string& shown)
{
    int error = 0;
    PCRE2_SIZE offset = 0;
    uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    options |= literal ? PCRE2_LITERAL : PCRE2_UCP; // PCRE2_LITERAL refuses PCRE2_UCP
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                                     &error, &offset, nullptr);
    if (!code)
        throw Error(where + ": cannot compile pattern " + inQuotes(shown.empty() ? pattern : shown) + " at offset " + std::to_string(offset)
                    + ": " + pcre2Message(error));
    m_code.reset(code, pcre2_code_free);
    // JIT is an optimisation only: when it is unavailable pcre2_match interprets.
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
}

std::shared_ptr<const Regex> makeRegex(const std::string& pattern, bool literal, const std::string& where)
{
    return std::make_shared<const Regex>(pattern, literal, where);
}

std::shared_ptr<const Regex> makeOnigurumaRegex(const std::string& pattern, const std::string& where)
{
    return std::make_shared<const Regex>(onigurumaToPcre2(pattern), false, where, pattern);
}

} // namespace patchbay::core::tokenize
