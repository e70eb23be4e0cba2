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

    /** get_children(base), then the keys that exist; watches on `config`
     *  and `leader`. No base node: an empty snapshot. leader/members carry
     *  stat.version and ephemeralOwner (decimal); config carries mzxid as
     *  modify version, history has mzxid as its version. */
    [[nodiscard]] PGWARDEN_DECL task<result<cluster_snapshot>> load_cluster();

    /// create(leader, name, ephemeral) after creating parents; NodeExists -> false.
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> acquire_leader(const leader_claim& claim);
    /** The lock is still ours if the leader node names us and is owned by our
     *  session (no request then); if it names us under an older session it
     *  is deleted and re-created. false if it is someone else's or gone. */
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> renew_leader(const leader_claim& claim);
    /** Patroni's delete_leader: restarts the session, so every ephemeral node
     *  of ours (leader and member) disappears. */
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> release_leader();

    /** Ephemeral `members/<name>`: deleted first when owned by an older
     *  session, created if absent (NodeExists falls through to set), set
     *  unconditionally when the data differ, untouched when identical. */
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
    store_config cfg_;
    std::string base_;
    zookeeper::session session_;
};

} // namespace pgwarden::dcs::zookeeper

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/zookeeper/impl/store.ipp>
#endif
