// pgwardenctl: a drop-in for patronictl (../shared/spec/ctl.md) against
// etcd3. Short-lived and blocking-style: each DCS read or REST call is one
// coroutine run to completion on a local io_context.
//
// Commands: list, topology, history, show-config, pause, resume, version,
// switchover, failover, edit-config, dsn, reload, restart, reinit, flush,
// remove, query, demote-cluster, promote-cluster.
#include "format.hpp"
#include "pgwarden-etcd3/binding.hpp"

#include <pgwarden/api/router.hpp>
#include <pgwarden/config/document.hpp>
#include <pgwarden/config/dynamic.hpp>
#include <pgwarden/config/load.hpp>
#include <pgwarden/dcs/codec.hpp>
#include <pgwarden/dcs/etcd3/client.hpp>
#include <pgwarden/http/client.hpp>
#include <pgwarden/http/url.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace json = boost::json;
using namespace pgwarden;
namespace fs = std::filesystem;

const char* const prog = "pgwardenctl";

/// A PatroniCtlException: `Error: <message>` on stderr, exit 1.
struct ctl_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// A click usage error: usage text and `Error: <message>`, exit 2.
struct usage_error : std::runtime_error {
    usage_error(std::string cmd, std::string usage, const std::string& msg)
        : std::runtime_error(msg), command(std::move(cmd)), usage_line(std::move(usage)) {}
    std::string command, usage_line;
};

/// `timestamp(precision)` of ctl.md 4.4 (local time).
std::string timestamp(int precision)
{
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    std::string out = buf;
    if (precision > 0) {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
        char frac[16];
        std::snprintf(frac, sizeof frac, "%06lld", static_cast<long long>(us));
        out += "." + std::string(frac, static_cast<std::size_t>(std::min(precision, 6)));
    }
    return out;
}

/// Logging as patronictl's: `%(asctime)s - LEVEL - %(message)s` on stderr.
void log_line(const char* level, const std::string& msg)
{
    std::string ts = timestamp(3);
    if (auto dot = ts.rfind('.'); dot != std::string::npos) ts[dot] = ',';
    std::cerr << ts << " - " << level << " - " << msg << "\n";
}
void log_warning(const std::string& msg) { log_line("WARNING", msg); }

/// The level from LOGLEVEL, then PATRONI_LOGLEVEL, then PATRONI_LOG_LEVEL (the last set wins).
bool debug_logging()
{
    std::string level = "WARNING";
    for (const char* v : {"LOGLEVEL", "PATRONI_LOGLEVEL", "PATRONI_LOG_LEVEL"})
        if (const char* e = std::getenv(v); e && *e) level = e;
    return level == "DEBUG";
}

/// Runs one coroutine to completion.
template <class T>
T run(boost::asio::io_context& io, task<T> t)
{
    std::optional<T> out;
    std::exception_ptr err;
    boost::asio::co_spawn(io, std::move(t), [&](std::exception_ptr e, T v) {
        if (e) err = e;
        else out.emplace(std::move(v));
    });
    io.restart();
    io.run();
    if (err) std::rethrow_exception(err);
    return std::move(*out);
}

task<bool> sleep_for(std::chrono::milliseconds d)
{
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
    co_await t.async_wait(boost::asio::use_awaitable);
    co_return true;
}

// ------------------------------------------------------------------ command line

struct global_options {
    std::optional<std::string> config_file;
    std::optional<std::string> dcs_url;
    bool insecure = false;
};

struct parsed_args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> values;   ///< long option name -> value
    std::map<std::string, bool> flags;
};

/// One option a subcommand accepts: names, and whether it takes a value.
struct option_spec {
    std::string long_name;
    std::string short_name;
    bool takes_value = false;
};

parsed_args parse_command(const std::string& cmd, const std::string& usage, const std::vector<option_spec>& specs,
                          const std::vector<std::string>& args)
{
    parsed_args out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            out.positional.insert(out.positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            break;
        }
        if (a.size() > 1 && a[0] == '-') {
            std::string name = a, value;
            bool has_value = false;
            if (a.rfind("--", 0) == 0) {
                if (auto eq = a.find('='); eq != std::string::npos) {
                    name = a.substr(0, eq);
                    value = a.substr(eq + 1);
                    has_value = true;
                }
            } else if (a.size() > 2) {
                name = a.substr(0, 2);
                value = a.substr(2);
                has_value = true;
            }
            const option_spec* spec = nullptr;
            for (const auto& s : specs)
                if (name == s.long_name || (!s.short_name.empty() && name == s.short_name)) spec = &s;
            if (!spec) throw usage_error(cmd, usage, "No such option: " + name);
            if (spec->takes_value) {
                if (!has_value) {
                    if (i + 1 >= args.size())
                        throw usage_error(cmd, usage, "Option '" + name + "' requires an argument.");
                    value = args[++i];
                }
                out.values[spec->long_name] = value;
            } else {
                if (has_value) throw usage_error(cmd, usage, "No such option: " + a);
                out.flags[spec->long_name] = true;
            }
            continue;
        }
        out.positional.push_back(a);
    }
    return out;
}

ctl::output_format format_option(const std::string& cmd, const std::string& usage, const parsed_args& p)
{
    auto it = p.values.find("--format");
    if (it == p.values.end()) return ctl::output_format::pretty;
    auto f = ctl::parse_format(it->second);
    if (!f || *f == ctl::output_format::topology)
        throw usage_error(cmd, usage,
                          "Invalid value for '--format' / '-f': '" + it->second +
                              "' is not one of 'pretty', 'tsv', 'json', 'yaml', 'yml'.");
    return *f;
}

// ------------------------------------------------------------------ configuration

struct ctl_context {
    config::local_config local;
    global_options global;
    boost::asio::io_context io;
};

