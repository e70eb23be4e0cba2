// The etcd v3 gRPC-gateway JSON wire format (dcs.md 5.1, 5.3, 13.1):
// request bodies and response parsers. Pure functions on strings, so the
// unit tests can check them against the spec's examples without a server.
// Keys and values are raw bytes here; base64 happens inside.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::dcs::etcd3::wire {

/// `{"header":{...}}` of every response.
struct response_header {
    std::string cluster_id;   ///< uint64 as text
    std::int64_t revision = 0;
    std::int64_t raft_term = 0;
};

/// One KV of a range response or a watch event (decoded from base64).
struct key_value {
    std::string key;
    std::string value;
    std::int64_t create_revision = 0;
    std::int64_t mod_revision = 0;
    std::int64_t version = 0;
    std::int64_t lease = 0;   ///< 0: no lease
};

struct range_response {
    response_header header;
    std::vector<key_value> kvs;
};

struct txn_response {
    response_header header;
    bool succeeded = false;          ///< the outer compare held
    bool nested_succeeded = false;   ///< responses[0].response_txn.succeeded
};

struct lease_response {
    std::int64_t id = 0;
    std::int64_t ttl = 0;   ///< 0 (missing): the lease is gone
};

/// An error answer: `{"error":…,"code":N,"message":…}` or, in a stream,
/// `{"error":{"grpc_code":N,"http_code":…,"message":…}}`.
struct grpc_status {
    int code = 0;
    std::string message;
};

struct watch_event {
    bool is_delete = false;
    key_value kv;
};

/// One line of the watch stream.
struct watch_message {
    response_header header;
    bool created = false;
    bool canceled = false;
    std::int64_t compact_revision = 0;
    std::vector<watch_event> events;
    std::optional<grpc_status> error;
};

/// Bytes after which nothing shares the prefix: the last byte < 0xFF is
/// incremented and dropped after (`/service/demo/` -> `/service/demo0`);
/// "\0" when every byte is 0xFF (etcd: "all keys").
[[nodiscard]] PGWARDEN_DECL std::string prefix_end(std::string_view prefix);

// ---- request bodies ---------------------------------------------------------

/// `/kv/range` over `[key, range_end)` (range_end empty: the one key).
[[nodiscard]] PGWARDEN_DECL std::string range_request(std::string_view key, std::string_view range_end,
                                                      bool serializable);
/// `/kv/put`; lease 0 = none.
[[nodiscard]] PGWARDEN_DECL std::string put_request(std::string_view key, std::string_view value,
                                                    std::int64_t lease);
/// `/kv/deleterange`; range_end empty: the one key.
[[nodiscard]] PGWARDEN_DECL std::string delete_request(std::string_view key, std::string_view range_end = {});
/// Create-only put: compare CREATE == 0, success put.
[[nodiscard]] PGWARDEN_DECL std::string create_txn(std::string_view key, std::string_view value,
                                                   std::int64_t lease);
/// CAS put: compare MOD == mod_revision, success put.
[[nodiscard]] PGWARDEN_DECL std::string cas_put_txn(std::string_view key, std::string_view value,
                                                    std::int64_t mod_revision, std::int64_t lease);
/// CAS delete: compare MOD == mod_revision, success delete.
[[nodiscard]] PGWARDEN_DECL std::string cas_delete_txn(std::string_view key, std::int64_t mod_revision);
/// Leader refresh after a lease change (dcs.md 5.5, 4.x form): VALUE == name
/// -> put with lease, else nested create-only put.
[[nodiscard]] PGWARDEN_DECL std::string leader_update_txn(std::string_view key, std::string_view name,
                                                          std::int64_t lease);
/// Leader release: VALUE == name -> delete.
[[nodiscard]] PGWARDEN_DECL std::string leader_delete_txn(std::string_view key, std::string_view name);
[[nodiscard]] PGWARDEN_DECL std::string lease_grant_request(std::int64_t ttl_s);
[[nodiscard]] PGWARDEN_DECL std::string lease_id_request(std::int64_t id);   ///< keepalive / revoke
/// Watch `[key, range_end)` from start_revision.
[[nodiscard]] PGWARDEN_DECL std::string watch_request(std::string_view key, std::string_view range_end,
                                                      std::int64_t start_revision);
