// The ZooKeeper DCS client (dcs.md 6): Patroni's ZooKeeper class as a model
// of dcs::client, on top of `store` and one `session`.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/task.hpp>
#include <pgwarden/dcs/concept.hpp>
#include <pgwarden/dcs/model.hpp>
#include <pgwarden/dcs/zookeeper/store.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::dcs::zookeeper {

/// The `zookeeper` configuration section as the adapter uses it (subset).
struct config {
    // Copied from the top level.
    std::string scope;
    std::string namespace_name = "/service/";
    std::string name;
    std::chrono::seconds ttl{30};
    std::chrono::seconds loop_wait{10};
    std::chrono::seconds retry_timeout{10};
    // The section's own keys.
    std::vector<std::string> hosts;   ///< `address:port`; only the first is used for now (IP literal)
};

/** Patroni's ZooKeeper adapter.
 *
 *  Session timeout = ttl; connect timeout max(1 s, retry_timeout / 2). When
 *  the session is not connected, each operation first tries to reconnect
 *  once (resuming the session, or a new session after expiry); if that
 *  fails the operation fails with condition::unavailable at once.
 *  Not yet: several hosts, retry within retry_timeout, ACLs.
 */
class client {
public:
    using config_type = zookeeper::config;
    static constexpr std::string_view kind = "zookeeper";

    /// Checks the configuration; error::bad_config without a usable host. No I/O.
    [[nodiscard]] PGWARDEN_DECL static result<client> create(boost::asio::any_io_executor ex, config_type cfg);

    /// Opens the session.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> start();

    [[nodiscard]] PGWARDEN_DECL task<result<cluster_snapshot>> load_cluster();
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> try_initialize(const std::string& sysid);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> set_initialize(const std::string& sysid);
    /// get + delete with that version (Patroni's cancel_initialization); absent: success.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> cancel_initialize();
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> acquire_leader(const leader_claim& claim);
    /// `v` is not needed: ownership is the session (store::renew_leader).
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> renew_leader(const leader_claim& claim, dcs_version v);
    /// Restarts the session (Patroni's _delete_leader). `v` unused.
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> release_leader(dcs_version v);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> publish_member(const member_data& me);
    /// set with version `v` (0: unconditional; NoNode creates only then).
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> write_sync(const sync_record& sync, dcs_version v);
    /// Writes `{}` with CAS on `v` (the node is kept).
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> delete_sync(dcs_version v);
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> write_failover(const failover_record& fo, dcs_version v);
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> write_config(const std::string& json, dcs_version v);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> write_status(const status_record& st);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> write_history(const history_record& hist);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> write_failsafe(const std::string& json);
    /** Waits up to `t` (+0.5 s, as Patroni's ZooKeeper.watch) for any watch
     *  event or session state change; true if one came (events queued since
     *  the last call count at once), false at the timeout. */
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> wait_for_change(dcs_version v, std::chrono::milliseconds t);
    /// Recursive delete of the scope (patronictl remove).
    [[nodiscard]] PGWARDEN_DECL task<result<void>> delete_cluster();

    [[nodiscard]] zookeeper::store& store() noexcept { return *store_; }

private:
    client(config_type cfg, std::unique_ptr<zookeeper::store> st) : cfg_(std::move(cfg)), store_(std::move(st)) {}
    /// Reconnects once when the session is not connected.
    task<result<void>> ensure_connected();
    /// store::set_value with a dcs_version (0: none); true when written.
    task<result<bool>> write(std::string_view relative, std::string value, dcs_version v);
    config_type cfg_;
    std::unique_ptr<zookeeper::store> store_;
};

static_assert(dcs::client<client>);

} // namespace pgwarden::dcs::zookeeper

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/zookeeper/impl/client.ipp>
#endif