/// `--dcs-url` (ctl.md 1.2): replaces the DCS sections of `doc`.
void apply_dcs_url(json::object& doc, const std::string& url)
{
    std::string scheme, rest = url;
    if (auto p = url.find("://"); p != std::string::npos) {
        scheme = url.substr(0, p);
        rest = url.substr(p + 3);
    }
    std::string path;
    if (auto slash = rest.find('/'); slash != std::string::npos) {
        path = rest.substr(slash);
        rest = rest.substr(0, slash);
    }
    std::string host = rest, port;
    if (auto colon = rest.rfind(':'); colon != std::string::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    static const std::vector<std::pair<std::string, std::string>> defaults = {
        {"zookeeper", "2181"}, {"exhibitor", "8181"}, {"consul", "8500"}, {"etcd", "2379"}, {"etcd3", "2379"}};
    if (scheme.empty()) {
        scheme = "etcd";
        for (const auto& [s, p] : defaults)
            if (p == port) {
                scheme = s;
                break;
            }
    }
    bool known = false;
    for (const auto& [s, p] : defaults)
        if (s == scheme) {
            known = true;
            if (port.empty()) port = p;
        }
    if (!known) throw ctl_error("Unknown dcs scheme: " + scheme);
    if (host.empty()) host = "localhost";
    for (const char* k : {"zookeeper", "exhibitor", "consul", "etcd", "etcd3"}) doc.erase(k);
    const std::string hp = host + ":" + port;
    if (scheme == "zookeeper") doc[scheme] = json::object{{"hosts", json::array{json::string(hp)}}};
    else if (scheme == "exhibitor")
        doc[scheme] = json::object{{"hosts", json::array{json::string(host)}}, {"port", std::stoll(port)}};
    else doc[scheme] = json::object{{"host", json::string(hp)}};
    if (!path.empty() && path != "/") doc["namespace"] = json::string(path);
}

void load_configuration(ctl_context& ctx)
{
    const auto env = config::environment_from(environ);
    std::optional<fs::path> path;
    bool is_default = false;
    if (ctx.global.config_file) path = *ctx.global.config_file;
    else if (auto it = env.find("PATRONICTL_CONFIG_FILE"); it != env.end() && !it->second.empty()) path = it->second;
    else {
        is_default = true;
        std::string base;
        if (auto x = env.find("XDG_CONFIG_HOME"); x != env.end() && !x->second.empty()) base = x->second;
        else if (auto h = env.find("HOME"); h != env.end()) base = h->second + "/.config";
        path = fs::path(base) / "patroni" / "patronictl.yaml";
    }
    std::error_code ec;
    const bool usable = fs::exists(*path, ec) && ::access(path->c_str(), R_OK) == 0;
    if (!usable) {
        if (!is_default)
            throw ctl_error("Provided config file " + path->string() +
                            " not existing or no read rights. Check the -c/--config-file parameter");
        path.reset();
    }
    config::config_error why;
    auto doc = config::load_document(path, env, &why);
    if (!doc) throw ctl_error("Failed to load configuration: " + why.path + ": " + doc.error().message());
    if (!ctx.global.dcs_url) {
        if (auto it = env.find("DCS_URL"); it != env.end() && !it->second.empty()) ctx.global.dcs_url = it->second;
    }
    if (ctx.global.dcs_url) apply_dcs_url(*doc, *ctx.global.dcs_url);
    auto local = config::build_local_config(*doc, &why);
    if (!local) throw ctl_error("Invalid configuration: " + why.path + ": " + local.error().message());
    ctx.local = std::move(*local);
    if (ctx.global.insecure) ctx.local.ctl.insecure = true;
}

/// The DCS client for `scope` (patronictl mode: no lease, no member key).
dcs::etcd3::client make_dcs(ctl_context& ctx, const std::string& scope)
{
    if (!ctx.local.etcd3)
        throw ctl_error("Can not find suitable configuration of distributed configuration store\n"
                        "Available implementations: etcd3");
    auto client = dcs::etcd3::client::create(
        ctx.io.get_executor(),
        apps::etcd3_config(ctx.local, scope, ctx.local.name.empty() ? scope : ctx.local.name));
    if (!client) throw ctl_error("Can not create the etcd3 client: " + client.error().message());
    return std::move(*client);
}

dcs::cluster_snapshot read_cluster(ctl_context& ctx, const std::string& scope)
{
    auto client = make_dcs(ctx, scope);
    auto snap = run(ctx.io, client.load_cluster_consistent());
    if (!snap) {
        std::string msg = snap.error().message();
        if (!client.last_failure().empty()) msg += ": " + client.last_failure();
        throw ctl_error("DCS is not accessible: " + msg);
    }
    return std::move(*snap);
}

/// The dynamic configuration, when the key counts (Patroni: `config.modify_index`).
std::optional<config::dynamic_config> dynamic_of(const dcs::cluster_snapshot& c)
{
    if (!c.config || !c.config->modify_version) return std::nullopt;
    auto d = config::parse_dynamic(c.config->json);
    if (!d) return std::nullopt;
    return std::move(*d);
}

bool is_paused(const dcs::cluster_snapshot& c)
{
    auto d = dynamic_of(c);
    return d && d->pause;
}

/// utils.cluster_as_json through the REST API's own builder (GET /cluster).
json::object cluster_as_json(const dcs::cluster_snapshot& c, const std::string& scope)
{
    api::api_view v;
    v.scope = scope;
    v.cluster = c;
    v.cluster_valid_until = mono_time::max();
    if (auto d = dynamic_of(c)) {
        v.paused = d->pause;
        v.standby_cluster = d->is_standby_cluster();
        v.synchronous_mode = d->sync_mode == config::synchronous_mode::off      ? api::sync_mode::off
                             : d->sync_mode == config::synchronous_mode::quorum ? api::sync_mode::quorum
                                                                                : api::sync_mode::on;
    }
    api::router r(std::move(v));
    api::request req;
    req.method = "GET";
    req.target = "/cluster";
    req.peer_address = "127.0.0.1";
    auto resp = r.route(req, api::clock_reading{});
    auto parsed = json::parse(resp.body_view());
    return parsed.is_object() ? parsed.as_object() : json::object{};
}

// ------------------------------------------------------------------ REST

/// ctl.md 2: one request to a member's REST API; nullopt (and `*why`) when
/// the member could not be reached.
std::optional<http::response> request_member(ctl_context& ctx, const dcs::member_record& m, http::method verb,
                                             const std::string& endpoint, const std::string& body,
                                             std::string* why)
{
    auto u = http::parse_url(m.data.api_url);
    if (!u) {
        if (why) *why = "bad api_url " + m.data.api_url;
        return std::nullopt;
    }
    http::client_options o;
    o.endpoints.push_back(u->where);
    o.user_agent = "Patroni/" PGWARDEN_PATRONI_VERSION " pgwardenctl/" PGWARDEN_VERSION;
    const auto& cc = ctx.local.ctl;
    const auto& ra = ctx.local.restapi;
    if (cc.username && cc.password) o.basic_auth = std::make_pair(*cc.username, *cc.password);
    else if (ra.username && ra.password) o.basic_auth = std::make_pair(*ra.username, *ra.password);
    o.tls.verify = !cc.insecure;
    if (cc.cacert) o.tls.ca_file = *cc.cacert;
    else if (ra.cafile) o.tls.ca_file = *ra.cafile;
    if (cc.certfile) o.tls.cert_file = *cc.certfile;
    if (cc.keyfile) o.tls.key_file = *cc.keyfile;
    if (cc.certfile && cc.insecure) {
        o.tls.verify = true;
        o.tls.verify_hostname = false;
    }
    auto client = http::client::create(ctx.io.get_executor(), std::move(o));
    if (!client) {
        if (why) *why = client.error().message();
        return std::nullopt;
    }
    http::request req;
    req.verb = verb;
    req.target = "/" + endpoint;
    req.body = body;
    req.timeout = std::chrono::minutes(10);
    if (debug_logging()) log_line("DEBUG", "request " + endpoint + " to " + m.data.api_url + ": " + body);
    auto r = run(ctx.io, client->send(std::move(req)));
    if (r && debug_logging()) log_line("DEBUG", "response " + std::to_string(r->status) + ": " + r->body);
    if (!r) {
        if (why) *why = r.error().message() + (client->last_failure().empty() ? "" : ": " + client->last_failure());
        return std::nullopt;
    }
    return std::move(*r);
}

// ------------------------------------------------------------------ commands

const std::vector<option_spec> format_opts = {{"--format", "-f", true}};

std::string cluster_arg(ctl_context& ctx, const parsed_args& p)
{
    if (!p.positional.empty()) return p.positional.front();
    if (ctx.local.scope.empty()) throw ctl_error("Cluster name is required");
    return ctx.local.scope;
}

int cmd_list(ctl_context& ctx, const std::vector<std::string>& args, bool topology)
{
    const std::string cmd = topology ? "topology" : "list";
    const std::string usage = "[OPTIONS] [CLUSTER_NAMES]...";
    std::vector<option_spec> specs = {{"--group", "", true}, {"--watch", "-w", true}, {"-W", "", false}};
    if (!topology) {
        specs.push_back({"--extended", "-e", false});
        specs.push_back({"--timestamp", "-t", false});
        specs.push_back({"--format", "-f", true});
    }
    auto p = parse_command(cmd, usage, specs, args);
    const auto fmt = topology ? ctl::output_format::topology : format_option(cmd, usage, p);
    // Watch mode (ctl.md 4.5): -W is every 2 s, -w SECONDS a float.
    std::optional<double> watch;
    if (auto it = p.values.find("--watch"); it != p.values.end()) {
        char* end = nullptr;
        const double v = std::strtod(it->second.c_str(), &end);
        if (end == it->second.c_str() || *end != '\0')
            throw usage_error(cmd, usage, "Invalid value for '-w' / '--watch': '" + it->second + "' is not a valid float.");
        watch = v;
    }
    if (p.flags.count("-W") && (!watch || *watch == 0)) watch = 2.0;
    load_configuration(ctx);
    std::vector<std::string> names = p.positional;
    if (names.empty() && !ctx.local.scope.empty()) names.push_back(ctx.local.scope);
    if (names.empty()) {
        log_warning("Listing members: No cluster names were provided");
        return 0;
    }
    if (watch && *watch > 0)   // Ctrl-C ends the loop as click does: `Aborted!`, exit 1.
        std::signal(SIGINT, +[](int) {
            static const char msg[] = "\nAborted!\n";
            (void)!::write(2, msg, sizeof msg - 1);
            ::_exit(1);
        });
    for (;;) {
        if (watch && *watch > 0) std::cout << "\033[2J\033[1;1H";   // click.clear()
        if (p.flags.count("--timestamp")) std::cout << timestamp(0) << "\n";
        for (const auto& name : names) {
            auto snap = read_cluster(ctx, name);
            std::cout << ctl::format_members(cluster_as_json(snap, name), name, snap.initialize,
                                             p.flags.count("--extended") > 0, fmt);
        }
        std::cout.flush();
        if (!watch || *watch <= 0) return 0;
        (void)run(ctx.io, sleep_for(std::chrono::milliseconds(static_cast<std::int64_t>(*watch * 1000))));
    }
}

/// Members selected by a role (ctl.md 5), in DCS order.
std::vector<const dcs::member_record*> members_by_role(const dcs::cluster_snapshot& c, const std::string& role)
{
    std::vector<const dcs::member_record*> out;
    const std::string leader = c.leader ? c.leader->name : std::string{};
    const auto* lm = leader.empty() ? nullptr : c.find_member(leader);
    if (role == "leader" || role == "primary" || role == "standby-leader") {
        if (!lm) return out;
        const auto& r = lm->data.role;
        if (role == "primary" && r == "standby_leader") return out;
        if (role == "standby-leader" && (r == "primary" || r == "master")) return out;
        out.push_back(lm);
        return out;
    }
    for (const auto& m : c.members)
        if (role == "any" || m.name != leader) out.push_back(&m);
    return out;
}

/// Host and port of a conn_url (`postgres://host:port/db`), port 5432 by default.
std::pair<std::string, std::string> conn_host_port(const std::string& conn_url)
{
    std::string rest = conn_url;
    if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
    if (auto slash = rest.find_first_of("/?"); slash != std::string::npos) rest = rest.substr(0, slash);
    if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
    std::string host = rest, port;
    if (!rest.empty() && rest[0] == '[') {
        const auto close = rest.find(']');
        host = rest.substr(1, close == std::string::npos ? std::string::npos : close - 1);
        if (close != std::string::npos && close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
    } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    for (auto& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return {host, port.empty() ? std::string("5432") : port};
}

const char* const role_choices = "'leader', 'primary', 'standby-leader', 'replica', 'standby', 'any'";

int cmd_dsn(ctl_context& ctx, const std::vector<std::string>& args)
{
    const std::string usage = "[OPTIONS] [CLUSTER_NAME]";
    auto p = parse_command("dsn", usage, {{"--group", "", true}, {"--role", "-r", true}, {"--member", "-m", true}},
                           args);
    std::string role;
    if (auto it = p.values.find("--role"); it != p.values.end()) {
        role = it->second;
        static const std::set<std::string> ok = {"leader", "primary", "standby-leader", "replica", "standby", "any"};
        if (!ok.count(role))
            throw usage_error("dsn", usage,
                              "Invalid value for '-r' / '--role': '" + role + "' is not one of " + role_choices + ".");
    }
    load_configuration(ctx);
    const auto name = cluster_arg(ctx, p);
    const auto member = p.values.count("--member") ? p.values.at("--member") : std::string{};
    if (!role.empty() && !member.empty()) throw ctl_error("--role and --member are mutually exclusive options");
    if (role.empty()) role = member.empty() ? "leader" : "any";
    auto snap = read_cluster(ctx, name);
    for (const auto* m : members_by_role(snap, role)) {
        if (!member.empty() && m->name != member) continue;
        const auto [host, port] = conn_host_port(m->data.conn_url);
        std::cout << "host=" << host << " port=" << port << "\n";
        return 0;
    }
    throw ctl_error("Can not find a suitable member");
}

int cmd_history(ctl_context& ctx, const std::vector<std::string>& args)
{
    auto p = parse_command("history", "[OPTIONS] [CLUSTER_NAME]", {{"--group", "", true}, format_opts[0]}, args);
    const auto fmt = format_option("history", "[OPTIONS] [CLUSTER_NAME]", p);
    load_configuration(ctx);
    const auto name = cluster_arg(ctx, p);
    auto snap = read_cluster(ctx, name);
    json::value hist;
    if (snap.history && snap.history->parsed) hist = json::parse(dcs::encode_history(*snap.history));
    std::cout << ctl::format_history(&hist, fmt) << std::flush;
    return 0;
}

int cmd_show_config(ctl_context& ctx, const std::vector<std::string>& args)
{
    auto p = parse_command("show-config", "[OPTIONS] [CLUSTER_NAME]", {{"--group", "", true}}, args);
    load_configuration(ctx);
    const auto name = cluster_arg(ctx, p);
    auto snap = read_cluster(ctx, name);
    if (!snap.config) return 0;
    auto obj = dcs::parse_json_object("config", snap.config->json);
    std::cout << config::to_yaml(obj ? json::value(std::move(*obj)) : json::value(json::object{})) << "\n" << std::flush;
    return 0;
}

/// Members with an api_url, the leader first (get_all_members_leader_first).
std::vector<const dcs::member_record*> members_leader_first(const dcs::cluster_snapshot& c)
{
    std::vector<const dcs::member_record*> out;
    const std::string leader = c.leader ? c.leader->name : std::string{};
    if (const auto* l = leader.empty() ? nullptr : c.find_member(leader); l && !l->data.api_url.empty())
        out.push_back(l);
    for (const auto& m : c.members)
        if (m.name != leader && !m.data.api_url.empty()) out.push_back(&m);
    return out;
}

int cmd_pause(ctl_context& ctx, const std::vector<std::string>& args, bool paused)
{
    const std::string cmd = paused ? "pause" : "resume";
    auto p = parse_command(cmd, "[OPTIONS] [CLUSTER_NAME]", {{"--group", "", true}, {"--wait", "", false}}, args);
    load_configuration(ctx);
    const auto name = cluster_arg(ctx, p);
    auto snap = read_cluster(ctx, name);
    if (is_paused(snap) == paused) throw ctl_error(paused ? "Cluster is already paused" : "Cluster is not paused");
    const std::string body = paused ? R"({"pause": true})" : R"({"pause": null})";
    for (const auto* m : members_leader_first(snap)) {
        std::string why;
        auto r = request_member(ctx, *m, http::method::patch, "config", body, &why);
        if (!r) {
            log_warning(why);
            log_warning("Member " + m->name + " is not accessible");
            continue;
        }
        if (r->status != 200) {
            std::cout << "Failed: " << cmd << " cluster management status code=" << r->status << ", (" << r->body
                      << ")\n";
            return 0;
        }
        const std::string done = std::string("Success: cluster management is ") + (paused ? "paused" : "resumed");
        if (!p.flags.count("--wait")) {
            std::cout << done << "\n";
            return 0;
        }
        std::cout << "'" << cmd << "' request sent, waiting until it is recognized by all nodes" << std::endl;
        std::map<std::string, dcs::dcs_version> old;
        for (const auto& om : snap.members)
            if (!om.data.api_url.empty()) old[om.name] = om.version;
        std::int64_t loop_wait = 10;
        if (snap.config)
            if (auto d = config::parse_dynamic(snap.config->json)) loop_wait = d->loop_wait;
        auto client = make_dcs(ctx, name);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(loop_wait + 1);
        dcs::cluster_snapshot now_snap;
        for (bool first = true;; first = false) {
            if (!first) (void)run(ctx.io, sleep_for(std::chrono::seconds(1)));
            auto s = run(ctx.io, client.load_cluster_consistent());
            if (s) now_snap = std::move(*s);
            bool all = true;
            for (const auto& nm : now_snap.members)
                if (old.count(nm.name) && nm.data.pause != paused) all = false;
            if (s && all) break;
            if (std::chrono::steady_clock::now() + std::chrono::seconds(1) > deadline) {
                std::string remaining;
                for (const auto& nm : now_snap.members)
                    if (nm.data.pause != paused && old.count(nm.name) && old[nm.name] != nm.version)
                        remaining += (remaining.empty() ? "" : ", ") + nm.name;
                if (!remaining.empty()) {
                    std::cout << remaining << " members didn't recognized pause state after " << loop_wait
                              << " seconds\n";
                    return 0;
                }
                break;
            }
        }
        std::cout << done << "\n";
        return 0;
    }
    throw ctl_error("Can not find accessible cluster member");
}

int cmd_version(ctl_context& ctx, const std::vector<std::string>& args)
{
    auto p = parse_command("version", "[OPTIONS] [CLUSTER_NAME] [MEMBER_NAMES]...", {{"--group", "", true}}, args);
    load_configuration(ctx);
    // The exact line patronictl prints, so that scripts parsing it keep working.
    std::cout << "patronictl version " << PGWARDEN_PATRONI_VERSION << "\n";
    if (p.positional.empty()) return 0;
    std::cout << "\n";
    const auto& name = p.positional.front();
    std::vector<std::string> wanted(p.positional.begin() + 1, p.positional.end());
    auto snap = read_cluster(ctx, name);
    for (const auto& m : snap.members) {
        if (m.data.api_url.empty()) continue;
        if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), m.name) == wanted.end()) continue;
        std::string why;
        auto r = request_member(ctx, m, http::method::get, "patroni", {}, &why);
        if (!r) {
            std::cout << m.name << ": failed to get version: " << why << "\n";
            continue;
        }
        std::string line = m.name + ": Patroni ";
        try {
            auto doc = json::parse(r->body).as_object();
            if (auto* pv = doc.if_contains("patroni"); pv && pv->is_object())
                if (auto* v = pv->as_object().if_contains("version"); v && v->is_string()) line += v->get_string();
            std::int64_t sv = 0;
            if (auto* s = doc.if_contains("server_version"); s && s->is_int64()) sv = s->get_int64();
            if (sv) {
                line += " PostgreSQL ";
                if (sv >= 100000) line += std::to_string(sv / 10000) + "." + std::to_string(sv % 10000);
                else
                    line += std::to_string(sv / 10000) + "." + std::to_string(sv / 100 % 100) + "." +
                            std::to_string(sv % 100);
            }
        } catch (const std::exception& e) {
            line = m.name + ": failed to get version: " + e.what();
        }
        std::cout << line << "\n";
    }
    return 0;
}

