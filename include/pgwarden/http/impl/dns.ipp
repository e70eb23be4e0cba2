#pragma once
#include <pgwarden/core/mark.hpp>
#include <pgwarden/http/dns.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <tuple>
#include <variant>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace pgwarden::http::dns {
namespace detail {

class error_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "pgwarden.dns"; }
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::name_not_found: return "DNS name not found, or without records of the type asked";
        case error::server_failure: return "DNS server failure";
        case error::timeout: return "no DNS server answered in time";
        case error::bad_message: return "malformed DNS answer";
        case error::bad_name: return "invalid DNS name";
        case error::no_nameservers: return "no DNS nameserver configured";
        }
        return "unknown dns error";
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<error>(ev)) {
        case error::name_not_found: return condition::not_found;
        case error::server_failure: return condition::unavailable;
        case error::timeout: return condition::timeout;
        case error::bad_message: return condition::invalid_response;
        case error::bad_name:
        case error::no_nameservers: return condition::invalid_argument;
        }
        return {ev, *this};
    }
};

inline constexpr std::uint16_t type_srv = 33;
inline constexpr std::uint16_t type_a = 1;
inline constexpr std::uint16_t type_aaaa = 28;
inline constexpr std::uint16_t type_opt = 41;
inline constexpr std::uint16_t class_in = 1;
inline constexpr std::size_t header_size = 12;

/// A bounds-checked reader over one message.
class reader {
public:
    explicit reader(std::span<const std::uint8_t> m) noexcept : m_(m) {}

    bool u16(std::uint16_t& out) noexcept
    {
        if (pos_ + 2 > m_.size()) return false;
        out = static_cast<std::uint16_t>((m_[pos_] << 8) | m_[pos_ + 1]);
        pos_ += 2;
        return true;
    }
    bool skip(std::size_t n) noexcept
    {
        if (pos_ + n > m_.size()) return false;
        pos_ += n;
        return true;
    }
    std::size_t pos() const noexcept { return pos_; }
    void seek(std::size_t p) noexcept { pos_ = p; }

    /** Reads a (possibly compressed) name at the current position and moves
     *  past it. Pointers must point backwards, so a loop cannot form. */
    bool name(std::string& out) noexcept
    {
        out.clear();
        std::size_t p = pos_;
        std::size_t resume = 0;   // where to continue after the first pointer
        std::size_t lowest = pos_;   // pointers must go strictly below this
        for (int hops = 0;; ) {
            if (p >= m_.size()) return false;
            const std::uint8_t len = m_[p];
            if (len == 0) {
                pos_ = resume ? resume : p + 1;
                return true;
            }
            if ((len & 0xC0) == 0xC0) {
                if (p + 1 >= m_.size() || ++hops > 64) return false;
                const std::size_t target = (static_cast<std::size_t>(len & 0x3F) << 8) | m_[p + 1];
                if (target >= lowest) return false;
                if (!resume) resume = p + 2;
                lowest = target;
                p = target;
                continue;
            }
            if ((len & 0xC0) != 0) return false;   // 0x40/0x80: obsolete label types
            if (p + 1 + len > m_.size()) return false;
            if (!out.empty()) out.push_back('.');
            out.append(reinterpret_cast<const char*>(m_.data() + p + 1), len);
            if (out.size() > 255) return false;
            p += 1 + len;
        }
    }

private:
    std::span<const std::uint8_t> m_;
    std::size_t pos_ = 0;
};

inline void put16(std::vector<std::uint8_t>& v, std::uint16_t x)
{
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x & 0xFF));
}

inline std::string trim(std::string_view s)
{
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

inline std::uint16_t random_id() noexcept
{
    std::uint16_t id = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id) != 1) id = 0x5a5a;
    return id;
}

} // namespace detail

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept
{
    static const detail::error_category_impl cat;
    return cat;
}

PGWARDEN_DECL std::vector<nameserver> parse_resolv_conf(std::string_view text)
{
    std::vector<nameserver> out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        const auto t = detail::trim(line);
        if (t.empty() || t[0] == '#' || t[0] == ';') continue;
        std::istringstream words(t);
        std::string key, addr;
        words >> key >> addr;
        if (key != "nameserver" || addr.empty()) continue;
        if (const auto pct = addr.find('%'); pct != std::string::npos) addr.erase(pct);
        error_code ec;
        (void)boost::asio::ip::make_address(addr, ec);
        if (ec) continue;
        out.push_back({addr, 53});
    }
    return out;
}

