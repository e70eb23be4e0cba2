// Goal: URLs and host:port items from the DCS sections and member api_urls
// parse as Patroni's configurations spell them. Method: table-driven checks
// of parse_url / parse_host_port / split_host_list, including malformed input
// that must be rejected with condition::invalid_argument.
#include <pgwarden/http/url.hpp>
#include <pgwarden/core/error.hpp>

#include <boost/test/unit_test.hpp>

using namespace pgwarden;

BOOST_AUTO_TEST_SUITE(http_url)

BOOST_AUTO_TEST_CASE(full_url_with_credentials_and_target)
{
    auto u = http::parse_url("HTTPS://us%40er:p%3Ass@etcd.example:2380/v3/kv?x=1#frag");
    BOOST_TEST_REQUIRE(u.has_value());
    BOOST_TEST(u->where.scheme == "https");
    BOOST_TEST(u->where.host == "etcd.example");
    BOOST_TEST(u->where.port == 2380);
    BOOST_TEST(u->username == "us@er");
    BOOST_TEST(u->password == "p:ss");
    BOOST_TEST(u->target == "/v3/kv?x=1");
    BOOST_TEST(u->where.is_tls());
}

BOOST_AUTO_TEST_CASE(default_ports_and_targets)
{
    auto a = http::parse_url("http://10.0.0.1");
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->where.port == 80);
    BOOST_TEST(a->target == "/");
    auto b = http::parse_url("https://h?q");
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(b->where.port == 443);
    BOOST_TEST(b->target == "/?q");
    auto c = http::parse_url("http://127.0.0.1:8008/patroni");
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->where.to_string() == "http://127.0.0.1:8008");
    BOOST_TEST(c->target == "/patroni");
}

BOOST_AUTO_TEST_CASE(ipv6_hosts)
{
    auto u = http::parse_url("http://[::1]:2379/version");
    BOOST_TEST_REQUIRE(u.has_value());
    BOOST_TEST(u->where.host == "::1");
    BOOST_TEST(u->where.port == 2379);
    BOOST_TEST(u->where.host_header() == "[::1]:2379");
    auto e = http::parse_host_port("[fe80::1]", "http", 2379);
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->host == "fe80::1");
    BOOST_TEST(e->port == 2379);
}

BOOST_AUTO_TEST_CASE(host_port_items)
{
    auto e = http::parse_host_port(" etcd1:2381 ", "https", 2379);
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->scheme == "https");
    BOOST_TEST(e->host == "etcd1");
    BOOST_TEST(e->port == 2381);
    auto d = http::parse_host_port("etcd2", "http", 2379);
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->port == 2379);
    auto u = http::parse_host_port("https://etcd3:1234", "http", 2379);   // a URL wins
    BOOST_TEST_REQUIRE(u.has_value());
    BOOST_TEST(u->scheme == "https");
    BOOST_TEST(u->port == 1234);
}

BOOST_AUTO_TEST_CASE(malformed_input_is_rejected)
{
    for (const char* bad : {"", "etcd:2379", "ftp://h", "http://", "http://h:0", "http://h:65536",
                            "http://h:x", "http://[::1", "http://h:"}) {
        BOOST_TEST_CONTEXT(bad)
        {
            auto u = http::parse_url(bad);
            BOOST_TEST(!u.has_value());
            if (!u) BOOST_TEST((u.error() == condition::invalid_argument));
        }
    }
    BOOST_TEST(!http::parse_host_port("::1:2379", "http", 2379).has_value());
    BOOST_TEST(!http::parse_host_port("h:2379", "gopher", 2379).has_value());
    BOOST_TEST(!http::parse_host_port("", "http", 2379).has_value());
}

BOOST_AUTO_TEST_CASE(host_lists)
{
    auto v = http::split_host_list(" a:1, b:2 ,,c ");
    BOOST_TEST_REQUIRE(v.size() == 3u);
    BOOST_TEST(v[0] == "a:1");
    BOOST_TEST(v[1] == "b:2");
    BOOST_TEST(v[2] == "c");
    BOOST_TEST(http::split_host_list("").empty());
}

BOOST_AUTO_TEST_SUITE_END()
