// A small asynchronous DNS client for SRV records (RFC 1035, RFC 2782), as
// the etcd `srv` discovery needs it (config.md 5.4), and for A/AAAA records
// (RFC 3596), which host_resolver.hpp uses for host names. One UDP socket on the
// caller's executor: no libc resolver call and no helper thread (Asio's
// ip::tcp::resolver would start one). The message codec is pure and tested
// on its own; the resolver asks each nameserver in turn until one answers.
//
// Not supported: TCP fallback for truncated answers (an EDNS0 buffer of
// 4096 bytes is advertised instead), DNSSEC. Search domains and /etc/hosts
// belong to host_resolver.hpp.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/error.hpp>
#include <pgwarden/core/task.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pgwarden::http::dns {

/** Errors of the DNS client. */
enum class error {
    name_not_found = 1,   ///< NXDOMAIN, or no SRV record in the answer -> not_found
    server_failure,       ///< SERVFAIL / REFUSED / other rcode, or no server answered -> unavailable
    timeout,              ///< no answer from any nameserver in time -> timeout
    bad_message,          ///< an answer we cannot parse, or truncated -> invalid_response
    bad_name,             ///< the query name is not a valid domain name -> invalid_argument
    no_nameservers,       ///< none configured and none in resolv.conf -> invalid_argument
};

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept;

inline error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/// One SRV record (RFC 2782). `target` has no trailing dot.
struct srv_record {
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    std::uint16_t port = 0;
    std::string target;
    friend bool operator==(const srv_record&, const srv_record&) = default;
};

/// A nameserver: an IPv4/IPv6 address and a UDP port (53).
struct nameserver {
    std::string address;
    std::uint16_t port = 53;
    friend bool operator==(const nameserver&, const nameserver&) = default;
};

struct resolver_options {
    /// Asked in order; empty: the `nameserver` lines of `resolv_conf`.
    std::vector<nameserver> nameservers;
    std::string resolv_conf = "/etc/resolv.conf";
    /// How long to wait for one server's answer.
    std::chrono::milliseconds timeout{std::chrono::seconds(2)};
    /// Rounds over the whole server list (resolv.conf `attempts`).
    int attempts = 2;
};

/// What resolv.conf says besides nameservers (resolv.conf(5)).
struct resolv_config {
    std::vector<nameserver> nameservers;
    /// `search` (or `domain`) list, without trailing dots; the last line wins.
    std::vector<std::string> search;
    /// `options ndots:n` (default 1, at most 15).
    int ndots = 1;
};

/// Record types we ask for.
enum class record_type : std::uint16_t { a = 1, aaaa = 28, srv = 33 };

/// The addresses of one A or AAAA answer and how long they may be cached.
struct address_answer {
    std::vector<boost::asio::ip::address> addresses;
    /// The smallest TTL of the answer's records (CNAMEs included).
    std::chrono::seconds ttl{0};
};

// ---- pure codec ---------------------------------------------------------------

/** resolv.conf as a whole: nameservers as parse_resolv_conf(), plus the
 *  `search`/`domain` list and `options ndots:n`. */
[[nodiscard]] PGWARDEN_DECL resolv_config parse_resolv_config(std::string_view text);

/** A query for `name` of type `type`, class IN, recursion desired, with an
 *  EDNS0 OPT record. Same name rules and errors as build_srv_query(). */
[[nodiscard]] PGWARDEN_DECL result<std::vector<std::uint8_t>> build_query(std::uint16_t id,
                                                                         std::string_view name,
                                                                         record_type type);

/** Parses an answer to the A or AAAA query `id`: every record of `type` in
 *  the answer section (the server follows CNAME chains), with the smallest
 *  TTL. Errors as parse_srv_response(); name_not_found also for an empty
 *  answer (NODATA). */
[[nodiscard]] PGWARDEN_DECL result<address_answer> parse_address_response(
    std::span<const std::uint8_t> message, std::uint16_t id, record_type type);

/** The `nameserver` lines of a resolv.conf text, in order (at most three
 *  are used by libc; we keep them all). A missing list gives {}. Lines
 *  starting with `#` or `;` are comments; a `%zone` suffix is dropped. */
[[nodiscard]] PGWARDEN_DECL std::vector<nameserver> parse_resolv_conf(std::string_view text);

/** A query for `name` (absolute; a trailing dot is optional) of type SRV,
 *  class IN, recursion desired, with an EDNS0 OPT record (4096 bytes).
 *  error::bad_name when a label is empty or longer than 63 bytes, or the
 *  name longer than 253. */
[[nodiscard]] PGWARDEN_DECL result<std::vector<std::uint8_t>> build_srv_query(std::uint16_t id,
                                                                             std::string_view name);

/** Parses an answer to the query `id`: the SRV records of the answer
 *  section (any owner name: CNAME chains are followed by the server),
 *  following compression pointers. Errors: bad_message (short, wrong id,
 *  not a response, truncated, pointer loop), name_not_found (NXDOMAIN or no
 *  SRV in the answer), server_failure (other non-zero rcode). */
[[nodiscard]] PGWARDEN_DECL result<std::vector<srv_record>> parse_srv_response(
    std::span<const std::uint8_t> message, std::uint16_t id);

/** RFC 2782 order: ascending priority; within one priority, descending
 *  weight (deterministic instead of RFC 2782's weighted random pick: the
 *  etcd client shuffles/rotates the member list it learns anyway), then
 *  target and port, so equal inputs give equal outputs. */
[[nodiscard]] PGWARDEN_DECL std::vector<srv_record> order_srv(std::vector<srv_record> records);

// ---- resolver -------------------------------------------------------------------

/** Looks up the SRV records of `name`, ordered by order_srv(). Each
 *  nameserver gets `timeout`; the whole list is tried `attempts` times.
 *  An authoritative "no such name" ends the search at once. Completes on
 *  `ex`; never blocks it. */
[[nodiscard]] PGWARDEN_DECL task<result<std::vector<srv_record>>> resolve_srv(
    boost::asio::any_io_executor ex, std::string name, resolver_options options);

/** Looks up the A or AAAA records of the absolute `name` (no search
 *  domains), asking the nameservers as resolve_srv() does. */
[[nodiscard]] PGWARDEN_DECL task<result<address_answer>> resolve_addresses(
    boost::asio::any_io_executor ex, std::string name, record_type type, resolver_options options);

/** The nameservers of `o`: its own list, else those of its resolv.conf,
 *  else (no file) 127.0.0.1 as libc does. */
[[nodiscard]] PGWARDEN_DECL std::vector<nameserver> nameservers_of(const resolver_options& o);

} // namespace pgwarden::http::dns

template <>
struct boost::system::is_error_code_enum<pgwarden::http::dns::error> : std::true_type {};

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/http/impl/dns.ipp>
#endif