// ------------------------------------------------------------------ prompts

/// click.Abort: `Aborted!` on stderr, exit 1.
struct abort_error {};

/// click.prompt with a string default; EOF aborts.
std::string prompt(const std::string& text, const std::string& def)
{
    std::cout << text << " [" << def << "]: " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) throw abort_error{};
    return line.empty() ? def : line;
}

/// click.prompt without a default: asks again on an empty answer; EOF aborts.
std::string prompt_required(const std::string& text)
{
    for (;;) {
        std::cout << text << ": " << std::flush;
        std::string line;
        if (!std::getline(std::cin, line)) throw abort_error{};
        if (!line.empty()) return line;
    }
}

/// click.confirm (default no); EOF aborts.
bool confirm(const std::string& text)
{
    std::cout << text << " [y/N]: " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) throw abort_error{};
    return line == "y" || line == "Y" || line == "yes" || line == "Yes" || line == "YES";
}

/// The table printed before and after a switchover.
void print_members(ctl_context& ctx, const std::string& name)
{
    auto snap = read_cluster(ctx, name);
    std::cout << ctl::format_members(cluster_as_json(snap, name), name, snap.initialize, false,
                                     ctl::output_format::pretty)
              << std::flush;
}

/// `switchover` / `failover` (ctl.md 6.12).
int cmd_switchover(ctl_context& ctx, const std::vector<std::string>& args, const std::string& action)
{
    std::vector<option_spec> specs = {{"--group", "", true}, {"--candidate", "", true}, {"--force", "", false}};
    if (action == "switchover") {
        specs.push_back({"--leader", "", true});
        specs.push_back({"--primary", "", true});
        specs.push_back({"--scheduled", "", true});
    }
    auto p = parse_command(action, "[OPTIONS] [CLUSTER_NAME]", specs, args);
    load_configuration(ctx);
    const auto name = cluster_arg(ctx, p);
    const bool force = p.flags.count("--force") > 0;
    auto snap = read_cluster(ctx, name);
    std::cout << "Current cluster topology\n";
    std::cout << ctl::format_members(cluster_as_json(snap, name), name, snap.initialize, false,
                                     ctl::output_format::pretty);

    std::string leader;
    if (action == "switchover") {
        if (!snap.leader) throw ctl_error("This cluster has no leader");
        if (auto it = p.values.find("--leader"); it != p.values.end()) leader = it->second;
        else if (auto it2 = p.values.find("--primary"); it2 != p.values.end()) leader = it2->second;
        else if (force) leader = snap.leader->name;
        else {
            const auto d = dynamic_of(snap);
            leader = prompt(d && d->is_standby_cluster() ? "Standby Leader" : "Primary", snap.leader->name);
        }
        if (leader != snap.leader->name)
            throw ctl_error("Member " + leader + " is not the leader of cluster " + name);
    }
    std::vector<std::string> candidates;
    for (const auto& m : snap.members) {
        if (snap.leader && m.name == snap.leader->name) continue;
        if (dcs::interpret_tags(m.data.tags).nofailover) continue;
        candidates.push_back(m.name);
    }
    std::sort(candidates.begin(), candidates.end());
    if (candidates.empty()) throw ctl_error("No candidates found to " + action + " to");

    std::string candidate;
    if (auto it = p.values.find("--candidate"); it != p.values.end()) candidate = it->second;
    else if (!force) {
        std::string list = "[";
        for (std::size_t i = 0; i < candidates.size(); ++i) list += (i ? ", '" : "'") + candidates[i] + "'";
        candidate = prompt("Candidate " + list + "]", "");
    }
    if (action == "failover" && candidate.empty())
        throw ctl_error("Failover could be performed only to a specific candidate");
    if (!candidate.empty() && std::find(candidates.begin(), candidates.end(), candidate) == candidates.end()) {
        if (snap.leader && candidate == snap.leader->name)
            throw ctl_error("Member " + candidate + " is already the leader of cluster " + name);
        throw ctl_error("Member " + candidate + " does not exist in cluster " + name + " or is tagged as nofailover");
    }
    if (action == "failover" && !force) {
        const auto d = dynamic_of(snap);
        if (d && d->is_synchronous() && snap.sync && !snap.sync->sync_standby.empty()) {
            const auto& ss = snap.sync->sync_standby;
            if (candidate != snap.sync->leader && std::find(ss.begin(), ss.end(), candidate) == ss.end() &&
                !confirm("Are you sure you want to failover to the asynchronous node " + candidate + "?"))
                throw ctl_error("Aborting failover");
        }
    }

    std::optional<std::string> scheduled_at;
    if (action == "switchover") {
        std::string when = "now";
        if (auto it = p.values.find("--scheduled"); it != p.values.end()) when = it->second;
        else if (!force) when = prompt("When should the switchover take place (e.g. " + timestamp(0).substr(0, 10) + "T" +
                                           timestamp(0).substr(11, 5) + " ) ",
                                       "now");
        if (when != "now" && !when.empty()) {
            auto ps = api::parse_schedule(when);
            if (!ps)
                throw ctl_error("Unable to parse scheduled timestamp (" + when +
                                "). It should be in an unambiguous format (e.g. ISO 8601)");
            auto at = ps->at;
            if (!ps->has_tz) {   // a naive time is local time
                const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
                std::tm tm{};
                localtime_r(&t, &tm);
                at -= std::chrono::seconds(tm.tm_gmtoff);
            }
            scheduled_at = api::iso_format_utc(at);
            if (is_paused(snap)) throw ctl_error("Can't schedule switchover in the paused state");
        }
    }

    json::object body;
    if (action == "switchover") body["leader"] = json::string(leader);
    body["candidate"] = candidate.empty() ? json::value(nullptr) : json::value(json::string(candidate));
    if (scheduled_at) body["scheduled_at"] = json::string(*scheduled_at);

    if (!force) {
        std::string q;
        const std::string demoting = snap.leader ? ", demoting current leader " + snap.leader->name : std::string{};
        if (scheduled_at)
            q = "Are you sure you want to schedule switchover of cluster " + name + " at " + *scheduled_at + demoting +
                "?";
        else q = "Are you sure you want to " + action + " cluster " + name + demoting + "?";
        if (!confirm(q)) throw ctl_error(scheduled_at ? "Aborting scheduled switchover" : "Aborting " + action);
    }

    const dcs::member_record* target =
        snap.leader ? snap.find_member(snap.leader->name) : snap.find_member(candidate);
    std::optional<http::response> r;
    std::string why = "no member to ask";
    if (target && !target->data.api_url.empty()) {
        r = request_member(ctx, *target, http::method::post, action, ctl::python_json(body), &why);
        if (r && action == "switchover" && r->status == 501 &&
            r->body.find("Server does not support this operation") != std::string::npos)
            r = request_member(ctx, *target, http::method::post, "failover", ctl::python_json(body), &why);
    }
    if (r) {
        if (r->status != 200 && r->status != 202) {
            std::string title = action;
            title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
            const bool unknown = r->body.find("status unknown") != std::string::npos;
            std::cout << title << (unknown ? " result unknown" : " failed") << ", details: " << r->status << ", "
                      << r->body << "\n";
            return 0;
        }
        std::cout << timestamp(5) << " " << r->body << "\n";
    } else {
        log_warning(why);
        std::cout << timestamp(5) << " Could not " << action << " using Patroni api, falling back to DCS\n";
        dcs::failover_record fo;
        fo.leader = leader;
        fo.member = candidate;
        fo.scheduled_at = scheduled_at;
        auto client = make_dcs(ctx, name);
        auto w = run(ctx.io, client.write_failover(fo, 0));
        if (!w) throw ctl_error("Can not write the failover key: " + w.error().message());
    }
    print_members(ctx, name);
    return 0;
}

