// Goal: the DNS SRV client (http/dns.hpp) builds RFC 1035 queries, parses
// answers with compression pointers, rejects malformed, truncated and
// looping messages, orders records by priority and weight, reads
// resolv.conf, and resolves asynchronously: the first silent or failing
// nameserver is skipped, NXDOMAIN ends the search, no answer at all is a
// timeout. Method: hand-built messages for the codec; for the resolver a
// fake DNS server on a 127.0.0.1 UDP socket (fake_dns_server.hpp) on the
// same io_context, so no packet leaves loopback.
#include "support/run_task.hpp"
#include "unit/http/fake_dns_server.hpp"

#include <pgwarden/http/dns.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>

using namespace pgwarden;
namespace dns = pgwarden::http::dns;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

template <class T>
T run(asio::io_context& io, task<T> t)
{
    return pgwarden::test::run_task(io, std::move(t));
}

std::vector<std::uint8_t> header(std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an)
{
    return {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), static_cast<std::uint8_t>(flags >> 8),
            static_cast<std::uint8_t>(flags), 0, static_cast<std::uint8_t>(qd), 0, static_cast<std::uint8_t>(an),
            0, 0, 0, 0};
}

void append(std::vector<std::uint8_t>& v, std::initializer_list<int> bytes)
{
    for (int b : bytes) v.push_back(static_cast<std::uint8_t>(b));
}

void append_name(std::vector<std::uint8_t>& v, std::string_view dotted)
{
    std::size_t start = 0;
    while (start < dotted.size()) {
        auto dot = dotted.find('.', start);
        if (dot == std::string_view::npos) dot = dotted.size();
        v.push_back(static_cast<std::uint8_t>(dot - start));
        v.insert(v.end(), dotted.begin() + static_cast<long>(start), dotted.begin() + static_cast<long>(dot));
        start = dot + 1;
    }
    v.push_back(0);
}

/// An answer to `_etcd._tcp.x` (question at offset 12) with two SRV
/// records: the first target written out, the second sharing its suffix.
std::vector<std::uint8_t> two_record_answer(std::uint16_t id)
{
    auto m = header(id, 0x8180, 1, 2);
    append_name(m, "_etcd._tcp.x");   // offset 12
    append(m, {0, 33, 0, 1});
    // RR 1: owner -> question; SRV 10 5 2379 "a.example.com"
    append(m, {0xC0, 12, 0, 33, 0, 1, 0, 0, 0, 60});
    const std::size_t target1 = m.size() + 2 + 6;
    std::vector<std::uint8_t> rd1;
    append(rd1, {0, 10, 0, 5, 0x09, 0x4B});
    append_name(rd1, "a.example.com");
    append(m, {0, static_cast<int>(rd1.size())});
    m.insert(m.end(), rd1.begin(), rd1.end());
    // RR 2: SRV 0 1 2380 "b" + pointer to "example.com" of target 1 (after "a").
    append(m, {0xC0, 12, 0, 33, 0, 1, 0, 0, 0, 60});
    std::vector<std::uint8_t> rd2;
    append(rd2, {0, 0, 0, 1, 0x09, 0x4C, 1, 'b', 0xC0, static_cast<int>(target1 + 2)});
    append(m, {0, static_cast<int>(rd2.size())});
    m.insert(m.end(), rd2.begin(), rd2.end());
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_dns)

BOOST_AUTO_TEST_CASE(query_has_rfc1035_layout)
{
    auto q = dns::build_srv_query(0xBEEF, "_etcd-client._tcp.example.com.");
    BOOST_TEST_REQUIRE(q.has_value());
    const std::vector<std::uint8_t>& m = *q;
    BOOST_TEST(m[0] == 0xBE);
    BOOST_TEST(m[1] == 0xEF);
    BOOST_TEST(m[2] == 0x01);   // RD
    BOOST_TEST(m[5] == 1);      // QDCOUNT
    BOOST_TEST(m[11] == 1);     // ARCOUNT: EDNS0 OPT
    std::vector<std::uint8_t> name;
    append_name(name, "_etcd-client._tcp.example.com");
    BOOST_TEST(std::equal(name.begin(), name.end(), m.begin() + 12));
    const std::size_t qt = 12 + name.size();
    BOOST_TEST(m[qt + 1] == 33);   // SRV
    BOOST_TEST(m[qt + 3] == 1);    // IN
    BOOST_TEST(m[qt + 6] == 41);   // OPT
    BOOST_TEST(m.size() == qt + 4 + 11);

    BOOST_TEST((dns::build_srv_query(1, "").error() == condition::invalid_argument));
    BOOST_TEST((dns::build_srv_query(1, "a..b").error() == condition::invalid_argument));
    BOOST_TEST((dns::build_srv_query(1, std::string(64, 'x') + ".com").error() == condition::invalid_argument));
}

