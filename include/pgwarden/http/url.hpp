// URLs and `host[:port]` endpoints, as the DCS sections and member api_urls
// spell them (config.md 5.4, dcs.md 2.2).
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::http {

/** Where a request goes: scheme, host and port. `https` selects TLS. */
struct endpoint {
    std::string scheme = "http";   ///< `http` or `https`, lower case
    std::string host;              ///< name or address; IPv6 without brackets
    std::uint16_t port = 80;

    bool is_tls() const noexcept { return scheme == "https"; }
    /// `scheme://host:port` (IPv6 hosts in brackets).
    PGWARDEN_DECL std::string to_string() const;
    /// `host:port` as sent in the Host header.
    PGWARDEN_DECL std::string host_header() const;
    friend bool operator==(const endpoint&, const endpoint&) = default;
};

/** A parsed absolute URL. */
struct url {
    endpoint where;
    std::string username;   ///< percent-decoded user info, empty when none
    std::string password;
    std::string target = "/";   ///< path and query, at least "/"
};

/** Parses `scheme://[user[:password]@]host[:port][/path][?query]`.
 *
 *  The scheme must be http or https (case-insensitive); the port defaults
 *  to 80 / 443. Returns condition::invalid_argument when the text is not
 *  such a URL (empty host, bad port, unknown scheme).
 */
[[nodiscard]] PGWARDEN_DECL result<url> parse_url(std::string_view text);

/** Parses `host[:port]` or `[v6]:port` with a default port and scheme, as
 *  the etcd `host`/`hosts` keys hold them. A text that carries a scheme is
 *  parsed as a URL instead. Returns condition::invalid_argument when bad.
 */
[[nodiscard]] PGWARDEN_DECL result<endpoint> parse_host_port(std::string_view text,
                                                             std::string_view scheme,
                                                             std::uint16_t default_port);

/** Splits a `hosts` value given as one comma-separated string into items,
 *  trimming blanks and dropping empty items. */
[[nodiscard]] PGWARDEN_DECL std::vector<std::string> split_host_list(std::string_view text);

/// Percent-decodes `%XX` sequences; other characters pass through.
[[nodiscard]] PGWARDEN_DECL std::string percent_decode(std::string_view text);

} // namespace pgwarden::http

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/http/impl/url.ipp>
#endif