// ------------------------------------------------------------------ reload, restart, reinit, flush

/// patronictl's get_members (ctl.md 5). `role_repr` is how `No ... among
/// provided members` spells the role.
std::vector<const dcs::member_record*> get_members(ctl_context& ctx, const dcs::cluster_snapshot& snap,
                                                   const std::string& name, std::vector<std::string> names,
                                                   const std::string& role, const std::string& role_repr,
                                                   bool force, const std::string& action, bool ask_confirmation,
                                                   bool role_given)
{
    auto candidates = members_by_role(snap, role);
    auto find = [&](const std::string& n) -> const dcs::member_record* {
        for (const auto* m : candidates)
            if (m->name == n) return m;
        return nullptr;
    };
    if (!force || role_given) {
        if (names.empty() && candidates.empty()) throw ctl_error(name + " cluster doesn't have any members");
        std::cout << ctl::format_members(cluster_as_json(snap, name), name, snap.initialize, false,
                                         ctl::output_format::pretty);
    }
    if (!names.empty()) {
        std::vector<std::string> kept;
        for (const auto& n : names)
            if (find(n) && std::find(kept.begin(), kept.end(), n) == kept.end()) kept.push_back(n);
        if (kept.empty()) throw ctl_error("No " + role_repr + " among provided members");
        names = kept;
    } else if (action != "reinitialize") {
        for (const auto* m : candidates) names.push_back(m->name);
    }
    if (names.empty() && !force) {
        std::string list;
        for (const auto* m : candidates) list += (list.empty() ? "" : ", ") + m->name;
        names.push_back(prompt("Which member do you want to " + action + " [" + list + "]?", ""));
    }
    std::vector<const dcs::member_record*> out;
    for (const auto& n : names) {
        const auto* m = find(n);
        if (!m) throw ctl_error(n + " is not a member of cluster");
        out.push_back(m);
    }
    if (ask_confirmation && !force) {
        std::string list;
        for (const auto* m : out) list += (list.empty() ? "" : ", ") + m->name;
        if (!confirm("Are you sure you want to " + action + " members " + list + "?"))
            throw ctl_error("Aborted " + action);
    }
    (void)ctx;
    return out;
}

/// A REST call whose failure to connect ends the command (Python: a traceback).
http::response must_request(ctl_context& ctx, const dcs::member_record& m, http::method verb,
                            const std::string& endpoint, const std::string& body)
{
    std::string why;
    auto r = request_member(ctx, m, verb, endpoint, body, &why);
    if (!r) throw ctl_error("Member " + m.name + " is not accessible: " + why);
    return std::move(*r);
}

