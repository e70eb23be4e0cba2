// Settings of pg::libpq_controller: what the daemon maps the `postgresql`
// (and `bootstrap`) sections of the YAML configuration onto (config.md 5.5).
// Aggregates only: no Asio, no libpq, no yaml-cpp.
#pragma once
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::pg {

/// One `--name[=value]` option of initdb, pg_basebackup or pg_rewind. The
/// YAML list form (`- data-checksums`) has no value; the map form
/// (`- encoding: UTF8` or `{encoding: UTF8}`) has one.
struct cli_option {
    std::string name;
    std::optional<std::string> value;
    friend bool operator==(const cli_option&, const cli_option&) = default;
};

/// `postgresql.authentication.<superuser|replication|rewind>`.
struct auth_user {
    std::string username;
    std::optional<std::string> password;
    /// sslmode, sslcert, sslkey, sslrootcert, sslcrl, sslcrldir, sslpassword,
    /// gssencmode, channel_binding: copied into DSNs and primary_conninfo.
    std::map<std::string, std::string> ssl;
};

/// A `postgresql.<method>` section named in create_replica_methods.
struct replica_method {
    std::string name;
    std::string command;              ///< split shell-style; empty => `name`
    bool keep_data = false;
    bool no_params = false;
    bool no_leader = false;
    /// Every other key, passed as `--key=value` (Python-style True/False kept as given).
    std::vector<std::pair<std::string, std::string>> params;
};

/// `postgresql.callbacks` plus the two synchronous hooks.
struct callbacks_config {
    std::optional<std::string> on_start, on_stop, on_restart, on_reload, on_role_change;
    std::optional<std::string> pre_promote;   ///< sync; non-zero exit => no promotion
    std::optional<std::string> before_stop;   ///< sync; exit code ignored
    std::chrono::milliseconds sync_timeout{std::chrono::seconds{60}};
};

/// `bootstrap` section (ha-loop.md 11.3).
struct bootstrap_config {
    std::string method = "initdb";
    std::vector<cli_option> initdb;           ///< list/map forms, normalised
    /// A custom method: bootstrap.<method>.command and its other keys.
    std::string command;
    bool no_params = false;
    bool keep_existing_recovery_conf = false;
    std::vector<std::pair<std::string, std::string>> method_params;
    std::map<std::string, std::string> recovery_conf;
    std::optional<std::string> post_bootstrap;   ///< also `post_init`
    std::vector<std::string> pg_hba;             ///< appended after initdb unless pg_hba is set
};

/** Everything the controller needs. Defaults follow Patroni's. */
struct controller_config {
    std::string scope = "batman";             ///< cluster_name, callback argument
    std::string name;                         ///< member name: application_name, slot name
    std::string data_dir;
    std::string config_dir;                   ///< empty => data_dir
    std::string config_base_name = "postgresql";
    std::optional<std::string> custom_conf;
    std::string bin_dir;                      ///< empty => PATH
    std::map<std::string, std::string> bin_name;   ///< overrides: pg_ctl, initdb, ...
    std::string listen = "127.0.0.1:5432";    ///< host[,host...]:port
    std::string connect_address;              ///< host:port published as conn_url
    std::string database = "postgres";
    std::string pgpass;                       ///< empty => <data_dir>/../pgpass_<name>
    auth_user superuser{"postgres", std::nullopt, {}};
    auth_user replication{"replicator", std::nullopt, {}};
    std::optional<auth_user> rewind;          ///< absent => superuser
    std::map<std::string, std::string> parameters;   ///< GUCs as text
    std::vector<std::string> pg_hba;          ///< empty => keep initdb's pg_hba.conf
    std::vector<std::string> pg_ident;
    std::map<std::string, std::string> recovery_conf;  ///< restore_command, ...
    callbacks_config callbacks;
    bootstrap_config bootstrap;
    std::vector<std::string> create_replica_methods{"basebackup"};
    std::vector<replica_method> replica_methods;
    std::vector<cli_option> basebackup;
    std::vector<cli_option> rewind_options;
    bool use_pg_rewind = false;
    bool remove_data_directory_on_rewind_failure = false;
    bool remove_data_directory_on_diverged_timelines = false;
    bool use_slots = true;
    bool use_unix_socket = false;
    std::optional<std::string> run_as;        ///< user to run PostgreSQL and tools as (we may be root)
    /// Extra environment for the postmaster and tools (tests: LANG etc.).
    std::map<std::string, std::string> extra_env;
    /** Where the postmaster's stdout/stderr go. Absent (the default, as in
     *  Patroni): inherited from the daemon, so PostgreSQL's own
     *  logging_collector/log_directory GUCs decide where its log goes and
     *  anything printed before the collector starts (or with it off) lands
     *  in the daemon's stderr/journal. A path: appended to that file
     *  ("/dev/null" discards).
     */
    std::optional<std::string> postmaster_log;
    /** Patroni 3.0.2 role names for mixed clusters: callbacks get `master`
     *  instead of `primary` (also role_text()).
     */
    bool legacy_role_names = false;

    std::chrono::milliseconds pg_ctl_timeout{std::chrono::seconds{60}};
    std::chrono::milliseconds connect_timeout{std::chrono::seconds{3}};
    std::chrono::milliseconds statement_timeout{std::chrono::seconds{10}};
    std::chrono::milliseconds primary_stop_timeout{0};  ///< 0 => pg_ctl_timeout, then SIGKILL
    std::chrono::milliseconds basebackup_retry_delay{std::chrono::seconds{5}};
    int basebackup_attempts = 2;
};

} // namespace pgwarden::pg
