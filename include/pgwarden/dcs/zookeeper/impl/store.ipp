#pragma once
#include <pgwarden/dcs/codec.hpp>
#include <pgwarden/dcs/keys.hpp>
#include <pgwarden/dcs/zookeeper/store.hpp>

#include <algorithm>
#include <vector>

// GCC 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known
// false positive after inlining; see etcd3/impl/client.ipp). This file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace pgwarden::dcs::zookeeper {
namespace detail {
inline bool has_child(const std::vector<std::string>& names, std::string_view k)
{
    return std::find(names.begin(), names.end(), k) != names.end();
}

/// Patroni's touch_member test: may the member node be updated in place, or
/// must it be re-created so that the leader notices (a children event)?
inline bool same_important_fields(const member_data& a, const member_data& b)
{
    auto ta = a.tags, tb = b.tags;
    std::sort(ta.begin(), ta.end());
    std::sort(tb.begin(), tb.end());
    return ta == tb && (a.state == b.state || (a.state != "running" && b.state != "running")) &&
           a.version == b.version && a.checkpoint_after_promote == b.checkpoint_after_promote;
}
} // namespace detail

PGWARDEN_DECL store::store(boost::asio::any_io_executor ex, store_config cfg)
    : cfg_(std::move(cfg)), base_(base_path(cfg_.namespace_name, cfg_.scope)), session_(ex, cfg_.session)
{
}

PGWARDEN_DECL task<result<void>> store::start()
{
    return session_.connect();
}

