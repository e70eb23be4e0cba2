// Goal: log lines look exactly like Patroni's (plain `YYYY-MM-DD HH:MM:SS,mmm
// LEVEL: message`, %-style formats, python-json-logger output), levels filter
// per component, the "Lock owner" line is held back before heartbeats,
// heartbeats de-duplicate, and <dir>/patroni.log rotates by size.
// Method: a logger with an injected fixed clock and UTC formatting; lines are
// captured through a sink, or read back from files in a temporary directory.
#include <pgwarden/log/logger.hpp>

#include "support/process.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace pgwarden;
using namespace std::chrono;

namespace {

// 2024-05-06 07:08:09.012 UTC
const wall_time t0 = wall_time{sys_days{year{2024} / 5 / 6}.time_since_epoch() + hours{7} + minutes{8} +
                               seconds{9} + milliseconds{12}};

struct captured {
    wall_time now = t0;
    std::vector<std::string> lines;
    log::logger lg{[this] { return now; }};

    explicit captured(config::log_config cfg = {})
    {
        lg.set_utc(true);
        lg.set_sink([this](std::string_view l) { lines.emplace_back(l); });
        BOOST_TEST_REQUIRE(lg.configure(cfg).has_value());
    }
};

std::string slurp(const std::string& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(log_logger)

BOOST_AUTO_TEST_CASE(plain_default_format)
{
    captured c;
    c.lg.info("no action. I am (pg1), the leader with the lock");
    c.lg.warning("careful");
    BOOST_TEST_REQUIRE(c.lines.size() == 2u);
    BOOST_TEST(c.lines[0] == "2024-05-06 07:08:09,012 INFO: no action. I am (pg1), the leader with the lock");
    BOOST_TEST(c.lines[1] == "2024-05-06 07:08:09,012 WARNING: careful");
}

BOOST_AUTO_TEST_CASE(custom_format_and_dateformat)
{
    config::log_config cfg;
    cfg.format = "%(asctime)s [%(levelname)-8s] %(name)s %(levelno)d %%: %(message)s";
    cfg.dateformat = "%H:%M:%S";
    captured c(cfg);
    c.lg.error("boom", "patroni.postmaster");
    BOOST_TEST(c.lines.at(0) == "07:08:09 [ERROR   ] patroni.postmaster 40 %: boom");
}

BOOST_AUTO_TEST_CASE(levels_and_component_loggers)
{
    config::log_config cfg;
    cfg.level = "WARNING";
    cfg.loggers = {{"patroni.postmaster", "DEBUG"}, {"urllib3", "ERROR"}};
    captured c(cfg);
    c.lg.info("dropped");
    c.lg.debug("kept", "patroni.postmaster");
    c.lg.debug("kept too", "patroni.postmaster.child");
    c.lg.warning("dropped", "urllib3.connectionpool");
    c.lg.warning("kept 3", "patroni.postmasterX");
    BOOST_TEST_REQUIRE(c.lines.size() == 3u);
    BOOST_TEST(c.lines[2].ends_with("WARNING: kept 3"));
    BOOST_TEST((log::parse_level("warn") == log::level::warning));
    BOOST_TEST((log::parse_level("FATAL") == log::level::critical));
    BOOST_TEST(!log::parse_level("TRACE"));
}

BOOST_AUTO_TEST_CASE(unconfigured_logger_logs_debug)
{
    std::vector<std::string> lines;
    log::logger lg([] { return t0; });
    lg.set_utc(true);
    lg.set_sink([&](std::string_view l) { lines.emplace_back(l); });
    lg.debug("early");
    BOOST_TEST(lines.size() == 1u);
}

BOOST_AUTO_TEST_CASE(json_format_with_renames_and_static_fields)
{
    config::log_config cfg;
    cfg.type = "json";
    cfg.format_fields = {{"message", "message"}, {"asctime", "@timestamp"}, {"levelname", "level"}};
    cfg.static_fields.set("app", config::scalar::str("patroni"));
    cfg.static_fields.set("n", config::scalar::integer(3));
    captured c(cfg);
    c.lg.info("he said \"hi\"");
    BOOST_TEST(c.lines.at(0) == R"({"message": "he said \"hi\"", "@timestamp": "2024-05-06 07:08:09,012", )"
                                R"("level": "INFO", "app": "patroni", "n": 3})");
    config::log_config s;
    s.type = "json";   // string format: its placeholders become the keys
    captured d(s);
    d.lg.error("x");
    BOOST_TEST(d.lines.at(0) == R"({"asctime": "2024-05-06 07:08:09,012", "levelname": "ERROR", "message": "x"})");
}

BOOST_AUTO_TEST_CASE(lock_owner_line_is_held_back_before_heartbeats)
{
    captured c;
    c.lg.info("Lock owner: pg1; I am pg2");
    c.lg.info("no action. I am (pg2), a secondary, and following a leader (pg1)");
    BOOST_TEST_REQUIRE(c.lines.size() == 1u);
    BOOST_TEST(c.lines[0].ends_with("no action. I am (pg2), a secondary, and following a leader (pg1)"));
    c.lg.info("Lock owner: pg1; I am pg2");
    c.lg.info("starting as a secondary");
    BOOST_TEST_REQUIRE(c.lines.size() == 3u);
    BOOST_TEST(c.lines[1].ends_with("Lock owner: pg1; I am pg2"));
    c.lg.info("Lock owner: pg1; I am pg2");
    c.lg.flush();
    BOOST_TEST(c.lines.size() == 4u);
}

BOOST_AUTO_TEST_CASE(heartbeat_deduplication)
{
    config::log_config cfg;
    cfg.deduplicate_heartbeat_logs = true;
    captured c(cfg);
    for (int i = 0; i < 3; ++i)
        c.lg.info("no action. I am (pg1), the leader with the lock");
    c.lg.info("PAUSE: no action. I am (pg1), the leader with the lock");
    c.lg.info("something else");
    c.lg.info("PAUSE: no action. I am (pg1), the leader with the lock");
    BOOST_TEST(c.lines.size() == 4u);
    captured plain;
    for (int i = 0; i < 3; ++i)
        plain.lg.info("no action. I am (pg1), the leader with the lock");
    BOOST_TEST(plain.lines.size() == 3u);
}

BOOST_AUTO_TEST_CASE(traceback_level)
{
    config::log_config cfg;
    cfg.traceback_level = "DEBUG";
    captured c(cfg);
    c.lg.exception("Failed to do it", "ValueError: x");
    BOOST_TEST(c.lines.at(0).ends_with("ERROR: Failed to do it, DETAIL: 'ValueError: x'"));
    captured e;
    e.lg.exception("Failed", "trace");
    BOOST_TEST(e.lines.at(0).ends_with("ERROR: Failed\ntrace"));
}

BOOST_AUTO_TEST_CASE(file_rotation_by_size)
{
    test::temp_dir dir("pgwarden-log");
    wall_time now = t0;
    log::logger lg([&] { return now; });
    lg.set_utc(true);
    config::log_config cfg;
    cfg.dir = dir.path();
    cfg.file_size = 100;
    cfg.file_num = 2;
    cfg.mode = 0600;
    BOOST_TEST_REQUIRE(lg.configure(cfg).has_value());
    const std::string msg(40, 'x');   // each line: 23 + 7 + 40 + 1 = 71 bytes
    for (int i = 0; i < 5; ++i)
        lg.info(msg + std::to_string(i));
    const std::string base = dir / "patroni.log";
    BOOST_TEST(slurp(base).find(msg + "4") != std::string::npos);
    BOOST_TEST(slurp(base + ".1").find(msg + "3") != std::string::npos);
    BOOST_TEST(slurp(base + ".2").find(msg + "2") != std::string::npos);
    BOOST_TEST(!std::filesystem::exists(base + ".3"));   // file_num old files kept
    for (const auto& f : {base, base + ".1"}) {
        auto n = std::count(std::istreambuf_iterator<char>(*std::make_unique<std::ifstream>(f)), {}, '\n');
        BOOST_TEST(n == 1);
    }
    struct stat st{};
    BOOST_TEST_REQUIRE(::stat(base.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
}

BOOST_AUTO_TEST_CASE(unwritable_dir_is_an_error)
{
    log::logger lg([] { return t0; });
    config::log_config cfg;
    cfg.dir = "/nonexistent/pgwarden-logs";
    BOOST_TEST(!lg.configure(cfg).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