BOOST_AUTO_TEST_CASE(answer_with_compression_is_parsed)
{
    const auto m = two_record_answer(7);
    auto r = dns::parse_srv_response(m, 7);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->size() == 2u);
    BOOST_TEST((*r)[0].target == "a.example.com");
    BOOST_TEST((*r)[0].priority == 10);
    BOOST_TEST((*r)[0].weight == 5);
    BOOST_TEST((*r)[0].port == 2379);
    BOOST_TEST((*r)[1].target == "b.example.com");
    BOOST_TEST((*r)[1].port == 2380);
    auto ordered = dns::order_srv(*r);
    BOOST_TEST(ordered[0].target == "b.example.com");   // priority 0 first
}

BOOST_AUTO_TEST_CASE(bad_answers_are_rejected)
{
    auto good = two_record_answer(7);
    BOOST_TEST((dns::parse_srv_response(good, 8).error() == condition::invalid_response));   // wrong id
    for (std::size_t cut : {std::size_t{5}, std::size_t{20}, std::size_t{40}, good.size() - 1}) {
        std::vector<std::uint8_t> short_msg(good.begin(), good.begin() + static_cast<long>(cut));
        BOOST_TEST((dns::parse_srv_response(short_msg, 7).error() == condition::invalid_response));
    }
    auto truncated = good;
    truncated[2] |= 0x02;   // TC
    BOOST_TEST((dns::parse_srv_response(truncated, 7).error() == condition::invalid_response));
    auto query = good;
    query[2] &= 0x7F;   // not a response
    BOOST_TEST((dns::parse_srv_response(query, 7).error() == condition::invalid_response));
    auto nx = header(7, 0x8183, 0, 0);
    BOOST_TEST((dns::parse_srv_response(nx, 7).error() == condition::not_found));
    auto fail = header(7, 0x8182, 0, 0);
    BOOST_TEST((dns::parse_srv_response(fail, 7).error() == condition::unavailable));
    auto empty = header(7, 0x8180, 0, 0);
    BOOST_TEST((dns::parse_srv_response(empty, 7).error() == condition::not_found));

    // A pointer to itself, and a pointer forwards, must not loop or read ahead.
    auto loop = header(7, 0x8180, 0, 1);
    append(loop, {1, 'x', 0, 0, 33, 0, 1, 0, 0, 0, 60, 0, 8, 0, 0, 0, 0, 0, 1, 0xC0, 31});   // target -> itself
    BOOST_TEST((dns::parse_srv_response(loop, 7).error() == condition::invalid_response));
    auto self = header(7, 0x8180, 0, 1);
    append(self, {0xC0, 12});
    BOOST_TEST((dns::parse_srv_response(self, 7).error() == condition::invalid_response));
}

BOOST_AUTO_TEST_CASE(order_is_priority_then_weight_and_deterministic)
{
    std::vector<dns::srv_record> in{{20, 0, 1, "z"}, {10, 1, 2, "y"}, {10, 50, 3, "x"}, {10, 1, 2, "y"}, {0, 0, 4, "w"}};
    auto out = dns::order_srv(in);
    BOOST_TEST_REQUIRE(out.size() == 4u);   // the duplicate is dropped
    BOOST_TEST(out[0].target == "w");
    BOOST_TEST(out[1].target == "x");
    BOOST_TEST(out[2].target == "y");
    BOOST_TEST(out[3].target == "z");
    std::reverse(in.begin(), in.end());
    BOOST_TEST((dns::order_srv(in) == out));
}

BOOST_AUTO_TEST_CASE(resolv_conf_nameservers)
{
    const auto ns = dns::parse_resolv_conf("# comment\nsearch example.com\nnameserver 10.0.0.2\n"
                                           "  nameserver   ::1 \n; other comment\nnameserver fe80::1%eth0\n"
                                           "nameserver not-an-address\noptions ndots:2\n");
    BOOST_TEST_REQUIRE(ns.size() == 3u);
    BOOST_TEST(ns[0].address == "10.0.0.2");
    BOOST_TEST(ns[1].address == "::1");
    BOOST_TEST(ns[2].address == "fe80::1");
    BOOST_TEST(ns[0].port == 53);
    BOOST_TEST(dns::parse_resolv_conf("").empty());
}

