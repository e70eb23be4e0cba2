// Patroni's lenient value parsers (patroni/utils.py): parse_bool, parse_int and
// parse_real with PostgreSQL units. Used for env vars, the dynamic config and
// validation, so a value means the same thing wherever it is written.
#pragma once
#include <pgwarden/core/config.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace pgwarden::config {

/** `on/true/yes/1` -> true, `off/false/no/0` -> false (case-insensitive, trimmed);
 *  anything else -> nullopt ("not set"). */
[[nodiscard]] PGWARDEN_DECL std::optional<bool> parse_bool(std::string_view text) noexcept;

/** An integer as Patroni's parse_int reads it: strtol base 0 (`0x1F` hex, a
 *  leading `0` octal, so `0640` is 416), a decimal fraction rounded half to
 *  even, and an optional PostgreSQL unit converted to `base_unit` (`B`, `kB`,
 *  `MB`, `ms`, `s`, `min`, or a multiple such as `8kB`). A unit without a base
 *  unit, an unknown unit or trailing garbage -> nullopt. */
[[nodiscard]] PGWARDEN_DECL std::optional<std::int64_t> parse_int(std::string_view text,
                                                                  std::string_view base_unit = {}) noexcept;

/// Like parse_int for real numbers (no rounding).
[[nodiscard]] PGWARDEN_DECL std::optional<double> parse_real(std::string_view text,
                                                             std::string_view base_unit = {}) noexcept;

} // namespace pgwarden::config

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/config/impl/values.ipp>
#endif
