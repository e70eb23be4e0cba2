// Host name resolution without threads, for the HTTP client (etcd
// endpoints, peer /patroni calls).
//
// Why: Asio's ip::tcp::resolver runs getaddrinfo on a private thread that it
// starts on first use, long after start-up. Under vm.overcommit_memory=2 a
// late thread (its stack) can fail to be created, which is how Patroni hangs;
// pgwarden promises never to start a thread after start-up
// (docs/notes/threads.md). So names are resolved on the caller's executor:
//
//   1. the hosts file (/etc/hosts, re-read at each lookup, as libc does);
//   2. `localhost` and `*.localhost` -> 127.0.0.1, ::1 (RFC 6761), never DNS;
//   3. A and AAAA queries, in parallel, through the UDP client of dns.hpp
//      with the nameservers, `search` list and `ndots` of resolv.conf.
//
// DNS answers are cached for their TTL (capped); "no such name" for a short
// negative TTL; other failures (timeouts) are not cached.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/task.hpp>
#include <pgwarden/core/time.hpp>
#include <pgwarden/http/dns.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::http {

struct host_resolver_options {
    /// The hosts file; empty: none.
    std::string hosts_file = "/etc/hosts";
    /// Nameservers (or the resolv.conf to read them from), timeout, attempts.
    dns::resolver_options dns;
    /// Try resolv.conf's `search` domains for names with fewer than `ndots` dots.
    bool use_search_domains = true;
    /// Upper bound on how long a DNS answer is kept, whatever its TTL.
    std::chrono::seconds max_ttl{std::chrono::minutes(10)};
    /// How long "no such name" is kept.
    std::chrono::seconds negative_ttl{std::chrono::seconds(5)};
    /// The monotonic clock for cache expiry; empty: clock::steady_source.
    std::function<mono_time()> now;
};

/** The addresses `name` has in a hosts-file text, in file order, without
 *  duplicates (names compare case-insensitively; a trailing dot is
 *  ignored; `#` starts a comment; an IPv6 `%zone` suffix is dropped). */
[[nodiscard]] PGWARDEN_DECL std::vector<boost::asio::ip::address> parse_hosts(std::string_view text,
                                                                                std::string_view name);

/** The absolute names to ask DNS for `name`, in order (resolv.conf(5)):
 *  with at least `ndots` dots the name itself first, then name.domain for
 *  each search domain; with fewer, the search domains first. A trailing dot
 *  makes the name absolute: only itself. */
[[nodiscard]] PGWARDEN_DECL std::vector<std::string> search_candidates(std::string_view name,
                                                                       const std::vector<std::string>& search,
                                                                       int ndots);

/** True for `localhost`, `localhost.` and names under `.localhost` (RFC 6761 6.3). */
[[nodiscard]] PGWARDEN_DECL bool is_localhost_name(std::string_view name) noexcept;

/** Resolves host names to addresses without threads and without libc's
 *  resolver, with a cache. Single-threaded like the rest of the daemon: use
 *  one object from one thread. Cheap to share (shared_ptr). */
class host_resolver {
public:
    PGWARDEN_DECL explicit host_resolver(host_resolver_options options = {});

    /** The addresses of `host` (an address literal gives itself), IPv4
     *  before IPv6 for DNS answers, hosts-file order otherwise. Completes on
     *  `ex`, never blocks it. Returns dns::error::name_not_found (condition
     *  not_found) when no source knows the name, or the DNS failure
     *  (timeout, server_failure, no_nameservers). */
    [[nodiscard]] PGWARDEN_DECL task<result<std::vector<boost::asio::ip::address>>> resolve(
        boost::asio::any_io_executor ex, std::string host);

    /// Forgets every cached DNS answer.
    PGWARDEN_DECL void clear_cache() noexcept;
    /// How many names the cache holds (for tests).
    [[nodiscard]] PGWARDEN_DECL std::size_t cache_size() const noexcept;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

/** The process-wide resolver the HTTP client uses when its options name
 *  none: /etc/hosts and /etc/resolv.conf. Created on first use (no thread). */
[[nodiscard]] PGWARDEN_DECL std::shared_ptr<host_resolver> default_host_resolver();

} // namespace pgwarden::http

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/http/impl/host_resolver.ipp>
#endif