/// check_response: `Failed: ...` for >= 400, else `Success: ...`.
bool check_response(const http::response& r, const std::string& member, const std::string& action)
{
    if (r.status >= 400) {
        std::cout << "Failed: " << action << " for member " << member << ", status code=" << r.status << ", ("
                  << r.body << ")\n";
        return false;
    }
    std::cout << "Success: " << action << " for member " << member << "\n";
    return true;
}

std::string role_option(const std::string& cmd, const parsed_args& p, bool* given)
{
    auto it = p.values.find("--role");
    *given = true;   // reload/restart/flush default to 'any': a role is always set
    if (it == p.values.end()) return "any";
    static const std::set<std::string> ok = {"leader", "primary", "standby-leader", "replica", "standby", "any"};
    if (!ok.count(it->second))
        throw usage_error(cmd, "[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...",
                          "Invalid value for '--role' / '-r': '" + it->second + "' is not one of " +
                              "'leader', 'primary', 'standby-leader', 'replica', 'standby', 'any'.");
    return it->second;
}

std::string required_cluster(const std::string& cmd, const parsed_args& p)
{
    if (p.positional.empty())
        throw usage_error(cmd, "[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...", "Missing argument 'CLUSTER_NAME'.");
    return p.positional.front();
}

int cmd_reload(ctl_context& ctx, const std::vector<std::string>& args)
{
    auto p = parse_command("reload", "[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...",
                           {{"--group", "", true}, {"--role", "-r", true}, {"--force", "", false}}, args);
    bool given = false;
    const auto role = role_option("reload", p, &given);
    const auto name = required_cluster("reload", p);
    load_configuration(ctx);
    auto snap = read_cluster(ctx, name);
    auto members = get_members(ctx, snap, name, {p.positional.begin() + 1, p.positional.end()}, role,
                               "'" + role + "'", p.flags.count("--force") > 0, "reload", true, given);
    for (const auto* m : members) {
        auto r = must_request(ctx, *m, http::method::post, "reload", {});
        if (r.status == 200) std::cout << "No changes to apply on member " << m->name << "\n";
        else if (r.status == 202) {
            std::int64_t loop_wait = 10;
            if (auto d = dynamic_of(snap)) loop_wait = d->loop_wait;
            std::cout << "Reload request received for member " << m->name << " and will be processed within "
                      << loop_wait << " seconds\n";
        } else
            std::cout << "Failed: reload for member " << m->name << ", status code=" << r.status << ", (" << r.body
                      << ")\n";
    }
    return 0;
}

/// postgres_version_to_int's validation: `X.Y` with X >= 10, or `X.Y.Z`.
void check_pg_version(const std::string& v)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        auto dot = v.find('.', start);
        parts.push_back(v.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    const bool digits = std::all_of(parts.begin(), parts.end(), [](const std::string& x) {
        return !x.empty() && std::all_of(x.begin(), x.end(), [](char c) { return c >= '0' && c <= '9'; });
    });
    if (!digits || parts.size() < 2 || parts.size() > 3)
        throw ctl_error("Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: " + v);
    if (parts.size() == 2 && std::stoi(parts[0]) < 10) throw ctl_error("Invalid PostgreSQL version: " + v);
}

int cmd_restart(ctl_context& ctx, const std::vector<std::string>& args)
{
    auto p = parse_command("restart", "[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...",
                           {{"--group", "", true},
                            {"--role", "-r", true},
                            {"--any", "", false},
                            {"--scheduled", "", true},
                            {"--pg-version", "", true},
                            {"--pending", "", false},
                            {"--timeout", "", true},
                            {"--force", "", false}},
                           args);
    bool given = false;
    const auto role = role_option("restart", p, &given);
    const auto name = required_cluster("restart", p);
    const bool force = p.flags.count("--force") > 0, pending = p.flags.count("--pending") > 0;
    load_configuration(ctx);
    auto snap = read_cluster(ctx, name);
    auto members = get_members(ctx, snap, name, {p.positional.begin() + 1, p.positional.end()}, role,
                               "'" + role + "'", force, "restart", false, given);
    std::optional<std::string> scheduled;
    if (auto it = p.values.find("--scheduled"); it != p.values.end()) scheduled = it->second;
    else if (!force) {
        const auto next = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + std::chrono::hours(1));
        std::tm tm{};
        localtime_r(&next, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M", &tm);
        scheduled = prompt(std::string("When should the restart take place (e.g. ") + buf + ") ", "now");
    }
    std::optional<std::string> scheduled_at;
    if (scheduled && *scheduled != "now" && !scheduled->empty()) {
        auto ps = api::parse_schedule(*scheduled);
        if (!ps)
            throw ctl_error("Unable to parse scheduled timestamp (" + *scheduled +
                            "). It should be in an unambiguous format (e.g. ISO 8601)");
        auto at = ps->at;
        if (!ps->has_tz) {
            const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
            std::tm tm{};
            localtime_r(&t, &tm);
            at -= std::chrono::seconds(tm.tm_gmtoff);
        }
        scheduled_at = api::iso_format_utc(at);
    }
    if (pending && !scheduled_at)
        std::erase_if(members, [](const dcs::member_record* m) { return !m->data.pending_restart; });
    if (p.flags.count("--any") && members.size() > 1) {
        const auto pick = static_cast<std::size_t>(std::chrono::steady_clock::now().time_since_epoch().count()) %
                          members.size();
        members = {members[pick]};
    }
    if (!force) {
        std::string list;
        for (const auto* m : members) list += (list.empty() ? "" : ", ") + m->name;
        std::string q = scheduled_at && pending
                            ? "The nodes needing a restart will be identified at the scheduled time, and might be "
                              "different from the ones showing pending restart right now. Is this fine?"
                        : scheduled_at ? "Are you sure you want to schedule restart of members " + list + " at " +
                                             *scheduled_at + "?"
                                       : "Are you sure you want to restart members " + list + "?";
        if (!confirm(q)) throw ctl_error(scheduled_at ? "Aborted scheduled restart" : "Aborted restart");
    }
    std::string version;
    if (auto it = p.values.find("--pg-version"); it != p.values.end()) version = it->second;
    else if (!force) version = prompt("Restart if the PostgreSQL version is less than provided (e.g. 9.5.2) ", "");
    json::object content;
    if (pending) content["restart_pending"] = true;
    if (!version.empty()) {
        check_pg_version(version);
        content["postgres_version"] = json::string(version);
    }
    if (scheduled_at) {
        if (is_paused(snap)) throw ctl_error("Can't schedule restart in the paused state");
        content["schedule"] = json::string(*scheduled_at);
    }
    if (auto it = p.values.find("--timeout"); it != p.values.end()) content["timeout"] = json::string(it->second);
    for (const auto* m : members) {
        if (content.contains("schedule") && force && m->data.scheduled_restart) {
            auto d = must_request(ctx, *m, http::method::delete_, "restart", {});
            if (d.status >= 400)
                std::cout << "Failed: flush scheduled restart for member " << m->name << ", status code=" << d.status
                          << ", (" << d.body << ")\n";
        }
        auto r = must_request(ctx, *m, http::method::post, "restart", ctl::python_json(content));
        if (r.status == 200) std::cout << "Success: restart on member " << m->name << "\n";
        else if (r.status == 202) std::cout << "Success: restart scheduled on member " << m->name << "\n";
        else if (r.status == 409)
            std::cout << "Failed: another restart is already scheduled on member " << m->name << "\n";
        else
            std::cout << "Failed: restart for member " << m->name << ", status code=" << r.status << ", (" << r.body
                      << ")\n";
    }
    return 0;
}

int cmd_reinit(ctl_context& ctx, const std::vector<std::string>& args)
{
    auto p = parse_command("reinit", "[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...",
                           {{"--group", "", true}, {"--force", "", false}, {"--from-leader", "", false},
                            {"--wait", "", false}},
                           args);
    const auto name = required_cluster("reinit", p);
    const bool force = p.flags.count("--force") > 0;
    load_configuration(ctx);
    auto snap = read_cluster(ctx, name);
    auto members = get_members(ctx, snap, name, {p.positional.begin() + 1, p.positional.end()}, "replica",
                               "replica", force, "reinitialize", true, false);
    std::vector<const dcs::member_record*> waiting;
    for (const auto* m : members) {
        json::object body{{"force", force}, {"from_leader", p.flags.count("--from-leader") > 0}};
        for (;;) {
            auto r = must_request(ctx, *m, http::method::post, "reinitialize", ctl::python_json(body));
            const bool started = check_response(r, m->name, "reinitialize");
            const std::string suffix = " already in progress";
            if (!started && !force && r.body.size() >= suffix.size() &&
                r.body.compare(r.body.size() - suffix.size(), suffix.size(), suffix) == 0 &&
                confirm("Do you want to cancel it and reinitialize anyway?")) {
                body["force"] = true;
                continue;
            }
            if (started && p.flags.count("--wait")) waiting.push_back(m);
            break;
        }
    }
    std::vector<const dcs::member_record*> shown;
    while (!waiting.empty()) {
        if (waiting != shown) {
            std::string list;
            for (const auto* m : waiting) list += (list.empty() ? "" : ", ") + m->name;
            std::cout << "Waiting for reinitialize to complete on: " << list << std::endl;
            shown = waiting;
        }
        (void)run(ctx.io, sleep_for(std::chrono::seconds(2)));
        for (auto it = waiting.begin(); it != waiting.end();) {
            auto r = must_request(ctx, **it, http::method::get, "patroni", {});
            std::string state;
            try {
                auto doc = json::parse(r.body);
                if (auto* st = doc.as_object().if_contains("state"); st && st->is_string()) state = st->get_string();
            } catch (const std::exception&) {
            }
            if (state != "creating replica") {
                std::cout << "Reinitialize is completed on: " << (*it)->name << std::endl;
                it = waiting.erase(it);
            } else ++it;
        }
    }
    return 0;
}

