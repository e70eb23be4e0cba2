// Goal: each checker (S1-S5) flags exactly the histories it exists for, and
// the fakes it relies on (timeline tree, backend leases) behave as specified.
// Method: feed the checker hand-made facts, one legal and one illegal per
// invariant; drive fake_dcs directly through lease expiry for each backend.
#include "checkers.hpp"
#include "fake_dcs.hpp"
#include "fake_pg.hpp"

#include <boost/test/unit_test.hpp>

using namespace pgwarden;
using namespace pgwarden::sim;

BOOST_AUTO_TEST_SUITE(sim_checkers)

BOOST_AUTO_TEST_CASE(s1_flags_two_writers_and_honours_the_allowance)
{
    checker strict(0);
    strict.writers(0, {0});
    BOOST_TEST(strict.ok());
    strict.writers(10, {0, 1});
    BOOST_TEST(!strict.ok());
    BOOST_TEST(strict.violations()[0].code == "S1");

    checker lenient(1000);   // Consul: a session may outlive its TTL
    lenient.writers(0, {0, 1});
    lenient.writers(999, {0, 1});
    BOOST_TEST(lenient.ok());
    lenient.writers(1000, {0, 1});
    BOOST_TEST(!lenient.ok());
}

promotion_fact good_promotion()
{
    promotion_fact p;
    p.node = 1;
    p.name = "node2";
    p.holder = 1;
    p.new_timeline = 2;
    p.position = 1000;
    p.leader_optime = 1500;
    p.maximum_lag = 1000;
    return p;
}

BOOST_AUTO_TEST_CASE(s2_to_s5_flag_bad_promotions)
{
    checker c;
    c.promoted(good_promotion());
    BOOST_TEST(c.ok());

    auto p = good_promotion();
    p.holder = 0;
    p.new_timeline = 3;
    checker s2;
    s2.promoted(p);
    BOOST_TEST((s2.violations().size() == 1 && s2.violations()[0].code == "S2"));

    checker s3;
    s3.promoted(good_promotion());
    s3.promoted(good_promotion());   // timeline 2 again
    BOOST_TEST((s3.violations().size() == 1 && s3.violations()[0].code == "S3"));

    p = good_promotion();
    p.strict = true;
    p.has_acknowledged = false;
    checker s4;
    s4.promoted(p);
    BOOST_TEST((s4.violations().size() == 1 && s4.violations()[0].code == "S4"));

    p = good_promotion();
    p.position = 100;   // 1400 bytes behind, limit 1000
    checker s5;
    s5.promoted(p);
    BOOST_TEST((s5.violations().size() == 1 && s5.violations()[0].code == "S5"));
    p.manual = true;    // a manual failover skips the lag check (ha-loop.md 7.3)
    checker s5m;
    s5m.promoted(p);
    BOOST_TEST(s5m.ok());
}

BOOST_AUTO_TEST_CASE(timeline_tree_detects_divergence)
{
    timeline_tree t;
    const auto tl2 = t.fork(1, 800);
    BOOST_TEST(t.number(tl2) == 2);
    BOOST_TEST(t.contains(tl2, 2000, 1, 800));     // the common prefix
    BOOST_TEST(!t.contains(tl2, 2000, 1, 1000));   // the old primary wrote past the fork
    BOOST_TEST(t.common(tl2, 2000, 1, 1000) == 800u);
    const auto other = t.fork(1, 900);             // a second promotion from timeline 1
    BOOST_TEST(t.number(other) == 2);              // the same number: S3's case
    BOOST_TEST(!t.contains(other, 1000, tl2, 850));
}

BOOST_AUTO_TEST_CASE(leases_expire_per_backend)
{
    for (backend b : {backend::etcd3, backend::zookeeper, backend::consul}) {
        rng r(1);
        fake_dcs d(b, {"node1", "node2"}, &r);
        BOOST_TEST((d.acquire_leader(0, 0, 30000, 0) == op_status::ok));
        BOOST_TEST((d.acquire_leader(1, 0, 30000, 0) == op_status::lost));
        BOOST_TEST(d.leader_holder(1000) == 0);
        d.advance(29999);
        if (b != backend::consul) BOOST_TEST(d.leader_holder(29999) == 0);
        d.advance(30000);
        BOOST_TEST(d.leader_holder(30000) == -1);
        BOOST_TEST((d.acquire_leader(1, 30001, 30000, 0) == op_status::ok));
        BOOST_TEST((d.renew_leader(0, 30002, 30000, 0) == op_status::lost));
    }
}

BOOST_AUTO_TEST_CASE(consul_session_may_expire_at_half_ttl)
{
    rng r(3);
    fake_dcs d(backend::consul, {"node1"}, &r);
    BOOST_TEST((d.acquire_leader(0, 0, 30000, 0) == op_status::ok));
    d.advance(14999);
    BOOST_TEST(d.leader_holder(14999) == 0);   // never before ttl/2
    BOOST_TEST(d.next_deadline() >= 15000);
    BOOST_TEST(d.next_deadline() <= 30000);
}

BOOST_AUTO_TEST_CASE(kubernetes_expiry_is_decided_by_the_reader)
{
    rng r(1);
    fake_dcs d(backend::kubernetes, {"node1", "node2"}, &r);
    BOOST_TEST((d.acquire_leader(0, 0, 30000, 0) == op_status::ok));
    // node2 first sees the record at its local time 5000: valid until 35000 there.
    auto s = d.snapshot(1, 0, 5000, 30000);
    BOOST_REQUIRE(s.leader.has_value());
    BOOST_TEST(s.leader->name == "node1");
    s = d.snapshot(1, 100000, 35000, 30000);
    BOOST_TEST(s.leader->name == "node1");
    s = d.snapshot(1, 100000, 35001, 30000);
    BOOST_TEST(s.is_unlocked());
    // The expired record is taken by CAS on the version the reader saw.
    BOOST_TEST((d.acquire_leader(1, 100000, 30000, s.leader->version - 1) == op_status::lost));
    BOOST_TEST((d.acquire_leader(1, 100000, 30000, s.leader->version) == op_status::ok));
    BOOST_TEST(d.leader_holder(100001) == 1);
}

BOOST_AUTO_TEST_CASE(zookeeper_release_drops_the_member_key_too)
{
    rng r(1);
    fake_dcs d(backend::zookeeper, {"node1"}, &r);
    BOOST_TEST((d.publish_member(0, 0, 30000, {}) == op_status::ok));
    BOOST_TEST((d.acquire_leader(0, 0, 30000, 0) == op_status::ok));
    BOOST_TEST(d.snapshot(0, 1, -1, 30000).members.size() == 1u);
    BOOST_TEST((d.release_leader(0, 1, 0) == op_status::ok));
    const auto s = d.snapshot(0, 2, -1, 30000);
    BOOST_TEST(s.is_unlocked());
    BOOST_TEST(s.members.empty());
}

BOOST_AUTO_TEST_SUITE_END()
