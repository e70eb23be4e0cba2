#pragma once
#include <pgwarden/config/error.hpp>
#include <pgwarden/log/logger.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace pgwarden::log {
namespace detail {

inline bool is_heartbeat(std::string_view m) noexcept
{
    return m.starts_with("no action. ") || m.starts_with("PAUSE: no action");
}

/// A record's attributes by Python LogRecord name; nullopt when unknown.
struct record_view {
    std::string asctime;
    level lvl;
    std::string_view message;
    std::string_view name;
    wall_time time;

    std::optional<boost::json::value> attr(std::string_view a) const
    {
        auto ms = time.time_since_epoch().count();
        if (a == "asctime")
            return boost::json::value(boost::json::string(asctime));
        if (a == "levelname")
            return boost::json::value(boost::json::string(level_name(lvl)));
        if (a == "levelno")
            return boost::json::value(static_cast<int>(lvl));
        if (a == "message" || a == "msg")
            return boost::json::value(boost::json::string(message));
        if (a == "name")
            return boost::json::value(boost::json::string(name));
        if (a == "process")
            return boost::json::value(static_cast<std::int64_t>(::getpid()));
        if (a == "created")
            return boost::json::value(static_cast<double>(ms) / 1000.0);
        if (a == "msecs")
            return boost::json::value(static_cast<std::int64_t>(((ms % 1000) + 1000) % 1000));
        if (a == "threadName")
            return boost::json::value("MainThread");
        if (a == "thread")
            return boost::json::value(static_cast<std::int64_t>(::getpid()));
        if (a == "module" || a == "funcName" || a == "filename" || a == "pathname")
            return boost::json::value(boost::json::string(name));
        if (a == "lineno")
            return boost::json::value(0);
        return std::nullopt;
    }
};

inline std::string text_of(const boost::json::value& v)
{
    if (v.is_string())
        return std::string(v.get_string());
    return boost::json::serialize(v);
}

/// Python %-formatting of a LogRecord format string: %(name)[flags][width][.prec]conv.
inline std::string percent_format(std::string_view fmt, const record_view& r)
{
    std::string out;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        char c = fmt[i];
        if (c != '%' || i + 1 >= fmt.size()) {
            out += c;
            continue;
        }
        if (fmt[i + 1] == '%') {
            out += '%';
            ++i;
            continue;
        }
        if (fmt[i + 1] != '(') {
            out += c;
            continue;
        }
        auto close = fmt.find(')', i + 2);
        if (close == std::string_view::npos) {
            out += fmt.substr(i);
            break;
        }
        std::string_view name = fmt.substr(i + 2, close - i - 2);
        std::size_t j = close + 1;
        bool left = false;
        while (j < fmt.size() && (fmt[j] == '-' || fmt[j] == '+' || fmt[j] == ' ' || fmt[j] == '#' || fmt[j] == '0'))
            left |= fmt[j++] == '-';
        std::size_t width = 0;
        while (j < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[j])))
            width = width * 10 + static_cast<std::size_t>(fmt[j++] - '0');
        std::optional<std::size_t> prec;
        if (j < fmt.size() && fmt[j] == '.') {
            prec = 0;
            ++j;
            while (j < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[j])))
                *prec = *prec * 10 + static_cast<std::size_t>(fmt[j++] - '0');
        }
        char conv = j < fmt.size() ? fmt[j] : 's';
        auto v = r.attr(name);
        std::string s;
        if (v) {
            if (conv == 'f' && v->is_number()) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(prec.value_or(6)), v->to_number<double>());
                s = buf;
            }
            else if (conv == 'd' && v->is_number())
                s = std::to_string(static_cast<long long>(v->to_number<double>()));
            else {
                s = text_of(*v);
                if (prec && conv == 's' && s.size() > *prec)
                    s.resize(*prec);
            }
        }
        if (s.size() < width)
            s = left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
        out += s;
        i = j;
    }
    return out;
}

/// Field names of a %-style format string, in order (python-json-logger's rule).
inline std::vector<std::string> format_names(std::string_view fmt)
{
    std::vector<std::string> names;
    for (std::size_t i = 0; (i = fmt.find("%(", i)) != std::string_view::npos;) {
        auto close = fmt.find(')', i + 2);
        if (close == std::string_view::npos)
            break;
        names.emplace_back(fmt.substr(i + 2, close - i - 2));
        i = close + 1;
    }
    return names;
}