int cmd_flush(ctl_context& ctx, const std::vector<std::string>& args)
{
    const std::string usage = "[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]... {restart|switchover}";
    auto p = parse_command("flush", usage, {{"--group", "", true}, {"--role", "-r", true}, {"--force", "", false}},
                           args);
    if (p.positional.empty()) throw usage_error("flush", usage, "Missing argument 'CLUSTER_NAME'.");
    if (p.positional.size() < 2) throw usage_error("flush", usage, "Missing argument '{restart|switchover}'.");
    const std::string target = p.positional.back();
    if (target != "restart" && target != "switchover")
        throw usage_error("flush", usage,
                          "Invalid value for '{restart|switchover}': '" + target +
                              "' is not one of 'restart', 'switchover'.");
    bool given = false;
    const auto role = role_option("flush", p, &given);
    const auto name = p.positional.front();
    load_configuration(ctx);
    auto snap = read_cluster(ctx, name);
    if (target == "restart") {
        auto members = get_members(ctx, snap, name, {p.positional.begin() + 1, p.positional.end() - 1}, role,
                                   "'" + role + "'", p.flags.count("--force") > 0, "flush", true, given);
        for (const auto* m : members) {
            if (m->data.scheduled_restart && dcs::is_truthy_json(*m->data.scheduled_restart)) {
                auto r = must_request(ctx, *m, http::method::delete_, "restart", {});
                check_response(r, m->name, "flush scheduled restart");
            } else
                std::cout << "No scheduled restart for member " << m->name << "\n";
        }
        return 0;
    }
    if (!snap.failover || !snap.failover->scheduled_at) {
        std::cout << "No pending scheduled switchover\n";
        return 0;
    }
    for (const auto* m : members_leader_first(snap)) {
        std::string why;
        auto r = request_member(ctx, *m, http::method::delete_, "switchover", {}, &why);
        if (!r) {
            log_warning(why);
            log_warning("Member " + m->name + " is not accessible");
            continue;
        }
        if (r->status == 200 || r->status == 404) {
            std::cout << (r->status == 200 ? "Success: " : "Failed: ") << r->body << "\n";
            return 0;
        }
        std::cout << "Failed: member=" << m->name << ", status_code=" << r->status << ", (" << r->body << ")\n";
    }
    log_warning("Failing over to DCS");
    std::cout << timestamp(5) << " Could not find any accessible member of cluster " << name << "\n";
    auto client = make_dcs(ctx, name);
    const dcs::failover_record cleared;   // named: see docs/notes/interop.md on GCC 12 and temporaries
    auto w = run(ctx.io, client.write_failover(cleared, snap.failover->version));
    if (!w) throw ctl_error("DCS is not accessible: " + w.error().message());
    return 0;
}

/// `remove` (ctl.md 6.14): three prompts, then the whole cluster tree goes.
int cmd_remove(ctl_context& ctx, const std::vector<std::string>& args)
{
    const std::string usage = "[OPTIONS] CLUSTER_NAME";
    auto p = parse_command("remove", usage, {{"--group", "", true}, format_opts[0]}, args);
    const auto fmt = format_option("remove", usage, p);
    if (p.positional.empty()) throw usage_error("remove", usage, "Missing argument 'CLUSTER_NAME'.");
    const auto name = p.positional.front();
    load_configuration(ctx);
    auto snap = read_cluster(ctx, name);
    std::cout << ctl::format_members(cluster_as_json(snap, name), name, snap.initialize, false, fmt);
    if (prompt_required("Please confirm the cluster name to remove") != name)
        throw ctl_error("Cluster names specified do not match");
    const std::string message = "Yes I am aware";
    if (prompt_required("You are about to remove all information in DCS for " + name + ", please type: \"" +
                        message + "\"") != message)
        throw ctl_error("You did not exactly type \"" + message + "\"");
    if (snap.leader && !snap.leader->name.empty() &&
        prompt_required("This cluster currently is healthy. Please specify the leader name to continue") !=
            snap.leader->name)
        throw ctl_error("You did not specify the current leader of the cluster");
    auto client = make_dcs(ctx, name);
    auto d = run(ctx.io, client.delete_cluster());
    if (!d) throw ctl_error("DCS is not accessible: " + d.error().message());
    return 0;
}

// ------------------------------------------------------------------ query

/// A libpq connection closed on scope exit.
struct pg_conn {
    PGconn* c = nullptr;
    ~pg_conn() { if (c) PQfinish(c); }
};

/// A text value of a result as psycopg would hand it to Python, for str() / json.
json::value pg_value(const PGresult* res, int row, int col)
{
    if (PQgetisnull(res, row, col)) return nullptr;
    const std::string text = PQgetvalue(res, row, col);
    switch (PQftype(res, col)) {
    case 16: return text == "t";                                   // bool
    case 20: case 21: case 23: case 26:                            // int8, int2, int4, oid
        try {
            return static_cast<std::int64_t>(std::stoll(text));
        } catch (const std::exception&) {
            return json::string(text);
        }
    default: return json::string(text);
    }
}

int cmd_query(ctl_context& ctx, const std::vector<std::string>& args)
{
    const std::string usage = "[OPTIONS] [CLUSTER_NAME]";
    auto p = parse_command("query", usage,
                           {{"--group", "", true},
                            {"--role", "-r", true},
                            {"--member", "-m", true},
                            {"--dbname", "-d", true},
                            {"--username", "-U", true},
                            {"--password", "", false},
                            {"--format", "", true},
                            {"--file", "-f", true},
                            {"--command", "-c", true},
                            {"--delimiter", "", true},
                            {"--watch", "-w", true},
                            {"-W", "", false}},
                           args);
    std::optional<std::string> role;
    if (auto it = p.values.find("--role"); it != p.values.end()) {
        static const std::set<std::string> ok = {"leader", "primary", "standby-leader", "replica", "standby", "any"};
        if (!ok.count(it->second))
            throw usage_error("query", usage,
                              "Invalid value for '-r' / '--role': '" + it->second + "' is not one of " + role_choices + ".");
        role = it->second;
    }
    const auto fmt_text = p.values.count("--format") ? p.values.at("--format") : std::string("tsv");
    const auto fmt = ctl::parse_format(fmt_text);
    const std::string delimiter = p.values.count("--delimiter") ? p.values.at("--delimiter") : std::string("\t");
    const bool has_file = p.values.count("--file") > 0, has_command = p.values.count("--command") > 0;
    if (has_file && has_command) throw ctl_error("--file and --command are mutually exclusive options");
    if (!has_file && !has_command) throw ctl_error("You need to specify either --command or --file");
    const std::optional<std::string> member =
        p.values.count("--member") ? std::optional<std::string>(p.values.at("--member")) : std::nullopt;
    if (role && member) throw ctl_error("--role and --member are mutually exclusive options");
    std::string password;
    if (p.flags.count("--password")) {
        std::cout << "Password: " << std::flush;
        if (!std::getline(std::cin, password)) throw abort_error{};
    }
    std::string command;
    if (has_file) {
        const auto& f = p.values.at("--file");
        std::ifstream in(f == "-" ? "/dev/stdin" : f);
        if (!in) throw usage_error("query", usage, "Invalid value for '--file' / '-f': '" + f + "': No such file or directory");
        command.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else command = p.values.at("--command");
    std::optional<double> watch;
    if (auto it = p.values.find("--watch"); it != p.values.end()) watch = std::strtod(it->second.c_str(), nullptr);
    if (p.flags.count("-W") && (!watch || *watch == 0)) watch = 2.0;
    load_configuration(ctx);
    const auto name = cluster_arg(ctx, p);

    auto connect = [&](pg_conn& conn) -> bool {
        auto snap = read_cluster(ctx, name);
        const std::string select_role = member ? "any" : role.value_or("leader");
        const dcs::member_record* m = nullptr;
        for (const auto* cand : members_by_role(snap, select_role))
            if (!member || cand->name == *member) {
                m = cand;
                break;
            }
        if (!m) return false;
        const auto [host, port] = conn_host_port(m->data.conn_url);
        std::vector<const char*> keys = {"host", "port", "fallback_application_name", "connect_timeout"};
        std::vector<std::string> values = {host, port, "Patroni ctl", "5"};
        if (p.values.count("--username")) keys.push_back("user"), values.push_back(p.values.at("--username"));
        if (!password.empty()) keys.push_back("password"), values.push_back(password);
        if (p.values.count("--dbname")) keys.push_back("dbname"), values.push_back(p.values.at("--dbname"));
        std::vector<const char*> vals;
        for (const auto& v : values) vals.push_back(v.c_str());
        keys.push_back(nullptr);
        vals.push_back(nullptr);
        conn.c = PQconnectdbParams(keys.data(), vals.data(), 0);
        if (PQstatus(conn.c) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.c));
        if (!role || *role == "any" || *role == "leader") return true;
        PGresult* r = PQexec(conn.c, "SELECT pg_catalog.pg_is_in_recovery()");
        const bool in_recovery =
            !(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && std::string(PQgetvalue(r, 0, 0)) == "f");
        PQclear(r);
        if ((in_recovery && (*role == "replica" || *role == "standby" || *role == "standby-leader")) ||
            (!in_recovery && *role == "primary"))
            return true;
        PQfinish(conn.c);
        conn.c = nullptr;
        return false;
    };

    pg_conn conn;
    for (;;) {
        std::vector<std::string> header;
        std::vector<std::vector<json::value>> rows;
        auto error_row = [&](std::string msg) {
            std::replace(msg.begin(), msg.end(), '\n', ' ');
            rows.push_back({json::string(timestamp(0)), json::string("ERROR, SQLSTATE: " + msg)});
        };
        try {
            if (!conn.c && !connect(conn)) {
                std::string msg = member ? "No connection to member " + *member + " is available"
                                  : role ? "No connection to role '" + *role + "' is available"
                                         : "No connection is available";
                rows.push_back({json::string(timestamp(0)), json::string(msg)});
            } else {
                PGresult* r = PQexec(conn.c, command.c_str());
                const auto st = PQresultStatus(r);
                if (st == PGRES_TUPLES_OK) {
                    for (int c = 0; c < PQnfields(r); ++c) header.emplace_back(PQfname(r, c));
                    for (int i = 0; i < PQntuples(r); ++i) {
                        std::vector<json::value> row;
                        for (int c = 0; c < PQnfields(r); ++c) row.push_back(pg_value(r, i, c));
                        rows.push_back(std::move(row));
                    }
                } else if (st != PGRES_COMMAND_OK) {
                    const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                    error_row(code && *code ? code : PQresultErrorMessage(r));
                    PQfinish(conn.c);
                    conn.c = nullptr;
                }
                PQclear(r);
            }
        } catch (const std::runtime_error& e) {
            if (conn.c) PQfinish(conn.c);
            conn.c = nullptr;
            std::string msg = e.what();
            while (!msg.empty() && msg.back() == '\n') msg.pop_back();
            error_row(msg);
        }
        if (fmt) std::cout << ctl::format_rows(header, std::move(rows), *fmt, delimiter) << std::flush;
        if (!watch || *watch <= 0) return 0;
        (void)run(ctx.io, sleep_for(std::chrono::milliseconds(static_cast<std::int64_t>(*watch * 1000))));
    }
}

