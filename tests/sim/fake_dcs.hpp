// A linearizable fake DCS with per-backend lease semantics (dcs.md 4-8).
//
// Every operation is applied atomically at the instant the world calls it
// (its linearization point). Each key carries a dcs_version from one global
// revision counter; conditional writes compare it. TTLs are realised as the
// backend does:
//   etcd3      one lease per node (TTL = ttl), refreshed by every write the node
//              makes; leader and member keys are attached to it;
//   zookeeper  one session per node, kept alive by the client's heartbeat while
//              the process runs and reaches the DCS; expiry after ttl without
//              contact removes the node's ephemeral leader and member keys;
//   consul     one session per node created with TTL ttl/2; Consul invalidates
//              it at some point between ttl/2 and ttl after the last renewal
//              (it may keep a session up to twice its TTL); behavior=delete;
//   kubernetes no server-side expiry at all: the leader object keeps its
//              annotations and each reader decides locally that the leader has
//              expired when the record did not change for ttl by its own clock.
#pragma once
#include "sim.hpp"

#include <pgwarden/core/rng.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::sim {

class fake_dcs {
public:
    fake_dcs(backend kind, std::vector<std::string> names, rng* random);

    backend kind() const noexcept { return kind_; }

    /// Adds a member slot (nodes can be added by scenarios).
    void add_node(std::string name);

    /// Expires sessions/leases whose deadline passed (not for kubernetes).
    void advance(vtime now)
    {
        // Runs after every event: inline, and nothing to do while no session can have expired.
        if (kind_ != backend::kubernetes && now >= low_deadline_) expire_due(now);
    }
    /// The earliest session deadline, to schedule an expiry event; -1 if none.
    vtime next_deadline() const noexcept;
    /// ZooKeeper client heartbeat: node `i` is alive and connected.
    void heartbeat(int i, vtime now, std::int64_t ttl_ms);

    // Operations, applied at `now`. `ttl_ms` is the TTL the node has adopted.
    op_status acquire_leader(int i, vtime now, std::int64_t ttl_ms, dcs::dcs_version seen);
    op_status renew_leader(int i, vtime now, std::int64_t ttl_ms, dcs::dcs_version seen);
    op_status release_leader(int i, vtime now, dcs::dcs_version seen);
    op_status publish_member(int i, vtime now, std::int64_t ttl_ms, const dcs::member_data& data);
    op_status write_status(lsn optime);
    op_status write_sync(const std::string& leader, std::vector<std::string> standbys,
                         dcs::dcs_version seen, std::int64_t quorum = 0);
    op_status write_failover(std::string leader, std::string member, dcs::dcs_version seen,
                             std::optional<std::string> scheduled_at = std::nullopt);
    op_status clear_failover(dcs::dcs_version seen);
    op_status write_history(std::vector<dcs::history_line> lines);
    /// Patroni's Cluster.timeline: the last /history line's parent + 1 (0 without lines).
    std::int64_t history_timeline() const noexcept
    {
        return history_ && !history_->lines.empty() ? history_->lines.back().parent_timeline + 1 : 0;
    }
    /// `create_only`: the bootstrap race (dcs.md 2.5): lost when the key exists.
    op_status write_initialize(std::string sysid, bool create_only = false);
    op_status cancel_initialize();
    op_status write_config(std::string json);
    op_status write_failsafe(std::vector<std::pair<std::string, std::string>> members);
    bool initialized() const noexcept { return initialize_.has_value(); }
    const std::optional<dcs::failsafe_record>& failsafe() const noexcept { return failsafe_; }
    const std::optional<dcs::history_record>& history() const noexcept { return history_; }

    /** Node `reader`'s view. `reader_local_ms` is the reader's clock, used
     *  only by the kubernetes client-side expiry rule; -1 = a consistent
     *  read by an outside observer (patronictl), which uses true time.
     */
    dcs::cluster_snapshot snapshot(int reader, vtime now, std::int64_t reader_local_ms,
                                   std::int64_t reader_ttl_ms);
    /** The same view, shared: readers of an unchanged DCS get the same immutable snapshot
     *  (decide takes it by reference, so nothing is copied per cycle). */
    std::shared_ptr<const dcs::cluster_snapshot> shared_snapshot(int reader, vtime now, std::int64_t reader_local_ms,
                                                                 std::int64_t reader_ttl_ms);

