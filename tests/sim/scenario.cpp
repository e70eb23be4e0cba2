// Scenario runner: see scenario.hpp.
#include "scenario.hpp"

#include "world.hpp"

#include <charconv>
#include <memory>
#include <optional>
#include <sstream>

namespace pgwarden::sim {

namespace {

std::vector<std::string> split_words(const std::string& line)
{
    std::istringstream is(line);
    std::vector<std::string> out;
    for (std::string w; is >> w;) out.push_back(w);
    return out;
}

std::optional<std::int64_t> to_int(const std::string& s)
{
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

/// "40s", "500ms", "2m" -> milliseconds.
std::optional<vtime> to_duration(const std::string& s)
{
    auto cut = [&](std::size_t n) { return to_int(s.substr(0, s.size() - n)); };
    if (s.size() > 2 && s.ends_with("ms")) return cut(2);
    if (s.size() > 1 && s.ends_with("s")) {
        auto v = cut(1);
        return v ? std::optional<vtime>(*v * 1000) : std::nullopt;
    }
    if (s.size() > 1 && s.ends_with("m")) {
        auto v = cut(1);
        return v ? std::optional<vtime>(*v * 60000) : std::nullopt;
    }
    return std::nullopt;
}

class runner {
public:
    explicit runner(int trace) : trace_(trace) {}
    std::string run(const std::vector<std::string>& args);
    std::string trace() const { return w_ ? w_->trace() : std::string(); }

private:
    std::optional<int> node_arg(const std::vector<std::string>& a, std::size_t k) const
    {
        if (!w_ || k >= a.size()) return std::nullopt;
        auto v = to_int(a[k]);
        if (!v || *v < 1 || *v > w_->size()) return std::nullopt;
        return static_cast<int>(*v - 1);
    }
    std::string configure(const std::vector<std::string>& a);
    std::string stabilize();

    int trace_ = 0;
    world_options opts_{};
    std::unique_ptr<world> w_;
};

std::string runner::configure(const std::vector<std::string>& a)
{
    sim_config c = w_ ? w_->config() : opts_.config;
    for (std::size_t k = 1; k < a.size(); ++k) {
        const auto eq = a[k].find('=');
        if (eq == std::string::npos) return "error: expected key=value, got " + a[k];
        const std::string key = a[k].substr(0, eq), val = a[k].substr(eq + 1);
        const auto num = to_int(val);
        if (key == "backend") {
            if (w_ || !parse_backend(val, opts_.kind)) return "error: backend is set before add-nodes: " + val;
        } else if (key == "sync") {
            if (val != "off" && val != "on" && val != "strict" && val != "quorum" && val != "quorum-strict")
                return "error: sync=off|on|strict|quorum|quorum-strict, got " + val;
            c.synchronous_mode = val == "off"              ? ha::sync_mode::off
                                 : val.starts_with("quorum") ? ha::sync_mode::quorum
                                                             : ha::sync_mode::on;
            c.synchronous_mode_strict = val.ends_with("strict");
        } else if (key == "watchdog" || key == "pause" || key == "failsafe" || key == "standby" || key == "fresh") {
            if (val != "on" && val != "off") return "error: " + key + "=on|off, got " + val;
            const bool on = val == "on";
            if (key == "watchdog") c.watchdog = on;
            else if (key == "pause") c.pause = on;
            else if (key == "failsafe") c.failsafe = on;
            else if (key == "standby") c.standby = on;
            else if (w_) return "error: fresh is set before add-nodes";
            else opts_.fresh = on;
        } else if (!num) {
            return "error: not a number: " + a[k];
        } else if (key == "ttl") {
            c.ttl_s = *num;
        } else if (key == "loop_wait") {
            c.loop_wait_s = *num;
        } else if (key == "retry_timeout") {
            c.retry_timeout_s = *num;
        } else if (key == "primary_start_timeout") {
            c.primary_start_timeout_s = *num;
        } else if (key == "synchronous_node_count") {
            c.synchronous_node_count = static_cast<int>(*num);
        } else if (key == "maximum_lag_on_failover") {
            c.maximum_lag_on_failover = static_cast<std::uint64_t>(*num);
        } else if (key == "seed" && !w_) {
            opts_.seed = static_cast<std::uint64_t>(*num);
        } else if (key == "latency" && !w_) {
            opts_.dcs_latency_max_ms = *num;
        } else if (key == "write_rate" && !w_) {
            opts_.write_rate = static_cast<std::uint64_t>(*num);
        } else if (key == "start_delay" && !w_) {
            opts_.start_delay_max_ms = *num;
        } else {
            return "error: unknown key " + key;
        }
    }
    if (w_) w_->set_config(c);
    else opts_.config = c;
    c.adjust();
    return "ttl=" + std::to_string(c.ttl_s) + " loop_wait=" + std::to_string(c.loop_wait_s) +
           " retry_timeout=" + std::to_string(c.retry_timeout_s);
}

std::string runner::stabilize()
{
    const vtime start = w_->now();
    const vtime bound = w_->config().liveness_bound_ms();
    const vtime settle = 3 * w_->config().loop_wait_s * 1000;
    std::optional<vtime> since;
    while (w_->now() - start < bound) {
        w_->run_until(w_->now() + 1000);
        if (!w_->converged()) {
            since.reset();
            continue;
        }
        if (!since) since = w_->now();
        if (w_->now() - *since >= settle)
            return "converged after " + std::to_string((*since - start) / 1000) + "s";
    }
    return "not converged after " + std::to_string(bound / 1000) + "s: " + w_->not_converged_reason();
}

std::string runner::run(const std::vector<std::string>& a)
{
    const std::string& cmd = a[0];
    if (cmd == "config") return configure(a);
    if (cmd == "add-nodes") {
        auto n = a.size() > 1 ? to_int(a[1]) : std::nullopt;
        if (!n || *n < 1) return "error: add-nodes N";
        if (!w_) {
            opts_.nodes = static_cast<int>(*n);
            opts_.trace = trace_ > 0;
            opts_.trace_all = trace_ > 1;
            w_ = std::make_unique<world>(opts_);
        } else {
            for (std::int64_t k = 0; k < *n; ++k) (void)w_->add_node();
        }
        return "nodes=" + std::to_string(w_->size()) + " backend=" + to_string(opts_.kind);
    }
    if (!w_) return "error: add-nodes first";
    if (cmd == "status") return w_->status();
    if (cmd == "dcs") return w_->dcs_dump();
    if (cmd == "checks") {
        if (w_->check().ok()) return "ok";
        std::string out;
        for (const auto& v : w_->check().violations()) out += v.code + ": " + v.text + "\n";
        return out;
    }
    if (cmd == "stabilize") return stabilize();
    if (cmd == "tick") {
        auto d = a.size() > 1 ? to_duration(a[1]) : std::nullopt;
        if (!d) return "error: tick DURATION";
        w_->run_until(w_->now() + *d);
        return "t=" + std::to_string(w_->now() / 1000) + "s";
    }
    if (cmd == "outage" || cmd == "outage-end") {
        w_->set_dcs_outage(cmd == "outage");
        return "ok";
    }
    if (cmd == "heal") {
        if (a.size() == 1) {
            w_->heal();
            return "ok";
        }
        auto n = node_arg(a, 1);
        if (!n) return "error: heal [N]";
        w_->set_dcs_link(*n, true, true);
        w_->set_isolated(*n, false);
        return "ok";
    }
    auto n = node_arg(a, 1);
    if (!n) return "error: bad node number";
    if (cmd == "partition") {
        const std::string what = a.size() > 2 ? a[2] : "dcs";
        if (what == "dcs") w_->set_dcs_link(*n, false, false);
        else if (what == "dcs-replies") w_->set_dcs_link(*n, true, false);
        else if (what == "peers") w_->set_isolated(*n, true);
        else return "error: partition N dcs|dcs-replies|peers";
        return "ok";
    }
    if (cmd == "pause" || cmd == "crash") {
        auto d = a.size() > 2 ? to_duration(a[2]) : std::optional<vtime>(30000);
        if (!d) return "error: " + cmd + " N DURATION";
        if (cmd == "pause") w_->pause_node(*n, *d);
        else w_->crash_node(*n, *d);
        return "ok";
    }
    if (cmd == "pg-crash") {
        w_->pg_crash(*n);
        return "ok";
    }
    if (cmd == "pg-hang" || cmd == "pg-unhang") {
        w_->pg_hang(*n, cmd == "pg-hang");
        return "ok";
    }
    if (cmd == "lag") {
        auto r = a.size() > 2 ? to_int(a[2]) : std::nullopt;
        if (!r || *r < 0) return "error: lag N RATE";
        w_->set_apply_rate(*n, static_cast<std::uint64_t>(*r));
        return "ok";
    }
    if (cmd == "switchover") {
        // switchover FROM [TO] [at=DURATION]
        std::vector<std::string> rest(a.begin(), a.end());
        vtime delay = 0;
        if (rest.size() > 2 && rest.back().starts_with("at=")) {
            auto d = to_duration(rest.back().substr(3));
            if (!d || *d <= 0) return "error: at=DURATION";
            delay = *d;
            rest.pop_back();
        }
        auto to = rest.size() > 2 ? node_arg(rest, 2) : std::optional<int>(-1);
        if (!to) return "error: switchover FROM [TO] [at=DURATION]";
        w_->request_switchover(*n, *to, delay);
        return "ok";
    }
    if (cmd == "shutdown") {
        w_->request_shutdown(*n);
        return "ok";
    }
    if (cmd == "start") {
        w_->start_node(*n);
        return "ok";
    }
    if (cmd == "tag") {
        // tag N key=value...: nofailover, failover_priority, nosync, sync_priority, replicatefrom,
        // clonefrom, nostream; `none` as the value removes the tag.
        ha::node_tags t = w_->tags(*n);
        for (std::size_t k = 2; k < a.size(); ++k) {
            const auto eq = a[k].find('=');
            if (eq == std::string::npos) return "error: expected key=value, got " + a[k];
            const std::string key = a[k].substr(0, eq), val = a[k].substr(eq + 1);
            const bool none = val == "none";
            const auto flag = [&](const std::string& v) -> std::optional<bool> {
                if (v == "true") return true;
                if (v == "false") return false;
                return std::nullopt;
            };
            if (key == "nofailover" || key == "nosync") {
                auto b = flag(val);
                if (!b && !none) return "error: " + key + "=true|false|none";
                (key == "nofailover" ? t.nofailover : t.nosync) = none ? std::nullopt : b;
            } else if (key == "failover_priority" || key == "sync_priority") {
                auto v = to_int(val);
                if (!v && !none) return "error: not a number: " + a[k];
                (key == "failover_priority" ? t.failover_priority : t.sync_priority) = none ? std::nullopt : v;
            } else if (key == "replicatefrom") {
                if (none) t.replicatefrom.reset();
                else t.replicatefrom = val;
            } else if (key == "clonefrom" || key == "nostream") {
                auto b = flag(val);
                if (!b) return "error: " + key + "=true|false";
                (key == "clonefrom" ? t.clonefrom : t.nostream) = *b;
            } else {
                return "error: unknown tag " + key;
            }
        }
        w_->set_tags(*n, t);
        return "ok";
    }
    if (cmd == "failover") {
        w_->request_failover(*n);
        return "ok";
    }
    return "error: unknown command " + cmd;
}

std::string trim_end(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

} // namespace

scenario_outcome run_scenario(const std::string& text, int trace)
{
    scenario_outcome out;
    std::vector<std::string> lines;
    {
        std::istringstream is(text);
        for (std::string l; std::getline(is, l);) lines.push_back(l);
    }
    runner r(trace);
    std::size_t k = 0;
    while (k < lines.size()) {
        const std::string& line = lines[k];
        if (line.empty() || line[0] == '#') {
            out.rewritten += line + "\n";
            ++k;
            continue;
        }
        const std::size_t cmd_line = k + 1;
        const std::string command = line;
        ++k;
        std::string expected;
        if (k < lines.size() && lines[k] == "----") {
            ++k;
            while (k < lines.size() && !lines[k].empty()) expected += lines[k++] + "\n";
        }
        const std::string got = trim_end(r.run(split_words(command)));
        if (trim_end(expected) != got)
            out.mismatches.push_back("line " + std::to_string(cmd_line) + ": " + command + "\nexpected:\n" +
                                     trim_end(expected) + "\ngot:\n" + got);
        out.rewritten += command + "\n----\n" + got + "\n";
        if (k < lines.size() && lines[k].empty()) {
            out.rewritten += "\n";
            ++k;
        }
    }
    out.trace = r.trace();
    return out;
}

} // namespace pgwarden::sim
