// The DCS operations of dcs.md 6 on top of a ZooKeeper session: the start of
// the ZooKeeper model of dcs::client (not a complete model yet).
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/task.hpp>
#include <pgwarden/dcs/model.hpp>
#include <pgwarden/dcs/zookeeper/session.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::dcs::zookeeper {

struct store_config {
    session_options session;
    std::string namespace_name = "/service";
    std::string scope;
    std::string name;   ///< our member name
};

/** Patroni's ZooKeeper class, operation by operation (dcs.md 6).
 *
 *  Logical failures (lost race, version mismatch) are `false` / nullopt;
 *  errors mean the outcome is unknown (condition::unavailable when the
 *  session is not connected or the connection dropped).
 *  @see https://github.com/patroni/patroni/blob/master/patroni/dcs/zookeeper.py
 */
class store {
public:
    PGWARDEN_DECL store(boost::asio::any_io_executor ex, store_config cfg);

    /// Connects the session (resuming it when possible).
    [[nodiscard]] PGWARDEN_DECL task<result<void>> start();
    [[nodiscard]] zookeeper::session& session() noexcept { return session_; }
    [[nodiscard]] const std::string& base() const noexcept { return base_; }

    /** get_children(base), then the keys that exist. Watches as Patroni 4.1
     *  sets them: the base's children, `config`, `history`, `sync`,
     *  `failover`, `failsafe`, the children of `members/`, and `status`
     *  (or `optime/leader`) unless the leader is us; `leader` itself is
     *  covered by the base's children watch. No base node: an empty
     *  snapshot. leader/members carry stat.version and ephemeralOwner
     *  (decimal); config carries mzxid as modify version, history has mzxid
     *  as its version. The leader and our member are cached for
     *  renew_leader and publish_member. */
    [[nodiscard]] PGWARDEN_DECL task<result<cluster_snapshot>> load_cluster();

    /// create(leader, name, ephemeral) after creating parents; NodeExists -> false.
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> acquire_leader(const leader_claim& claim);
    /** Patroni's _update_leader, on the leader of the last load_cluster (or
     *  of our own acquire_leader): false unless it names us; no request when
     *  it is owned by our session; otherwise it is deleted (NoNode ignored)
     *  and re-created ephemeral under our session. */
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> renew_leader(const leader_claim& claim);
    /** Patroni's delete_leader: restarts the session, so every ephemeral node
     *  of ours (leader and member) disappears. */
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> release_leader();

    /** Patroni's touch_member on ephemeral `members/<name>`: the cached node
     *  is deleted first when owned by another session or when a field the
     *  leader reacts to changed (tags, state to or from "running", version,
     *  checkpoint_after_promote); then created if absent (NodeExists falls
     *  through to set), left alone when identical, else set unconditionally. */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> publish_member(const member_data& me);

    /// create(initialize, sysid) persistent; NodeExists -> false.
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> try_initialize(const std::string& sysid);

    /** Patroni's set-with-version: `set(key, value, version or -1)` where a
     *  version of 0 counts as none. NoNode without version -> create (new
     *  version 0); NoNode or BadVersion with a version -> nullopt. Returns
     *  the node's new stat.version. `relative` is e.g. "config", "sync". */
    [[nodiscard]] PGWARDEN_DECL task<result<std::optional<std::int32_t>>> set_value(
        std::string_view relative, std::string value, std::optional<std::int32_t> version);

    /// Creates `path`'s missing parents as empty persistent nodes (kazoo's makepath).
    [[nodiscard]] PGWARDEN_DECL task<result<void>> make_parents(std::string path);

private:
    /// get(relative) appended to `out`; a node deleted since the listing is skipped.
    task<result<void>> read_entry(std::string relative, bool watch, std::vector<raw_entry>& out);
    std::string our_session() const { return std::to_string(session_.session_id()); }
    store_config cfg_;
    std::string base_;
    zookeeper::session session_;
    std::optional<leader_record> leader_;         ///< from the last load (or our acquire)
    std::optional<member_record> member_;         ///< our member node as last seen or written
    std::optional<member_data> last_written_;     ///< what we last wrote to it
};

} // namespace pgwarden::dcs::zookeeper

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/zookeeper/impl/store.ipp>
#endif
