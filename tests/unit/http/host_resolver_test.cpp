// Goal: host names are resolved without threads (host_resolver.hpp): the
// hosts file first, `localhost` never through DNS, then A and AAAA through
// the UDP DNS client with resolv.conf's search domains and ndots, answers
// cached for their TTL (negative ones briefly, failures not at all), and the
// HTTP client connects through it to a name, trying each address in turn.
// Method: pure functions on literal texts; the resolver against the
// in-test fake DNS server (fake_dns_server.hpp) on 127.0.0.1 with a
// temporary hosts file and resolv.conf and an injected clock; the client
// against a one-shot HTTP responder on 127.0.0.1. Every asynchronous case
// also checks that /proc/self/task did not grow.
#include "support/run_task.hpp"
#include "unit/http/fake_dns_server.hpp"

#include "support/process.hpp"

#include <pgwarden/http/client.hpp>
#include <pgwarden/http/host_resolver.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <dirent.h>

#include <optional>

using namespace pgwarden;
namespace dns = pgwarden::http::dns;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using addresses = std::vector<asio::ip::address>;

namespace {

template <class T>
T run(asio::io_context& io, task<T> t)
{
    return pgwarden::test::run_task(io, std::move(t));
}

/// Threads of this process, from /proc/self/task.
std::size_t thread_count()
{
    std::size_t n = 0;
    if (DIR* d = ::opendir("/proc/self/task")) {
        while (auto* e = ::readdir(d))
            if (e->d_name[0] != '.') ++n;
        ::closedir(d);
    }
    return n;
}

addresses addrs(std::initializer_list<const char*> texts)
{
    addresses out;
    for (auto t : texts) out.push_back(asio::ip::make_address(t));
    return out;
}

/// A resolver over a temp hosts file and resolv.conf, the fake server, and a settable clock.
struct fixture {
    asio::io_context io;
    test::fake_dns_server server{io};
    test::temp_dir dir{"pgwarden-resolver"};
    mono_time now{};
    std::shared_ptr<http::host_resolver> resolver;

    explicit fixture(const std::string& hosts = "127.0.0.1 localhost\n", const std::string& resolv = "")
    {
        test::write_file(dir / "hosts", hosts);
        test::write_file(dir / "resolv.conf", resolv);
        http::host_resolver_options o;
        o.hosts_file = dir / "hosts";
        o.dns.resolv_conf = dir / "resolv.conf";
        o.dns.nameservers = {{"127.0.0.1", server.port()}};
        o.dns.timeout = 200ms;
        o.dns.attempts = 1;
        o.now = [this] { return now; };
        resolver = std::make_shared<http::host_resolver>(std::move(o));
    }

