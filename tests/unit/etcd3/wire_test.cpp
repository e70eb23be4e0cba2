// Goal: the etcd v3 gateway requests we send are byte-for-byte the bodies of
// dcs.md 13.1 (what Python Patroni sends), and the responses shown there
// parse into the right values. Method: compare built bodies with the spec's
// text; parse hand-written responses, including the gateway's habits of
// int64-as-string and omitted default fields.
#include <pgwarden/dcs/etcd3/detail/wire.hpp>
#include <pgwarden/dcs/etcd3/error.hpp>

#include <boost/test/unit_test.hpp>

using namespace pgwarden;
namespace wire = pgwarden::dcs::etcd3::wire;

namespace {
const std::string leader = "/service/demo/leader";
constexpr std::int64_t lease = 7587862048425361712;
} // namespace

BOOST_AUTO_TEST_SUITE(etcd3_wire)

BOOST_AUTO_TEST_CASE(prefix_end)
{
    BOOST_TEST(wire::prefix_end("/service/demo/") == "/service/demo0");
    BOOST_TEST(wire::prefix_end(std::string("a\xff", 2)) == "b");
    BOOST_TEST(wire::prefix_end(std::string("\xff\xff", 2)) == std::string(1, '\0'));
}

BOOST_AUTO_TEST_CASE(range_request_matches_spec)
{
    BOOST_TEST(wire::range_request("/service/demo/", "/service/demo0", true) ==
               R"({"key":"L3NlcnZpY2UvZGVtby8=","range_end":"L3NlcnZpY2UvZGVtbzA=","serializable":true})");
    BOOST_TEST(wire::range_request("/service/demo/", "/service/demo0", false) ==
               R"({"key":"L3NlcnZpY2UvZGVtby8=","range_end":"L3NlcnZpY2UvZGVtbzA="})");
}

BOOST_AUTO_TEST_CASE(acquire_txn_matches_spec)
{
    BOOST_TEST(wire::create_txn(leader, "node1", lease) ==
               R"({"compare":[{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","target":"CREATE","create_revision":"0"}],)"
               R"("success":[{"request_put":{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","value":"bm9kZTE=","lease":"7587862048425361712"}}]})");
}

BOOST_AUTO_TEST_CASE(update_txn_matches_spec)
{
    const std::string put =
        R"({"request_put":{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","value":"bm9kZTE=","lease":"42"}})";
    BOOST_TEST(wire::leader_update_txn(leader, "node1", 42) ==
               R"({"compare":[{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","target":"VALUE","value":"bm9kZTE="}],)"
               R"("success":[)" + put + R"(],)"
               R"("failure":[{"request_txn":{"compare":[{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","target":"CREATE","create_revision":"0"}],)"
               R"("success":[)" + put + R"(]}}]})");
}

BOOST_AUTO_TEST_CASE(release_and_cas_txns)
{
    BOOST_TEST(wire::leader_delete_txn(leader, "node1") ==
               R"({"compare":[{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","target":"VALUE","value":"bm9kZTE="}],)"
               R"("success":[{"request_delete_range":{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI="}}]})");
    BOOST_TEST(wire::cas_put_txn("k", "v", 17, 0) ==
               R"({"compare":[{"key":"aw==","target":"MOD","mod_revision":"17"}],)"
               R"("success":[{"request_put":{"key":"aw==","value":"dg=="}}]})");
    BOOST_TEST(wire::cas_delete_txn("k", 17) ==
               R"({"compare":[{"key":"aw==","target":"MOD","mod_revision":"17"}],)"
               R"("success":[{"request_delete_range":{"key":"aw=="}}]})");
}