BOOST_AUTO_TEST_CASE(resolver_asks_fake_server_and_skips_dead_ones)
{
    asio::io_context io;
    test::fake_dns_server good(io), mute(io);
    good.records["_etcd-client._tcp.example.test"] = {{10, 1, 2379, "etcd2.example.test"},
                                                      {0, 1, 2379, "etcd1.example.test"}};
    mute.silent.insert("_etcd-client._tcp.example.test");

    dns::resolver_options o;
    o.nameservers = {{"127.0.0.1", mute.port()}, {"127.0.0.1", good.port()}};
    o.timeout = 300ms;
    o.attempts = 1;
    auto r = run(io, dns::resolve_srv(io.get_executor(), "_etcd-client._tcp.Example.Test", o));
    BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
    BOOST_TEST_REQUIRE(r->size() == 2u);
    BOOST_TEST((*r)[0].target == "etcd1.example.test");
    BOOST_TEST((*r)[1].target == "etcd2.example.test");
    BOOST_TEST(mute.questions.size() == 1u);
    BOOST_TEST(good.questions.size() == 1u);

    // NXDOMAIN from the first server is final: the second is not asked.
    o.nameservers = {{"127.0.0.1", good.port()}, {"127.0.0.1", mute.port()}};
    auto nx = run(io, dns::resolve_srv(io.get_executor(), "_etcd-server._tcp.example.test", o));
    BOOST_TEST_REQUIRE(!nx.has_value());
    BOOST_TEST((nx.error() == condition::not_found));
    BOOST_TEST(mute.questions.size() == 1u);

    // SERVFAIL moves on to the next server.
    mute.silent.clear();
    mute.servfail.insert("_etcd-client._tcp.example.test");
    o.nameservers = {{"127.0.0.1", mute.port()}, {"127.0.0.1", good.port()}};
    auto after_fail = run(io, dns::resolve_srv(io.get_executor(), "_etcd-client._tcp.example.test", o));
    BOOST_TEST(after_fail.has_value());
}

BOOST_AUTO_TEST_CASE(resolver_times_out_when_nobody_answers)
{
    asio::io_context io;
    test::fake_dns_server mute(io);
    mute.silent.insert("_etcd._tcp.example.test");
    dns::resolver_options o;
    o.nameservers = {{"127.0.0.1", mute.port()}};
    o.timeout = 200ms;
    o.attempts = 2;
    auto r = run(io, dns::resolve_srv(io.get_executor(), "_etcd._tcp.example.test", o));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == condition::timeout));
    BOOST_TEST(mute.questions.size() == 2u);   // one per attempt

    // A server that is not listening at all (ICMP port unreachable) is not a hang either.
    mute.stop();
    auto refused = run(io, dns::resolve_srv(io.get_executor(), "_etcd._tcp.example.test", o));
    BOOST_TEST(!refused.has_value());
}

BOOST_AUTO_TEST_CASE(resolver_reads_resolv_conf_file)
{
    asio::io_context io;
    test::fake_dns_server good(io);
    good.records["_etcd._tcp.example.test"] = {{0, 0, 2379, "127.0.0.1"}};
    // A resolv.conf without nameserver lines: nothing to ask (no packet is
    // sent, so nothing can leave loopback), which proves the file was read:
    // a missing file means libc's default 127.0.0.1 instead.
    const std::string path = "/tmp/pgwarden-dns-test-resolv.conf." + std::to_string(good.port());
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        BOOST_TEST_REQUIRE(f != nullptr);
        std::fputs("search example.test\noptions ndots:1\n", f);
        std::fclose(f);
    }
    dns::resolver_options o;
    o.resolv_conf = path;
    o.timeout = 300ms;
    o.attempts = 1;
    auto r = run(io, dns::resolve_srv(io.get_executor(), "_etcd._tcp.example.test", o));
    std::remove(path.c_str());
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == dns::error::no_nameservers));

    o.resolv_conf = "/nonexistent/resolv.conf";
    o.nameservers = {{"127.0.0.1", good.port()}};   // explicit servers win over the file
    auto ok = run(io, dns::resolve_srv(io.get_executor(), "_etcd._tcp.example.test", o));
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(ok->front().target == "127.0.0.1");
    BOOST_TEST(good.questions.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
