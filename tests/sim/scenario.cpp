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
    std::string run(const std::vector<std::string>& args);

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
            c.synchronous_mode = val == "off" ? ha::sync_mode::off : ha::sync_mode::on;
            c.synchronous_mode_strict = val == "strict";
        } else if (key == "watchdog") {
            c.watchdog = val == "on";
        } else if (!num) {
            return "error: not a number: " + a[k];
        } else if (key == "ttl") {
            c.ttl_s = *num;
        } else if (key == "loop_wait") {
            c.loop_wait_s = *num;
        } else if (key == "retry_timeout") {
            c.retry_timeout_s = *num;
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
            opts_.trace = false;
            w_ = std::make_unique<world>(opts_);
        } else {
            for (std::int64_t k = 0; k < *n; ++k) (void)w_->add_node();
        }
        return "nodes=" + std::to_string(w_->size()) + " backend=" + to_string(opts_.kind);
    }
    if (!w_) return "error: add-nodes first";
    if (cmd == "status") return w_->status();
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
        auto to = a.size() > 2 ? node_arg(a, 2) : std::optional<int>(-1);
        if (!to) return "error: switchover FROM [TO]";
        w_->request_switchover(*n, *to);
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

scenario_outcome run_scenario(const std::string& text)
{
    scenario_outcome out;
    std::vector<std::string> lines;
    {
        std::istringstream is(text);
        for (std::string l; std::getline(is, l);) lines.push_back(l);
    }
    runner r;
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
    return out;
}

} // namespace pgwarden::sim