BOOST_AUTO_TEST_CASE(lease_watch_put_auth_bodies)
{
    BOOST_TEST(wire::lease_grant_request(30) == R"({"TTL":30})");
    BOOST_TEST(wire::lease_id_request(lease) == R"({"ID":"7587862048425361712"})");
    BOOST_TEST(wire::put_request("k", "v", 0) == R"({"key":"aw==","value":"dg=="})");
    BOOST_TEST(wire::put_request("k", "v", 5) == R"({"key":"aw==","value":"dg==","lease":"5"})");
    BOOST_TEST(wire::delete_request("k") == R"({"key":"aw=="})");
    BOOST_TEST(wire::watch_request("/service/demo/", "/service/demo0", 2210) ==
               R"({"create_request":{"key":"L3NlcnZpY2UvZGVtby8=","range_end":"L3NlcnZpY2UvZGVtbzA=","start_revision":"2210","filters":[]}})");
    BOOST_TEST(wire::auth_request("root", "p\"w") == R"({"name":"root","password":"p\"w"})");
}

BOOST_AUTO_TEST_CASE(parse_range_response)
{
    auto r = wire::parse_range(
        R"({"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"2210","raft_term":"7"},)"
        R"("kvs":[{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","create_revision":"2100","mod_revision":"2100",)"
        R"("version":"1","value":"bm9kZTE=","lease":"7587862048425361712"},)"
        R"({"key":"L3NlcnZpY2UvZGVtby9pbml0aWFsaXpl","create_revision":"5","mod_revision":"6","version":"2"}],"count":"2"})");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->header.revision == 2210);
    BOOST_TEST(r->header.raft_term == 7);
    BOOST_TEST(r->header.cluster_id == "14841639068965178418");
    BOOST_TEST_REQUIRE(r->kvs.size() == 2u);
    BOOST_TEST(r->kvs[0].key == leader);
    BOOST_TEST(r->kvs[0].value == "node1");
    BOOST_TEST(r->kvs[0].mod_revision == 2100);
    BOOST_TEST(r->kvs[0].lease == lease);
    BOOST_TEST(r->kvs[1].key == "/service/demo/initialize");
    BOOST_TEST(r->kvs[1].value == "");      // omitted default: empty value
    BOOST_TEST(r->kvs[1].lease == 0);       // omitted default: no lease
    auto empty = wire::parse_range(R"({"header":{"revision":"3"}})");
    BOOST_TEST_REQUIRE(empty.has_value());
    BOOST_TEST(empty->kvs.empty());
}

BOOST_AUTO_TEST_CASE(parse_txn_responses)
{
    auto won = wire::parse_txn(R"({"header":{"revision":"9"},"succeeded":true,"responses":[{"response_put":{"header":{}}}]})");
    BOOST_TEST_REQUIRE(won.has_value());
    BOOST_TEST(won->succeeded);
    BOOST_TEST(won->header.revision == 9);
    auto lost = wire::parse_txn(R"({"header":{"revision":"9"}})");   // "succeeded" omitted when false
    BOOST_TEST_REQUIRE(lost.has_value());
    BOOST_TEST(!lost->succeeded);
    BOOST_TEST(!lost->nested_succeeded);
    auto nested = wire::parse_txn(
        R"({"header":{},"responses":[{"response_txn":{"header":{},"succeeded":true,"responses":[]}}]})");
    BOOST_TEST_REQUIRE(nested.has_value());
    BOOST_TEST(!nested->succeeded);
    BOOST_TEST(nested->nested_succeeded);
}

BOOST_AUTO_TEST_CASE(parse_lease_responses)
{
    auto g = wire::parse_lease(R"({"header":{},"ID":"7587862048425361712","TTL":"30"})");
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST(g->id == lease);
    BOOST_TEST(g->ttl == 30);
    auto k = wire::parse_lease(R"({"result":{"header":{},"ID":"7587862048425361712","TTL":"30"}})");
    BOOST_TEST_REQUIRE(k.has_value());
    BOOST_TEST(k->ttl == 30);
    auto expired = wire::parse_lease(R"({"result":{"header":{},"ID":"7587862048425361712"}})");
    BOOST_TEST_REQUIRE(expired.has_value());
    BOOST_TEST(expired->ttl == 0);
    auto bad = wire::parse_lease("not json");
    BOOST_TEST_REQUIRE(!bad.has_value());
    BOOST_TEST((bad.error() == condition::invalid_response));
}

