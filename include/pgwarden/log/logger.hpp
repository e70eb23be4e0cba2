// Patroni-compatible logging (config.md §5.1): plain lines
// `YYYY-MM-DD HH:MM:SS,mmm LEVEL: message`, the json type, level filtering
// with per-component levels, size-based rotation of <dir>/patroni.log,
// static fields and heartbeat de-duplication.
//
// Synchronous and single-threaded: each record is one write(2) to stderr or
// the log file (Patroni's queue and writer thread are not needed when all
// work runs on one io_context). Time comes from an injected source, never
// from a clock read here.
#pragma once
#include <pgwarden/config/model.hpp>
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/core/time.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::log {

/// Python logging's numeric levels.
enum class level : int { debug = 10, info = 20, warning = 30, error = 40, critical = 50 };

/// `DEBUG`, `INFO`, `WARN`/`WARNING`, `ERROR`, `FATAL`/`CRITICAL` (case-insensitive); nullopt otherwise.
[[nodiscard]] PGWARDEN_DECL std::optional<level> parse_level(std::string_view name) noexcept;
/// The levelname Python prints: DEBUG, INFO, WARNING, ERROR, CRITICAL.
[[nodiscard]] PGWARDEN_DECL std::string_view level_name(level l) noexcept;

/** A configured logger.
 *
 *  Thread-safety: none needed; every caller runs on the daemon's single
 *  io_context thread. */
class logger {
public:
    using time_source = std::function<wall_time()>;
    using sink = std::function<void(std::string_view line)>;

    /// Logs at DEBUG to stderr until configure() (Patroni's start-up behaviour).
    PGWARDEN_DECL explicit logger(time_source now);
    PGWARDEN_DECL ~logger();
    logger(const logger&) = delete;
    logger& operator=(const logger&) = delete;

    /** Applies a `log` section. With `dir` set, records go to `<dir>/patroni.log`
     *  (created with `mode` when given), rotated when a record would make it
     *  reach `file_size` bytes, keeping `file_num` old files.
     *  Returns an error (and keeps the previous destination) when the file cannot be opened. */
    [[nodiscard]] PGWARDEN_DECL result<void> configure(const config::log_config& cfg);

    /// Sends lines to `s` instead of stderr/file (tests, or an embedding program).
    PGWARDEN_DECL void set_sink(sink s);
    /// Formats asctime in UTC instead of local time (Patroni uses local time).
    void set_utc(bool utc) noexcept { utc_ = utc; }

    /// True when a record of `l` from `component` would be written.
    [[nodiscard]] PGWARDEN_DECL bool enabled(level l, std::string_view component = "patroni") const noexcept;

    PGWARDEN_DECL void write(level l, std::string_view message, std::string_view component = "patroni");
    void debug(std::string_view m, std::string_view c = "patroni") { write(level::debug, m, c); }
    void info(std::string_view m, std::string_view c = "patroni") { write(level::info, m, c); }
    void warning(std::string_view m, std::string_view c = "patroni") { write(level::warning, m, c); }
    void error(std::string_view m, std::string_view c = "patroni") { write(level::error, m, c); }
    void critical(std::string_view m, std::string_view c = "patroni") { write(level::critical, m, c); }

    /** An error with exception detail, per `traceback_level`: ERROR -> the message
     *  and the detail on the next line; DEBUG -> `<msg>, DETAIL: '<detail>'` unless
     *  the level is DEBUG. */
    PGWARDEN_DECL void exception(std::string_view message, std::string_view detail,
                                 std::string_view component = "patroni");

    /// The formatted line (without newline) for a record, per the current config.
    [[nodiscard]] PGWARDEN_DECL std::string format(wall_time t, level l, std::string_view message,
                                                   std::string_view component = "patroni") const;

    /// Writes a held-back `Lock owner` line, if any.
    PGWARDEN_DECL void flush();

    const config::log_config& config() const noexcept { return cfg_; }

private:
    void emit(const std::string& line);
    void rotate_if_needed(std::size_t next_len);
    void close_file() noexcept;

    time_source now_;
    config::log_config cfg_;
    level level_ = level::debug;
    std::vector<std::pair<std::string, level>> loggers_;
    sink sink_;
    bool utc_ = false;
    int fd_ = -1;
    std::string path_;
    std::uint64_t size_ = 0;
    std::optional<std::string> held_lock_owner_;   ///< Patroni's "Lock owner" hold-back
    std::string last_heartbeat_;
};

} // namespace pgwarden::log

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/log/impl/logger.ipp>
#endif
