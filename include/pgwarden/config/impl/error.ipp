#pragma once
#include <pgwarden/config/error.hpp>

namespace pgwarden::config {
namespace detail {

class error_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "pgwarden.config"; }
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::not_found: return "configuration path not found";
        case error::invalid_path: return "invalid config path";
        case error::invalid_file: return "invalid config file";
        case error::syntax: return "syntax error";
        case error::empty: return "Config is empty.";
        case error::bad_value: return "invalid value";
        case error::reserved_name: return "reserved name";
        case error::io: return "i/o error";
        }
        return "unknown config error";
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        if (static_cast<error>(ev) == error::not_found)
            return make_error_condition(condition::not_found);
        return make_error_condition(condition::invalid_argument);
    }
};

} // namespace detail

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept
{
    static const detail::error_category_impl cat;
    return cat;
}

} // namespace pgwarden::config
