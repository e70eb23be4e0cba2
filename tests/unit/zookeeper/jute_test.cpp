// Goal: the jute encoders produce ZooKeeper's exact byte layout, every
// decoder inverts its encoder, and malformed input (truncated records,
// negative or oversized lengths, element counts the frame cannot hold) is an
// error value, never a crash or a huge allocation. Method: compare encoded
// frames with byte strings written by hand from zookeeper.jute; round-trip
// records; feed every truncation of valid frames and hand-made hostile
// frames to the decoders.
#include <pgwarden/dcs/zookeeper/error.hpp>
#include <pgwarden/dcs/zookeeper/jute.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

using namespace pgwarden;
namespace zk = pgwarden::dcs::zookeeper;
namespace jute = pgwarden::dcs::zookeeper::jute;

namespace {

std::string bytes(std::initializer_list<int> v)
{
    std::string s;
    for (int b : v) s.push_back(static_cast<char>(b));
    return s;
}

std::string be32(std::int32_t v)
{
    jute::writer w;
    w.int32(v);
    return w.bytes();
}

jute::stat sample_stat()
{
    jute::stat s;
    s.czxid = 0x100000002;
    s.mzxid = 0x100000007;
    s.ctime = 1700000000123;
    s.mtime = 1700000000456;
    s.version = 3;
    s.cversion = 1;
    s.aversion = 0;
    s.ephemeral_owner = static_cast<std::int64_t>(0x8123456789abcdefULL);
    s.data_length = 5;
    s.num_children = 2;
    s.pzxid = 0x100000008;
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(zookeeper_jute)

BOOST_AUTO_TEST_CASE(primitives_are_big_endian)
{
    jute::writer w;
    w.int32(1);
    w.int32(-1);
    w.int64(0x0102030405060708);
    w.boolean(true);
    w.buffer(std::string_view("ab"));
    w.buffer(std::nullopt);
    BOOST_TEST(w.bytes() == bytes({0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 1, 0, 0, 0, 2, 'a',
                                   'b', 0xff, 0xff, 0xff, 0xff}));
    jute::reader r(w.bytes());
    BOOST_TEST(r.int32() == 1);
    BOOST_TEST(r.int32() == -1);
    BOOST_TEST(r.int64() == 0x0102030405060708);
    BOOST_TEST(r.boolean());
    BOOST_TEST(r.buffer() == "ab");
    BOOST_TEST(r.buffer() == "");   // null reads as empty
    BOOST_TEST(r.ok());
    BOOST_TEST(r.remaining() == 0u);
    r.int32();
    BOOST_TEST(!r.ok());
}

BOOST_AUTO_TEST_CASE(connect_request_layout)
{
    jute::connect_request c;
    c.timeout_ms = 30000;
    c.session_id = 0;
    const std::string f = jute::encode(c);
    // len(45) | protocolVersion 0 | lastZxidSeen 0 | timeOut 30000 | sessionId 0 | passwd[16] | readOnly
    std::string expected = be32(4 + 8 + 4 + 8 + 4 + 16 + 1);
    expected += be32(0) + std::string(8, '\0') + be32(30000) + std::string(8, '\0') + be32(16) +
                std::string(16, '\0') + std::string(1, '\0');
    BOOST_TEST(f == expected);
    auto back = jute::decode_connect_request(std::string_view(f).substr(4));
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((*back == c));
}

BOOST_AUTO_TEST_CASE(connect_response_round_trip_and_old_server)
{
    jute::connect_response c{0, 4000, 0x1234567890, std::string("0123456789abcdef"), true};
    const std::string f = jute::encode(c);
    auto back = jute::decode_connect_response(std::string_view(f).substr(4));
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((*back == c));
    // Without the trailing readOnly byte (servers before 3.4) it still parses.
    auto old = jute::decode_connect_response(std::string_view(f).substr(4, f.size() - 5));
    BOOST_TEST_REQUIRE(old.has_value());
    BOOST_TEST(old->session_id == 0x1234567890);
    BOOST_TEST(!old->read_only);
}

BOOST_AUTO_TEST_CASE(request_layouts)
{
    // create: xid | type 1 | path | data | acl vector | flags
    const std::string c = jute::encode_create(7, "/a", "x", jute::open_acl_unsafe(), jute::create_mode::ephemeral);
    const std::string body = be32(7) + be32(1) + be32(2) + "/a" + be32(1) + "x" + be32(1) + be32(31) + be32(5) +
                             "world" + be32(6) + "anyone" + be32(1);
    BOOST_TEST(c == be32(static_cast<std::int32_t>(body.size())) + body);

    BOOST_TEST(jute::encode_delete(8, "/a", 3) == be32(18) + be32(8) + be32(2) + be32(2) + "/a" + be32(3));
    BOOST_TEST(jute::encode_exists(9, "/a", true) ==
               be32(15) + be32(9) + be32(3) + be32(2) + "/a" + std::string(1, '\1'));
    BOOST_TEST(jute::encode_get_data(10, "/a", false) ==
               be32(15) + be32(10) + be32(4) + be32(2) + "/a" + std::string(1, '\0'));
    BOOST_TEST(jute::encode_set_data(11, "/a", "yz", -1) ==
               be32(24) + be32(11) + be32(5) + be32(2) + "/a" + be32(2) + "yz" + be32(-1));
    BOOST_TEST(jute::encode_get_children2(12, "/", true) ==
               be32(14) + be32(12) + be32(12) + be32(1) + "/" + std::string(1, '\1'));
    BOOST_TEST(jute::encode_ping() == be32(8) + be32(-2) + be32(11));
    BOOST_TEST(jute::encode_close(13) == be32(8) + be32(13) + be32(-11));
}

BOOST_AUTO_TEST_CASE(stat_is_68_bytes_and_round_trips)
{
    jute::writer w;
    w.stat(sample_stat());
    BOOST_TEST(w.bytes().size() == jute::stat_size);
    auto s = jute::decode_stat_response(w.bytes());
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST((*s == sample_stat()));
    BOOST_TEST(s->ephemeral_owner < 0);   // session ids use the sign bit
}

BOOST_AUTO_TEST_CASE(replies_round_trip)
{
    jute::writer body;
    body.buffer(std::string_view("hello"));
    body.stat(sample_stat());
    const std::string f = jute::encode_reply({42, 0x100000009, 0}, body.bytes());
    std::size_t used = 0;
    auto payload = jute::split_frame(f, used);
    BOOST_TEST_REQUIRE(payload.has_value());
    BOOST_TEST_REQUIRE(payload->has_value());
    BOOST_TEST(used == f.size());
    auto rep = jute::decode_reply(**payload);
    BOOST_TEST_REQUIRE(rep.has_value());
    BOOST_TEST(rep->header.xid == 42);
    BOOST_TEST(rep->header.zxid == 0x100000009);
    BOOST_TEST(rep->header.err == 0);
    auto data = jute::decode_get_data_response(rep->body);
    BOOST_TEST_REQUIRE(data.has_value());
    BOOST_TEST(data->data == "hello");
    BOOST_TEST((data->stat == sample_stat()));

    jute::writer kids;
    kids.int32(2);
    kids.buffer(std::string_view("leader"));
    kids.buffer(std::string_view("members"));
    kids.stat(sample_stat());
    auto ch = jute::decode_get_children2_response(kids.bytes());
    BOOST_TEST_REQUIRE(ch.has_value());
    BOOST_TEST(ch->children == (std::vector<std::string>{"leader", "members"}));

    jute::writer created;
    created.buffer(std::string_view("/service/demo/leader"));
    BOOST_TEST(jute::decode_create_response(created.bytes()).value() == "/service/demo/leader");

    const jute::watcher_event ev{jute::event_type::node_data_changed, jute::keeper_state::sync_connected, "/x"};
    auto evb = jute::decode_watcher_event(jute::encode_watcher_event(ev));
    BOOST_TEST_REQUIRE(evb.has_value());
    BOOST_TEST((*evb == ev));
}

BOOST_AUTO_TEST_CASE(split_frame_waits_for_whole_frames)
{
    const std::string f = jute::encode_ping() + jute::encode_close(1);
    std::size_t used = 99;
    for (std::size_t n = 0; n < 12; ++n) {
        auto r = jute::split_frame(std::string_view(f).substr(0, n), used);
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(!r->has_value());
        BOOST_TEST(used == 0u);
    }
    auto r = jute::split_frame(f, used);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->has_value());
    BOOST_TEST(used == 12u);
    auto second = jute::split_frame(std::string_view(f).substr(used), used);
    BOOST_TEST_REQUIRE(second->has_value());
    BOOST_TEST(**second == be32(1) + be32(-11));
}

BOOST_AUTO_TEST_CASE(oversized_and_negative_frames_are_errors)
{
    std::size_t used = 0;
    auto big = jute::split_frame(be32(0x7fffffff), used);
    BOOST_TEST(!big.has_value());
    BOOST_TEST((big.error() == zk::error::frame_too_large));
    BOOST_TEST((big.error() == condition::invalid_response));
    auto small_max = jute::split_frame(be32(100) + std::string(100, 'x'), used, 99);
    BOOST_TEST((small_max.error() == zk::error::frame_too_large));
    auto neg = jute::split_frame(be32(-5), used);
    BOOST_TEST((neg.error() == zk::error::malformed_frame));
    BOOST_TEST((jute::frame_length("abc").error() == zk::error::malformed_frame));
}

BOOST_AUTO_TEST_CASE(every_truncation_is_rejected)
{
    jute::writer body;
    body.int32(3);
    body.buffer(std::string_view("a"));
    body.buffer(std::string_view("bb"));
    body.buffer(std::string_view("ccc"));
    body.stat(sample_stat());
    const std::string kids = body.bytes();
    for (std::size_t n = 0; n < kids.size(); ++n)
        BOOST_TEST(!jute::decode_get_children2_response(std::string_view(kids).substr(0, n)).has_value());

    jute::writer d;
    d.buffer(std::string_view("payload"));
    d.stat(sample_stat());
    for (std::size_t n = 0; n < d.bytes().size(); ++n)
        BOOST_TEST(!jute::decode_get_data_response(std::string_view(d.bytes()).substr(0, n)).has_value());

    const std::string cr = jute::encode(jute::connect_response{0, 4000, 5, std::string(16, 'p'), false});
    // Everything before the optional readOnly byte is required.
    for (std::size_t n = 0; n + 1 < cr.size() - 4; ++n)
        BOOST_TEST(!jute::decode_connect_response(std::string_view(cr).substr(4, n)).has_value());
    for (std::size_t n = 0; n < 16; ++n) BOOST_TEST(!jute::decode_reply(std::string(n, '\0')).has_value());
    BOOST_TEST(jute::decode_reply(std::string(16, '\0')).has_value());
}

BOOST_AUTO_TEST_CASE(hostile_lengths_are_rejected_without_allocating)
{
    // A string claiming 2 GiB in a 10-byte body.
    BOOST_TEST((jute::decode_create_response(be32(0x7fffffff) + "abcdef").error() == zk::error::malformed_frame));
    // A negative length other than -1.
    BOOST_TEST(!jute::decode_create_response(be32(-2)).has_value());
    // A vector claiming 100 million children.
    BOOST_TEST(!jute::decode_get_children2_response(be32(100000000) + std::string(80, '\0')).has_value());
    BOOST_TEST(!jute::decode_get_children2_response(be32(-7) + std::string(80, '\0')).has_value());
    // Null vector and null strings are tolerated as empty.
    jute::writer w;
    w.int32(-1);
    w.stat({});
    auto ok = jute::decode_get_children2_response(w.bytes());
    BOOST_TEST_REQUIRE(ok.has_value());
    BOOST_TEST(ok->children.empty());
}

BOOST_AUTO_TEST_CASE(server_errors_map_to_conditions)
{
    BOOST_TEST((zk::from_server(-101) == zk::error::no_node));
    BOOST_TEST((zk::from_server(-101) == condition::not_found));
    BOOST_TEST((zk::from_server(-110) == condition::cas_conflict));
    BOOST_TEST((zk::from_server(-103) == condition::cas_conflict));
    BOOST_TEST((zk::from_server(-4) == condition::unavailable));
    BOOST_TEST((zk::from_server(-112) == condition::unavailable));
    BOOST_TEST((zk::from_server(-102) == condition::unauthorized));
    BOOST_TEST((zk::make_error_code(zk::error::not_connected) == condition::unavailable));
    BOOST_TEST(zk::from_server(-110).message() == "ZooKeeper node already exists");
    BOOST_TEST(zk::from_server(-9999).message() == "ZooKeeper error -9999");
}

BOOST_AUTO_TEST_SUITE_END()
