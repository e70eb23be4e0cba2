// UTF-8 decoding for the dcs name and JSON helpers. Private.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pgwarden::dcs::detail {

/** Decodes one UTF-8 sequence at `s[i]` and advances `i` past it. An invalid
 *  or truncated sequence (also an overlong form, a surrogate or a value past
 *  U+10FFFF) yields its first byte as a code point and advances
 *  by one; `*valid` (if given) tells the two cases apart.
 *  @pre i < s.size()
 */
inline std::uint32_t next_code_point(std::string_view s, std::size_t& i, bool* valid = nullptr) noexcept
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (valid) *valid = true;
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    const int need = (b0 & 0xE0) == 0xC0 ? 1 : (b0 & 0xF0) == 0xE0 ? 2 : (b0 & 0xF8) == 0xF0 ? 3 : 0;
    std::uint32_t cp = need == 1 ? (b0 & 0x1Fu) : need == 2 ? (b0 & 0x0Fu) : (b0 & 0x07u);
    bool ok = need > 0 && i + static_cast<std::size_t>(need) < s.size();
    for (int k = 1; ok && k <= need; ++k) {
        const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((b & 0xC0) != 0x80) ok = false;
        else cp = (cp << 6) | (b & 0x3Fu);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are invalid.
    if (ok) {
        const std::uint32_t min = need == 1 ? 0x80 : need == 2 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) ok = false;
    }
    if (!ok) {
        if (valid) *valid = false;
        ++i;
        return b0;
    }
    i += static_cast<std::size_t>(need) + 1;
    return cp;
}

} // namespace pgwarden::dcs::detail
