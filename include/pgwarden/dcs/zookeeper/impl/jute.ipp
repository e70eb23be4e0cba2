#pragma once
#include <pgwarden/dcs/zookeeper/jute.hpp>

#include <limits>

namespace pgwarden::dcs::zookeeper::jute {

PGWARDEN_DECL const std::vector<acl>& open_acl_unsafe()
{
    static const std::vector<acl> v{acl{}};
    return v;
}

// ---- writer -------------------------------------------------------------

PGWARDEN_DECL void writer::int32(std::int32_t v)
{
    const auto u = static_cast<std::uint32_t>(v);
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>((u >> shift) & 0xff));
}

PGWARDEN_DECL void writer::int64(std::int64_t v)
{
    const auto u = static_cast<std::uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<char>((u >> shift) & 0xff));
}

PGWARDEN_DECL void writer::buffer(std::optional<std::string_view> v)
{
    if (!v) {
        int32(-1);
        return;
    }
    int32(static_cast<std::int32_t>(v->size()));
    out_.append(*v);
}

PGWARDEN_DECL void writer::acls(const std::vector<acl>& v)
{
    int32(static_cast<std::int32_t>(v.size()));
    for (const auto& a : v) {
        int32(a.perms);
        buffer(a.scheme);
        buffer(a.id);
    }
}

PGWARDEN_DECL void writer::stat(const jute::stat& s)
{
    int64(s.czxid);
    int64(s.mzxid);
    int64(s.ctime);
    int64(s.mtime);
    int32(s.version);
    int32(s.cversion);
    int32(s.aversion);
    int64(s.ephemeral_owner);
    int32(s.data_length);
    int32(s.num_children);
    int64(s.pzxid);
}

// ---- reader -------------------------------------------------------------

PGWARDEN_DECL bool reader::take(std::size_t n) noexcept
{
    if (!ok_ || remaining() < n) {
        ok_ = false;
        return false;
    }
    return true;
}

PGWARDEN_DECL std::int32_t reader::int32() noexcept
{
    if (!take(4)) return 0;
    std::uint32_t u = 0;
    for (int i = 0; i < 4; ++i) u = (u << 8) | static_cast<unsigned char>(in_[pos_++]);
    return static_cast<std::int32_t>(u);
}

PGWARDEN_DECL std::int64_t reader::int64() noexcept
{
    if (!take(8)) return 0;
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(in_[pos_++]);
    return static_cast<std::int64_t>(u);
}

PGWARDEN_DECL bool reader::boolean() noexcept
{
    if (!take(1)) return false;
    return in_[pos_++] != '\0';
}

