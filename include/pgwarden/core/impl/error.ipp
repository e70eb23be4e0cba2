#pragma once
#include <pgwarden/core/error.hpp>

#include <string>

namespace pgwarden {
namespace detail {

class condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "pgwarden.condition"; }
    std::string message(int ev) const override
    {
        switch (static_cast<condition>(ev)) {
        case condition::unavailable: return "service unavailable";
        case condition::cas_conflict: return "compare-and-set conflict";
        case condition::not_found: return "not found";
        case condition::timeout: return "timed out";
        case condition::unauthorized: return "unauthorized";
        case condition::invalid_response: return "invalid response";
        case condition::invalid_argument: return "invalid argument";
        }
        return "unknown condition";
    }
};

class error_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "pgwarden"; }
    std::string message(int ev) const override
    {
        return condition_category_impl{}.message(ev);
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        // error and condition share numbering on purpose.
        return {ev, condition_category()};
    }
};

} // namespace detail

PGWARDEN_DECL const boost::system::error_category& condition_category() noexcept
{
    static const detail::condition_category_impl cat;
    return cat;
}

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept
{
    static const detail::error_category_impl cat;
    return cat;
}

} // namespace pgwarden