BOOST_AUTO_TEST_CASE(parse_watch_stream_lines)
{
    auto created = wire::parse_watch(R"({"result":{"header":{"revision":"2210"},"created":true}})");
    BOOST_TEST_REQUIRE(created.has_value());
    BOOST_TEST(created->created);
    BOOST_TEST(created->events.empty());
    auto ev = wire::parse_watch(
        R"({"result":{"header":{},"events":[{"kv":{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","mod_revision":"2211","value":"bm9kZTE=","lease":"5"}},)"
        R"({"type":"DELETE","kv":{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","mod_revision":"2212"}}]}})");
    BOOST_TEST_REQUIRE(ev.has_value());
    BOOST_TEST_REQUIRE(ev->events.size() == 2u);
    BOOST_TEST(!ev->events[0].is_delete);
    BOOST_TEST(ev->events[0].kv.key == leader);
    BOOST_TEST(ev->events[0].kv.mod_revision == 2211);
    BOOST_TEST(ev->events[1].is_delete);
    auto compacted = wire::parse_watch(R"({"result":{"header":{},"canceled":true,"compact_revision":"100"}})");
    BOOST_TEST_REQUIRE(compacted.has_value());
    BOOST_TEST(compacted->canceled);
    BOOST_TEST(compacted->compact_revision == 100);
    auto err = wire::parse_watch(R"({"error":{"grpc_code":14,"http_code":503,"message":"unavailable"}})");
    BOOST_TEST_REQUIRE(err.has_value());
    BOOST_TEST_REQUIRE(err->error.has_value());
    BOOST_TEST(err->error->code == 14);
}

BOOST_AUTO_TEST_CASE(parse_version_prefixes)
{
    BOOST_TEST(wire::parse_version_prefix(R"({"etcdserver":"3.5.9","etcdcluster":"3.5.0"})").value() == "/v3");
    BOOST_TEST(wire::parse_version_prefix(R"({"etcdserver":"3.4.23","etcdcluster":"3.4.0"})").value() == "/v3");
    BOOST_TEST(wire::parse_version_prefix(R"({"etcdserver":"3.3.11","etcdcluster":"3.3.0"})").value() == "/v3beta");
    BOOST_TEST(wire::parse_version_prefix(R"({"etcdserver":"3.2.0","etcdcluster":"3.2.0"})").value() == "/v3alpha");
    auto old = wire::parse_version_prefix(R"({"etcdserver":"3.0.3","etcdcluster":"3.0.0"})");
    BOOST_TEST_REQUIRE(!old.has_value());
    BOOST_TEST((old.error() == dcs::etcd3::error::unsupported_version));
}

BOOST_AUTO_TEST_CASE(parse_members_token_errors)
{
    auto urls = wire::parse_member_urls(
        R"({"header":{},"members":[{"ID":"1","name":"a","clientURLs":["http://127.0.0.1:2379","http://10.0.0.1:2379"]},)"
        R"({"ID":"2","name":"b"}]})");
    BOOST_TEST_REQUIRE(urls.has_value());
    BOOST_TEST(urls->size() == 2u);
    BOOST_TEST(wire::parse_token(R"({"header":{},"token":"abc.def"})").value() == "abc.def");
    auto e = wire::parse_error(R"({"error":"etcdserver: requested lease not found","code":5,"message":"etcdserver: requested lease not found"})");
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->code == 5);
    BOOST_TEST(!wire::parse_error(R"({"header":{}})").has_value());
}

BOOST_AUTO_TEST_CASE(grpc_errors_are_classified)
{
    using wire::reaction;
    auto c = [](int code, const char* msg) { return wire::classify({code, msg}); };
    BOOST_TEST((c(14, "etcdserver: request timed out") == reaction::retry_other_node));
    BOOST_TEST((c(2, "etcdserver: not a primary lessor") == reaction::retry_other_node));
    BOOST_TEST((c(5, "etcdserver: requested lease not found") == reaction::lease_not_found));
    BOOST_TEST((c(16, "etcdserver: invalid auth token") == reaction::reauthenticate));
    BOOST_TEST((c(3, "etcdserver: revision of auth store is old") == reaction::reauthenticate));
    BOOST_TEST((c(3, "etcdserver: user name is empty") == reaction::reauthenticate));
    BOOST_TEST((c(7, "etcdserver: permission denied") == reaction::reauthenticate));
    BOOST_TEST((c(9, "etcdserver: authentication is not enabled") == reaction::auth_not_enabled));
    BOOST_TEST((c(4, "context deadline exceeded") == reaction::retry));
    BOOST_TEST((c(9, "some precondition") == reaction::retry));
    BOOST_TEST((c(3, "etcdserver: authentication failed, invalid user ID or password") == reaction::fail));
}

