#pragma once
#include <pgwarden/clock/steady_source.hpp>
#include <pgwarden/core/mark.hpp>
#include <pgwarden/http/host_resolver.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace pgwarden::http {
namespace detail {

inline std::string lower_name(std::string_view s)
{
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

inline std::string read_small_file(const std::string& path)
{
    if (path.empty()) return {};
    std::ifstream in(path);
    if (!in) return {};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

inline void add_unique(std::vector<boost::asio::ip::address>& out, const boost::asio::ip::address& a)
{
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
}

/// One cached DNS outcome: addresses, or "no such name" (empty).
struct cache_entry {
    std::vector<boost::asio::ip::address> addresses;
    mono_time expires{};
};

} // namespace detail

struct host_resolver::impl {
    host_resolver_options options;
    std::map<std::string, detail::cache_entry> cache;

    mono_time now() const
    {
        return options.now ? options.now() : clock::steady_source{}.now();
    }

    void remember(const std::string& key, std::vector<boost::asio::ip::address> addresses,
                  std::chrono::seconds ttl)
    {
        const auto keep = std::min(ttl, addresses.empty() ? options.negative_ttl : options.max_ttl);
        if (keep <= std::chrono::seconds(0)) {
            cache.erase(key);
            return;
        }
        cache[key] = detail::cache_entry{std::move(addresses), now() + keep};
    }

    /// A and AAAA of one absolute name, asked in parallel.
    task<result<dns::address_answer>> query_both(boost::asio::any_io_executor ex, std::string name)
    {
        using namespace boost::asio::experimental::awaitable_operators;
        auto [a, aaaa] = co_await (dns::resolve_addresses(ex, name, dns::record_type::a, options.dns) &&
                                   dns::resolve_addresses(ex, name, dns::record_type::aaaa, options.dns));
        dns::address_answer out;
        std::optional<std::chrono::seconds> ttl;
        for (auto* r : {&a, &aaaa}) {
            if (!*r) continue;
            for (const auto& addr : (*r)->addresses) detail::add_unique(out.addresses, addr);
            ttl = ttl ? std::min(*ttl, (*r)->ttl) : (*r)->ttl;
        }
        if (!out.addresses.empty()) {
            out.ttl = *ttl;
            co_return out;
        }
        // Both failed: "no such name" only when both said so.
        if (a.error() != dns::error::name_not_found) co_return a.error();
        co_return aaaa.error();
    }
};

PGWARDEN_DECL std::vector<boost::asio::ip::address> parse_hosts(std::string_view text, std::string_view name)
{
    std::vector<boost::asio::ip::address> out;
    const auto want = detail::lower_name(name);
    if (want.empty()) return out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        std::string addr;
        if (!(words >> addr)) continue;
        if (const auto pct = addr.find('%'); pct != std::string::npos) addr.erase(pct);
        error_code ec;
        const auto parsed = boost::asio::ip::make_address(addr, ec);
        if (ec) continue;
        for (std::string n; words >> n;) {
            if (detail::lower_name(n) == want) {
                detail::add_unique(out, parsed);
                break;
            }
        }
    }
    return out;
}

PGWARDEN_DECL std::vector<std::string> search_candidates(std::string_view name,
                                                         const std::vector<std::string>& search, int ndots)
{
    std::vector<std::string> out;
    if (name.empty()) return out;
    if (name.back() == '.') {
        out.emplace_back(name.substr(0, name.size() - 1));
        return out;
    }
    const auto dots = static_cast<int>(std::count(name.begin(), name.end(), '.'));
    if (dots >= ndots) out.emplace_back(name);
    for (const auto& d : search)
        if (!d.empty()) out.push_back(std::string(name) + "." + d);
    if (dots < ndots) out.emplace_back(name);
    return out;
}

PGWARDEN_DECL bool is_localhost_name(std::string_view name) noexcept
{
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    constexpr std::string_view lh = "localhost";
    if (name.size() < lh.size()) return false;
    const auto tail = name.substr(name.size() - lh.size());
    for (std::size_t i = 0; i < lh.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(tail[i])) != lh[i]) return false;
    return name.size() == lh.size() || name[name.size() - lh.size() - 1] == '.';
}

PGWARDEN_DECL host_resolver::host_resolver(host_resolver_options options) : impl_(std::make_shared<impl>())
{
    impl_->options = std::move(options);
}

PGWARDEN_DECL task<result<std::vector<boost::asio::ip::address>>> host_resolver::resolve(
    boost::asio::any_io_executor ex, std::string host)
{
    auto self = impl_;   // the coroutine keeps the state alive
    if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    error_code ec;
    const auto literal = boost::asio::ip::make_address(host, ec);
    if (!ec) co_return std::vector<boost::asio::ip::address>{literal};
    const auto key = detail::lower_name(host);
    if (key.empty()) co_return dns::error::bad_name;

    // 1. The hosts file, read afresh each time (edits take effect at once).
    auto from_file = parse_hosts(detail::read_small_file(self->options.hosts_file), key);
    if (!from_file.empty()) co_return from_file;

    // 2. localhost never goes to DNS.
    if (is_localhost_name(key)) {
        PGWARDEN_MARK("resolver: localhost without hosts entry");
        co_return std::vector<boost::asio::ip::address>{boost::asio::ip::make_address("127.0.0.1"),
                                                        boost::asio::ip::make_address("::1")};
    }

    // 3. The cache, then DNS. An absolute name ("db.") skips the search
    // list, so it is cached apart from the relative one.
    const bool absolute = host.back() == '.';
    const auto cache_key = absolute ? key + "." : key;
    if (auto it = self->cache.find(cache_key); it != self->cache.end()) {
        if (self->now() < it->second.expires) {
            PGWARDEN_MARK("resolver: cache hit");
            if (it->second.addresses.empty()) co_return dns::error::name_not_found;
            co_return it->second.addresses;
        }
        self->cache.erase(it);
    }
    std::vector<std::string> candidates{key};
    if (self->options.use_search_domains && !absolute) {
        const auto rc = dns::parse_resolv_config(detail::read_small_file(self->options.dns.resolv_conf));
        candidates = search_candidates(key, rc.search, rc.ndots);
    }
    for (const auto& name : candidates) {
        auto answer = co_await self->query_both(ex, name);
        if (answer) {
            self->remember(cache_key, answer->addresses, answer->ttl);
            co_return std::move(answer->addresses);
        }
        if (answer.error() != dns::error::name_not_found) co_return answer.error();   // not cached
    }
    self->remember(cache_key, {}, self->options.negative_ttl);
    co_return dns::error::name_not_found;
}

PGWARDEN_DECL void host_resolver::clear_cache() noexcept
{
    impl_->cache.clear();
}

PGWARDEN_DECL std::size_t host_resolver::cache_size() const noexcept
{
    return impl_->cache.size();
}

PGWARDEN_DECL std::shared_ptr<host_resolver> default_host_resolver()
{
    // One per process; the daemon is single-threaded (docs/notes/threads.md).
    static const auto shared = std::make_shared<host_resolver>();
    return shared;
}

} // namespace pgwarden::http
