// Goal: the etcd3 section's endpoint keys resolve as Patroni resolves them
// (config.md 5.4), and the adapter's errors map to the portable conditions.
// Method: table checks of resolve_endpoints precedence, defaults and URL
// credentials; equality checks of each error against its condition.
#include <pgwarden/dcs/etcd3/config.hpp>
#include <pgwarden/dcs/etcd3/error.hpp>

#include <boost/test/unit_test.hpp>

// GCC 12 at -O2 warns -Wmaybe-uninitialized inside std::optional<std::string>
// when a default-initialized aggregate gets an optional assigned (a known
// false positive); nothing here reads an uninitialized value.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

using namespace pgwarden;
namespace etcd3 = pgwarden::dcs::etcd3;

BOOST_AUTO_TEST_SUITE(etcd3_config)

BOOST_AUTO_TEST_CASE(host_defaults_to_port_2379)
{
    etcd3::config c;
    c.host.emplace("127.0.0.1");
    auto r = etcd3::resolve_endpoints(c);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->endpoints.size() == 1u);
    BOOST_TEST(r->endpoints[0].to_string() == "http://127.0.0.1:2379");
}

BOOST_AUTO_TEST_CASE(hosts_list_or_comma_string_with_protocol)
{
    etcd3::config c;
    c.protocol = "https";
    c.hosts = {"a:1,b:2", "c", "a:1"};
    auto r = etcd3::resolve_endpoints(c);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->endpoints.size() == 3u);   // duplicate dropped
    BOOST_TEST(r->endpoints[0].to_string() == "https://a:1");
    BOOST_TEST(r->endpoints[2].to_string() == "https://c:2379");
    BOOST_TEST(!r->use_proxies);
}

BOOST_AUTO_TEST_CASE(url_wins_and_carries_credentials)
{
    etcd3::config c;
    c.host.emplace("ignored:1");
    c.url.emplace("https://root:secret@etcd:2379");
    auto r = etcd3::resolve_endpoints(c);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->endpoints.size() == 1u);
    BOOST_TEST(r->endpoints[0].is_tls());
    BOOST_TEST(r->username.value_or("") == "root");
    BOOST_TEST(r->password.value_or("") == "secret");
    c.username.emplace("other");
    auto r2 = etcd3::resolve_endpoints(c);
    BOOST_TEST(r2->username.value_or("") == "other");   // explicit username wins
}

BOOST_AUTO_TEST_CASE(proxy_implies_use_proxies)
{
    etcd3::config c;
    c.proxy.emplace("http://proxy:8080");
    c.hosts = {"x:1"};
    auto r = etcd3::resolve_endpoints(c);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->use_proxies);
    BOOST_TEST(r->endpoints[0].to_string() == "http://proxy:8080");
}

BOOST_AUTO_TEST_CASE(unusable_configurations)
{
    etcd3::config none;
    auto r = etcd3::resolve_endpoints(none);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == etcd3::error::bad_config));
    BOOST_TEST((r.error() == condition::invalid_argument));
    etcd3::config empty_srv;
    empty_srv.srv.emplace("");
    BOOST_TEST(!etcd3::resolve_endpoints(empty_srv).has_value());
    etcd3::config bad;
    bad.url.emplace("etcd:2379");
    BOOST_TEST(!etcd3::resolve_endpoints(bad).has_value());
}

BOOST_AUTO_TEST_CASE(srv_is_asked_first_with_hosts_as_fallback)
{
    // Patroni: srv first; hosts/host only when DNS yields nothing.
    etcd3::config srv_only;
    srv_only.srv.emplace("example.com");
    auto r = etcd3::resolve_endpoints(srv_only);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->srv);
    BOOST_TEST(r->endpoints.empty());
    etcd3::config both = srv_only;
    both.hosts = {"10.0.0.1:2379"};
    auto b = etcd3::resolve_endpoints(both);
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(b->srv);
    BOOST_TEST(b->endpoints.size() == 1u);
    etcd3::config plain;
    plain.host.emplace("10.0.0.1");
    BOOST_TEST(!etcd3::resolve_endpoints(plain)->srv);
    error_code ec = etcd3::error::tls_failed;
    BOOST_TEST((ec == condition::unavailable));
    BOOST_TEST(ec.message().find("TLS") != std::string::npos);
    ec = etcd3::error::discovery_failed;
    BOOST_TEST((ec == condition::unavailable));
}

BOOST_AUTO_TEST_CASE(errors_map_to_conditions)
{
    error_code ec = etcd3::error::unreachable;
    BOOST_TEST((ec == condition::unavailable));
    ec = etcd3::error::lease_not_found;
    BOOST_TEST((ec == condition::not_found));
    ec = etcd3::error::auth_failed;
    BOOST_TEST((ec == condition::unauthorized));
    ec = etcd3::error::permission_denied;
    BOOST_TEST((ec == condition::unauthorized));
    ec = etcd3::error::bad_response;
    BOOST_TEST((ec == condition::invalid_response));
    ec = etcd3::error::server_error;
    BOOST_TEST((ec == condition::invalid_response));
    BOOST_TEST(!(ec == condition::unavailable));
    BOOST_TEST(ec.message() == "etcd returned an error");
}

BOOST_AUTO_TEST_SUITE_END()
