// The PostgreSQL policy the daemons instantiate the engine with: the
// libpq_controller, plus the operations decide's richer actions need
// (bootstrap, clone, crash recovery, ...) as `perform` overloads, plus the
// local facts that a probe does not carry (ha::local_facts).
#pragma once
#include <pgwarden/ha/action.hpp>
#include <pgwarden/ha/inputs.hpp>
#include <pgwarden/pg/libpq_controller.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <system_error>

namespace pgwarden::apps {

class pg_policy {
public:
    pg_policy(pg::libpq_controller& c, const pg::controller_config& cfg) : c_(c), cfg_(cfg) {}

    // ---- pg::controller --------------------------------------------------------
    task<result<pg::local_pg_state>> probe()
    {
        auto r = co_await c_.probe();
        refresh_facts(r.has_value() ? &*r : nullptr);
        co_return r;
    }
    task<result<void>> start(pg::start_role r) { return c_.start(r); }
    task<result<void>> stop(pg::stop_mode m) { return c_.stop(m); }
    task<result<void>> promote() { return c_.promote(); }
    task<result<void>> follow(const pg::follow_target& f) { return c_.follow(f); }
    task<result<void>> rewind(const pg::follow_target& f) { return c_.rewind(f); }
    task<result<void>> set_sync_standbys(const pg::sync_names& n) { return c_.set_sync_standbys(n); }
    task<result<void>> checkpoint() { return c_.checkpoint(); }

    /// Facts decide needs beyond the probe (engine: `if constexpr (requires { pg.facts(); })`).
    ha::local_facts facts() const { return facts_; }

    // ---- the richer actions -----------------------------------------------------
    task<result<void>> perform(const ha::pg_bootstrap&) { return c_.bootstrap(); }
    task<result<void>> perform(const ha::pg_post_bootstrap&)
    {
        co_return result<void>{};   // libpq_controller::bootstrap() runs post_bootstrap itself
    }
    task<result<void>> perform(const ha::pg_create_replica& a) { return c_.create_replica(a.source); }
    task<result<void>> perform(const ha::pg_reinitialize& a)
    {
        if (!a.source) return c_.create_replica(std::nullopt);
        return c_.reinitialize(*a.source);
    }
    task<result<void>> perform(const ha::pg_crash_recovery&) { return c_.crash_recovery(); }
    task<result<void>> perform(const ha::pg_checkpoint&) { return c_.checkpoint(); }
    task<result<void>> perform(const ha::pg_check_divergence&)
    {
        // Whether our history forked from the cluster's (ha-loop.md 10.2;
        // Patroni: Rewind._check_timeline_and_lsn). The cluster's `/history`
        // says where each timeline ended: our timeline T ended at switch LSN
        // S when the cluster moved on. Nothing diverged while we are on the
        // cluster's timeline, or while our WAL position is not past S; we
        // diverged when it is past S, or when the history does not know T.
        auto st = co_await c_.probe();
        if (!st || !history_) {
            facts_.divergence_check = ha::divergence::check_failed;
            co_return result<void>{};
        }
        const auto [lines, cluster_timeline] = history_();
        const std::int64_t mine = st->timeline;
        const lsn position = st->in_recovery || !st->running ? std::max(st->replay_lsn, st->receive_lsn)
                                                              : st->write_lsn;
        const lsn local = std::max(position, st->running ? lsn{} : st->write_lsn);
        bool diverged = false;
        if (mine > 0 && mine < cluster_timeline) {
            diverged = true;   // unknown timeline: pg_rewind decides (it says when nothing diverged)
            for (const auto& l : lines)
                if (l.parent_timeline == mine) diverged = local > l.switch_lsn;
        }
        facts_.divergence_check = diverged ? ha::divergence::need_rewind : ha::divergence::no_rewind;
        co_return result<void>{};
    }

    /// Where the cluster's timeline history comes from (the daemon reads it
    /// from the last cluster snapshot): the `/history` lines and the cluster timeline.
    using history_source = std::function<std::pair<std::vector<dcs::history_line>, std::int64_t>()>;
    void set_history_source(history_source f) { history_ = std::move(f); }
    task<result<void>> perform(const ha::pg_resume_replay&)
    {
        auto r = co_await c_.query("SELECT pg_catalog.pg_wal_replay_resume()");
        if (!r) co_return fail(r.error());
        co_return result<void>{};
    }
    task<result<void>> perform(const ha::pg_sync_slots&)
    {
        if (!slot_plan_) co_return result<void>{};
        auto r = co_await c_.sync_slots(slot_plan_());
        if (!r) co_return fail(r.error());
        co_return result<void>{};
    }