[[nodiscard]] PGWARDEN_DECL std::string auth_request(std::string_view user, std::string_view password);

// ---- response parsers (error: pgwarden::etcd3::error::bad_response) --------

[[nodiscard]] PGWARDEN_DECL result<range_response> parse_range(std::string_view body);
[[nodiscard]] PGWARDEN_DECL result<txn_response> parse_txn(std::string_view body);
/// `/lease/grant` (top level) or `/lease/keepalive` (inside `result`).
[[nodiscard]] PGWARDEN_DECL result<lease_response> parse_lease(std::string_view body);
[[nodiscard]] PGWARDEN_DECL result<response_header> parse_header_only(std::string_view body);
[[nodiscard]] PGWARDEN_DECL result<std::string> parse_token(std::string_view body);
/// `GET /version` -> the API prefix (`/v3alpha`, `/v3beta`, `/v3`);
/// error::unsupported_version when older than 3.0.4.
[[nodiscard]] PGWARDEN_DECL result<std::string> parse_version_prefix(std::string_view body);
/// `/cluster/member/list` -> every member's clientURLs, in order.
[[nodiscard]] PGWARDEN_DECL result<std::vector<std::string>> parse_member_urls(std::string_view body);
/// The peer API's `GET /members` (an `_etcd-server` SRV target) -> every
/// member's clientURLs: a JSON array of `{"clientURLs":[...]}` objects.
[[nodiscard]] PGWARDEN_DECL result<std::vector<std::string>> parse_peer_members(std::string_view body);
/// Do two JSON texts hold the same value (object key order ignored)? Two
/// unparsable texts compare by bytes. Patroni's deep_compare of member data.
[[nodiscard]] PGWARDEN_DECL bool same_json(std::string_view a, std::string_view b);
/// An error body; nullopt when it is not one.
[[nodiscard]] PGWARDEN_DECL std::optional<grpc_status> parse_error(std::string_view body);
[[nodiscard]] PGWARDEN_DECL result<watch_message> parse_watch(std::string_view line);

/// What the client does about a gRPC error (dcs.md 5.1, 5.2).
enum class reaction {
    retry_other_node,   ///< 14 Unavailable, "not a primary lessor": treat as timeout
    retry,              ///< 4 DeadlineExceeded, 9 FailedPrecondition (but not "auth not enabled")
    reauthenticate,     ///< invalid token, auth store old, user name empty, permission denied
    lease_not_found,
    auth_not_enabled,
    fail,
};
[[nodiscard]] PGWARDEN_DECL reaction classify(const grpc_status& status) noexcept;

/** Patroni's StaleEtcdNodeGuard: the raft term seen in response headers
 *  must not go down for one cluster ID. observe() returns false when the
 *  answering node is stale (a lower term than already seen: it is cut off
 *  from the majority), so the caller switches node. A new cluster ID
 *  resets the term; a header without ID or term is ignored. */
class term_guard {
public:
    [[nodiscard]] PGWARDEN_DECL bool observe(std::string_view cluster_id, std::int64_t raft_term);
    void reset() noexcept { cluster_id_.clear(); term_ = 0; }
    std::int64_t term() const noexcept { return term_; }

private:
    std::string cluster_id_;
    std::int64_t term_ = 0;
};

/// One DNS SRV name to ask, in Patroni's order (etcd.py _get_machines_cache_from_srv).
struct srv_query {
    std::string name;       ///< `_etcd-client-ssl._tcp.<domain>` ...
    std::string protocol;   ///< `https` when the service name has `-ssl`
    bool peer = false;      ///< `-server` names: ask `GET /members` on the peer port
};

/** The SRV names for `srv` in Patroni's order: `-client-ssl`, `-client`,
 *  `-ssl`, ``, `-server-ssl`, `-server`; with a suffix each service name
 *  gets `-<suffix>` appended (`_etcd-client-ssl-<suffix>._tcp.<srv>`). */
[[nodiscard]] PGWARDEN_DECL std::vector<srv_query> srv_queries(std::string_view srv,
                                                               std::string_view suffix);

} // namespace pgwarden::dcs::etcd3::wire

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/etcd3/impl/wire.ipp>
#endif
