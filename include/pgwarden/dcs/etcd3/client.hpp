// The etcd v3 DCS client (dcs.md 5): Patroni's Etcd3 class over the
// gRPC-gateway JSON API, as a model of dcs::client.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/task.hpp>
#include <pgwarden/dcs/concept.hpp>
#include <pgwarden/dcs/etcd3/config.hpp>
#include <pgwarden/dcs/etcd3/error.hpp>
#include <pgwarden/dcs/model.hpp>
#include <pgwarden/http/url.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::dcs::etcd3 {

/** One node's connection to etcd: one lease (member key and, when leader,
 *  the leader key hang on it), every operation inside a retry budget of
 *  `retry_timeout`, and a prefix watch that wakes the HA loop.
 *
 *  Errors (all operations): condition::unavailable when no endpoint answered
 *  within the budget; condition::unauthorized when etcd refused our
 *  credentials; condition::invalid_response for answers we cannot read. A
 *  compare that failed is `false`, never an error.
 *
 *  All coroutines must run on the executor given at creation; operations of
 *  one client may overlap (each HTTP exchange takes its own connection).
 *
 *  @see https://github.com/patroni/patroni/blob/master/patroni/dcs/etcd3.py
 */
class client {
public:
    using config_type = etcd3::config;
    static constexpr std::string_view kind = "etcd3";

    /** Checks the configuration and builds the client; no I/O yet. Returns
     *  error::bad_config without a usable endpoint, http::error::tls_config
     *  when a TLS file cannot be loaded. */
    [[nodiscard]] PGWARDEN_DECL static result<client> create(boost::asio::any_io_executor ex,
                                                             config_type cfg);

    /** Reads `/version` (API prefix), authenticates, discovers the cluster
     *  members' client URLs (unless use_proxies) and obtains our lease.
     *  Patroni does not start the HA loop before this succeeds. Operations
     *  call the first three steps themselves when needed. */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> start();

    /// One serializable range over the scope; `leader` is empty iff the key is absent.
    [[nodiscard]] PGWARDEN_DECL task<result<cluster_snapshot>> load_cluster();
    /// Like load_cluster, but a linearizable read (patronictl).
    [[nodiscard]] PGWARDEN_DECL task<result<cluster_snapshot>> load_cluster_consistent();

    /// Create-only `initialize` = sysid; false if it exists.
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> try_initialize(const std::string& sysid);
    /// Unconditional `initialize` = sysid.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> set_initialize(const std::string& sysid);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> cancel_initialize();

    /** Refreshes (or grants) the lease with claim.ttl, then creates `leader` =
     *  claim.name on it if absent. false: someone holds it. A lease that
     *  vanished meanwhile is re-granted and the create retried once. */
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> acquire_leader(const leader_claim& claim);
    /** Forces a lease keepalive (re-grant if expired). If the leader key in
     *  the last snapshot is on another lease than ours, rewrites it with the
     *  4.x transaction (value == our name, else create-if-absent). true iff
     *  the lock is ours afterwards. `v` is not needed by etcd. */
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> renew_leader(const leader_claim& claim, dcs_version v);
    /// Deletes `leader` only if its value is our name (4.x form). `v` unused.
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> release_leader(dcs_version v);
    /// Puts `members/<name>` on our lease (keepalive at most once per cycle).
    [[nodiscard]] PGWARDEN_DECL task<result<void>> publish_member(const member_data& me);
    /// `sync`, CAS on mod_revision when v != 0, else unconditional.
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> write_sync(const sync_record& sync, dcs_version v);
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> delete_sync(dcs_version v);
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> write_failover(const failover_record& fo, dcs_version v);
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> write_config(const std::string& json, dcs_version v);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> write_status(const status_record& st);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> write_history(const history_record& hist);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> write_failsafe(const std::string& json);

    /** Waits up to `t` for a change that matters (dcs.md 4.2): the leader
     *  key, `config`, and (unless we lead) `status` / `optime/leader`. Watches
     *  the scope from the revision after the last load_cluster, so a change
     *  made since then wakes it at once. `v == 0`: plain sleep. Returns true
     *  when woken by a change (or the watch was compacted: re-read), false
     *  at the timeout. A broken watch degrades to sleeping out the time. */
    [[nodiscard]] PGWARDEN_DECL task<result<bool>> wait_for_change(dcs_version v, std::chrono::milliseconds t);

    /// Deletes every key of the scope (patronictl remove).
    [[nodiscard]] PGWARDEN_DECL task<result<void>> delete_cluster();
    /// Revokes our lease now (the member key and a held leader key vanish).
    [[nodiscard]] PGWARDEN_DECL task<result<void>> revoke_lease();

    /// Counters for tests and metrics.
    struct statistics {
        std::uint64_t requests = 0;                ///< HTTP requests to etcd (watches excluded)
        std::uint64_t member_writes = 0;           ///< puts of our member key
        std::uint64_t member_writes_skipped = 0;   ///< publish_member calls with nothing to write
        std::uint64_t topology_refreshes = 0;      ///< member lists read
        std::uint64_t authentications = 0;         ///< /auth/authenticate calls
        std::uint64_t stale_node_switches = 0;     ///< answers with a lower raft term
        std::uint64_t srv_lookups = 0;             ///< DNS SRV discoveries
    };
    [[nodiscard]] PGWARDEN_DECL const statistics& stats() const noexcept;
    /// The detail of the last transport failure (`https://…: TLS handshake
    /// failed: certificate verify failed`), for the log line of an error.
    [[nodiscard]] PGWARDEN_DECL const std::string& last_failure() const noexcept;
    /// The endpoints in use, the current one first.
    [[nodiscard]] PGWARDEN_DECL std::vector<http::endpoint> endpoints() const;

    /// Our lease ID (0: none yet).
    [[nodiscard]] PGWARDEN_DECL std::int64_t lease_id() const noexcept;
    /// header.revision of the last successful read.
    [[nodiscard]] PGWARDEN_DECL std::int64_t last_revision() const noexcept;
    /// header.revision of the last successful conditional write (Patroni
    /// returns it from write_sync_state as the new version).
    [[nodiscard]] PGWARDEN_DECL std::int64_t last_write_revision() const noexcept;
    /// The full key of a relative name (`leader` -> `/service/demo/leader`).
    [[nodiscard]] PGWARDEN_DECL std::string key_of(std::string_view relative) const;
    [[nodiscard]] PGWARDEN_DECL const config_type& config() const noexcept;

    struct state;

private:
    explicit client(std::shared_ptr<state> s) noexcept : s_(std::move(s)) {}
    std::shared_ptr<state> s_;
};

static_assert(dcs::client<client>);

} // namespace pgwarden::dcs::etcd3

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/etcd3/impl/client.ipp>
#endif