// ------------------------------------------------------------------ demote / promote

/// `demote-cluster` / `promote-cluster` (ctl.md 6.16, 4.1.0+).
int cmd_change_cluster_role(ctl_context& ctx, const std::vector<std::string>& args, bool demote)
{
    const std::string cmd = demote ? "demote-cluster" : "promote-cluster";
    const std::string action = demote ? "demote" : "promote";
    std::vector<option_spec> specs = {{"--force", "", false}};
    if (demote) {
        specs.push_back({"--host", "", true});
        specs.push_back({"--port", "", true});
        specs.push_back({"--restore-command", "", true});
        specs.push_back({"--primary-slot-name", "", true});
    }
    auto p = parse_command(cmd, "[OPTIONS] [CLUSTER_NAME]", specs, args);
    auto opt = [&](const char* k) { return p.values.count(k) ? p.values.at(k) : std::string{}; };
    json::value standby = nullptr;
    if (demote) {
        if (opt("--host").empty() && opt("--port").empty() && opt("--restore-command").empty())
            throw ctl_error("At least --host, --port or --restore-command should be specified");
        json::object o;
        if (!opt("--host").empty()) o["host"] = json::string(opt("--host"));
        if (!opt("--port").empty()) {
            try {
                o["port"] = static_cast<std::int64_t>(std::stoll(opt("--port")));
            } catch (const std::exception&) {
                throw usage_error(cmd, "[OPTIONS] [CLUSTER_NAME]",
                                  "Invalid value for '--port': '" + opt("--port") + "' is not a valid integer.");
            }
        }
        if (!opt("--primary-slot-name").empty()) o["primary_slot_name"] = json::string(opt("--primary-slot-name"));
        if (!opt("--restore-command").empty()) o["restore_command"] = json::string(opt("--restore-command"));
        standby = std::move(o);
    }
    load_configuration(ctx);
    const auto name = cluster_arg(ctx, p);
    auto snap = read_cluster(ctx, name);
    if (!snap.leader) throw ctl_error("Cluster has no leader, " + std::string(demote ? "demotion" : "promotion") +
                                      " is not possible");
    const std::string target_role = demote ? "standby_leader" : "primary";
    const auto* leader = snap.find_member(snap.leader->name);
    if (leader && leader->data.role == target_role) throw ctl_error("Cluster is already in the required state");
    std::cout << "Current cluster topology\n";
    std::cout << ctl::format_members(cluster_as_json(snap, name), name, snap.initialize, false,
                                     ctl::output_format::pretty);
    if (!p.flags.count("--force") && !confirm("Are you sure you want to " + action + " " + name + " cluster?"))
        throw ctl_error(demote ? "Aborted cluster demotion" : "Aborted cluster promotion");
    if (!leader) throw ctl_error("Failed to " + action + " " + name + " cluster: the leader has no member key");
    std::string why;
    auto r = request_member(ctx, *leader, http::method::patch, "config",
                            ctl::python_json(json::object{{"standby_cluster", standby}}), &why);
    if (!r) throw ctl_error("Failed to " + action + " " + name + " cluster: " + why);
    if (r->status != 200)
        throw ctl_error("Failed to " + action + " " + name + " cluster: /config PATCH status code=" +
                        std::to_string(r->status) + ", (" + r->body + ")");
    const std::string old_leader = snap.leader->name;
    auto client = make_dcs(ctx, name);
    for (;;) {
        auto s = run(ctx.io, client.load_cluster_consistent());
        if (s) {
            const auto* lm = s->leader ? s->find_member(s->leader->name) : nullptr;
            const std::string role = lm ? lm->data.role : std::string("None");
            const std::string state = lm ? lm->data.state : std::string("None");
            const auto* prev = s->find_member(old_leader);
            const bool prev_ok = !demote || (prev && prev->data.state == "running");
            if (lm && role == target_role && state == "running" && prev_ok) {
                std::cout << timestamp(0) << " cluster is successfully " << action << "d\n";
                std::cout << ctl::format_members(cluster_as_json(*s, name), name, s->initialize, false,
                                                 ctl::output_format::pretty)
                          << std::flush;
                return 0;
            }
            std::cout << timestamp(0) << " cluster is unlocked: " << (s->leader ? "False" : "True")
                      << ", leader role: " << role << ", leader state: " << state;
            if (demote && s->leader && s->leader->name != old_leader)
                std::cout << ", previous leader state: '" << (prev ? prev->data.state : std::string("None")) << "'";
            std::cout << std::endl;
        }
        (void)run(ctx.io, sleep_for(std::chrono::seconds(1)));
    }
}

// ------------------------------------------------------------------ edit-config

