#pragma once
#include <pgwarden/pg/error.hpp>
#include <pgwarden/pg/libpq/connection.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <libpq-fe.h>
#include <unistd.h>

namespace pgwarden::pg::libpq {
namespace detail {

enum class wait_outcome { ready, timeout, failed };

// Waits for readability or writability of a libpq socket. The descriptor is
// dup()ed so that Asio's close never touches libpq's own file descriptor.
inline task<wait_outcome> wait_socket(int fd, bool write, boost::asio::steady_timer& timer)
{
    using namespace boost::asio::experimental::awaitable_operators;
    namespace asio = boost::asio;
    if (fd < 0) co_return wait_outcome::failed;
    auto ex = co_await asio::this_coro::executor;
    const int copy = ::dup(fd);
    if (copy < 0) co_return wait_outcome::failed;
    asio::posix::stream_descriptor d(ex, copy);
    const auto token = asio::as_tuple(asio::use_awaitable);
    auto which = write ? asio::posix::descriptor_base::wait_write : asio::posix::descriptor_base::wait_read;
    auto r = co_await (d.async_wait(which, token) || timer.async_wait(token));
    if (r.index() == 1) co_return wait_outcome::timeout;
    auto [ec] = std::get<0>(r);
    co_return ec ? wait_outcome::failed : wait_outcome::ready;
}

inline std::string trim_message(const char* m)
{
    std::string s = m ? m : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

} // namespace detail

PGWARDEN_DECL std::optional<std::string> query_result::get(std::size_t row, std::string_view column) const
{
    if (row >= rows.size()) return std::nullopt;
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c] == column) return c < rows[row].size() ? rows[row][c] : std::nullopt;
    return std::nullopt;
}

PGWARDEN_DECL connection::connection(connection&& o) noexcept
    : conn_(o.conn_), error_(std::move(o.error_)), sqlstate_(std::move(o.sqlstate_)), ping_(o.ping_)
{
    o.conn_ = nullptr;
}

PGWARDEN_DECL connection& connection::operator=(connection&& o) noexcept
{
    if (this != &o) {
        close();
        conn_ = o.conn_;
        o.conn_ = nullptr;
        error_ = std::move(o.error_);
        sqlstate_ = std::move(o.sqlstate_);
        ping_ = o.ping_;
    }
    return *this;
}

PGWARDEN_DECL connection::~connection() { close(); }

