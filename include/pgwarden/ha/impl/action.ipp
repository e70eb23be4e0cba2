// action_name(): one string per alternative, in variant order.
#pragma once
#include <pgwarden/ha/action.hpp>

namespace pgwarden::ha {

PGWARDEN_DECL const char* action_name(const action& a) noexcept
{
    static constexpr const char* names[] = {
        "acquire_leader", "renew_leader", "release_leader", "publish_member", "write_sync",
        "delete_sync", "write_failover", "clear_failover", "write_history", "write_initialize",
        "cancel_initialize", "write_config", "write_failsafe", "reload_cluster", "fetch_peers",
        "post_failsafe", "begin_background", "pg_start", "pg_stop", "pg_promote", "pg_follow",
        "pg_rewind", "pg_check_divergence", "pg_crash_recovery", "pg_reinitialize",
        "pg_bootstrap", "pg_post_bootstrap", "pg_create_replica", "pg_set_sync_standbys",
        "pg_sync_slots", "pg_checkpoint", "pg_resume_replay", "pg_move_data_dir_aside",
        "watchdog_activate", "watchdog_keepalive", "watchdog_disable", "run_callback",
        "cancel_background", "clear_scheduled_restart", "exit_daemon"};
    static_assert(std::size(names) == std::variant_size_v<action>);
    return names[a.index()];
}

} // namespace pgwarden::ha
