// Typed aggregates for Patroni's local YAML configuration and the dynamic
// (DCS-stored) configuration. Plain values only: no YAML, JSON or Asio here
// (STYLE.md 1), so every module may include it cheaply.
//
// Defaults are Patroni 4.1's (config.md §4-§6). Free-form maps (GUCs, tags,
// labels, custom sections) are kept as ordered name -> scalar lists so that
// nothing from the file is lost and the file order is preserved.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgwarden::config {

/** One YAML/JSON scalar with its resolved type.
 *
 *  `text` is the canonical spelling: `true`/`false` for booleans, decimal for
 *  integers (YAML 1.1 octal/hex already resolved), the source text for reals
 *  and strings. A map or list found where a scalar was expected is kept with
 *  kind `composite` and its JSON text, so it survives a round trip.
 */
struct scalar {
    enum class kind : std::uint8_t { null, boolean, integer, real, string, composite };
    kind type = kind::null;
    std::string text;

    static scalar str(std::string s) { return {kind::string, std::move(s)}; }
    static scalar integer(std::int64_t v) { return {kind::integer, std::to_string(v)}; }
    static scalar boolean(bool v) { return {kind::boolean, v ? "true" : "false"}; }
    bool is_null() const noexcept { return type == kind::null; }
    friend bool operator==(const scalar&, const scalar&) = default;
};

/// An ordered map name -> scalar (YAML order). Lookups are linear: these maps are small.
struct scalar_map {
    std::vector<std::pair<std::string, scalar>> items;

    const scalar* find(std::string_view key) const noexcept
    {
        for (const auto& [k, v] : items)
            if (k == key)
                return &v;
        return nullptr;
    }
    /// Replaces the value of an existing key in place, or appends it.
    void set(std::string key, scalar value)
    {
        for (auto& [k, v] : items)
            if (k == key) {
                v = std::move(value);
                return;
            }
        items.emplace_back(std::move(key), std::move(value));
    }
    bool erase(std::string_view key)
    {
        for (auto it = items.begin(); it != items.end(); ++it)
            if (it->first == key) {
                items.erase(it);
                return true;
            }
        return false;
    }
    bool empty() const noexcept { return items.empty(); }
    std::size_t size() const noexcept { return items.size(); }
    friend bool operator==(const scalar_map&, const scalar_map&) = default;
};

/// A command-line option of initdb/pg_basebackup/pg_rewind: `- data-checksums`
/// (no value) or `- encoding: UTF8`; the map form is converted to this list.
struct tool_option {
    std::string name;
    std::optional<std::string> value;
    friend bool operator==(const tool_option&, const tool_option&) = default;
};

// ---------------------------------------------------------------- log (§5.1)

/// One field of the json log format: `message` or `{asctime: '@timestamp'}`.
struct log_field {
    std::string name;
    std::string key;   ///< the output key; equals name unless renamed
};

struct log_config {
    std::string type = "plain";                    ///< plain | json
    std::string level = "INFO";
    std::string traceback_level = "ERROR";
    std::string format = "%(asctime)s %(levelname)s: %(message)s";
    std::vector<log_field> format_fields;          ///< json list form of `format`, else empty
    std::string dateformat;                        ///< empty = `YYYY-MM-DD HH:MM:SS,mmm`
    scalar_map static_fields;
    std::int64_t max_queue_size = 1000;
    std::optional<std::string> dir;                ///< unset: log to stderr
    std::optional<int> mode;                       ///< file permission bits
    std::int64_t file_size = 25000000;
    std::int64_t file_num = 4;
    std::vector<std::pair<std::string, std::string>> loggers;   ///< component -> level
    bool deduplicate_heartbeat_logs = false;
};

// ----------------------------------------------------- dynamic config (§6)

enum class synchronous_mode : std::uint8_t { off, on, quorum };

/// A permanent replication slot (`slots` / `permanent_slots` / `permanent_replication_slots`).
struct permanent_slot {
    std::string name;
    std::string type = "physical";   ///< physical | logical
    std::string database;
    std::string plugin;
    std::string cluster_type;        ///< "" (both) | primary | standby
    friend bool operator==(const permanent_slot&, const permanent_slot&) = default;
};

/// An `ignore_slots` matcher; empty fields match anything.
struct ignore_slot {
    std::string name, type, database, plugin;
    friend bool operator==(const ignore_slot&, const ignore_slot&) = default;
};

struct standby_cluster_config {
    std::string host;
    std::string port;   ///< as written (Patroni accepts int or str)
    std::string primary_slot_name;
    std::vector<std::string> create_replica_methods;
    std::string restore_command;
    std::string archive_cleanup_command;
    std::string recovery_min_apply_delay;
    friend bool operator==(const standby_cluster_config&, const standby_cluster_config&) = default;
};