PGWARDEN_DECL task<result<void>> store::make_parents(std::string path)
{
    std::size_t pos = 1;
    while ((pos = path.find('/', pos)) != std::string::npos) {
        auto r = co_await session_.create(path.substr(0, pos), "");
        if (!r && r.error() != error::node_exists) co_return fail(r.error());
        ++pos;
    }
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> store::read_entry(std::string relative, bool watch, std::vector<raw_entry>& out)
{
    auto n = co_await session_.get(full_key(base_, relative), watch);
    if (!n) {
        if (n.error() == error::no_node) co_return result<void>{};   // deleted since the listing
        co_return fail(n.error());
    }
    raw_entry e;
    e.key = relative;
    e.value = std::move(n->data);
    e.version = n->stat.version;
    if (n->stat.ephemeral_owner != 0) e.session = std::to_string(n->stat.ephemeral_owner);
    if (relative == key::config) e.modify_version = n->stat.mzxid;
    if (relative == key::history) e.version = n->stat.mzxid;
    out.push_back(std::move(e));
    co_return result<void>{};
}

PGWARDEN_DECL task<result<cluster_snapshot>> store::load_cluster()
{
    std::vector<raw_entry> entries;
    auto kids = co_await session_.get_children(base_, true);
    if (!kids) {
        if (kids.error() == error::no_node) co_return cluster_snapshot{};
        co_return fail(kids.error());
    }
    const auto& names = kids->children;
    for (std::string_view k : {key::initialize, key::config, key::history, key::sync, key::leader, key::failover,
                               key::failsafe}) {
        if (!detail::has_child(names, k)) continue;
        const bool watch = k != key::initialize && k != key::leader;
        auto r = co_await read_entry(std::string(k), watch, entries);
        if (!r) co_return fail(r.error());
    }
    std::optional<std::string> leader_name;
    for (const auto& e : entries)
        if (e.key == key::leader) leader_name = e.value;
    // Status is watched only by those who do not write it.
    const bool watch_status = leader_name != cfg_.name;
    if (detail::has_child(names, key::status)) {
        auto r = co_await read_entry(std::string(key::status), watch_status, entries);
        if (!r) co_return fail(r.error());
    }
    if (!detail::has_child(names, key::status) && detail::has_child(names, "optime")) {
        auto r = co_await read_entry(std::string(key::legacy_optime), watch_status, entries);
        if (!r) co_return fail(r.error());
    }
    if (detail::has_child(names, "members")) {
        auto members = co_await session_.get_children(full_key(base_, "members"), true);
        if (!members && members.error() != error::no_node) co_return fail(members.error());
        if (members)
            for (const auto& m : members->children) {
                auto r = co_await read_entry(member_key(m), false, entries);
                if (!r) co_return fail(r.error());
            }
    }
    codec_warnings warnings;
    cluster_snapshot snap = build_snapshot(entries, warnings);
    leader_ = snap.leader;
    member_.reset();
    for (const auto& m : snap.members)
        if (m.name == cfg_.name) member_ = m;
    co_return snap;
}

PGWARDEN_DECL task<result<bool>> store::acquire_leader(const leader_claim& claim)
{
    const std::string path = full_key(base_, key::leader);
    auto r = co_await session_.create(path, claim.name, jute::create_mode::ephemeral);
    if (!r && r.error() == error::no_node) {
        auto p = co_await make_parents(path);
        if (!p) co_return fail(p.error());
        r = co_await session_.create(path, claim.name, jute::create_mode::ephemeral);
    }
    if (!r) {
        if (r.error() == error::node_exists) co_return false;
        co_return fail(r.error());
    }
    leader_ = leader_record{claim.name, 0, our_session()};
    co_return true;
}

PGWARDEN_DECL task<result<bool>> store::renew_leader(const leader_claim& claim)
{
    if (!leader_ || leader_->name != claim.name) co_return false;
    if (leader_->session == our_session()) co_return true;
    // Ours by name but owned by another (older) session: re-create it.
    const std::string path = full_key(base_, key::leader);
    auto d = co_await session_.remove(path);
    if (!d && d.error() != error::no_node) {
        if (d.error() == condition::unavailable || d.error() == condition::timeout) co_return fail(d.error());
        co_return false;
    }
    auto c = co_await session_.create(path, claim.name, jute::create_mode::ephemeral);
    if (!c && c.error() == error::no_node) {
        auto p = co_await make_parents(path);
        if (!p) co_return fail(p.error());
        c = co_await session_.create(path, claim.name, jute::create_mode::ephemeral);
    }
    if (!c) {
        if (c.error() == condition::unavailable || c.error() == condition::timeout) co_return fail(c.error());
        co_return false;
    }
    leader_ = leader_record{claim.name, 0, our_session()};
    co_return true;
}

PGWARDEN_DECL task<result<bool>> store::release_leader()
{
    auto c = co_await session_.close();
    if (!c) co_return fail(c.error());
    auto r = co_await session_.connect();
    if (!r) co_return fail(r.error());
    co_return true;
}

PGWARDEN_DECL task<result<void>> store::publish_member(const member_data& me)
{
    const std::string path = full_key(base_, member_key(cfg_.name));
    const std::string value = encode_member(me);
    std::optional<member_data> previous = last_written_;
    if (!previous && member_) previous = member_->data;
    bool exists = member_.has_value();
    if (exists && (member_->session != our_session() || !previous ||
                   !detail::same_important_fields(*previous, me))) {
        auto d = co_await session_.remove(path);
        if (!d && d.error() != error::no_node) co_return fail(d.error());
        exists = false;
        member_.reset();
    }
    if (exists && previous && encode_member(*previous) == value) co_return result<void>{};
    if (!exists || !previous) {
        auto c = co_await session_.create(path, value, jute::create_mode::ephemeral);
        if (!c && c.error() == error::no_node) {
            auto p = co_await make_parents(path);
            if (!p) co_return fail(p.error());
            c = co_await session_.create(path, value, jute::create_mode::ephemeral);
        }
        if (c) {
            last_written_ = me;
            member_ = member_record{cfg_.name, 0, our_session(), me};
            co_return result<void>{};
        }
        if (c.error() != error::node_exists) co_return fail(c.error());
    }
    auto s = co_await session_.set(path, value);
    if (!s) co_return fail(s.error());
    last_written_ = me;
    member_ = member_record{cfg_.name, s->version, our_session(), me};
    co_return result<void>{};
}

PGWARDEN_DECL task<result<bool>> store::try_initialize(const std::string& sysid)
{
    const std::string path = full_key(base_, key::initialize);
    auto r = co_await session_.create(path, sysid);
    if (!r && r.error() == error::no_node) {
        auto p = co_await make_parents(path);
        if (!p) co_return fail(p.error());
        r = co_await session_.create(path, sysid);
    }
    if (!r) {
        if (r.error() == error::node_exists) co_return false;
        co_return fail(r.error());
    }
    co_return true;
}

PGWARDEN_DECL task<result<std::optional<std::int32_t>>> store::set_value(std::string_view relative,
                                                                        std::string value,
                                                                        std::optional<std::int32_t> version)
{
    const std::string path = full_key(base_, relative);
    // Patroni: `version or -1`, so 0 is unconditional too.
    const std::int32_t v = version && *version != 0 ? *version : -1;
    auto s = co_await session_.set(path, value, v);
    if (s) co_return std::optional<std::int32_t>{s->version};
    if (s.error() == error::bad_version) co_return std::optional<std::int32_t>{};
    if (s.error() != error::no_node) co_return fail(s.error());
    if (v != -1) co_return std::optional<std::int32_t>{};
    auto p = co_await make_parents(path);
    if (!p) co_return fail(p.error());
    auto c = co_await session_.create(path, value);
    if (!c) {
        if (c.error() == error::node_exists) co_return std::optional<std::int32_t>{};
        co_return fail(c.error());
    }
    co_return std::optional<std::int32_t>{0};
}

} // namespace pgwarden::dcs::zookeeper

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