    result<addresses> resolve(const std::string& name)
    {
        return run(io, resolver->resolve(io.get_executor(), name));
    }
};

// A DNS answer message for an A/AAAA question, built by hand.
std::vector<std::uint8_t> address_message(std::uint16_t id, std::uint16_t rcode, bool with_cname)
{
    std::vector<std::uint8_t> m{static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0x81,
                                static_cast<std::uint8_t>(0x80 | rcode), 0, 1, 0,
                                static_cast<std::uint8_t>(with_cname ? 3 : 2), 0, 0, 0, 0};
    auto name = [&](std::initializer_list<const char*> labels) {
        for (auto l : labels) {
            m.push_back(static_cast<std::uint8_t>(std::strlen(l)));
            m.insert(m.end(), l, l + std::strlen(l));
        }
        m.push_back(0);
    };
    name({"db", "example"});
    m.insert(m.end(), {0, 1, 0, 1});
    if (with_cname) {   // db.example CNAME real.example, TTL 30
        m.insert(m.end(), {0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 30, 0, 7, 4, 'r', 'e', 'a', 'l', 0xC0, 15});
    }
    m.insert(m.end(), {0xC0, 12, 0, 1, 0, 1, 0, 0, 1, 0, 0, 4, 10, 0, 0, 1});       // TTL 256
    m.insert(m.end(), {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 90, 0, 4, 10, 0, 0, 2});      // TTL 90
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(host_resolver)

BOOST_AUTO_TEST_CASE(hosts_file_parsing)
{
    const std::string text = "# comment line\n"
                             "127.0.0.1   localhost\n"
                             "::1 localhost ip6-localhost  # trailing comment\n"
                             "10.0.0.5\tDB1.Example.org db1\n"
                             "10.0.0.6 db1\n"
                             "10.0.0.5 db1\n"            // duplicate address
                             "fe80::1%eth0 linklocal\n"
                             "not-an-address db1\n"
                             "# 10.9.9.9 db1\n";
    BOOST_TEST(http::parse_hosts(text, "localhost") == addrs({"127.0.0.1", "::1"}));
    BOOST_TEST(http::parse_hosts(text, "db1") == addrs({"10.0.0.5", "10.0.0.6"}));
    BOOST_TEST(http::parse_hosts(text, "db1.example.ORG.") == addrs({"10.0.0.5"}));
    BOOST_TEST(http::parse_hosts(text, "linklocal") == addrs({"fe80::1"}));
    BOOST_TEST(http::parse_hosts(text, "db").empty());
    BOOST_TEST(http::parse_hosts(text, "").empty());
}

BOOST_AUTO_TEST_CASE(search_list_and_ndots)
{
    const std::vector<std::string> search{"a.test", "b.test"};
    using v = std::vector<std::string>;
    BOOST_TEST(http::search_candidates("db", search, 1) == (v{"db.a.test", "db.b.test", "db"}));
    BOOST_TEST(http::search_candidates("db.x", search, 1) == (v{"db.x", "db.x.a.test", "db.x.b.test"}));
    BOOST_TEST(http::search_candidates("db.x", search, 2) == (v{"db.x.a.test", "db.x.b.test", "db.x"}));
    BOOST_TEST(http::search_candidates("db.x.", search, 5) == (v{"db.x"}));
    BOOST_TEST(http::search_candidates("db", {}, 1) == (v{"db"}));

    const auto rc = dns::parse_resolv_config("nameserver 10.1.1.1\nsearch old.test\n"
                                             "search a.test. b.test\noptions rotate ndots:3 timeout:1\n");
    BOOST_TEST(rc.nameservers.size() == 1u);
    BOOST_TEST(rc.search == (v{"a.test", "b.test"}));
    BOOST_TEST(rc.ndots == 3);
    BOOST_TEST(dns::parse_resolv_config("domain corp.test\n").search == (v{"corp.test"}));
    BOOST_TEST(dns::parse_resolv_config("").ndots == 1);
}

BOOST_AUTO_TEST_CASE(localhost_names)
{
    BOOST_TEST(http::is_localhost_name("localhost"));
    BOOST_TEST(http::is_localhost_name("LocalHost."));
    BOOST_TEST(http::is_localhost_name("api.localhost"));
    BOOST_TEST(!http::is_localhost_name("mylocalhost"));
    BOOST_TEST(!http::is_localhost_name("localhost.example"));
    BOOST_TEST(!http::is_localhost_name("local"));
}

BOOST_AUTO_TEST_CASE(address_codec)
{
    auto q = dns::build_query(0x1234, "db.example", dns::record_type::aaaa);
    BOOST_REQUIRE(q.has_value());
    // Header (12) + name (1+2+1+7+1) then QTYPE 28, QCLASS 1.
    BOOST_TEST((*q)[24] == 0);
    BOOST_TEST((*q)[25] == 28);
    BOOST_TEST((dns::build_query(1, "a..b", dns::record_type::a).error() == dns::error::bad_name));

    const auto plain = address_message(7, 0, false);
    auto a = dns::parse_address_response(plain, 7, dns::record_type::a);
    BOOST_REQUIRE(a.has_value());
    BOOST_TEST(a->addresses == addrs({"10.0.0.1", "10.0.0.2"}));
    BOOST_TEST(a->ttl.count() == 90);
    const auto chained = address_message(7, 0, true);
    a = dns::parse_address_response(chained, 7, dns::record_type::a);
    BOOST_REQUIRE(a.has_value());
    BOOST_TEST(a->addresses.size() == 2u);
    BOOST_TEST(a->ttl.count() == 30);   // the CNAME's TTL bounds the chain
    // No AAAA among the records: NODATA is "not found".
    BOOST_TEST((dns::parse_address_response(plain, 7, dns::record_type::aaaa).error() == dns::error::name_not_found));
    BOOST_TEST((dns::parse_address_response(plain, 8, dns::record_type::a).error() == dns::error::bad_message));
    BOOST_TEST((dns::parse_address_response(address_message(7, 3, false), 7, dns::record_type::a).error() ==
                dns::error::name_not_found));
    BOOST_TEST((dns::parse_address_response(address_message(7, 2, false), 7, dns::record_type::a).error() ==
                dns::error::server_failure));
    // An A record whose data is not 4 bytes is malformed.
    auto bad = plain;
    bad[bad.size() - 5] = 5;
    bad.push_back(0);
    BOOST_TEST((dns::parse_address_response(bad, 7, dns::record_type::a).error() == dns::error::bad_message));
    // Cut anywhere: never a crash, always an error.
    for (std::size_t n = 0; n < plain.size(); ++n) {
        const std::span<const std::uint8_t> cut(plain.data(), n);
        BOOST_TEST(!dns::parse_address_response(cut, 7, dns::record_type::a).has_value());
    }
}

BOOST_AUTO_TEST_CASE(hosts_file_and_localhost_skip_dns)
{
    fixture f("10.1.2.3 etcd1 etcd1.cluster.test\n");
    f.server.a_records["etcd1"] = {"10.9.9.9"};
    const auto before = thread_count();
    auto r = f.resolve("ETCD1");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"10.1.2.3"}));
    // No hosts entry for localhost: still loopback, still no DNS question.
    r = f.resolve("localhost");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"127.0.0.1", "::1"}));
    r = f.resolve("[::1]");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"::1"}));
    BOOST_TEST(f.server.questions.empty());
    BOOST_TEST(thread_count() == before);
}