/// Role-specific PostgreSQL overrides ([master] `parameters_<role>` etc.).
struct role_overrides {
    scalar_map parameters;
    std::optional<std::vector<std::string>> pg_hba;
    std::optional<std::vector<std::string>> pg_ident;
    friend bool operator==(const role_overrides&, const role_overrides&) = default;
};

/// The `postgresql` part of the dynamic configuration.
struct dynamic_postgresql {
    std::optional<bool> use_pg_rewind;
    bool use_slots = true;
    scalar_map parameters;
    scalar_map recovery_conf;
    std::optional<std::vector<std::string>> pg_hba;
    std::optional<std::vector<std::string>> pg_ident;
    std::optional<std::int64_t> pg_ctl_timeout;
    role_overrides primary, replica, standby_leader;
    /// Every other key, name -> JSON text (e.g. remove_data_directory_on_*).
    std::vector<std::pair<std::string, std::string>> extra;
    friend bool operator==(const dynamic_postgresql&, const dynamic_postgresql&) = default;
};

/** The dynamic ("global") configuration stored in the DCS `config` key (dcs.md §2.3). */
struct dynamic_config {
    std::int64_t ttl = 30;
    std::int64_t loop_wait = 10;
    std::int64_t retry_timeout = 10;
    std::int64_t maximum_lag_on_failover = 1048576;
    std::int64_t maximum_lag_on_syncnode = -1;
    std::int64_t max_timelines_history = 0;
    std::int64_t primary_start_timeout = 300;
    std::int64_t primary_stop_timeout = 0;
    std::int64_t primary_race_backoff = 0;
    bool check_timeline = false;
    synchronous_mode sync_mode = synchronous_mode::off;
    bool synchronous_mode_strict = false;
    std::int64_t synchronous_node_count = 1;
    bool failsafe_mode = false;
    bool pause = false;
    std::int64_t member_slots_ttl_s = 1800;
    std::vector<permanent_slot> slots;
    std::vector<ignore_slot> ignore_slots;
    std::optional<standby_cluster_config> standby_cluster;
    dynamic_postgresql postgresql;
    /// Every other top-level key, name -> JSON text, kept for the encoder.
    std::vector<std::pair<std::string, std::string>> extra;

    /// Standby cluster iff `standby_cluster` has a truthy host, port or restore_command.
    bool is_standby_cluster() const noexcept
    {
        return standby_cluster && (!standby_cluster->host.empty() || !standby_cluster->port.empty() ||
                                   !standby_cluster->restore_command.empty());
    }
    bool is_synchronous() const noexcept { return sync_mode != synchronous_mode::off; }
    friend bool operator==(const dynamic_config&, const dynamic_config&) = default;
};

// ------------------------------------------------------- bootstrap (§5.2)

/// A custom bootstrap method section (`bootstrap.<method>`).
struct bootstrap_method {
    std::string name;
    std::string command;
    bool no_params = false;
    bool keep_existing_recovery_conf = false;
    std::optional<scalar_map> recovery_conf;
    scalar_map options;   ///< every other key: passed as --key=value
};

/// 3.0.2 `bootstrap.users` entry (removed in 4.0; kept so 3.0.2 files load).
struct bootstrap_user {
    std::string name;
    std::string password;
    std::vector<std::string> options;
};

struct bootstrap_config {
    /// `bootstrap.dcs` as JSON text exactly as written (what Patroni stores in /config).
    std::string dcs_json = "{}";
    bool has_dcs = false;
    std::string method = "initdb";
    std::vector<bootstrap_method> methods;   ///< the custom method sections
    std::vector<tool_option> initdb;
    std::optional<std::string> post_bootstrap;   ///< also from `post_init`
    std::vector<std::string> pg_hba;
    std::vector<bootstrap_user> users;
};

struct citus_config {
    std::int64_t group = 0;
    std::string database;
};

// -------------------------------------------------------- DCS sections (§5.4)

enum class dcs_kind : std::uint8_t { none, consul, etcd, etcd3, exhibitor, kubernetes, raft, zookeeper };

/// The name of a DCS section as written in YAML ("etcd3"); "" for none.
constexpr std::string_view dcs_kind_name(dcs_kind k) noexcept
{
    switch (k) {
    case dcs_kind::consul: return "consul";
    case dcs_kind::etcd: return "etcd";
    case dcs_kind::etcd3: return "etcd3";
    case dcs_kind::exhibitor: return "exhibitor";
    case dcs_kind::kubernetes: return "kubernetes";
    case dcs_kind::raft: return "raft";
    case dcs_kind::zookeeper: return "zookeeper";
    case dcs_kind::none: break;
    }
    return "";
}