    /// The node that holds the leader key under true time, or -1.
    int leader_holder(vtime now) const noexcept;
    /// Increments whenever the leader key's name changes (watch events).
    std::uint64_t leader_epoch() const noexcept { return leader_epoch_; }
    /// Writes applied so far, for traces.
    std::int64_t revision() const noexcept { return rev_; }
    int index_of(const std::string& name) const noexcept
    {
        // Fast path for the simulator's own names, "node<k>" at slot k-1 (inline: it runs for
        // every replica on every tick); fixed-size compares, no memcmp call.
        if (name.size() == 5 && name[4] >= '1' && name[4] <= '9') {
            const auto k = static_cast<std::size_t>(name[4] - '1');
            if (k < names_.size() && names_[k].size() == 5 && std::memcmp(names_[k].data(), name.data(), 5) == 0)
                return static_cast<int>(k);
        }
        return index_of_scan(name);
    }
    /// Drops every session of node `i` (process died: ZooKeeper/Consul keep
    /// it until timeout; etcd keeps the lease until TTL). Nothing to do
    /// immediately; kept for symmetry with the engine's reconnect.
    void forget_session(int i) noexcept;
    const std::optional<dcs::failover_record>& failover() const noexcept { return failover_; }
    const std::optional<dcs::sync_record>& sync() const noexcept { return sync_; }

private:
    struct session {
        std::int64_t id = 0;
        vtime deadline = 0;             ///< a new value must also lower low_deadline_ (see advance)
    };
    struct leader_key {
        bool exists = false;
        int owner = -1;                 ///< node index; -1 when released (kubernetes)
        std::int64_t session = 0;
        dcs::dcs_version version = 0;
        vtime renewed = 0;              ///< true time of the last write (kubernetes)
        std::int64_t ttl_ms = 0;        ///< the `ttl` annotation (kubernetes)
    };
    struct member_key {
        bool exists = false;
        std::int64_t session = 0;
        dcs::dcs_version version = 0;
        dcs::member_data data;
        std::uint64_t data_gen = 0;     ///< bumped by every write of `data` (snapshot cache)
        std::uint64_t shape_gen = 0;    ///< bumped when more than the WAL positions changed
    };
    struct observation {               ///< kubernetes: what a reader saw, and when
        dcs::dcs_version version = -1;
        std::int64_t local_ms = 0;
    };

    int index_of_scan(const std::string& name) const noexcept;
    void expire_due(vtime now);
    bool ensure_session(int i, vtime now, std::int64_t ttl_ms);
    void expire_session(int i);
    void set_leader(int owner, std::int64_t session, vtime now, std::int64_t ttl_ms);
    void drop_leader();
    dcs::dcs_version bump() noexcept { return ++rev_; }

    backend kind_;
    rng* random_;
    std::vector<std::string> names_;
    std::vector<session> sessions_;
    std::vector<member_key> members_;
    std::vector<observation> observed_;
    leader_key leader_;
    std::optional<std::string> initialize_;
    // Every write of the versioned records below takes a fresh version from bump(): snapshot
    // rebuilds skip a record whose version they already hold (assign_versioned).
    std::optional<dcs::config_record> config_;
    std::optional<dcs::sync_record> sync_;
    std::optional<dcs::failover_record> failover_;
    std::optional<dcs::history_record> history_;
    std::optional<dcs::status_record> status_;
    std::optional<dcs::failsafe_record> failsafe_;
    std::int64_t rev_ = 0;
    /// Snapshots of revision cache_rev_: [0] leader valid (or not kubernetes), [1] kubernetes
    /// leader expired for the reader.
    const std::vector<std::size_t>& by_name();
    std::vector<std::size_t> by_name_;
    std::shared_ptr<const dcs::cluster_snapshot> cache_[2];
    std::int64_t cache_rev_[2] = {-1, -1};
    /// What cache_[k]->members[j] was copied from (member slot, data_gen, shape_gen, session), so
    /// an in-place rebuild copies only what was written since (a pure speed-up).
    struct cached_member {
        std::size_t slot;
        std::uint64_t data_gen;
        std::uint64_t shape_gen;
        std::int64_t session;
    };
    std::vector<cached_member> cache_members_[2];
    struct pooled {                    ///< a former cache_ entry, reused once no reader holds it
        std::shared_ptr<dcs::cluster_snapshot> snap;
        std::vector<cached_member> copied;
    };
    std::vector<pooled> pool_;
    std::uint64_t data_gen_ = 0;
    std::int64_t next_session_ = 1000;
    vtime low_deadline_ = 0;   ///< no live session expires before (advance's fast path)
    std::uint64_t leader_epoch_ = 0;
};

} // namespace pgwarden::sim
