#pragma once
#include <pgwarden/pg/error.hpp>

#include <string>

namespace pgwarden::pg {
namespace detail {

class error_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "pgwarden.pg"; }
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::not_running: return "PostgreSQL is not running";
        case error::connect_failed: return "could not connect to PostgreSQL";
        case error::query_failed: return "query failed";
        case error::timeout: return "PostgreSQL operation timed out";
        case error::spawn_failed: return "could not start a child process";
        case error::command_failed: return "child process failed";
        case error::start_failed: return "PostgreSQL failed to start";
        case error::stop_failed: return "PostgreSQL failed to stop";
        case error::crashed: return "PostgreSQL crashed";
        case error::bad_output: return "unparsable output";
        case error::invalid_option: return "option not allowed";
        case error::no_data_dir: return "data directory missing or empty";
        case error::data_dir_not_empty: return "data directory is not empty";
        case error::rewind_not_possible: return "pg_rewind is not possible";
        case error::busy: return "another action is in progress";
        case error::io_failed: return "file write failed";
        case error::source_not_ready: return "the source server is not ready (no checkpoint after promotion)";
        }
        return "unknown pg error";
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<error>(ev)) {
        case error::not_running:
        case error::connect_failed:
        case error::source_not_ready: return make_error_condition(condition::unavailable);
        case error::timeout: return make_error_condition(condition::timeout);
        case error::bad_output: return make_error_condition(condition::invalid_response);
        case error::invalid_option: return make_error_condition(condition::invalid_argument);
        case error::no_data_dir: return make_error_condition(condition::not_found);
        default: return {ev, *this};
        }
    }
};

} // namespace detail

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept
{
    static const detail::error_category_impl cat;
    return cat;
}

} // namespace pgwarden::pg
