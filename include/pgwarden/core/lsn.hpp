// PostgreSQL log sequence numbers, with Patroni's two representations.
#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgwarden {

/** A WAL position. Patroni stores LSNs in the DCS as absolute byte positions
 *  (JSON integers); PostgreSQL prints them as `X/Y` (two hexadecimal halves).
 *  `0/3000060` is 50331744.
 */
struct lsn {
    std::uint64_t value = 0;

    friend constexpr auto operator<=>(lsn, lsn) = default;

    /// Parses PostgreSQL's `X/Y` text; nullopt unless both halves are 1-8 hex digits.
    static constexpr std::optional<lsn> parse(std::string_view text) noexcept
    {
        const auto slash = text.find('/');
        if (slash == std::string_view::npos) return std::nullopt;
        auto hi = parse_hex(text.substr(0, slash));
        auto lo = parse_hex(text.substr(slash + 1));
        if (!hi || !lo) return std::nullopt;
        return lsn{(*hi << 32) | *lo};
    }

    /// `X/Y` with upper-case hexadecimal digits, as PostgreSQL prints it.
    std::string to_text() const
    {
        static constexpr char digits[] = "0123456789ABCDEF";
        std::string out;
        auto put = [&](std::uint32_t half) {
            char buf[8];
            int n = 0;
            do {
                buf[n++] = digits[half & 0xF];
                half >>= 4;
            } while (half != 0);
            while (n > 0) out.push_back(buf[--n]);
        };
        put(static_cast<std::uint32_t>(value >> 32));
        out.push_back('/');
        put(static_cast<std::uint32_t>(value));
        return out;
    }

private:
    static constexpr std::optional<std::uint64_t> parse_hex(std::string_view s) noexcept
    {
        if (s.empty() || s.size() > 8) return std::nullopt;
        std::uint64_t v = 0;
        for (char c : s) {
            int d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
            else return std::nullopt;
            v = v * 16 + static_cast<std::uint64_t>(d);
        }
        return v;
    }
};

} // namespace pgwarden