PGWARDEN_DECL std::string reader::buffer()
{
    const std::int32_t n = int32();
    if (!ok_ || n == -1) return {};
    if (n < 0 || !take(static_cast<std::size_t>(n))) {
        ok_ = false;
        return {};
    }
    std::string out(in_.substr(pos_, static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    return out;
}

PGWARDEN_DECL std::vector<std::string> reader::strings()
{
    const std::int32_t n = int32();
    if (!ok_ || n == -1) return {};
    // Each element needs at least its 4-byte length: reject counts the
    // remaining bytes cannot hold before reserving anything.
    if (n < 0 || static_cast<std::size_t>(n) > remaining() / 4) {
        ok_ = false;
        return {};
    }
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(n));
    for (std::int32_t i = 0; i < n && ok_; ++i) out.push_back(buffer());
    if (!ok_) return {};
    return out;
}

PGWARDEN_DECL jute::stat reader::stat() noexcept
{
    jute::stat s;
    s.czxid = int64();
    s.mzxid = int64();
    s.ctime = int64();
    s.mtime = int64();
    s.version = int32();
    s.cversion = int32();
    s.aversion = int32();
    s.ephemeral_owner = int64();
    s.data_length = int32();
    s.num_children = int32();
    s.pzxid = int64();
    return ok_ ? s : jute::stat{};
}

// ---- frames -------------------------------------------------------------

PGWARDEN_DECL std::string frame(std::string_view payload)
{
    writer w;
    w.int32(static_cast<std::int32_t>(payload.size()));
    w.bytes().append(payload);
    return std::move(w.bytes());
}

PGWARDEN_DECL result<std::size_t> frame_length(std::string_view prefix, std::size_t max_frame)
{
    reader r(prefix);
    const std::int32_t n = r.int32();
    if (!r.ok() || n < 0) return error::malformed_frame;
    if (static_cast<std::size_t>(n) > max_frame) return error::frame_too_large;
    return static_cast<std::size_t>(n);
}

PGWARDEN_DECL result<std::optional<std::string_view>> split_frame(std::string_view buffer, std::size_t& consumed,
                                                                  std::size_t max_frame)
{
    consumed = 0;
    if (buffer.size() < 4) return std::optional<std::string_view>{};
    auto n = frame_length(buffer.substr(0, 4), max_frame);
    if (!n) return n.error();
    if (buffer.size() - 4 < *n) return std::optional<std::string_view>{};
    consumed = 4 + *n;
    return std::optional<std::string_view>{buffer.substr(4, *n)};
}

// ---- encoders -----------------------------------------------------------

namespace {

writer request(std::int32_t xid, op type)
{
    writer w;
    w.int32(xid);
    w.int32(static_cast<std::int32_t>(type));
    return w;
}

std::string path_request(std::int32_t xid, op type, std::string_view path, bool watch)
{
    writer w = request(xid, type);
    w.buffer(path);
    w.boolean(watch);
    return frame(w.bytes());
}

} // namespace

PGWARDEN_DECL std::string encode(const connect_request& r)
{
    writer w;
    w.int32(r.protocol_version);
    w.int64(r.last_zxid_seen);
    w.int32(r.timeout_ms);
    w.int64(r.session_id);
    w.buffer(r.passwd);
    w.boolean(r.read_only);
    return frame(w.bytes());
}

PGWARDEN_DECL std::string encode(const connect_response& r)
{
    writer w;
    w.int32(r.protocol_version);
    w.int32(r.timeout_ms);
    w.int64(r.session_id);
    w.buffer(r.passwd);
    w.boolean(r.read_only);
    return frame(w.bytes());
}

PGWARDEN_DECL std::string encode_create(std::int32_t xid, std::string_view path, std::string_view data,
                                        const std::vector<acl>& acls, create_mode mode)
{
    writer w = request(xid, op::create);
    w.buffer(path);
    w.buffer(data);
    w.acls(acls);
    w.int32(static_cast<std::int32_t>(mode));
    return frame(w.bytes());
}

PGWARDEN_DECL std::string encode_delete(std::int32_t xid, std::string_view path, std::int32_t version)
{
    writer w = request(xid, op::remove);
    w.buffer(path);
    w.int32(version);
    return frame(w.bytes());
}

PGWARDEN_DECL std::string encode_exists(std::int32_t xid, std::string_view path, bool watch)
{
    return path_request(xid, op::exists, path, watch);
}

PGWARDEN_DECL std::string encode_get_data(std::int32_t xid, std::string_view path, bool watch)
{
    return path_request(xid, op::get_data, path, watch);
}

PGWARDEN_DECL std::string encode_set_data(std::int32_t xid, std::string_view path, std::string_view data,
                                          std::int32_t version)
{
    writer w = request(xid, op::set_data);
    w.buffer(path);
    w.buffer(data);
    w.int32(version);
    return frame(w.bytes());
}

PGWARDEN_DECL std::string encode_get_children2(std::int32_t xid, std::string_view path, bool watch)
{
    return path_request(xid, op::get_children2, path, watch);
}

PGWARDEN_DECL std::string encode_ping()
{
    return frame(request(ping_xid, op::ping).bytes());
}

PGWARDEN_DECL std::string encode_close(std::int32_t xid)
{
    return frame(request(xid, op::close_session).bytes());
}

PGWARDEN_DECL std::string encode_reply(const reply_header& h, std::string_view body)
{
    writer w;
    w.int32(h.xid);
    w.int64(h.zxid);
    w.int32(h.err);
    w.bytes().append(body);
    return frame(w.bytes());
}

PGWARDEN_DECL std::string encode_watcher_event(const watcher_event& e)
{
    writer w;
    w.int32(static_cast<std::int32_t>(e.type));
    w.int32(static_cast<std::int32_t>(e.state));
    w.buffer(e.path);
    return std::move(w.bytes());
}

// ---- decoders -----------------------------------------------------------

PGWARDEN_DECL result<connect_request> decode_connect_request(std::string_view payload)
{
    reader r(payload);
    connect_request c;
    c.protocol_version = r.int32();
    c.last_zxid_seen = r.int64();
    c.timeout_ms = r.int32();
    c.session_id = r.int64();
    c.passwd = r.buffer();
    if (!r.ok()) return error::malformed_frame;
    c.read_only = r.remaining() > 0 && r.boolean();
    return c;
}

PGWARDEN_DECL result<connect_response> decode_connect_response(std::string_view payload)
{
    reader r(payload);
    connect_response c;
    c.protocol_version = r.int32();
    c.timeout_ms = r.int32();
    c.session_id = r.int64();
    c.passwd = r.buffer();
    if (!r.ok()) return error::malformed_frame;
    // readOnly was added in 3.4; a server that predates it stops here.
    c.read_only = r.remaining() > 0 && r.boolean();
    return c;
}

PGWARDEN_DECL result<reply> decode_reply(std::string_view payload)
{
    reader r(payload);
    reply out;
    out.header.xid = r.int32();
    out.header.zxid = r.int64();
    out.header.err = r.int32();
    if (!r.ok()) return error::malformed_frame;
    out.body = r.rest();
    return out;
}

PGWARDEN_DECL result<watcher_event> decode_watcher_event(std::string_view body)
{
    reader r(body);
    watcher_event e;
    e.type = static_cast<event_type>(r.int32());
    e.state = static_cast<keeper_state>(r.int32());
    e.path = r.buffer();
    if (!r.ok()) return error::malformed_frame;
    return e;
}

PGWARDEN_DECL result<std::string> decode_create_response(std::string_view body)
{
    reader r(body);
    std::string path = r.buffer();
    if (!r.ok()) return error::malformed_frame;
    return path;
}

PGWARDEN_DECL result<jute::stat> decode_stat_response(std::string_view body)
{
    reader r(body);
    const jute::stat s = r.stat();
    if (!r.ok()) return error::malformed_frame;
    return s;
}

PGWARDEN_DECL result<data_response> decode_get_data_response(std::string_view body)
{
    reader r(body);
    data_response d;
    d.data = r.buffer();
    d.stat = r.stat();
    if (!r.ok()) return error::malformed_frame;
    return d;
}

PGWARDEN_DECL result<children_response> decode_get_children2_response(std::string_view body)
{
    reader r(body);
    children_response c;
    c.children = r.strings();
    c.stat = r.stat();
    if (!r.ok()) return error::malformed_frame;
    return c;
}

} // namespace pgwarden::dcs::zookeeper::jute