struct tls_files {
    std::optional<std::string> cacert, cert, key;
};

/// `etcd` (v2) and `etcd3` sections: same keys.
struct etcd_config : tls_files {
    std::optional<std::string> host;
    std::vector<std::string> hosts;   ///< list or comma-separated string
    bool use_proxies = false;
    std::optional<std::string> url, proxy, srv, srv_suffix;
    std::string protocol = "http";
    std::optional<std::string> username, password;
    std::optional<std::string> version_prefix;
    scalar_map extra;
};

struct consul_config : tls_files {
    std::string host = "127.0.0.1:8500";
    std::optional<std::string> url;
    std::optional<std::int64_t> port;
    std::string scheme = "http";
    std::optional<std::string> token;
    std::optional<bool> verify;
    std::optional<std::string> dc;
    std::string consistency = "default";
    std::vector<std::string> checks;
    bool register_service = false;
    std::vector<std::string> service_tags;
    std::string service_check_interval = "5s";
    std::optional<std::string> service_check_tls_server_name;
    scalar_map extra;
};

struct zookeeper_config : tls_files {
    std::vector<std::string> hosts;
    bool use_ssl = false;
    std::optional<std::string> key_password;
    bool verify = true;
    std::vector<std::pair<std::string, std::vector<std::string>>> set_acls;
    scalar_map auth_data;
    scalar_map extra;
};

struct exhibitor_config {
    std::vector<std::string> hosts;
    std::int64_t port = 0;
    std::int64_t poll_interval = 300;
};

struct kubernetes_port {
    std::string name;
    std::int64_t port = 5432;
    std::string protocol;
};

struct kubernetes_config {
    scalar_map labels;
    std::string namespace_ = "default";
    std::string scope_label = "cluster-name";
    std::string role_label = "role";
    std::string leader_label_value = "primary";
    std::string follower_label_value = "replica";
    std::string standby_leader_label_value = "primary";
    std::optional<std::string> tmp_role_label;
    scalar_map bootstrap_labels;
    bool use_endpoints = false;
    std::optional<std::string> pod_ip;
    std::vector<kubernetes_port> ports{kubernetes_port{}};
    std::optional<std::string> cacert;
    bool bypass_api_service = false;
    std::vector<std::int64_t> retriable_http_codes;
    std::string context = "kind-kind";
    scalar_map extra;
};

struct raft_config {
    std::optional<std::string> self_addr, bind_addr, data_dir, password;
    std::vector<std::string> partner_addrs;
    double min_timeout = 0.4, max_timeout = 1.4, connection_timeout = 3.5;
    double append_entries_period = 0.1, connection_retry_time = 5.0, leader_fallback_timeout = 30.0;
};

// -------------------------------------------------------- postgresql (§5.5)

/// A connection user of `postgresql.authentication` (superuser/replication/rewind),
/// reduced to the keys Patroni allows (config.md §2.3).
struct pg_user {
    std::optional<std::string> username, password, sslmode, sslcert, sslkey, sslpassword, sslrootcert, sslcrl,
        sslcrldir, gssencmode, channel_binding, sslnegotiation;
};

struct pg_authentication {
    pg_user superuser;
    pg_user replication;
    std::optional<pg_user> rewind;   ///< unset: the superuser is used
};

struct pg_callbacks {
    std::optional<std::string> on_start, on_stop, on_restart, on_reload, on_role_change;
};

/// A custom replica-creation method section (`postgresql.<name>`).
struct replica_method {
    std::string name;
    std::optional<std::string> command;
    bool keep_data = false;
    bool no_params = false;
    bool no_leader = false;
    scalar_map options;   ///< every other key
};

struct postgresql_config {
    std::string listen;
    std::string connect_address;
    std::optional<std::string> proxy_address;
    std::string data_dir;
    std::optional<std::string> config_dir;   ///< unset: data_dir
    std::string config_base_name = "postgresql";
    std::optional<std::string> custom_conf;
    std::string bin_dir;                      ///< "" = use PATH
    std::vector<std::pair<std::string, std::string>> bin_name;   ///< tool -> executable name
    std::string database = "postgres";
    std::string pgpass = "~/pgpass";
    pg_authentication authentication;
    pg_callbacks callbacks;
    std::vector<std::string> create_replica_methods{"basebackup"};
    std::vector<replica_method> replica_methods;
    std::vector<tool_option> basebackup;
    std::vector<tool_option> rewind;
    std::optional<bool> use_pg_rewind;   ///< Dyn; after merge_effective: local, else dynamic
    bool remove_data_directory_on_rewind_failure = false;
    bool remove_data_directory_on_diverged_timelines = false;
    scalar_map parameters;
    role_overrides primary, replica, standby_leader;
    std::optional<std::vector<std::string>> pg_hba;
    std::optional<std::vector<std::string>> pg_ident;
    std::optional<std::int64_t> pg_ctl_timeout;   ///< Dyn; unset: 60 s
    std::optional<scalar_map> recovery_conf;      ///< Dyn
    bool use_unix_socket = false;
    bool use_unix_socket_repl = false;
    std::optional<std::string> pre_promote, before_stop, krbsrvname;
    bool use_slots = true;   ///< dynamic only: a local value is ignored
    /// Unknown keys (scalar ones; sections become replica_methods when named in create_replica_methods).
    scalar_map extra;

