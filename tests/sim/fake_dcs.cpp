// The fake DCS: see fake_dcs.hpp for the lease model of each backend.
#include "fake_dcs.hpp"

#include <pgwarden/core/assert.hpp>

#include <algorithm>
#include <limits>
#include <utility>

namespace pgwarden::sim {

const char* to_string(backend b) noexcept
{
    switch (b) {
    case backend::etcd3: return "etcd3";
    case backend::zookeeper: return "zookeeper";
    case backend::consul: return "consul";
    case backend::kubernetes: return "kubernetes";
    }
    return "?";
}

bool parse_backend(const std::string& text, backend& out) noexcept
{
    for (backend b : {backend::etcd3, backend::zookeeper, backend::consul, backend::kubernetes})
        if (text == to_string(b)) {
            out = b;
            return true;
        }
    return false;
}

fake_dcs::fake_dcs(backend kind, std::vector<std::string> names, rng* random)
    : kind_(kind), random_(random)
{
    PGWARDEN_ASSERT(random_ != nullptr);
    for (auto& n : names) add_node(std::move(n));
}

void fake_dcs::add_node(std::string name)
{
    names_.push_back(std::move(name));
    sessions_.emplace_back();
    members_.emplace_back();
    observed_.emplace_back();
}

int fake_dcs::index_of_scan(const std::string& name) const noexcept
{
    for (std::size_t i = 0; i < names_.size(); ++i)
        if (names_[i] == name) return static_cast<int>(i);
    return -1;
}

void fake_dcs::forget_session(int /*i*/) noexcept {}

// ---- sessions -------------------------------------------------------------

bool fake_dcs::ensure_session(int i, vtime now, std::int64_t ttl_ms)
{
    auto& s = sessions_[static_cast<std::size_t>(i)];
    switch (kind_) {
    case backend::kubernetes:
        return true;   // no sessions: the leader record is a plain object
    case backend::etcd3:
    case backend::zookeeper:
        // etcd: keepalive, or a new lease when the old one expired.
        // ZooKeeper: any request is contact and extends the session.
        if (s.id == 0) s.id = next_session_++;
        s.deadline = now + ttl_ms;
        low_deadline_ = std::min(low_deadline_, s.deadline);
        return true;
    case backend::consul: {
        // Session TTL is ttl/2 (dcs.md 7.2); Consul invalidates it some time
        // between one and two TTLs after the last renewal.
        if (s.id == 0) s.id = next_session_++;
        const std::int64_t half = ttl_ms / 2;
        s.deadline = now + half + static_cast<std::int64_t>(random_->uniform(0, static_cast<std::uint64_t>(half)));
        low_deadline_ = std::min(low_deadline_, s.deadline);
        return true;
    }
    }
    return false;
}

void fake_dcs::expire_session(int i)
{
    auto& s = sessions_[static_cast<std::size_t>(i)];
    if (s.id == 0) return;
    if (leader_.exists && leader_.session == s.id) drop_leader();
    auto& m = members_[static_cast<std::size_t>(i)];
    if (m.exists && m.session == s.id) m.exists = false;
    s.id = 0;
    (void)bump();   // the keys changed: a new revision (and a stale snapshot cache)
}

void fake_dcs::expire_due(vtime now)
{
    for (std::size_t i = 0; i < sessions_.size(); ++i)
        if (sessions_[i].id != 0 && sessions_[i].deadline <= now) expire_session(static_cast<int>(i));
    low_deadline_ = std::numeric_limits<vtime>::max();
    for (const auto& x : sessions_)
        if (x.id != 0) low_deadline_ = std::min(low_deadline_, x.deadline);
}

vtime fake_dcs::next_deadline() const noexcept
{
    vtime best = -1;
    if (kind_ == backend::kubernetes) return best;
    for (const auto& s : sessions_)
        if (s.id != 0 && (best < 0 || s.deadline < best)) best = s.deadline;
    return best;
}

void fake_dcs::heartbeat(int i, vtime now, std::int64_t ttl_ms)
{
    if (kind_ != backend::zookeeper) return;
    auto& s = sessions_[static_cast<std::size_t>(i)];
    if (s.id != 0) s.deadline = now + ttl_ms;
    low_deadline_ = std::min(low_deadline_, s.deadline);
}

// ---- leader key -----------------------------------------------------------

void fake_dcs::set_leader(int owner, std::int64_t session, vtime now, std::int64_t ttl_ms)
{
    if (!leader_.exists || leader_.owner != owner) ++leader_epoch_;
    leader_.exists = true;
    leader_.owner = owner;
    leader_.session = session;
    leader_.version = bump();
    leader_.renewed = now;
    leader_.ttl_ms = ttl_ms;
}

void fake_dcs::drop_leader()
{
    if (kind_ == backend::kubernetes) {
        // The object stays; the `leader` annotation is removed.
        if (leader_.owner >= 0) ++leader_epoch_;
        leader_.owner = -1;
        leader_.session = 0;
        leader_.version = bump();
        return;
    }
    if (leader_.exists) ++leader_epoch_;
    leader_ = leader_key{};
}

op_status fake_dcs::acquire_leader(int i, vtime now, std::int64_t ttl_ms, dcs::dcs_version seen)
{
    if (kind_ == backend::kubernetes) {
        // PATCH with the resourceVersion seen when the expired record was
        // observed; POST when the object does not exist (dcs.md 8.4).
        if (leader_.exists && leader_.version != seen) return op_status::lost;
        set_leader(i, 0, now, ttl_ms);
        return op_status::ok;
    }
    ensure_session(i, now, ttl_ms);
    if (leader_.exists) return op_status::lost;   // create-only
    set_leader(i, sessions_[static_cast<std::size_t>(i)].id, now, ttl_ms);
    return op_status::ok;
}

op_status fake_dcs::renew_leader(int i, vtime now, std::int64_t ttl_ms, dcs::dcs_version seen)
{
    const std::int64_t me = sessions_[static_cast<std::size_t>(i)].id;
    switch (kind_) {
    case backend::etcd3: {
        ensure_session(i, now, ttl_ms);
        const std::int64_t lease = sessions_[static_cast<std::size_t>(i)].id;
        if (leader_.exists && leader_.owner != i) return op_status::lost;
        if (leader_.exists && leader_.session == lease) {
            leader_.renewed = now;   // the keepalive alone is the refresh
            return op_status::ok;
        }
        // Lease regranted: txn VALUE == name -> put with the new lease, or
        // CREATE == 0 -> put (the key expired and nobody took it).
        set_leader(i, lease, now, ttl_ms);
        return op_status::ok;
    }
    case backend::zookeeper: {
        ensure_session(i, now, ttl_ms);
        const std::int64_t session = sessions_[static_cast<std::size_t>(i)].id;
        if (leader_.exists && leader_.session == session) return op_status::ok;   // heartbeat keeps it
        // Patroni deletes and re-creates the node on an ownership mismatch.
        // It only calls this when its snapshot named it; we additionally
        // refuse when the node now names someone else (see
        // docs/design/simulation.md, "ZooKeeper update_leader").
        if (leader_.exists && leader_.owner != i) return op_status::lost;
        set_leader(i, session, now, ttl_ms);
        return op_status::ok;
    }
    case backend::consul: {
        ensure_session(i, now, ttl_ms);
        const std::int64_t session = sessions_[static_cast<std::size_t>(i)].id;
        if (leader_.exists && leader_.session == session) return op_status::ok;
        if (leader_.exists && leader_.owner != i) return op_status::lost;
        if (leader_.exists && leader_.version != seen) return op_status::lost;   // DELETE ?cas=
        set_leader(i, session, now, ttl_ms);
        return op_status::ok;
    }
    case backend::kubernetes: {
        if (!leader_.exists || leader_.owner != i) return op_status::lost;
        // CAS PATCH; on 409 re-read: still ours -> one more PATCH with the
        // fresh resourceVersion (dcs.md 8.4), which succeeds here.
        (void)seen;
        set_leader(i, 0, now, ttl_ms);
        return op_status::ok;
    }
    }
    (void)me;
    return op_status::lost;
}

op_status fake_dcs::release_leader(int i, vtime now, dcs::dcs_version seen)
{
    (void)now;
    if (!leader_.exists || leader_.owner != i) return op_status::lost;
    if (kind_ == backend::zookeeper) {
        // delete_leader restarts the client session: every ephemeral node of
        // this member disappears (dcs.md 6).
        expire_session(i);
        return op_status::ok;
    }
    if (kind_ == backend::consul && seen != 0 && leader_.version != seen) return op_status::lost;
    drop_leader();
    return op_status::ok;
}

int fake_dcs::leader_holder(vtime now) const noexcept
{
    if (!leader_.exists || leader_.owner < 0) return -1;
    if (kind_ == backend::kubernetes && now > leader_.renewed + leader_.ttl_ms) return -1;
    return leader_.owner;
}

// ---- other keys -------------------------------------------------------------

namespace {
// same_but_positions and copy_positions must name every field of member_data: the snapshot
// cache and the member keys copy only the positions when the rest is the same. A new field
// changes the size: add it to same_but_positions, then update the figure.
static_assert(sizeof(void*) != 8 || sizeof(dcs::member_data) == 440,
              "dcs::member_data changed: update same_but_positions / copy_positions in fake_dcs.cpp");

/// Equal except for the WAL positions, which ha::decide never reads from member keys.
bool same_but_positions(const dcs::member_data& a, const dcs::member_data& b)
{
    return a.conn_url == b.conn_url && a.api_url == b.api_url && a.state == b.state && a.role == b.role &&
           a.version == b.version && a.proxy_url == b.proxy_url &&
           a.checkpoint_after_promote == b.checkpoint_after_promote && a.tags == b.tags &&
           a.pending_restart == b.pending_restart && a.pending_restart_reasons.empty() &&
           b.pending_restart_reasons.empty() && a.replication_state == b.replication_state &&
           a.timeline == b.timeline && a.scheduled_restart == b.scheduled_restart && a.pause == b.pause &&
           a.extra == b.extra;
}

/** `to = from` for a record whose every write takes a fresh version from bump() (all of them in
 *  this file): equal versions mean equal contents, so a snapshot rebuilt in place skips the copy. */
template <class Record>
void assign_versioned(std::optional<Record>& to, const std::optional<Record>& from)
{
    if (to && from && to->version == from->version) return;
    to = from;
}

/// `to = from` when same_but_positions(to, from).
void copy_positions(dcs::member_data& to, const dcs::member_data& from)
{
    to.xlog_location = from.xlog_location;
    to.replay_lsn = from.replay_lsn;
    to.receive_lsn = from.receive_lsn;
}
} // namespace

op_status fake_dcs::publish_member(int i, vtime now, std::int64_t ttl_ms, const dcs::member_data& data)
{
    ensure_session(i, now, ttl_ms);
    auto& m = members_[static_cast<std::size_t>(i)];
    const std::int64_t session = sessions_[static_cast<std::size_t>(i)].id;
    // Throughput shortcut (docs/design/simulation.md): a write that only moves the WAL positions
    // keeps the revision, so cached snapshots stay valid; they then show slightly old positions
    // and member versions, neither of which decide reads.
    const bool same_shape = same_but_positions(m.data, data);
    const bool quiet = m.exists && m.session == session && same_shape;
    m.exists = true;
    m.session = session;
    if (!quiet) m.version = bump();
    if (same_shape) {
        copy_positions(m.data, data);   // the same as m.data = data, cheaper
    } else {
        m.data = data;
        m.shape_gen = ++data_gen_;
    }
    m.data_gen = ++data_gen_;
    return op_status::ok;
}

op_status fake_dcs::write_status(lsn optime)
{
    if (!status_) status_.emplace();
    if (status_->optime == optime && status_->version != 0) return op_status::ok;   // §4.1: unchanged
    status_->optime = optime;
    status_->version = bump();
    return op_status::ok;
}

op_status fake_dcs::write_sync(const std::string& leader, std::vector<std::string> standbys,
                               dcs::dcs_version seen, std::int64_t quorum)
{
    if (seen != 0 && (!sync_ || sync_->version != seen)) return op_status::lost;
    if (seen == 0 && sync_ && kind_ != backend::etcd3 && kind_ != backend::consul)
        return op_status::lost;   // a null version means "create" there
    std::sort(standbys.begin(), standbys.end());
    if (leader.empty()) {
        sync_.reset();
        return op_status::ok;
    }
    sync_ = dcs::sync_record{bump(), leader, std::move(standbys), quorum};
    return op_status::ok;
}

op_status fake_dcs::write_failover(std::string leader, std::string member, dcs::dcs_version seen,
                                   std::optional<std::string> scheduled_at)
{
    if (seen != 0 && (!failover_ || failover_->version != seen)) return op_status::lost;
    failover_ = dcs::failover_record{bump(), std::move(leader), std::move(member), std::move(scheduled_at)};
    return op_status::ok;
}

op_status fake_dcs::clear_failover(dcs::dcs_version seen)
{
    if (seen != 0 && (!failover_ || failover_->version != seen)) return op_status::lost;
    failover_ = dcs::failover_record{bump(), {}, {}, std::nullopt};   // `{}`
    return op_status::ok;
}

op_status fake_dcs::write_history(std::vector<dcs::history_line> lines)
{
    history_ = dcs::history_record{bump(), true, std::move(lines)};
    return op_status::ok;
}

op_status fake_dcs::write_initialize(std::string sysid, bool create_only)
{
    if (create_only && initialize_) return op_status::lost;
    initialize_ = std::move(sysid);
    (void)bump();
    return op_status::ok;
}

op_status fake_dcs::cancel_initialize()
{
    initialize_.reset();
    (void)bump();
    return op_status::ok;
}

op_status fake_dcs::write_failsafe(std::vector<std::pair<std::string, std::string>> members)
{
    failsafe_ = dcs::failsafe_record{bump(), std::move(members)};
    return op_status::ok;
}

op_status fake_dcs::write_config(std::string json)
{
    const auto v = bump();
    config_ = dcs::config_record{v, v, std::move(json)};
    return op_status::ok;
}

// ---- reading --------------------------------------------------------------

dcs::cluster_snapshot fake_dcs::snapshot(int reader, vtime now, std::int64_t reader_local_ms,
                                         std::int64_t reader_ttl_ms)
{
    return *shared_snapshot(reader, now, reader_local_ms, reader_ttl_ms);
}

const std::vector<std::size_t>& fake_dcs::by_name()
{
    // Member slots in name order (snapshots list members sorted), recomputed when one is added.
    if (by_name_.size() != names_.size()) {
        by_name_.resize(names_.size());
        for (std::size_t i = 0; i < names_.size(); ++i) by_name_[i] = i;
        std::sort(by_name_.begin(), by_name_.end(), [&](std::size_t a, std::size_t b) { return names_[a] < names_[b]; });
    }
    return by_name_;
}

std::shared_ptr<const dcs::cluster_snapshot> fake_dcs::shared_snapshot(int reader, vtime now,
                                                                       std::int64_t reader_local_ms,
                                                                       std::int64_t reader_ttl_ms)
{
    // Every change bumps the revision, so a snapshot is a pure function of it,
    // except for kubernetes where the leader's validity depends on the reader:
    // one cached snapshot per validity.
    bool valid = true;
    bool cacheable = true;
    if (kind_ == backend::kubernetes && leader_.exists) {
        valid = leader_.owner >= 0;
        if (reader >= 0 && reader_local_ms >= 0) {
            // Client-side expiry (dcs.md 8.3): the record must have changed
            // within ttl of the reader's own clock.
            auto& o = observed_[static_cast<std::size_t>(reader)];
            if (o.version != leader_.version) o = observation{leader_.version, reader_local_ms};
            const std::int64_t ttl = leader_.ttl_ms > 0 ? leader_.ttl_ms : reader_ttl_ms;
            valid = valid && o.local_ms + ttl >= reader_local_ms;
        } else {
            valid = valid && now <= leader_.renewed + leader_.ttl_ms;
            cacheable = false;   // true-time view of an outside observer
        }
    }
    const int slot = valid ? 0 : 1;
    if (cacheable && cache_rev_[slot] == rev_ && cache_[slot]) return cache_[slot];
    // Rebuild in place in a snapshot no reader holds any more (the old one, or an older one
    // kept in pool_): assignments then reuse the strings' and vectors' buffers (the
    // simulator's hot path). The contents are the same as those of a fresh snapshot.
    std::shared_ptr<dcs::cluster_snapshot> s;
    std::vector<cached_member> copied;   // what s->members hold
    if (cacheable) {
        if (cache_[slot])
            pool_.push_back({std::const_pointer_cast<dcs::cluster_snapshot>(std::exchange(cache_[slot], nullptr)),
                             std::move(cache_members_[slot])});
        for (auto it = pool_.begin(); it != pool_.end(); ++it) {
            if (it->snap.use_count() != 1) continue;
            s = std::move(it->snap);
            copied = std::move(it->copied);
            pool_.erase(it);
            break;
        }
        if (pool_.size() > 16) pool_.erase(pool_.begin());   // held by readers: theirs now
    }
    if (!s) s = std::make_shared<dcs::cluster_snapshot>();
    s->initialize = initialize_;
    assign_versioned(s->config, config_);
    if (!leader_.exists) {
        s->leader.reset();
    } else {
        if (!s->leader) s->leader.emplace();
        auto& l = *s->leader;
        l.version = leader_.version;
        if (kind_ == backend::kubernetes) {
            if (valid) l.name = names_[static_cast<std::size_t>(leader_.owner)];
            else l.name.clear();
            l.session.clear();
        } else {
            l.name = names_[static_cast<std::size_t>(leader_.owner)];
            l.session = std::to_string(leader_.session);
        }
    }
    std::size_t k = 0;
    for (const std::size_t i : by_name()) {
        const auto& m = members_[i];
        if (!m.exists) continue;
        if (k == s->members.size()) s->members.emplace_back();
        auto& r = s->members[k];
        r.version = m.version;
        // Copy only what differs from what this record was copied from last time.
        const bool same_slot = k < copied.size() && copied[k].slot == i;
        if (!same_slot) r.name = names_[i];
        if (!same_slot || copied[k].session != m.session) {
            if (m.session) r.session = std::to_string(m.session);
            else r.session.clear();
        }
        if (!same_slot || copied[k].data_gen != m.data_gen) {
            if (same_slot && copied[k].shape_gen == m.shape_gen) copy_positions(r.data, m.data);
            else r.data = m.data;
        }
        if (k == copied.size()) copied.emplace_back();
        copied[k] = cached_member{i, m.data_gen, m.shape_gen, m.session};
        ++k;
    }
    s->members.resize(k);
    copied.resize(std::min(copied.size(), k));
    assign_versioned(s->failover, failover_);
    assign_versioned(s->sync, sync_);
    assign_versioned(s->history, history_);
    assign_versioned(s->status, status_);
    assign_versioned(s->failsafe, failsafe_);
    if (!cacheable) return s;
    cache_[slot] = std::move(s);
    cache_members_[slot] = std::move(copied);
    cache_rev_[slot] = rev_;
    return cache_[slot];
}

} // namespace pgwarden::sim
