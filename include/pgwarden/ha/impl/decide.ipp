// decide(): Patroni's Ha.run_cycle / Ha._run_cycle as a pure function
// (ha-loop.md 3). Branching stays here; the leaves live in the other impl files.
#pragma once
#include <pgwarden/core/assert.hpp>
#include <charconv>
#include <string_view>
#include <pgwarden/ha/decide.hpp>
#include <pgwarden/ha/impl/member.ipp>
#include <pgwarden/ha/impl/recover.ipp>
#include <pgwarden/ha/impl/requests.ipp>

namespace pgwarden::ha::detail {

inline bool sysid_valid(const std::optional<std::string>& s) noexcept
{
    return s && s->size() >= 10 && std::all_of(s->begin(), s->end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

/// text == std::to_string(v), without formatting v (a multiplication per digit, no division).
inline bool decimal_equals(std::string_view text, std::uint64_t v) noexcept
{
    if (text.empty() || text.size() > 20 || (text.size() > 1 && text.front() == '0')) return false;
    std::uint64_t r = 0;
    if (text.size() <= 19) {   // at most 10^19 - 1 < 2^64: no overflow possible
        for (const char ch : text) {
            if (ch < '0' || ch > '9') return false;
            r = r * 10 + static_cast<unsigned>(ch - '0');
        }
        return r == v;
    }
    for (const char ch : text) {
        if (ch < '0' || ch > '9') return false;
        if (__builtin_mul_overflow(r, 10u, &r) || __builtin_add_overflow(r, static_cast<unsigned>(ch - '0'), &r))
            return false;
    }
    return r == v;
}

inline std::string local_sysid(const cycle& c)
{
    return c.local && c.local->system_identifier ? std::to_string(*c.local->system_identifier) : std::string();
}

/// Patroni: Ha.check_failsafe_topology + _handle_dcs_error failsafe branch (§17).
inline std::optional<std::string> failsafe_continue(cycle& c)
{
    const auto& topo = c.prev.failsafe_topology;
    const bool listed = std::any_of(topo.begin(), topo.end(), [&](const auto& kv) { return kv.first == c.me(); });
    if (!c.cfg.failsafe_mode || !listed) return std::nullopt;
    const bool alone = topo.size() == 1;
    if (!alone) {
        if (!c.in.failsafe_all_accepted) {
            c.ask(query::failsafe_post);
            return std::nullopt;
        }
        if (!*c.in.failsafe_all_accepted) return std::nullopt;
    }
    PGWARDEN_MARK("dcs error: failsafe, all members accessible");
    c.st().leader_until = c.in.now + c.cfg.ttl;
    c.st().failsafe_active = true;
    if (c.prev.watchdog_active) c.emit(watchdog_keepalive{});
    c.emit(pg_sync_slots{});
    return std::string("continue to run as a leader because failsafe mode is enabled and all members are accessible");
}

/// Patroni: Ha._handle_dcs_error (§20).
inline std::string handle_dcs_error(cycle& c)
{
    c.dcs_failed = true;
    const bool was_primary = c.prev.role == node_role::primary || c.prev.role == node_role::promoted;
    const bool primary = c.local ? c.is_primary() : was_primary;
    const bool running = c.local ? c.is_running() : was_primary;
    if (!c.paused() && running) {
        if (primary) {
            if (auto msg = failsafe_continue(c)) return *msg;
            PGWARDEN_MARK("dcs error: demoting the primary");
            c.st().failsafe_active = false;
            demote(c, demote_mode::offline);
            return "demoted self because DCS is not accessible and I was a leader";
        }
        if (c.cfg.failsafe_mode) c.emit(pg_sync_slots{});
    }
    PGWARDEN_MARK("dcs error: DCS is not accessible");
    return "DCS is not accessible";
}

/// The leader as seen this cycle, with the failsafe injection of §17.
inline void observe_leader(cycle& c)
{
    const auto& s = *c.cluster;
    if (!s.is_unlocked()) c.leader = s.leader->name;
    else if (c.cfg.failsafe_mode && c.in.failsafe_leader) c.leader = *c.in.failsafe_leader;
    c.lock_held = c.leader && *c.leader == c.me() && !s.is_unlocked();
    if (!c.lock_held) c.st().leader_until.reset();   // ha-loop.md 1.4
}

/// Patroni: Patroni._shutdown / Ha.shutdown (§21). Not in the message catalogue.
inline std::string shutdown(cycle& c)
{
    if (c.busy()) c.emit(cancel_background{});
    if (c.paused() || c.st().leave_postgres_running) {
        if (c.st().watchdog_active) c.emit(watchdog_disable{});
        c.st().watchdog_active = false;
        return "shutting down, PostgreSQL left running";
    }
    if (must_leave_sync_first(c)) return waiting_for_release;   // the engine re-decides shortly
    pg_stop stop{pg::stop_mode::fast, false, c.st().watchdog_active, std::nullopt};
    if (c.cfg.synchronous_mode != sync_mode::off && c.cfg.primary_stop_timeout.count() > 0)
        stop.timeout = c.cfg.primary_stop_timeout;
    c.emit(stop);
    c.st().watchdog_active = false;
    if (c.cluster && c.lock_held) release_lock(c);   // the engine adds the checkpoint LSN
    if (c.cluster) {
        auto data = member_data_for(c);
        data.state = "stopped";
        data.xlog_location.reset();
        c.emit(publish_member{std::move(data)});
    }
    c.member_published = true;
    PGWARDEN_MARK("shutdown: stopping PostgreSQL");
    return "shutting down";
}

/// §3 steps 1-5: the view of the cluster and the writes a lock holder owes.
inline void observe_cluster(cycle& c)
{
    const auto& s = *c.cluster;
    observe_leader(c);
    if (!s.is_unlocked()) {
        c.st().former_leader = s.leader->name;
        auto& old = c.st().old_cluster_members;   // rewritten only when it changed (hot path)
        const bool same = old.size() == s.members.size() &&
                          std::equal(old.begin(), old.end(), s.members.begin(),
                                     [](const auto& o, const dcs::member_record& m) {
                                         return o.first == m.name && o.second == m.data.api_url;
                                     });
        if (!same) {
            old.clear();
            for (const auto& m : s.members) old.emplace_back(m.name, m.data.api_url);
        }
    }
    if (s.failsafe) c.st().failsafe_topology = s.failsafe->members;
    if (c.paused()) {
        if (c.st().watchdog_active) c.emit(watchdog_disable{});
        c.st().watchdog_active = false;
    } else if (c.prev.was_paused) {
        c.st().rewind = rewind_state::initial;   // sanity checks after pause
    }
    if (!s.find_member(c.me())) c.emit(publish_member{member_data_for(c)});
    if (c.lock_held && !sysid_valid(s.initialize) && c.local && c.local->system_identifier)
        c.emit(write_initialize{local_sysid(c), !s.initialize.has_value()});
    if (c.lock_held && (!s.config || s.config->json.empty() || s.config->json == "{}"))
        c.emit(write_config{c.cfg.dynamic_config_json, std::nullopt});
}

/// §3 step 10: empty or inaccessible data directory.
inline std::string empty_data_dir(cycle& c)
{
    const bool accessible = c.in.facts.data_dir_accessible;
    c.st().role = node_role::uninitialized;
    if (c.is_running()) c.emit(pg_stop{pg::stop_mode::immediate, false, false, c.cfg.retry_timeout});
    if (c.st().watchdog_active) c.emit(watchdog_disable{});
    c.st().watchdog_active = false;
    if (c.lock_held) {
        PGWARDEN_MARK("data dir: released the lock");
        release_lock(c);
        return std::string("released leader key voluntarily as data dir ") + (accessible ? "empty" : "not accessible") +
               " and currently leader";
    }
    if (!accessible) return "data directory is not accessible: " + c.in.facts.data_dir_error;
    if (c.paused()) return "running with empty data directory";
    return bootstrap(c);
}

/// §3 step 11: identity checks. A message stops the cycle.
inline std::optional<std::string> check_identity(cycle& c)
{
    const auto& init = c.cluster->initialize;
    if (!c.in.facts.sysid_valid)
        return std::string("data dir for the cluster is not empty, but system ID is invalid; consider doing reinitialize");
    if (init && init->size() >= 10 && c.local && c.local->system_identifier &&
        decimal_equals(*init, *c.local->system_identifier))
        return std::nullopt;   // the common case without allocating: the identifiers match
    const std::string mine = local_sysid(c);
    if (sysid_valid(init)) {
        if (*init == mine || mine.empty()) return std::nullopt;
        if (c.paused()) {
            if (!c.lock_held) return std::nullopt;
            release_lock(c);
            return std::string("released leader key voluntarily due to the system ID mismatch");
        }
        PGWARDEN_MARK("identity: system ID mismatch");
        c.st().exit_requested = true;
        c.emit(exit_daemon{1, "system ID mismatch, node " + c.me() + " belongs to a different cluster: " + *init +
                                  " != " + mine});
        return "system ID mismatch, node " + c.me() + " belongs to a different cluster: " + *init + " != " + mine;
    }
    if (c.unlocked() && !c.paused() && !c.prev.callback_fired) {
        if (c.is_running() && !c.is_primary()) {
            PGWARDEN_MARK("identity: replica without initialize key");
            c.st().exit_requested = true;
            c.st().leave_postgres_running = true;
            c.emit(exit_daemon{1, "No initialize key in DCS and PostgreSQL is running as replica, aborting start"});
            return std::string("No initialize key in DCS and PostgreSQL is running as replica, aborting start");
        }
        if (!mine.empty()) c.emit(write_initialize{mine, !init.has_value()});
    }
    return std::nullopt;
}

/// §3 step 12: PostgreSQL is not running.
inline std::string not_running(cycle& c)
{
    if (c.paused()) {
        if (c.lock_held) {
            release_lock(c);
            return "removed leader lock because postgres is not running";
        }
        const auto r = c.st().rewind;
        const bool allowed = c.in.facts.pg_rewind_usable || c.cfg.remove_data_directory_on_diverged_timelines;
        if (r == rewind_state::failed || (!is_rewind_executed(r) && !(is_rewind_needed(r) && allowed)))
            return "postgres is not running";
    }
    return recover(c);
}

/// §3 steps 6-9: long action, starting, bootstrap, after a start.
inline std::optional<std::string> in_flight(cycle& c)
{
    if (c.busy()) return handle_long_action(c);
    if (c.is_starting() && !c.paused()) {
        if (!c.st().starting_since) c.st().starting_since = c.in.now;
    } else {
        c.st().starting_since.reset();
    }
    if (auto msg = handle_starting(c)) return msg;
    if (c.st().bootstrapping) return post_bootstrap(c);
    if (c.prev.recovering) {
        c.st().recovering = false;
        if (!is_rewind_needed(c.st().rewind)) {
            if (auto msg = post_recover(c)) return msg;
        }
        c.st().crash_recovery_started.reset();
        c.st().crash_recovery_executed = false;
        if (c.st().rewind == rewind_state::success) c.st().rewind = rewind_state::initial;
    }
    return std::nullopt;
}

/// §3 step 14: slots and the first-cycle callback.
inline void after_cycle(cycle& c)
{
    const bool promoting = c.in.background && c.in.background->name == "promote";
    if ((c.busy() && !promoting) || c.is_starting() || !c.is_running()) return;
    // Anything after begin_background would run inside that task, and nothing
    // may follow a stop: such cycles leave slots and callbacks to the next one.
    for (const auto& a : c.t.actions)
        if (std::holds_alternative<begin_background>(a) || std::holds_alternative<pg_stop>(a)) return;
    if (c.cfg.use_slots && c.cluster->config) c.emit(pg_sync_slots{});
    if (!c.prev.callback_fired) {
        if (!promoting && !c.is_primary()) trigger_divergence_check(c);
        c.emit(run_callback{"on_start", std::string(role_name(c.st().role))});
        c.st().callback_fired = true;
    }
}

/** Patroni: Postgresql.__init__ role detection (§2.1). A fresh ha_state says
 *  `uninitialized`; once a non-empty data directory is seen the role follows it. */
inline void seed_role(cycle& c)
{
    if (c.st().role != node_role::uninitialized || !c.local || c.local->data_dir_empty || c.st().bootstrapping)
        return;
    if (c.local->running) c.st().role = c.local->in_recovery ? node_role::replica : node_role::primary;
    else c.st().role = c.in.facts.has_recovery_conf ? node_role::replica : node_role::demoted;
}

/** Undo the optimistic effects of the previous list when it stopped early (ha_state docs). */
inline void undo_unconfirmed(cycle& c)
{
    auto& st = c.st();
    if (c.in.feedback) {
        if (st.watchdog_unconfirmed) st.watchdog_active = false;
        if (st.checkpoint_unconfirmed) st.checkpoint_after_promote_done = false;
        if (st.sync_guc_unconfirmed) st.sync_guc = st.sync_guc_before;
        // Lost (or failed) the race for `initialize`: the bootstrap never started, so this
        // node is not bootstrapping (Patroni sets the flag only after winning the race).
        if (c.in.feedback->action == "write_initialize" && st.bootstrapping && !c.in.background &&
            !c.in.finished && st.role == node_role::uninitialized && c.local && c.local->data_dir_empty) {
            PGWARDEN_MARK("bootstrap: lost the initialize race");
            st.bootstrapping = false;
            st.bootstrapping_standby = false;
        }
    }
    st.watchdog_unconfirmed = st.checkpoint_unconfirmed = st.sync_guc_unconfirmed = false;
    st.sync_guc_before.reset();
}

/** Patroni: SyncHandler.current_state "GUC changed since last seen" (§13.3): the change the
 *  previous list made is in force (no feedback), so remember the primary's flush position and
 *  keep ready marks only for names still listed. */
inline void settle_sync_guc(cycle& c, bool guc_changed_last_list)
{
    auto& st = c.st();
    const bool primary = c.local && c.local->running && !c.local->in_recovery;
    if (!primary || !st.sync_guc) {
        st.sync_ready.clear();
        return;
    }
    if (!guc_changed_last_list || c.in.feedback) return;
    st.sync_flush_at_change = c.local->write_lsn;
    std::erase_if(st.sync_ready, [&](const std::string& n) { return !contains_ci(st.sync_guc->names, n); });
}

/// Remember which optimistic effects the list just built carries (see undo_unconfirmed).
inline void mark_unconfirmed(cycle& c, const std::optional<pg::sync_names>& guc_at_start)
{
    auto& st = c.st();
    for (const auto& a : c.t.actions) {
        if (std::holds_alternative<watchdog_activate>(a)) st.watchdog_unconfirmed = true;
        else if (std::holds_alternative<pg_checkpoint>(a)) st.checkpoint_unconfirmed = true;
        else if (std::holds_alternative<pg_set_sync_standbys>(a)) st.sync_guc_unconfirmed = true;
    }
    if (st.sync_guc_unconfirmed) st.sync_guc_before = guc_at_start;
}

/** The effect of a long action on the rewind state and the role. Patroni changes both inside
 *  the task itself (Rewind.execute sets SUCCESS or FAILED; Postgresql.promote sets `promoted`
 *  only after `pg_ctl promote` succeeded); decide learns it from `inputs::background` and
 *  `inputs::finished`, before anything else, so that even a cycle without DCS or probe keeps it. */
inline void note_background(cycle& c)
{
    const auto& fin = c.in.finished;
    // Patroni: Rewind.execute (§10.3).
    if (fin && c.st().rewind == rewind_state::need && fin->name.rfind("running pg_rewind from ", 0) == 0) {
        if (fin->ok) {
            PGWARDEN_MARK("rewind: pg_rewind succeeded");
            c.st().rewind = rewind_state::success;
        } else if (!fin->source_unreachable) {
            PGWARDEN_MARK("rewind: pg_rewind failed");
            c.st().rewind = rewind_state::failed;
        }   // else: "Failed to rewind because primary ... become unreachable": stays NEED, retried
    }
    if (!c.st().promote_pending) return;
    const bool running = c.in.background && c.in.background->name == "promote";
    if (running) return;
    c.st().promote_pending = false;
    const bool done = fin && fin->name == "promote" && fin->ok;
    const bool primary = c.local && c.local->running && !c.local->in_recovery;
    if (done || primary || c.st().role != node_role::promoted) return;
    // The promote list stopped before its task (lost write_sync CAS, failed lock write) or the
    // task failed / was cancelled: the promotion never happened, so the role goes back.
    PGWARDEN_MARK("promote: never happened, role back to replica");
    c.st().role = node_role::replica;
}

/// Patroni: Ha._run_cycle (§3).
inline std::string run_cycle(cycle& c)
{
    const auto& fb = c.in.feedback;
    const bool lock_io_error = fb && fb->result == outcome::dcs_error &&
                               (fb->action == "renew_leader" || fb->action == "acquire_leader");
    if (c.in.requests.shutdown) {
        if (c.cluster) observe_leader(c);
        return shutdown(c);
    }
    // The watchdog armed for a promotion whose acquire_leader failed guards nothing (see
    // enforce_primary_role): disarm it unless PostgreSQL already runs as a primary.
    if (fb && fb->action == "acquire_leader" && c.prev.watchdog_active && !(c.local && c.is_primary())) {
        PGWARDEN_MARK("watchdog: disarmed after a failed acquire");
        c.emit(watchdog_disable{});
        c.st().watchdog_active = false;
    }
    if (!c.cluster || lock_io_error) return handle_dcs_error(c);
    observe_cluster(c);
    if (!c.local) return "Error communicating with PostgreSQL. Will try again later";
    if (auto msg = in_flight(c)) return *msg;
    if (!c.in.facts.data_dir_accessible || c.local->data_dir_empty) return empty_data_dir(c);
    if (auto msg = check_identity(c)) return *msg;
    if (!c.is_running()) return not_running(c);
    std::string ret;
    if (c.unlocked()) {
        ret = process_unhealthy_cluster(c);
    } else {
        ret = process_healthy_cluster(c);
        if (auto msg = evaluate_scheduled_restart(c)) ret = *msg;
    }
    after_cycle(c);
    return ret;
}

/// The query the engine must answer before decide() can finish (STYLE.md 3 rule 3).
inline void query_transition(const cycle& c, transition& t)
{
    t.next = c.prev;
    t.actions.clear();
    t.reason.clear();
    switch (c.pending_query) {
    case query::peers: {
        fetch_peers f;
        if (!c.cluster) break;   // never asked without a snapshot; defensive
        const auto add = [&](const std::string& n, const std::string& url) {
            if (n == c.me() || url.empty()) return;
            if (std::find(f.members.begin(), f.members.end(), n) != f.members.end()) return;
            f.members.push_back(n);
            f.api_urls.push_back(url);
        };
        for (const auto& m : c.cluster->members) add(m.name, m.data.api_url);
        // Members known only from the last locked snapshot or from /failsafe (§5.3 rule 9):
        // Patroni asks them too, with the api_url it saw then.
        for (const auto& [n, url] : c.prev.old_cluster_members) add(n, url);
        if (c.cluster->failsafe)
            for (const auto& [n, url] : c.cluster->failsafe->members) add(n, url);
        t.actions.emplace_back(std::move(f));
        t.reason = "fetching the status of other members";
        break;
    }
    case query::failsafe_post:
        t.actions.emplace_back(post_failsafe{});
        t.reason = "asking members to accept failsafe leadership";
        break;
    case query::divergence:
        t.actions.emplace_back(pg_check_divergence{*c.divergence_target});
        t.reason = "checking whether the timelines diverged";
        break;
    case query::none: break;
    }
}

} // namespace pgwarden::ha::detail

namespace pgwarden::ha {

PGWARDEN_DECL transition decide(const ha_state& state, const inputs& in) noexcept
{
    transition t;
    decide_into(state, in, t);
    return t;
}

PGWARDEN_DECL void decide_into(const ha_state& state, const inputs& in, transition& out) noexcept
{
    PGWARDEN_ASSERT(in.config != nullptr);
    PGWARDEN_ASSERT(&out.next != &state);
    detail::cycle c{state, in, *in.config, out};
    // Assignments, not a fresh transition: `out`'s vectors and strings keep their buffers.
    c.t.next = state;
    c.t.actions.clear();
    c.spare = std::move(c.t.reason);   // recycled by the message this cycle builds
    c.t.reason.clear();
    c.t.actions.reserve(4);   // fewer regrowths for the usual list
    c.cluster = in.cluster.get();
    c.local = in.local.get();
    const bool running = c.local && c.local->running;
    detail::seed_role(c);
    const bool guc_changed_last_list = state.sync_guc_unconfirmed;
    detail::undo_unconfirmed(c);
    detail::settle_sync_guc(c, guc_changed_last_list);
    const auto guc_at_start = c.st().sync_guc;
    detail::note_background(c);
    const node_role from = c.st().role;
    c.t.next.pg_crashed = !running && (state.pg_crashed || state.pg_was_running ||
                                       (c.local && c.local->state == pg::pg_state::crashed));
    std::string reason = detail::run_cycle(c);
    if (c.cluster && c.local && !c.dcs_failed && !c.st().exit_requested && !in.requests.shutdown) {
        if (auto served = detail::serve_requests(c)) reason = std::move(*served);
    }
    if (c.pending_query != detail::query::none) return detail::query_transition(c, out);
    auto& next = c.t.next;
    if (!c.dcs_failed && !c.member_published) {
        if (c.is_leader()) next.failsafe_active = false;
        // Patroni writes the member key from the main thread (keep it out of any background
        // task) and in a `finally` (a failed best-effort step must not skip it: the engine stops
        // at the first failure, so the key goes before slots, callbacks, CHECKPOINT, resume).
        auto& acts = c.t.actions;
        auto at = std::find_if(acts.begin(), acts.end(), [](const action& a) {
            return std::holds_alternative<begin_background>(a) || std::holds_alternative<pg_sync_slots>(a) ||
                   std::holds_alternative<run_callback>(a) || std::holds_alternative<pg_checkpoint>(a) ||
                   std::holds_alternative<pg_resume_replay>(a);
        });
        // Built in its place in the list: a cheap placeholder is inserted, then replaced by an
        // empty publish_member that is filled in place (the member data is never moved).
        auto it = acts.emplace(at);
        detail::member_data_into(c, it->emplace<publish_member>().data);
    }
    if (c.want_checkpoint && c.lock_held) c.emit(pg_checkpoint{});
    detail::mark_unconfirmed(c, guc_at_start);
    if (running) next.prev_wal_lsn = detail::wal_position(*c.local);
    next.pg_was_running = running;
    next.was_paused = in.config->pause;
    if (in.config->pause) {
        c.t.reason = "PAUSE: ";
        c.t.reason += reason;
    } else {
        c.t.reason.swap(reason);   // the caller's old buffer goes back to `reason`, freed here
    }
    PGWARDEN_ASSERT(is_legal(state.role, from));
    PGWARDEN_ASSERT(is_legal(from, next.role));
}

} // namespace pgwarden::ha