    /// The executable name for a tool (`bin_name` override or the tool itself).
    std::string binary(std::string_view tool) const
    {
        for (const auto& [k, v] : bin_name)
            if (k == tool)
                return v;
        return std::string(tool);
    }
};

// ---------------------------------------------------------- restapi, ctl

struct restapi_config {
    std::string listen;
    std::string connect_address;
    std::optional<std::string> username, password;
    std::optional<std::string> certfile, keyfile, keyfile_password, cafile, ciphers;
    std::string verify_client = "none";
    std::vector<std::string> allowlist;
    bool allowlist_include_members = false;
    scalar_map http_extra_headers, https_extra_headers;
    std::int64_t request_queue_size = 5;
    std::string server_tokens = "original";   ///< lower-cased
    std::int64_t thread_pool_size = 5;

    /// `restapi.auth` = "user:pass" when both are set, else "".
    std::string auth() const { return username && password ? *username + ":" + *password : std::string{}; }
};

struct ctl_config {
    std::optional<std::string> username, password;
    bool insecure = false;
    std::optional<std::string> cacert, certfile, keyfile, keyfile_password;
};

// -------------------------------------------------------- watchdog, tags

enum class watchdog_mode : std::uint8_t { off, automatic, required };

struct watchdog_config {
    watchdog_mode mode = watchdog_mode::automatic;
    std::string device = "/dev/watchdog";
    std::int64_t safety_margin = 5;
    std::string driver = "default";
};

struct tags_config {
    bool nofailover = false;
    std::optional<std::int64_t> failover_priority;
    bool clonefrom = false;
    bool noloadbalance = false;
    std::optional<std::string> replicatefrom;
    bool nosync = false;
    std::optional<std::int64_t> sync_priority;
    bool nostream = false;
    scalar_map custom;   ///< every other tag, in file order

    /// Patroni's rule: never a leader with `nofailover: true`, or with a priority <= 0
    /// when `nofailover` is not given (the bool tag wins when both are written).
    bool effective_nofailover() const noexcept
    {
        if (nofailover_set)
            return nofailover;
        return failover_priority && *failover_priority <= 0;
    }
    bool effective_nosync() const noexcept
    {
        if (nosync_set)
            return nosync;
        return sync_priority && *sync_priority <= 0;
    }
    bool nofailover_set = false;   ///< `nofailover` was written
    bool nosync_set = false;       ///< `nosync` was written
};

// ------------------------------------------------------------- the whole file

/** The local configuration after file/dir/env merging (config.md §2.1, §4-§5). */
struct local_config {
    std::string name;
    std::string scope;
    std::string namespace_ = "/service";
    std::int64_t thread_pool_size = 5;
    std::int64_t thread_stack_size = 524288;
    log_config log;
    std::optional<bootstrap_config> bootstrap;
    std::optional<citus_config> citus;
    dcs_kind dcs = dcs_kind::none;   ///< the section used: first in alphabetical order
    std::optional<consul_config> consul;
    std::optional<etcd_config> etcd;
    std::optional<etcd_config> etcd3;
    std::optional<exhibitor_config> exhibitor;
    std::optional<kubernetes_config> kubernetes;
    std::optional<raft_config> raft;
    std::optional<zookeeper_config> zookeeper;
    postgresql_config postgresql;
    restapi_config restapi;
    ctl_config ctl;
    watchdog_config watchdog;
    tags_config tags;
    /// Other top-level keys, name -> JSON text.
    std::vector<std::pair<std::string, std::string>> extra;
};

/** What the daemon runs with: local config whose `postgresql` section has been
 *  merged with the dynamic one (config.md §2.3), plus the adjusted dynamic config. */
struct effective_config {
    local_config local;
    dynamic_config dynamic;

    bool use_pg_rewind() const noexcept { return local.postgresql.use_pg_rewind.value_or(false); }
    std::int64_t pg_ctl_timeout_s() const noexcept { return local.postgresql.pg_ctl_timeout.value_or(60); }
    bool use_slots() const noexcept { return dynamic.postgresql.use_slots; }
};

} // namespace pgwarden::config