PGWARDEN_DECL result<std::vector<std::uint8_t>> build_query(std::uint16_t id, std::string_view name, record_type type)
{
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty() || name.size() > 253) return error::bad_name;
    std::vector<std::uint8_t> q;
    q.reserve(detail::header_size + name.size() + 2 + 4 + 11);
    detail::put16(q, id);
    detail::put16(q, 0x0100);   // standard query, recursion desired
    detail::put16(q, 1);        // one question
    detail::put16(q, 0);
    detail::put16(q, 0);
    detail::put16(q, 1);        // one additional record: OPT
    std::size_t start = 0;
    for (;;) {
        const auto dot = name.find('.', start);
        const auto label = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63) return error::bad_name;
        q.push_back(static_cast<std::uint8_t>(label.size()));
        q.insert(q.end(), label.begin(), label.end());
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    q.push_back(0);
    detail::put16(q, static_cast<std::uint16_t>(type));
    detail::put16(q, detail::class_in);
    // EDNS0 (RFC 6891): root name, type OPT, class = UDP payload size, ttl 0, no data.
    q.push_back(0);
    detail::put16(q, detail::type_opt);
    detail::put16(q, 4096);
    detail::put16(q, 0);
    detail::put16(q, 0);
    detail::put16(q, 0);
    return q;
}

PGWARDEN_DECL result<std::vector<std::uint8_t>> build_srv_query(std::uint16_t id, std::string_view name)
{
    return build_query(id, name, record_type::srv);
}

PGWARDEN_DECL result<std::vector<srv_record>> parse_srv_response(std::span<const std::uint8_t> message,
                                                                 std::uint16_t id)
{
    detail::reader r(message);
    std::uint16_t got_id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
    if (!(r.u16(got_id) && r.u16(flags) && r.u16(qd) && r.u16(an) && r.u16(ns) && r.u16(ar)))
        return error::bad_message;
    (void)ns;   // authority and additional sections are not needed
    (void)ar;
    if (got_id != id || (flags & 0x8000) == 0) return error::bad_message;
    if (flags & 0x0200) return error::bad_message;   // truncated: no TCP fallback
    switch (flags & 0x000F) {
    case 0: break;
    case 3: return error::name_not_found;
    default: return error::server_failure;
    }
    std::string name;
    for (std::uint16_t i = 0; i < qd; ++i)
        if (!r.name(name) || !r.skip(4)) return error::bad_message;
    std::vector<srv_record> out;
    for (std::uint16_t i = 0; i < an; ++i) {
        std::uint16_t type = 0, klass = 0, ttl_hi = 0, ttl_lo = 0, len = 0;
        if (!r.name(name) || !r.u16(type) || !r.u16(klass) || !r.u16(ttl_hi) || !r.u16(ttl_lo) || !r.u16(len))
            return error::bad_message;
        const auto rdata = r.pos();
        if (!r.skip(len)) return error::bad_message;
        if (type != detail::type_srv || klass != detail::class_in) continue;   // e.g. a CNAME
        const auto end = r.pos();
        r.seek(rdata);
        srv_record rec;
        if (!r.u16(rec.priority) || !r.u16(rec.weight) || !r.u16(rec.port) || !r.name(rec.target) ||
            r.pos() > end)
            return error::bad_message;
        r.seek(end);
        if (rec.target.empty()) continue;   // "." : the service is decidedly not available
        out.push_back(std::move(rec));
    }
    if (out.empty()) return error::name_not_found;
    return out;
}

PGWARDEN_DECL std::vector<srv_record> order_srv(std::vector<srv_record> records)
{
    std::sort(records.begin(), records.end(), [](const srv_record& a, const srv_record& b) {
        return std::tuple(a.priority, -static_cast<int>(a.weight), a.target, a.port) <
               std::tuple(b.priority, -static_cast<int>(b.weight), b.target, b.port);
    });
    records.erase(std::unique(records.begin(), records.end()), records.end());
    return records;
}