inline boost::json::value scalar_json(const config::scalar& s)
{
    using k = config::scalar::kind;
    switch (s.type) {
    case k::null: return nullptr;
    case k::boolean: return s.text == "true";
    case k::integer: return static_cast<std::int64_t>(std::stoll(s.text));
    case k::real: return std::stod(s.text);
    case k::string:
    case k::composite: return boost::json::string(s.text);
    }
    return nullptr;
}

} // namespace detail

PGWARDEN_DECL std::optional<level> parse_level(std::string_view name) noexcept
{
    std::string u;
    for (char c : name)
        u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u == "DEBUG")
        return level::debug;
    if (u == "INFO")
        return level::info;
    if (u == "WARN" || u == "WARNING")
        return level::warning;
    if (u == "ERROR")
        return level::error;
    if (u == "FATAL" || u == "CRITICAL")
        return level::critical;
    return std::nullopt;
}

PGWARDEN_DECL std::string_view level_name(level l) noexcept
{
    switch (l) {
    case level::debug: return "DEBUG";
    case level::info: return "INFO";
    case level::warning: return "WARNING";
    case level::error: return "ERROR";
    case level::critical: return "CRITICAL";
    }
    return "NOTSET";
}

PGWARDEN_DECL logger::logger(time_source now) : now_(std::move(now)) {}

PGWARDEN_DECL logger::~logger()
{
    flush();
    close_file();
}

PGWARDEN_DECL result<void> logger::configure(const config::log_config& cfg)
{
    flush();
    if (cfg.dir) {
        std::string path = *cfg.dir + "/patroni.log";
        if (path != path_ || fd_ < 0) {
            int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                            cfg.mode ? static_cast<mode_t>(*cfg.mode) : 0666);
            if (fd < 0)
                return error_code(errno, boost::system::system_category());
            if (cfg.mode)
                (void)::fchmod(fd, static_cast<mode_t>(*cfg.mode));   // best effort: umask may have masked bits
            close_file();
            fd_ = fd;
            path_ = path;
            struct stat st{};
            size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
        }
    }
    else
        close_file();
    cfg_ = cfg;
    level_ = parse_level(cfg.level).value_or(level::info);
    loggers_.clear();
    for (const auto& [name, lv] : cfg.loggers)
        if (auto l = parse_level(lv))
            loggers_.emplace_back(name, *l);
    return {};
}

PGWARDEN_DECL void logger::set_sink(sink s)
{
    sink_ = std::move(s);
}

PGWARDEN_DECL bool logger::enabled(level l, std::string_view component) const noexcept
{
    // Python's hierarchy: the nearest configured ancestor decides, else the root level.
    std::size_t best = 0;
    level effective = level_;
    for (const auto& [name, lv] : loggers_) {
        bool match = component == name ||
                     (component.size() > name.size() && component.starts_with(name) && component[name.size()] == '.');
        if (match && name.size() >= best) {
            best = name.size();
            effective = lv;
        }
    }
    return static_cast<int>(l) >= static_cast<int>(effective);
}

PGWARDEN_DECL std::string logger::format(wall_time t, level l, std::string_view message,
                                         std::string_view component) const
{
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto ms = (t - secs).count();
    std::time_t tt = static_cast<std::time_t>(secs.time_since_epoch().count());
    std::tm tm{};
    if (utc_)
        ::gmtime_r(&tt, &tm);
    else
        ::localtime_r(&tt, &tm);
    char buf[128];
    std::string asctime;
    if (cfg_.dateformat.empty()) {
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
        char msbuf[8];
        std::snprintf(msbuf, sizeof msbuf, ",%03d", static_cast<int>(ms));
        asctime = std::string(buf) + msbuf;
    }
    else if (std::strftime(buf, sizeof buf, cfg_.dateformat.c_str(), &tm) > 0)
        asctime = buf;
    detail::record_view r{asctime, l, message, component, t};
    if (cfg_.type != "json")
        return detail::percent_format(cfg_.format, r);

    // python-json-logger: keys in format order (renamed as configured), then static fields.
    std::vector<std::pair<std::string, std::string>> fields;   // attribute -> output key
    if (!cfg_.format_fields.empty())
        for (const auto& f : cfg_.format_fields)
            fields.emplace_back(f.name, f.key);
    else
        for (auto& n : detail::format_names(cfg_.format))
            fields.emplace_back(n, n);
    std::string out = "{";
    bool first = true;
    auto put = [&](std::string_view key, const boost::json::value& v) {
        if (!first)
            out += ", ";
        first = false;
        out += boost::json::serialize(boost::json::value(boost::json::string(key)));
        out += ": ";
        out += boost::json::serialize(v);
    };
    for (const auto& [attr, key] : fields)
        put(key, r.attr(attr).value_or(boost::json::value(nullptr)));
    for (const auto& [k, v] : cfg_.static_fields.items)
        put(k, detail::scalar_json(v));
    return out + "}";
}

