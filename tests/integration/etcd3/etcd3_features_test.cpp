// Goal: the etcd3 client's discovery, TLS, authentication and write-saving
// features against a real etcd 3.4: endpoints found through DNS SRV (client
// and peer service names, suffix, Patroni's lookup order, hosts fallback);
// https with a CA, a server certificate for 127.0.0.1 and client
// certificates (and a clear, `unavailable` error for an untrusted server);
// transparent re-authentication after a simple token expired; periodic
// re-reading of the member list; no member-key write when the snapshot
// already shows our data on our lease (counted by the client and by etcd's
// own put counter). Method: a fresh etcd per test (tests/support/etcd.hpp),
// certificates made with the openssl CLI in a temporary directory, a fake
// DNS server on a 127.0.0.1 UDP socket on the same io_context.
#include "support/run_task.hpp"
#include "support/etcd.hpp"
#include "unit/http/fake_dns_server.hpp"

#include <pgwarden/clock/steady_source.hpp>
#include <pgwarden/dcs/etcd3/client.hpp>
#include <pgwarden/http/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <thread>

using namespace pgwarden;
namespace asio = boost::asio;
namespace etcd3 = pgwarden::dcs::etcd3;
using namespace std::chrono_literals;

namespace {

template <class T>
T run(asio::io_context& io, task<T> t)
{
    return pgwarden::test::run_task(io, std::move(t));
}

using pgwarden::test::timer_wait;

etcd3::config base_config(const std::string& name)
{
    etcd3::config c;
    c.scope = "demo";
    c.name = name;
    c.ttl = 30s;
    c.loop_wait = 10s;
    c.retry_timeout = 3s;
    return c;
}

dcs::member_data sample_member()
{
    dcs::member_data m;
    m.conn_url = "postgres://127.0.0.1:5432/postgres";
    m.api_url = "http://127.0.0.1:8008/patroni";
    m.state = "running";
    m.role = "replica";
    m.version = "4.1.4";
    m.timeline = 1;
    return m;
}

/// A CA, a server certificate for IP 127.0.0.1, a client certificate, and
/// a second CA that signed nothing of these.
struct pki {
    test::temp_dir dir{"pgwarden-pki"};
    std::string ca = dir / "ca.crt", other_ca = dir / "other-ca.crt";
    std::string server_cert = dir / "server.crt", server_key = dir / "server.key";
    std::string client_cert = dir / "client.crt", client_key = dir / "client.key";

    void openssl(const std::vector<std::string>& args)
    {
        std::vector<std::string> argv{"/usr/bin/openssl"};
        argv.insert(argv.end(), args.begin(), args.end());
        std::string out;
        BOOST_REQUIRE_MESSAGE(test::run(argv, &out, {}, 60s) == 0, out);
    }