PGWARDEN_DECL resolv_config parse_resolv_config(std::string_view text)
{
    resolv_config out;
    out.nameservers = parse_resolv_conf(text);
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        const auto t = detail::trim(line);
        if (t.empty() || t[0] == '#' || t[0] == ';') continue;
        std::istringstream words(t);
        std::string key;
        words >> key;
        if (key == "search" || key == "domain") {
            out.search.clear();   // the last search/domain line wins
            for (std::string d; words >> d;) {
                while (!d.empty() && d.back() == '.') d.pop_back();
                if (!d.empty()) out.search.push_back(d);
            }
            if (key == "domain" && out.search.size() > 1) out.search.resize(1);
        } else if (key == "options") {
            for (std::string o; words >> o;) {
                if (o.rfind("ndots:", 0) != 0) continue;
                int n = 0;
                for (char c : o.substr(6)) {
                    if (c < '0' || c > '9') break;
                    n = std::min(15, n * 10 + (c - '0'));
                }
                out.ndots = n;
            }
        }
    }
    return out;
}

PGWARDEN_DECL result<address_answer> parse_address_response(std::span<const std::uint8_t> message,
                                                            std::uint16_t id, record_type type)
{
    detail::reader r(message);
    std::uint16_t got_id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
    if (!(r.u16(got_id) && r.u16(flags) && r.u16(qd) && r.u16(an) && r.u16(ns) && r.u16(ar)))
        return error::bad_message;
    (void)ns;   // authority and additional sections are not needed
    (void)ar;
    if (got_id != id || (flags & 0x8000) == 0) return error::bad_message;
    if (flags & 0x0200) return error::bad_message;   // truncated: no TCP fallback
    switch (flags & 0x000F) {
    case 0: break;
    case 3: return error::name_not_found;
    default: return error::server_failure;
    }
    std::string name;
    for (std::uint16_t i = 0; i < qd; ++i)
        if (!r.name(name) || !r.skip(4)) return error::bad_message;
    const auto want = static_cast<std::uint16_t>(type);
    const std::size_t size = type == record_type::a ? 4 : 16;
    address_answer out;
    std::uint32_t ttl_min = 0xFFFFFFFFu;
    for (std::uint16_t i = 0; i < an; ++i) {
        std::uint16_t rtype = 0, klass = 0, ttl_hi = 0, ttl_lo = 0, len = 0;
        if (!r.name(name) || !r.u16(rtype) || !r.u16(klass) || !r.u16(ttl_hi) || !r.u16(ttl_lo) || !r.u16(len))
            return error::bad_message;
        const auto rdata = r.pos();
        if (!r.skip(len)) return error::bad_message;
        if (klass != detail::class_in) continue;
        // TTLs with the top bit set are treated as 0 (RFC 2181 8).
        const std::uint32_t ttl = (static_cast<std::uint32_t>(ttl_hi) << 16) | ttl_lo;
        ttl_min = std::min(ttl_min, (ttl & 0x80000000u) ? 0u : ttl);
        if (rtype != want) continue;   // a CNAME of the chain
        if (len != size) return error::bad_message;
        if (type == record_type::a) {
            boost::asio::ip::address_v4::bytes_type b{};
            std::copy_n(message.data() + rdata, 4, b.begin());
            out.addresses.emplace_back(boost::asio::ip::address_v4(b));
        } else {
            boost::asio::ip::address_v6::bytes_type b{};
            std::copy_n(message.data() + rdata, 16, b.begin());
            out.addresses.emplace_back(boost::asio::ip::address_v6(b));
        }
    }
    if (out.addresses.empty()) return error::name_not_found;
    out.ttl = std::chrono::seconds(ttl_min);
    return out;
}

PGWARDEN_DECL std::vector<nameserver> nameservers_of(const resolver_options& o)
{
    if (!o.nameservers.empty()) return o.nameservers;
    std::ifstream in(o.resolv_conf);
    std::stringstream text;
    if (in) text << in.rdbuf();
    auto list = parse_resolv_conf(text.str());
    if (list.empty() && !in) list.push_back({"127.0.0.1", 53});   // libc's default without the file
    return list;
}

