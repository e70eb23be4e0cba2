// The DCS data model: Patroni's keys and values as plain aggregates
// (../shared/spec/dcs.md 1-3). No JSON, no I/O here: the codecs live in
// dcs/codec.hpp and impl/codec.ipp, the backends in dcs/<backend>/.
#pragma once
#include <pgwarden/core/lsn.hpp>
#include <pgwarden/core/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgwarden::dcs {

/** The version ("index") a backend attaches to a key (dcs.md 3.2): etcd3
 *  mod_revision, ZooKeeper stat.version, Consul ModifyIndex, Kubernetes
 *  resourceVersion. Every compare-and-set names one. 0 means "no version known"
 *  (the key was not read, or does not exist).
 */
using dcs_version = std::int64_t;

/// A name/value list that keeps insertion order, as Patroni's JSON does.
/// The value is the compact JSON text of the value (`true`, `1`, `"x"`).
using json_fields = std::vector<std::pair<std::string, std::string>>;

/// One entry of `pending_restart_reason` (4.x): why a restart is pending.
struct pending_restart_reason {
    std::string name;       ///< the GUC
    std::string old_value;
    std::string new_value;
};

/** The value of `members/<name>` (dcs.md 2.2), in Patroni's field order.
 *  Optional fields are absent from the JSON when not set.
 */
struct member_data {
    std::string conn_url;
    std::string api_url;
    std::string state;                ///< dcs.md 2.2.1; "unknown" when the key had none
    std::string role;                 ///< `master` is read as `primary`
    std::string version;              ///< Patroni version "X.Y.Z" of the writer
    std::optional<std::string> proxy_url;
    std::optional<bool> checkpoint_after_promote;   ///< only ever written as false
    json_fields tags;                 ///< effective tags (dcs.md 2.2.3), JSON text values
    bool pending_restart = false;
    std::vector<pending_restart_reason> pending_restart_reasons;
    std::optional<lsn> xlog_location;
    std::optional<lsn> replay_lsn;
    std::optional<lsn> receive_lsn;
    std::optional<std::string> replication_state;
    std::optional<std::int64_t> timeline;
    std::optional<std::string> scheduled_restart;   ///< the JSON object text, kept verbatim
    bool pause = false;
    json_fields extra;                ///< fields we do not interpret, kept for display
};

/// A member as read from the DCS: its name, the key's version and session.
struct member_record {
    std::string name;
    dcs_version version = 0;
    std::string session;              ///< lease ID / session / ephemeralOwner; empty when none
    member_data data;
};

/// The `leader` key (dcs.md 2.1). Present in a snapshot iff not expired under
/// the backend's rules: the adapter normalizes expiry (STYLE.md 2).
struct leader_record {
    std::string name;
    dcs_version version = 0;
    std::string session;
};

/// The `config` key: the dynamic configuration, kept as JSON text. The
/// config module parses it (config/dynamic.hpp).
struct config_record {
    dcs_version version = 0;
    dcs_version modify_version = 0;   ///< 0 => ignored for the global config (dcs.md 2.3)
    std::string json;                 ///< the raw value
};

/// The `sync` key (dcs.md 2.5). Empty iff `leader` is empty.
struct sync_record {
    dcs_version version = 0;
    std::string leader;
    std::vector<std::string> sync_standby;   ///< sorted on write
    std::int64_t quorum = 0;
    bool empty() const noexcept { return leader.empty(); }
};

/// The `failover` key (dcs.md 2.6). Empty when both leader and member are.
struct failover_record {
    dcs_version version = 0;
    std::string leader;               ///< set => switchover from that leader
    std::string member;               ///< the candidate
    std::optional<std::string> scheduled_at;   ///< ISO-8601 text as written
    bool empty() const noexcept { return leader.empty() && member.empty(); }
};

/// One line of `history` (dcs.md 2.7): the last two items are optional.
struct history_line {
    std::int64_t parent_timeline = 0;
    lsn switch_lsn;
    std::string reason;
    std::optional<std::string> timestamp;
    std::optional<std::string> new_leader;
};

/// The `history` key.
struct history_record {
    dcs_version version = 0;
    bool parsed = false;              ///< false: unparsable value (timeline 0)
    std::vector<history_line> lines;
};

/// The `status` key (dcs.md 2.8).
struct status_record {
    dcs_version version = 0;
    lsn optime;
    std::vector<std::pair<std::string, lsn>> slots;   ///< as written, name -> LSN
    std::vector<std::string> retain_slots;            ///< sorted on write (4.x)
};

/// The `failsafe` key (dcs.md 2.9): member name -> api_url.
struct failsafe_record {
    dcs_version version = 0;
    std::vector<std::pair<std::string, std::string>> members;
};

/** Everything a reader builds from one read of the scope (dcs.md 3.1).
 *
 *  Invariants:
 *  - `leader` is set iff the leader key exists, names someone and is not
 *    expired under the backend's rules;
 *  - `members` is sorted by name.
 */
struct cluster_snapshot {
    std::optional<std::string> initialize;     ///< absent: never initialized; "" : bootstrap in progress
    std::optional<config_record> config;
    std::optional<leader_record> leader;
    std::vector<member_record> members;
    std::optional<failover_record> failover;
    std::optional<sync_record> sync;
    std::optional<history_record> history;
    std::optional<status_record> status;
    std::optional<failsafe_record> failsafe;
    std::optional<lsn> legacy_optime;          ///< `optime/leader`, used when `status` is absent

    /// The leader's last known LSN: `status.optime`, or `optime/leader` when
    /// there is no `status` key (Patroni: Cluster.last_lsn).
    lsn last_lsn() const noexcept
    {
        if (status) return status->optime;
        return legacy_optime.value_or(lsn{});
    }

    bool is_unlocked() const noexcept { return !leader || leader->name.empty(); }

    /// Cluster timeline from history: last line's parent + 1; `[]` => 1; absent or bad => 0.
    std::int64_t timeline() const noexcept
    {
        if (!history || !history->parsed) return 0;
        if (history->lines.empty()) return 1;
        return history->lines.back().parent_timeline + 1;
    }

    const member_record* find_member(std::string_view name) const noexcept
    {
        for (const auto& m : members)
            if (m.name == name) return &m;
        return nullptr;
    }
};

/** One key as a backend read it, before decoding: the input of
 *  dcs::build_snapshot (dcs/codec.hpp). `key` is relative to the base path
 *  (`leader`, `members/node1`, `optime/leader`).
 */
struct raw_entry {
    std::string key;
    std::string value;
    dcs_version version = 0;
    std::string session;              ///< lease / session / ephemeralOwner; empty when none
    dcs_version modify_version = 0;   ///< config only: 0 => same as version (ZooKeeper passes mzxid)
};

/// What a node asks for when it takes or refreshes the leader key.
struct leader_claim {
    std::string name;                 ///< our member name
    std::chrono::seconds ttl{30};
};

} // namespace pgwarden::dcs