/// Reads a YAML file (`-` = stdin) as patronictl's apply_yaml_file does.
json::value read_yaml_file(const std::string& filename)
{
    std::string text;
    if (filename == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
        std::ifstream in(filename);
        if (!in) throw ctl_error("Could not open file " + filename);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    config::config_error why;
    auto v = config::parse_yaml(text, filename, &why);
    if (!v) throw ctl_error("Could not parse " + filename + ": " + why.path);
    return std::move(*v);
}

/// Runs the editor on the YAML text (ctl.md 6.5 step 6); returns the new text.
std::string invoke_editor(const std::string& before, const std::string& name)
{
    std::string editor;
    if (const char* e = std::getenv("EDITOR"); e && *e) editor = e;
    else
        for (const char* cand : {"editor", "vi"}) {
            if (std::system((std::string("command -v ") + cand + " >/dev/null 2>&1").c_str()) == 0) {
                editor = cand;
                break;
            }
        }
    if (editor.empty()) throw ctl_error("EDITOR environment variable is not set. editor or vi are not available");
    std::string prefix = name;
    std::replace(prefix.begin(), prefix.end(), '/', '_');
    std::string tmpl = (fs::temp_directory_path() / (prefix + "-config-XXXXXX.yaml")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    const int fd = ::mkstemps(buf.data(), 5);
    if (fd < 0) throw ctl_error("Can not create a temporary file");
    const std::string path(buf.data());
    (void)!::write(fd, before.data(), before.size());
    ::close(fd);
    const std::string quoted = "'" + path + "'";
    const int rc = std::system((editor + " " + quoted).c_str());
    std::ifstream in(path);
    std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fs::remove(path);
    const int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
    if (code != 0) throw ctl_error("Editor exited with return code " + std::to_string(code));
    return after;
}

int cmd_edit_config(ctl_context& ctx, const std::vector<std::string>& args)
{
    auto p = parse_command("edit-config", "[OPTIONS] [CLUSTER_NAME]",
                           {{"--group", "", true},
                            {"--quiet", "-q", false},
                            {"--set", "-s", true},
                            {"--pg", "-p", true},
                            {"--apply", "", true},
                            {"--replace", "", true},
                            {"--force", "", false}},
                           args);
    // --set / --pg may repeat: collect them in order from the raw arguments.
    std::vector<std::string> kvpairs;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto take = [&](std::string_view s, std::string_view l, std::string prefix) {
            std::string v;
            if (a == s || a == l) {
                if (i + 1 < args.size()) v = args[++i];
            } else if (a.rfind(std::string(l) + "=", 0) == 0) v = a.substr(l.size() + 1);
            else if (a.size() > 2 && a.rfind(std::string(s), 0) == 0) v = a.substr(2);
            else return false;
            if (!prefix.empty()) {
                std::size_t k = 0;
                while (k < v.size() && (v[k] == ' ' || v[k] == '\t' || v[k] == '\n')) ++k;
                v = prefix + v.substr(k);
            }
            kvpairs.push_back(v);
            return true;
        };
        if (take("-s", "--set", "")) continue;
        if (take("-p", "--pg", "postgresql.parameters.")) continue;
        if (a == "--apply" || a == "--replace" || a == "--group") ++i;
    }
    load_configuration(ctx);
    const auto name = cluster_arg(ctx, p);
    const bool force = p.flags.count("--force") > 0, quiet = p.flags.count("--quiet") > 0;
    auto snap = read_cluster(ctx, name);
    if (!snap.config) throw ctl_error("The config key does not exist in the cluster " + name);
    auto current = dcs::parse_json_object("config", snap.config->json);
    json::object data = current ? std::move(*current) : json::object{};
    const std::string before = config::to_yaml(data);

    json::object changed = data;
    bool from_stdin = false;
    if (auto it = p.values.find("--replace"); it != p.values.end()) {
        from_stdin = from_stdin || it->second == "-";
        changed = json::object{};
        auto v = read_yaml_file(it->second);
        if (v.is_object()) config::patch_config(changed, v.as_object());
    }
    if (auto it = p.values.find("--apply"); it != p.values.end()) {
        from_stdin = from_stdin || it->second == "-";
        auto v = read_yaml_file(it->second);
        if (v.is_object()) config::patch_config(changed, v.as_object());
    }
    for (const auto& pair : kvpairs) {
        const auto eq = pair.find('=');
        if (pair.empty() || eq == std::string::npos) throw ctl_error("Invalid parameter setting " + pair);
        config::config_error why;
        auto v = config::parse_yaml(pair.substr(eq + 1), "value", &why);
        if (!v) throw ctl_error("Invalid parameter setting " + pair);
        ctl::set_path_value(changed, pair.substr(0, eq), *v);
    }
    std::string after = config::to_yaml(changed);
    if (!p.values.count("--replace") && !p.values.count("--apply") && kvpairs.empty()) {
        const std::string edited = invoke_editor(before, name);
        config::config_error why;
        auto v = config::parse_yaml(edited, "editor", &why);
        if (!v) throw ctl_error("Could not parse the edited configuration: " + why.path);
        changed = v->is_object() ? v->as_object() : json::object{};
        after = edited;
    }
    if (changed == data) {
        if (!quiet) std::cout << "Not changed\n";
        return 0;
    }
    if (!quiet)
        for (const auto& line : ctl::unified_diff(before, after)) std::cout << line << "\n";
    if (from_stdin && !force) {
        std::cout << "Use --force option to apply changes\n";
        return 0;
    }
    if (!force && !confirm("Apply these changes?")) return 0;
    auto client = make_dcs(ctx, name);
    auto w = run(ctx.io, client.write_config(dcs::to_patroni_json(changed), snap.config->version));
    if (!w) throw ctl_error("DCS is not accessible: " + w.error().message());
    if (!*w) throw ctl_error("Config modification aborted due to concurrent changes");
    std::cout << "Configuration changed\n";
    return 0;
}

const char* const group_usage = "[OPTIONS] COMMAND [ARGS]...";

void print_help()
{
    std::cout << "Usage: " << prog << " " << group_usage << "\n\n"
              << "Options:\n"
              << "  -c, --config-file TEXT  Configuration file\n"
              << "  -d, --dcs-url, --dcs TEXT  The DCS connect url\n"
              << "  -k, --insecure          Allow connections to SSL sites without certs\n"
              << "  --help                  Show this message and exit.\n\n"
              << "Commands:\n"
              << "  demote-cluster  Demote cluster to a standby cluster\n"
              << "  dsn          Generate a dsn for the provided member, defaults to a dsn of the leader\n"
              << "  edit-config  Edit cluster configuration\n"
              << "  failover     Failover to a replica\n"
              << "  flush        Discard scheduled events\n"
              << "  history      Show the history of failovers/switchovers\n"
              << "  list         List the Patroni members for a given Patroni\n"
              << "  pause        Disable auto failover\n"
              << "  promote-cluster  Promote cluster, make it run standalone\n"
              << "  query        Query a Patroni PostgreSQL member\n"
              << "  reinit       Reinitialize cluster member\n"
              << "  reload       Reload cluster member configuration\n"
              << "  remove       Remove cluster from DCS\n"
              << "  restart      Restart cluster member\n"
              << "  resume       Resume auto failover\n"
              << "  show-config  Show cluster configuration\n"
              << "  switchover   Switchover to a replica\n"
              << "  topology     Prints ASCII topology for given cluster\n"
              << "  version      Output version of patronictl command or a running Patroni instance\n";
}

int dispatch(int argc, char** argv)
{
    ctl_context ctx;
    std::vector<std::string> args(argv + 1, argv + argc);
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&](const std::string& name) -> std::string {
            if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) return a.substr(eq + 1);
            if (a.size() > 2 && a[0] == '-' && a[1] != '-') return a.substr(2);
            if (i + 1 >= args.size()) throw usage_error("", group_usage, "Option '" + name + "' requires an argument.");
            return args[++i];
        };
        auto is = [&](std::string_view s, std::string_view l) {
            return a == s || a == l || (a.rfind(std::string(l) + "=", 0) == 0) ||
                   (!s.empty() && a.size() > 2 && a.rfind(std::string(s), 0) == 0 && a[1] != '-');
        };
        if (is("-c", "--config-file")) ctx.global.config_file = value("-c");
        else if (is("-d", "--dcs-url") || a == "--dcs" || a.rfind("--dcs=", 0) == 0) ctx.global.dcs_url = value("-d");
        else if (a == "-k" || a == "--insecure") ctx.global.insecure = true;
        else if (a == "--help") {
            print_help();
            return 0;
        } else if (!a.empty() && a[0] == '-') throw usage_error("", group_usage, "No such option: " + a);
        else break;
    }
    if (i >= args.size()) {
        print_help();
        return 0;
    }
    const std::string cmd = args[i];
    std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
    if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
        std::cout << "Usage: " << prog << " " << cmd << " [OPTIONS] [ARGS]...\n";
        return 0;
    }
    if (cmd == "list") return cmd_list(ctx, rest, false);
    if (cmd == "topology") return cmd_list(ctx, rest, true);
    if (cmd == "history") return cmd_history(ctx, rest);
    if (cmd == "show-config") return cmd_show_config(ctx, rest);
    if (cmd == "pause") return cmd_pause(ctx, rest, true);
    if (cmd == "resume") return cmd_pause(ctx, rest, false);
    if (cmd == "version") return cmd_version(ctx, rest);
    if (cmd == "edit-config") return cmd_edit_config(ctx, rest);
    if (cmd == "dsn") return cmd_dsn(ctx, rest);
    if (cmd == "reload") return cmd_reload(ctx, rest);
    if (cmd == "restart") return cmd_restart(ctx, rest);
    if (cmd == "reinit") return cmd_reinit(ctx, rest);
    if (cmd == "flush") return cmd_flush(ctx, rest);
    if (cmd == "remove") return cmd_remove(ctx, rest);
    if (cmd == "query") return cmd_query(ctx, rest);
    if (cmd == "demote-cluster") return cmd_change_cluster_role(ctx, rest, true);
    if (cmd == "promote-cluster") return cmd_change_cluster_role(ctx, rest, false);
    if (cmd == "switchover" || cmd == "failover") return cmd_switchover(ctx, rest, cmd);
    throw usage_error("", group_usage, "No such command '" + cmd + "'.");
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return dispatch(argc, argv);
    } catch (const abort_error&) {
        std::cerr << "Aborted!\n";
        return 1;
    } catch (const usage_error& e) {
        const std::string sub = e.command.empty() ? std::string(prog) : std::string(prog) + " " + e.command;
        std::cerr << "Usage: " << sub << " " << e.usage_line << "\n"
                  << "Try '" << sub << " --help' for help.\n\n"
                  << "Error: " << e.what() << "\n";
        return 2;
    } catch (const ctl_error& e) {
        std::cerr << "Error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "Error: " << e.what() << "\n";
        return 1;
    }
}