namespace detail {

/** One query to one server: the raw answer carrying our id, or
 *  error::timeout. Datagrams with another id (stray or spoofed) are ignored. */
inline task<result<std::vector<std::uint8_t>>> ask(boost::asio::any_io_executor ex, const nameserver& ns,
                                                  std::span<const std::uint8_t> query, std::uint16_t id,
                                                  std::chrono::milliseconds timeout)
{
    namespace asio = boost::asio;
    using namespace asio::experimental::awaitable_operators;
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    error_code ec;
    const auto addr = asio::ip::make_address(ns.address, ec);
    if (ec) co_return error::no_nameservers;
    const asio::ip::udp::endpoint server(addr, ns.port);
    asio::ip::udp::socket sock(ex);
    sock.open(server.protocol(), ec);
    if (ec) co_return error::server_failure;
    sock.connect(server, ec);   // the kernel then drops datagrams from anyone else
    if (ec) co_return error::server_failure;
    // No structured bindings across suspension points (docs/notes/coroutines.md).
    const auto sent = co_await sock.async_send(asio::buffer(query.data(), query.size()), tuple);
    if (std::get<0>(sent)) co_return error::server_failure;   // a datagram is sent whole or not at all
    asio::steady_timer timer(ex, timeout);
    std::array<std::uint8_t, 4096> buf{};
    for (;;) {
        auto which = co_await (sock.async_receive(asio::buffer(buf), tuple) || timer.async_wait(tuple));
        if (which.index() == 1) co_return error::timeout;
        const auto received = std::get<0>(which);
        if (std::get<0>(received)) co_return error::server_failure;   // e.g. ICMP port unreachable
        const std::size_t n = std::get<1>(received);
        std::uint16_t got = 0;
        if (n >= 2) got = static_cast<std::uint16_t>((buf[0] << 8) | buf[1]);
        if (got != id) continue;
        co_return std::vector<std::uint8_t>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    }
}

/** Asks every nameserver in turn, `attempts` rounds, until one gives an
 *  answer `parse` accepts; "no such name" ends the search at once. */
template <class T, class Parse>
task<result<T>> ask_all(boost::asio::any_io_executor ex, std::string_view name, record_type type,
                        const resolver_options& options, Parse parse)
{
    const auto servers = nameservers_of(options);
    if (servers.empty()) co_return error::no_nameservers;
    error_code last = error::timeout;
    for (int round = 0; round < std::max(1, options.attempts); ++round) {
        for (const auto& ns : servers) {
            const auto id = random_id();
            auto query = build_query(id, name, type);
            if (!query) co_return query.error();
            auto raw = co_await ask(ex, ns, *query, id, options.timeout);
            result<T> answer = raw ? parse(std::span<const std::uint8_t>(*raw), id) : result<T>(raw.error());
            if (answer) co_return answer;
            if (answer.error() == error::name_not_found || answer.error() == error::no_nameservers)
                co_return answer.error();
            PGWARDEN_MARK("dns: next nameserver");
            last = answer.error();
        }
    }
    co_return last;
}

struct parse_srv {
    result<std::vector<srv_record>> operator()(std::span<const std::uint8_t> m, std::uint16_t id) const
    {
        return parse_srv_response(m, id);
    }
};

struct parse_addresses {
    record_type type;
    result<address_answer> operator()(std::span<const std::uint8_t> m, std::uint16_t id) const
    {
        return parse_address_response(m, id, type);
    }
};

} // namespace detail

PGWARDEN_DECL task<result<std::vector<srv_record>>> resolve_srv(boost::asio::any_io_executor ex,
                                                                std::string name, resolver_options options)
{
    const detail::parse_srv parse;   // named: no class temporary inside co_await (docs/notes/coroutines.md)
    auto found = co_await detail::ask_all<std::vector<srv_record>>(ex, name, record_type::srv, options, parse);
    if (!found) co_return found.error();
    co_return order_srv(std::move(*found));
}

PGWARDEN_DECL task<result<address_answer>> resolve_addresses(boost::asio::any_io_executor ex, std::string name,
                                                             record_type type, resolver_options options)
{
    if (type != record_type::a && type != record_type::aaaa) co_return error::bad_name;
    const detail::parse_addresses parse{type};
    auto found = co_await detail::ask_all<address_answer>(ex, name, type, options, parse);
    co_return found;
}

} // namespace pgwarden::http::dns

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