BOOST_AUTO_TEST_CASE(dns_answers_are_cached_for_their_ttl)
{
    fixture f;
    f.server.a_records["db.test"] = {"192.0.2.10"};
    f.server.aaaa_records["db.test"] = {"2001:db8::10"};
    f.server.address_ttl = 30;
    const auto before = thread_count();
    auto r = f.resolve("db.test");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"192.0.2.10", "2001:db8::10"}));   // IPv4 first
    BOOST_TEST(f.server.typed_questions.size() == 2u);
    f.server.a_records["db.test"] = {"192.0.2.11"};
    f.now += 29s;
    r = f.resolve("db.test");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"192.0.2.10", "2001:db8::10"}));   // from the cache
    BOOST_TEST(f.server.typed_questions.size() == 2u);
    f.now += 2s;
    r = f.resolve("db.test");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST((*r)[0] == asio::ip::make_address("192.0.2.11"));
    BOOST_TEST(f.server.typed_questions.size() == 4u);
    BOOST_TEST(thread_count() == before);
}

BOOST_AUTO_TEST_CASE(ipv4_only_name)
{
    fixture f;
    f.server.a_records["v4.test"] = {"192.0.2.1", "192.0.2.2"};
    auto r = f.resolve("v4.test");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"192.0.2.1", "192.0.2.2"}));
}

BOOST_AUTO_TEST_CASE(unknown_names_are_negatively_cached)
{
    fixture f;
    auto r = f.resolve("nowhere.test");
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == dns::error::name_not_found));
    BOOST_TEST((r.error() == condition::not_found));
    const auto asked = f.server.typed_questions.size();
    BOOST_TEST(asked == 2u);
    r = f.resolve("nowhere.test");
    BOOST_TEST(f.server.typed_questions.size() == asked);
    f.now += 6s;   // past negative_ttl (5 s)
    f.server.a_records["nowhere.test"] = {"192.0.2.7"};
    r = f.resolve("nowhere.test");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"192.0.2.7"}));
}

