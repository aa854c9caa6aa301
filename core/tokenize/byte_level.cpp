// SPDX-License-Identifier: MIT
#include "core/tokenize/byte_level.h"

#include "core/common/detail/unicode.h"

namespace patchbay::core::tokenize {

ByteMap::ByteMap()
{
    std::array<bool, 256> printable{};
    for (int b = '!'; b <= '~'; ++b)
        printable[std::size_t(b)] = true;
    for (int b = 0xA1; b <= 0xAC; ++b)
        printable[std::size_t(b)] = true;
    for (int b = 0xAE; b <= 0xFF; ++b)
        printable[std::size_t(b)] = true;
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        const char32_t c = printable[std::size_t(b)] ? char32_t(b) : next++;
        byteToChar[std::size_t(b)] = c;
        detail::appendUtf8(byteToUtf8[std::size_t(b)], c);
        charToByte[c] = uint8_t(b);
    }
}

const ByteMap& byteMap()
{
    static const ByteMap map;
    return map;
}

std::optional<std::string> byteLevelDecode(std::string_view token)
{
    const ByteMap& map = byteMap();
    std::string out;
    out.reserve(token.size());
    for (std::size_t pos = 0; pos < token.size();) {
        const detail::Utf8Unit u = detail::decodeUtf8(token, pos);
        const auto it = u.valid ? map.charToByte.find(u.cp) : map.charToByte.end();
        if (it == map.charToByte.end())
            return std::nullopt;
        out.push_back(char(it->second));
        pos += u.length;
    }
    return out;
}

} // namespace patchbay::core::tokenize