PGWARDEN_DECL bool connection::is_open() const noexcept
{
    return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

PGWARDEN_DECL void connection::close() noexcept
{
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
}

PGWARDEN_DECL int connection::server_version() const noexcept
{
    return conn_ ? PQserverVersion(conn_) : 0;
}

PGWARDEN_DECL error_code connection::fail_connect(error e)
{
    error_ = detail::trim_message(PQerrorMessage(conn_));
    // PQping semantics: a server that answered is "up" even when it refuses us,
    // except while it is starting up, shutting down or in crash recovery.
    if (error_.find("the database system is") != std::string::npos) ping_ = ping_status::rejecting;
    else if (error_.find("FATAL:") != std::string::npos || error_.find("password") != std::string::npos)
        ping_ = ping_status::ok;
    close();
    return make_error_code(e);
}

PGWARDEN_DECL error_code connection::fail_query(error e)
{
    if (error_.empty()) error_ = detail::trim_message(PQerrorMessage(conn_));
    close();
    return make_error_code(e);
}

PGWARDEN_DECL task<result<void>> connection::connect(std::map<std::string, std::string> params,
                                                     std::chrono::milliseconds timeout)
{
    close();
    error_.clear();
    sqlstate_.clear();
    ping_ = ping_status::no_response;
    std::vector<const char*> keys, values;
    for (const auto& [k, v] : params) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectStartParams(keys.data(), values.data(), 0);
    if (conn_ == nullptr) {
        error_ = "out of memory";
        co_return make_error_code(error::connect_failed);
    }
    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer timer(ex, timeout);
    if (PQstatus(conn_) == CONNECTION_BAD) co_return fail_connect(error::connect_failed);
    auto poll = PGRES_POLLING_WRITING;
    for (;;) {
        if (poll == PGRES_POLLING_OK) break;
        if (poll == PGRES_POLLING_FAILED) co_return fail_connect(error::connect_failed);
        auto w = co_await detail::wait_socket(PQsocket(conn_), poll == PGRES_POLLING_WRITING, timer);
        if (w == detail::wait_outcome::timeout) co_return fail_connect(error::timeout);
        if (w == detail::wait_outcome::failed) co_return fail_connect(error::connect_failed);
        poll = PQconnectPoll(conn_);
    }
    if (PQsetnonblocking(conn_, 1) != 0) co_return fail_connect(error::connect_failed);
    ping_ = ping_status::ok;
    co_return result<void>{};
}

PGWARDEN_DECL task<result<query_result>> connection::query(std::string sql, std::chrono::milliseconds timeout)
{
    error_.clear();
    sqlstate_.clear();
    if (!is_open()) {
        error_ = "not connected";
        co_return make_error_code(error::connect_failed);
    }
    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer timer(ex, timeout);
    if (PQsendQuery(conn_, sql.c_str()) != 1) co_return fail_query(error::connect_failed);
    for (;;) {
        const int f = PQflush(conn_);
        if (f == 0) break;
        if (f < 0) co_return fail_query(error::connect_failed);
        auto w = co_await detail::wait_socket(PQsocket(conn_), true, timer);
        if (w == detail::wait_outcome::timeout) co_return fail_query(error::timeout);
        if (w == detail::wait_outcome::failed) co_return fail_query(error::connect_failed);
        if (PQconsumeInput(conn_) != 1) co_return fail_query(error::connect_failed);
    }
    query_result out;
    bool failed = false;
    for (;;) {
        while (PQisBusy(conn_)) {
            auto w = co_await detail::wait_socket(PQsocket(conn_), false, timer);
            if (w == detail::wait_outcome::timeout) co_return fail_query(error::timeout);
            if (w == detail::wait_outcome::failed) co_return fail_query(error::connect_failed);
            if (PQconsumeInput(conn_) != 1) co_return fail_query(error::connect_failed);
        }
        PGresult* res = PQgetResult(conn_);
        if (res == nullptr) break;
        const auto st = PQresultStatus(res);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            query_result r;
            const int nf = PQnfields(res), nt = PQntuples(res);
            for (int c = 0; c < nf; ++c) r.columns.emplace_back(PQfname(res, c));
            for (int t = 0; t < nt; ++t) {
                std::vector<std::optional<std::string>> row;
                for (int c = 0; c < nf; ++c) {
                    if (PQgetisnull(res, t, c)) row.emplace_back(std::nullopt);
                    else row.emplace_back(std::string(PQgetvalue(res, t, c), static_cast<std::size_t>(PQgetlength(res, t, c))));
                }
                r.rows.push_back(std::move(row));
            }
            out = std::move(r);
        } else if (!failed) {
            failed = true;
            error_ = detail::trim_message(PQresultErrorMessage(res));
            if (const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE)) sqlstate_ = s;
        }
        PQclear(res);
        if (PQstatus(conn_) == CONNECTION_BAD) co_return fail_query(error::connect_failed);
    }
    if (failed) co_return make_error_code(error::query_failed);
    co_return out;
}

PGWARDEN_DECL std::string quote_literal(std::string_view s)
{
    const bool backslash = s.find('\\') != std::string_view::npos;
    std::string out = backslash ? "E'" : "'";
    for (char c : s) {
        if (c == '\'' || (backslash && c == '\\')) out.push_back(c);
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

PGWARDEN_DECL std::string quote_ident(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

} // namespace pgwarden::pg::libpq