    /// Where the desired slot set comes from (the daemon computes it from the
    /// last cluster snapshot, ha-loop.md 14.1).
    void set_slot_plan_source(std::function<pg::slot_plan()> f) { slot_plan_ = std::move(f); }
    task<result<void>> perform(const ha::pg_move_data_dir_aside&)
    {
        std::error_code ec;
        std::filesystem::rename(cfg_.data_dir, cfg_.data_dir + ".failed", ec);
        if (ec) co_return fail(error_code(ec.value(), boost::system::system_category()));
        co_return result<void>{};
    }

private:
    void refresh_facts(const pg::local_pg_state* st)
    {
        namespace fs = std::filesystem;
        std::error_code ec;
        const fs::path dir(cfg_.data_dir);
        const bool exists = fs::exists(dir, ec);
        facts_.data_dir_accessible = !ec;
        facts_.data_dir_error = ec ? ec.message() : std::string{};
        if (exists) {
            // Readable? Opening it says so without listing it (every probe).
            const int fd = ::open(cfg_.data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0) {
                facts_.data_dir_accessible = false;
                facts_.data_dir_error = std::error_code(errno, std::system_category()).message();
            } else {
                ::close(fd);
            }
        }
        facts_.has_recovery_conf = fs::exists(dir / "standby.signal", ec) || fs::exists(dir / "recovery.signal", ec) ||
                                   fs::exists(dir / "recovery.conf", ec);
        facts_.has_backup_label = fs::exists(dir / "backup_label", ec);
        facts_.pg_rewind_usable = cfg_.use_pg_rewind;
        if (st) {
            facts_.sysid_valid = !st->system_identifier || *st->system_identifier >= 1000000000ULL;
            facts_.following = st->upstream;
        }
        facts_.timeline_history.clear();
        if (st && st->running && !st->in_recovery && st->timeline > 1) read_timeline_history(st->timeline);
        if (facts_.divergence_check != ha::divergence::not_checked && st && st->role == pg::pg_role::replica &&
            st->is_streaming)
            facts_.divergence_check = ha::divergence::not_checked;
    }

    /** Parses pg_wal/<timeline>.history (ha-loop.md 15): `parent<TAB>X/Y<TAB>reason`
     *  lines; the last line's timestamp is the file's modification time, as Patroni does. */
    void read_timeline_history(std::int64_t timeline)
    {
        char name[32];
        std::snprintf(name, sizeof name, "%08llX.history", static_cast<unsigned long long>(timeline));
        const std::filesystem::path path = std::filesystem::path(cfg_.data_dir) / "pg_wal" / name;
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream fields(line);
            std::string parent, at, reason;
            if (!(fields >> parent >> at)) continue;
            std::getline(fields >> std::ws, reason);
            auto point = lsn::parse(at);
            if (!point) continue;
            dcs::history_line h;
            h.parent_timeline = std::strtoll(parent.c_str(), nullptr, 10);
            h.switch_lsn = *point;
            h.reason = reason;
            facts_.timeline_history.push_back(std::move(h));
        }
        std::error_code ec;
        const auto mtime = std::filesystem::last_write_time(path, ec);
        if (!ec && !facts_.timeline_history.empty()) {
            const auto sys = std::chrono::file_clock::to_sys(mtime);
            const auto t = std::chrono::system_clock::to_time_t(sys);
            const auto us = std::chrono::duration_cast<std::chrono::microseconds>(sys.time_since_epoch()).count() % 1000000;
            std::tm tm{};
            ::gmtime_r(&t, &tm);
            char text[64];
            std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us));
            facts_.timeline_history.back().timestamp = std::string(text);
        }
    }

    pg::libpq_controller& c_;
    const pg::controller_config& cfg_;
    ha::local_facts facts_;
    std::function<pg::slot_plan()> slot_plan_;
    history_source history_;
};

static_assert(pg::controller<pg_policy>);

} // namespace pgwarden::apps