    void make_ca(const std::string& name)
    {
        openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                 dir / (name + ".key"), "-out", dir / (name + ".crt"), "-days", "2", "-subj", "/CN=" + name});
    }

    void make_leaf(const std::string& name, const std::string& cn, const std::string& ext)
    {
        test::write_file(dir / (name + ".ext"), ext);
        openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                 dir / (name + ".key"), "-out", dir / (name + ".csr"), "-subj", "/CN=" + cn});
        openssl({"x509", "-req", "-in", dir / (name + ".csr"), "-CA", ca, "-CAkey", dir / "ca.key",
                 "-CAcreateserial", "-out", dir / (name + ".crt"), "-days", "2", "-extfile", dir / (name + ".ext")});
    }

    pki()
    {
        make_ca("ca");
        make_ca("other-ca");
        make_leaf("server", "127.0.0.1",
                  "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        make_leaf("client", "root", "extendedKeyUsage=clientAuth\n");
    }

    test::etcd_options etcd_options() const
    {
        test::etcd_options o;
        o.cert_file = server_cert;
        o.key_file = server_key;
        o.ca_file = ca;
        o.client_cert_auth = true;
        o.client_cert = client_cert;
        o.client_key = client_key;
        return o;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(etcd3_features, *boost::unit_test::precondition([](auto) {
                          return test::etcd_available();
                      }))

BOOST_AUTO_TEST_CASE(endpoints_from_dns_srv)
{
    test::etcd_server etcd;
    asio::io_context io;
    test::fake_dns_server dns(io);
    dns.records["_etcd-client._tcp.example.test"] = {{0, 0, etcd.client_port(), "127.0.0.1"}};

    auto cfg = base_config("node1");
    cfg.srv = "example.test";
    cfg.dns_nameservers = {"127.0.0.1:" + std::to_string(dns.port())};
    auto c = etcd3::client::create(io.get_executor(), cfg);
    BOOST_TEST_REQUIRE(c.has_value());
    auto started = run(io, c->start());
    BOOST_TEST_REQUIRE(started.has_value(), started.error().message() + " " + c->last_failure());
    BOOST_TEST(run(io, c->acquire_leader({"node1", 30s})).value());
    BOOST_TEST(c->stats().srv_lookups == 1u);
    // Patroni's order: -client-ssl first, then -client, which answered.
    BOOST_TEST_REQUIRE(dns.questions.size() == 2u);
    BOOST_TEST(dns.questions[0] == "_etcd-client-ssl._tcp.example.test");
    BOOST_TEST(dns.questions[1] == "_etcd-client._tcp.example.test");
    BOOST_TEST_REQUIRE(!c->endpoints().empty());
    BOOST_TEST(c->endpoints().front().port == etcd.client_port());

    // `_etcd-server` names point at the peer port: the client URLs come from
    // the peer API's /members. With a suffix, every name carries it.
    dns.questions.clear();
    dns.records.clear();
    dns.records["_etcd-server-dc1._tcp.example.test"] = {{0, 0, etcd.peer_port(), "127.0.0.1"}};
    auto scfg = base_config("node2");
    scfg.srv = "example.test";
    scfg.srv_suffix = "dc1";
    scfg.use_proxies = true;   // keep exactly what DNS + /members said
    scfg.dns_nameservers = cfg.dns_nameservers;
    auto s = etcd3::client::create(io.get_executor(), scfg);
    BOOST_TEST_REQUIRE(s.has_value());
    auto s_started = run(io, s->start());
    BOOST_TEST_REQUIRE(s_started.has_value(), s_started.error().message() + " " + s->last_failure());
    const std::vector<std::string> order{"_etcd-client-ssl-dc1._tcp.example.test", "_etcd-client-dc1._tcp.example.test",
                                         "_etcd-ssl-dc1._tcp.example.test",        "_etcd-dc1._tcp.example.test",
                                         "_etcd-server-ssl-dc1._tcp.example.test", "_etcd-server-dc1._tcp.example.test"};
    BOOST_TEST(dns.questions == order, boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(s->endpoints().size() == 1u);
    BOOST_TEST(s->endpoints().front().port == etcd.client_port());
    BOOST_TEST(run(io, s->load_cluster())->leader->name == "node1");

    // No SRV record: the hosts are the fallback; without hosts, a clear error.
    dns.records.clear();
    auto fcfg = base_config("node3");
    fcfg.srv = "example.test";
    fcfg.dns_nameservers = cfg.dns_nameservers;
    fcfg.retry_timeout = 1s;
    auto none = etcd3::client::create(io.get_executor(), fcfg);
    BOOST_TEST_REQUIRE(none.has_value());
    auto failed = run(io, none->start());
    BOOST_TEST_REQUIRE(!failed.has_value());
    BOOST_TEST((failed.error() == etcd3::error::discovery_failed));
    BOOST_TEST((failed.error() == condition::unavailable));
    fcfg.hosts = {etcd.host_port()};
    auto fallback = etcd3::client::create(io.get_executor(), fcfg);
    BOOST_TEST(run(io, fallback->start()).has_value());
}

BOOST_AUTO_TEST_CASE(tls_with_client_certificates)
{
    pki certs;
    test::etcd_server etcd(certs.etcd_options());
    asio::io_context io;
    auto cfg = base_config("node1");
    cfg.hosts = {etcd.host_port()};
    cfg.protocol = "https";
    cfg.cacert = certs.ca;
    cfg.cert = certs.client_cert;
    cfg.key = certs.client_key;
    auto c = etcd3::client::create(io.get_executor(), cfg);
    BOOST_TEST_REQUIRE(c.has_value());
    auto started = run(io, c->start());
    BOOST_TEST_REQUIRE(started.has_value(), started.error().message() + " " + c->last_failure());
    BOOST_TEST(run(io, c->acquire_leader({"node1", 30s})).value());
    BOOST_TEST(run(io, c->publish_member(sample_member())).has_value());
    auto snap = run(io, c->load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value());
    BOOST_TEST(snap->leader->name == "node1");
    BOOST_TEST(c->endpoints().front().scheme == "https");   // the discovered members are https too
    std::string out;
    BOOST_TEST(etcd.etcdctl({"get", "/service/demo/leader", "--print-value-only"}, &out) == 0);
    BOOST_TEST(out.find("node1") != std::string::npos);

    // An untrusted server: no retry can help; the error says TLS and why.
    auto wrong = cfg;
    wrong.name = "node2";
    wrong.cacert = certs.other_ca;
    wrong.retry_timeout = 1s;
    auto w = etcd3::client::create(io.get_executor(), wrong);
    BOOST_TEST_REQUIRE(w.has_value());
    auto refused = run(io, w->start());
    BOOST_TEST_REQUIRE(!refused.has_value());
    BOOST_TEST((refused.error() == etcd3::error::tls_failed));
    BOOST_TEST((refused.error() == condition::unavailable));
    BOOST_TEST(refused.error().message().find("TLS") != std::string::npos);
    BOOST_TEST(w->last_failure().find("certificate verify failed") != std::string::npos, w->last_failure());

    // No client certificate: etcd (--client-cert-auth) refuses us.
    auto anon = cfg;
    anon.name = "node3";
    anon.cert.reset();
    anon.key.reset();
    anon.retry_timeout = 1s;
    auto a = etcd3::client::create(io.get_executor(), anon);
    BOOST_TEST_REQUIRE(a.has_value());
    auto denied = run(io, a->start());
    BOOST_TEST_REQUIRE(!denied.has_value());
    BOOST_TEST((denied.error() == condition::unavailable));

    // A CA file that does not exist is a configuration error at once.
    auto broken = cfg;
    broken.cacert = certs.dir / "missing.crt";
    auto b = etcd3::client::create(io.get_executor(), broken);
    BOOST_TEST_REQUIRE(!b.has_value());
    BOOST_TEST((b.error() == condition::invalid_argument));
}

BOOST_AUTO_TEST_CASE(reauthenticates_after_token_expiry)
{
    test::etcd_options o;
    o.extra_args = {"--auth-token", "simple", "--auth-token-ttl", "2"};
    test::etcd_server etcd(o);
    BOOST_TEST_REQUIRE(etcd.etcdctl({"user", "add", "root:rootpw"}) == 0);
    BOOST_TEST_REQUIRE(etcd.etcdctl({"auth", "enable"}) == 0);
    asio::io_context io;
    auto cfg = base_config("node1");
    cfg.hosts = {etcd.host_port()};
    cfg.username = "root";
    cfg.password = "rootpw";
    auto c = etcd3::client::create(io.get_executor(), cfg);
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST_REQUIRE(run(io, c->start()).has_value());
    auto first = run(io, c->load_cluster());
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST(c->stats().authentications == 1u);

    // A simple token dies after 2 s without use. Its expiry cannot be
    // observed without using (and so renewing) it: wait it out.
    std::this_thread::sleep_for(3500ms);
    auto again = run(io, c->load_cluster());
    BOOST_TEST_REQUIRE(again.has_value(), again.error().message());
    BOOST_TEST(c->stats().authentications == 2u);
    BOOST_TEST(run(io, c->acquire_leader({"node1", 30s})).value());

    // The watch too: after another expiry it re-authenticates and still
    // wakes at once on a change.
    auto snap = run(io, c->load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value());
    std::this_thread::sleep_for(3500ms);
    auto other_cfg = cfg;
    other_cfg.name = "node2";
    auto other = etcd3::client::create(io.get_executor(), other_cfg);
    BOOST_TEST_REQUIRE(other.has_value());
    std::optional<result<bool>> woke;
    asio::co_spawn(io, [&]() -> task<void> { woke = co_await c->wait_for_change(snap->leader->version, 8s); },
                   asio::detached);
    auto wrote = run(io, [&]() -> task<result<bool>> {
        co_await timer_wait(500ms);
        co_return co_await other->write_config(R"({"ttl":30})", 0);
    }());
    BOOST_TEST(wrote.value());
    const auto t0 = clock::steady_source{}.now();
    while (!woke && clock::steady_source{}.now() - t0 < 10s) {
        io.restart();
        io.run_one_for(100ms);
    }
    BOOST_TEST_REQUIRE(woke.has_value());
    BOOST_TEST_REQUIRE(woke->has_value());
    BOOST_TEST(**woke);
    BOOST_TEST(c->stats().authentications == 3u);
}

BOOST_AUTO_TEST_CASE(member_write_skipped_when_snapshot_shows_it)
{
    test::etcd_server etcd;
    asio::io_context io;
    auto cfg = base_config("node1");
    cfg.hosts = {etcd.host_port()};
    auto c = etcd3::client::create(io.get_executor(), cfg);
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST_REQUIRE(run(io, c->start()).has_value());
    auto m = sample_member();
    auto puts = [&] {
        const double p = etcd.metric("etcd_mvcc_put_total");
        return p >= 0 ? p : etcd.metric("etcd_debugging_mvcc_put_total");
    };

    BOOST_TEST_REQUIRE(run(io, c->publish_member(m)).has_value());
    BOOST_TEST(c->stats().member_writes == 1u);
    BOOST_TEST_REQUIRE(run(io, c->load_cluster()).has_value());
    const double puts_before = puts();
    BOOST_TEST_REQUIRE(puts_before >= 1);
    const auto requests_before = c->stats().requests;

    // Same data on the same lease: no put, and no request at all (the lease
    // was refreshed by the first publish of this cycle).
    BOOST_TEST(run(io, c->publish_member(m)).has_value());
    BOOST_TEST(run(io, c->publish_member(m)).has_value());
    BOOST_TEST(c->stats().member_writes == 1u);
    BOOST_TEST(c->stats().member_writes_skipped == 2u);
    BOOST_TEST(c->stats().requests == requests_before);
    BOOST_TEST(puts() == puts_before);

    // Changed data is written, and then is itself what the cache shows.
    m.state = "stopped";
    BOOST_TEST(run(io, c->publish_member(m)).has_value());
    BOOST_TEST(c->stats().member_writes == 2u);
    BOOST_TEST(run(io, c->publish_member(m)).has_value());
    BOOST_TEST(c->stats().member_writes == 2u);
    BOOST_TEST(puts() == puts_before + 1);

    // A new lease (the old one revoked: the key is gone) must be written.
    BOOST_TEST(run(io, c->revoke_lease()).has_value());
    BOOST_TEST(run(io, c->publish_member(m)).has_value());
    BOOST_TEST(c->stats().member_writes == 3u);
    auto snap = run(io, c->load_cluster());
    BOOST_TEST_REQUIRE(snap->find_member("node1") != nullptr);
    BOOST_TEST(snap->find_member("node1")->session == std::to_string(c->lease_id()));

    // A key changed behind our back (seen by the next read) is rewritten.
    BOOST_TEST_REQUIRE(etcd.etcdctl({"put", "/service/demo/members/node1", "{}"}) == 0);
    BOOST_TEST(run(io, c->load_cluster()).has_value());
    BOOST_TEST(run(io, c->publish_member(m)).has_value());
    BOOST_TEST(c->stats().member_writes == 4u);
}

BOOST_AUTO_TEST_CASE(member_list_is_refreshed_periodically)
{
    test::etcd_server etcd;
    asio::io_context io;
    auto cfg = base_config("node1");
    cfg.hosts = {etcd.host_port()};
    cfg.topology_refresh = 300ms;
    auto c = etcd3::client::create(io.get_executor(), cfg);
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST_REQUIRE(run(io, c->start()).has_value());
    BOOST_TEST(c->stats().topology_refreshes == 1u);
    const auto t0 = clock::steady_source{}.now();
    while (c->stats().topology_refreshes < 3 && clock::steady_source{}.now() - t0 < 5s) {
        BOOST_TEST_REQUIRE(run(io, c->load_cluster()).has_value());
        (void)run(io, [&]() -> task<bool> { co_await timer_wait(100ms); co_return true; }());
    }
    BOOST_TEST(c->stats().topology_refreshes >= 3u);
    // Calls closer together than the interval do not re-read it.
    auto slow_cfg = cfg;
    slow_cfg.topology_refresh.reset();   // 10 x ttl = 300 s
    auto d = etcd3::client::create(io.get_executor(), slow_cfg);
    BOOST_TEST_REQUIRE(run(io, d->start()).has_value());
    for (int i = 0; i < 5; ++i) BOOST_TEST(run(io, d->load_cluster()).has_value());
    BOOST_TEST(d->stats().topology_refreshes == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