PGWARDEN_DECL void logger::write(level l, std::string_view message, std::string_view component)
{
    if (!enabled(l, component))
        return;
    // Patroni holds back "Lock owner: ...; I am ..." at INFO and prints it only when
    // the next record is not a heartbeat line.
    if (l == level::info && level_ == level::info && message.starts_with("Lock owner: ")) {
        flush();
        held_lock_owner_ = format(now_(), l, message, component);
        return;
    }
    bool heartbeat = detail::is_heartbeat(message);
    if (held_lock_owner_) {
        if (heartbeat)
            held_lock_owner_.reset();
        else
            flush();
    }
    if (heartbeat && cfg_.deduplicate_heartbeat_logs) {
        if (last_heartbeat_ == message)
            return;
        last_heartbeat_ = std::string(message);
    }
    else if (!heartbeat)
        last_heartbeat_.clear();
    emit(format(now_(), l, message, component));
}

PGWARDEN_DECL void logger::exception(std::string_view message, std::string_view detail, std::string_view component)
{
    std::string tb = cfg_.traceback_level;
    for (char& c : tb)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (tb == "DEBUG" && level_ != level::debug)
        write(level::error, std::string(message) + ", DETAIL: '" + std::string(detail) + "'", component);
    else
        write(level::error, std::string(message) + "\n" + std::string(detail), component);
}

PGWARDEN_DECL void logger::flush()
{
    if (held_lock_owner_) {
        std::string line = std::move(*held_lock_owner_);
        held_lock_owner_.reset();
        emit(line);
    }
}

PGWARDEN_DECL void logger::emit(const std::string& line)
{
    if (sink_) {
        sink_(line);
        return;
    }
    std::string buf = line + "\n";
    int fd = fd_ >= 0 ? fd_ : 2;
    if (fd_ >= 0)
        rotate_if_needed(buf.size());
    fd = fd_ >= 0 ? fd_ : 2;
    std::size_t off = 0;
    while (off < buf.size()) {
        ssize_t n = ::write(fd, buf.data() + off, buf.size() - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;   // nowhere to report a failing log write
        }
        off += static_cast<std::size_t>(n);
    }
    if (fd == fd_)
        size_ += buf.size();
}

PGWARDEN_DECL void logger::rotate_if_needed(std::size_t next_len)
{
    // RotatingFileHandler: roll over when this record would reach file_size.
    if (cfg_.file_size <= 0 || cfg_.file_num <= 0 || size_ + next_len < static_cast<std::uint64_t>(cfg_.file_size))
        return;
    if (size_ == 0)
        return;   // a single record larger than the limit still has to go somewhere
    std::error_code ec;
    namespace fs = std::filesystem;
    for (std::int64_t i = cfg_.file_num - 1; i >= 1; --i) {
        fs::path from = path_ + "." + std::to_string(i);
        if (fs::exists(from, ec))
            fs::rename(from, path_ + "." + std::to_string(i + 1), ec);
    }
    fs::rename(path_, path_ + ".1", ec);
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC,
                    cfg_.mode ? static_cast<mode_t>(*cfg_.mode) : 0666);
    if (fd < 0)
        return;   // keep writing to the renamed file rather than lose records
    if (cfg_.mode)
        (void)::fchmod(fd, static_cast<mode_t>(*cfg_.mode));   // best effort, as at configure()
    ::close(fd_);
    fd_ = fd;
    size_ = 0;
}

PGWARDEN_DECL void logger::close_file() noexcept
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    path_.clear();
    size_ = 0;
}

} // namespace pgwarden::log