BOOST_AUTO_TEST_CASE(srv_names_in_patroni_order)
{
    auto q = wire::srv_queries("example.com", "");
    BOOST_TEST_REQUIRE(q.size() == 6u);
    const char* names[] = {"_etcd-client-ssl._tcp.example.com", "_etcd-client._tcp.example.com",
                           "_etcd-ssl._tcp.example.com",        "_etcd._tcp.example.com",
                           "_etcd-server-ssl._tcp.example.com", "_etcd-server._tcp.example.com"};
    const char* protocols[] = {"https", "http", "https", "http", "https", "http"};
    const bool peer[] = {false, false, false, false, true, true};
    for (std::size_t i = 0; i < 6; ++i) {
        BOOST_TEST(q[i].name == names[i]);
        BOOST_TEST(q[i].protocol == protocols[i]);
        BOOST_TEST(q[i].peer == peer[i]);
    }
    auto s = wire::srv_queries("example.com", "dc1");
    BOOST_TEST(s[0].name == "_etcd-client-ssl-dc1._tcp.example.com");
    BOOST_TEST(s[3].name == "_etcd-dc1._tcp.example.com");
    BOOST_TEST(s[5].name == "_etcd-server-dc1._tcp.example.com");
    BOOST_TEST(s[1].protocol == "http");
}

BOOST_AUTO_TEST_CASE(peer_members_and_json_equality)
{
    auto urls = wire::parse_peer_members(
        R"([{"id":"8e9e05c52164694d","name":"a","peerURLs":["http://127.0.0.1:2380"],)"
        R"("clientURLs":["http://127.0.0.1:2379","http://10.0.0.1:2379"]},{"name":"b","clientURLs":[]}])");
    BOOST_TEST_REQUIRE(urls.has_value());
    BOOST_TEST(urls->size() == 2u);
    BOOST_TEST((*urls)[1] == "http://10.0.0.1:2379");
    BOOST_TEST(!wire::parse_peer_members(R"({"members":[]})").has_value());

    BOOST_TEST(wire::same_json(R"({"a":1,"b":[1,2]})", R"({"b":[1,2],"a":1})"));
    BOOST_TEST(!wire::same_json(R"({"a":1,"b":[1,2]})", R"({"b":[2,1],"a":1})"));
    BOOST_TEST(!wire::same_json(R"({"a":1})", R"({"a":1,"tags":{}})"));
    BOOST_TEST(!wire::same_json("not json", "not json either"));
}

BOOST_AUTO_TEST_CASE(raft_term_guard_detects_stale_nodes)
{
    wire::term_guard g;
    BOOST_TEST(g.observe("c1", 5));
    BOOST_TEST(g.observe("c1", 5));    // equal is fine
    BOOST_TEST(g.observe("c1", 7));
    BOOST_TEST(!g.observe("c1", 6));   // a node that missed an election
    BOOST_TEST(g.term() == 7);
    BOOST_TEST(g.observe("", 1));      // no header: ignored
    BOOST_TEST(g.observe("c1", 0));
    BOOST_TEST(g.term() == 7);
    BOOST_TEST(g.observe("c2", 2));    // another cluster: starts over
    BOOST_TEST(g.term() == 2);
    auto h = wire::parse_header_only(R"({"header":{"cluster_id":"14841639068965178418","member_id":"1",)"
                                     R"("revision":"9","raft_term":"3"}})");
    BOOST_TEST_REQUIRE(h.has_value());
    BOOST_TEST(h->raft_term == 3);
    BOOST_TEST(h->cluster_id == "14841639068965178418");
}

BOOST_AUTO_TEST_SUITE_END()