BOOST_AUTO_TEST_CASE(search_domains)
{
    fixture f("", "search a.test b.test\n");
    f.server.a_records["db.b.test"] = {"192.0.2.20"};
    f.server.a_records["db"] = {"192.0.2.99"};
    auto r = f.resolve("db");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"192.0.2.20"}));
    BOOST_TEST(f.server.questions.size() == 4u);   // A+AAAA for db.a.test, then db.b.test
    BOOST_TEST(f.server.questions[0] == "db.a.test");
    // An absolute name skips the search list.
    r = f.resolve("db.");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"192.0.2.99"}));
}

BOOST_AUTO_TEST_CASE(timeouts_are_not_cached)
{
    fixture f;
    f.server.silent.insert("slow.test");
    auto r = f.resolve("slow.test");
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == condition::timeout));
    BOOST_TEST(f.resolver->cache_size() == 0u);
    f.server.silent.clear();
    f.server.a_records["slow.test"] = {"192.0.2.30"};
    r = f.resolve("slow.test");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r == addrs({"192.0.2.30"}));
}

namespace {

/// Answers one HTTP request per connection with 200 "ok", counting accepts.
asio::awaitable<void> respond(asio::ip::tcp::acceptor& acceptor, int& accepted)
{
    for (;;) {
        // No structured bindings across suspension points (docs/notes/coroutines.md).
        auto got = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (std::get<0>(got)) co_return;
        auto sock = std::move(std::get<1>(got));
        ++accepted;
        asio::streambuf buf;
        const auto read = co_await asio::async_read_until(sock, buf, "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
        if (std::get<0>(read)) continue;
        static const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        // The reply's outcome does not matter: the client's assertions judge it.
        (void)co_await asio::async_write(sock, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(client_connects_through_names)
{
    // etcd-a: hosts file; etcd-b: DNS, whose first address has no listener
    // (127.0.0.2: refused at once), so the client moves on to the second.
    fixture f("127.0.0.1 etcd-a.test\n");
    asio::ip::tcp::acceptor acceptor(f.io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    int accepted = 0;
    asio::co_spawn(f.io, respond(acceptor, accepted), asio::detached);
    f.server.a_records["etcd-b.test"] = {"127.0.0.2", "127.0.0.1"};

    const auto before = thread_count();
    for (const char* host : {"etcd-a.test", "etcd-b.test", "localhost"}) {
        http::client_options o;
        o.endpoints.push_back({"http", host, port});
        o.resolver = f.resolver;
        auto c = http::client::create(f.io.get_executor(), std::move(o));
        BOOST_REQUIRE(c.has_value());
        auto r = run(f.io, c->send({}));
        BOOST_REQUIRE_MESSAGE(r.has_value(), host << ": " << c->last_failure());
        BOOST_TEST(r->status == 200u);
        BOOST_TEST(r->body == "ok");
    }
    BOOST_TEST(accepted == 3);

    http::client_options o;
    o.endpoints.push_back({"http", "missing.test", port});
    o.resolver = f.resolver;
    auto c = http::client::create(f.io.get_executor(), std::move(o));
    BOOST_REQUIRE(c.has_value());
    auto r = run(f.io, c->send({}));
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == http::error::connect_failed));
    BOOST_TEST(c->last_failure().find("cannot resolve") != std::string::npos);

    // A silent nameserver: the request's own deadline ends the lookup.
    f.server.silent.insert("silent.test");
    http::client_options so;
    so.endpoints.push_back({"http", "silent.test", port});
    so.resolver = f.resolver;
    auto sc = http::client::create(f.io.get_executor(), std::move(so));
    BOOST_REQUIRE(sc.has_value());
    http::request req;
    req.timeout = 50ms;
    r = run(f.io, sc->send(req));
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == condition::timeout));
    BOOST_TEST(thread_count() == before);
}

BOOST_AUTO_TEST_SUITE_END()
