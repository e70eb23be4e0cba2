// Errors of the config module: loading, parsing and converting configuration.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/error.hpp>
#include <pgwarden/core/result.hpp>

#include <boost/system/error_category.hpp>

#include <string>
#include <type_traits>

namespace pgwarden::config {

/// Why a configuration could not be loaded. `not_found` maps to
/// condition::not_found, everything else to condition::invalid_argument.
enum class error {
    not_found = 1,     ///< a named file or directory does not exist
    invalid_path,      ///< the config path is neither a file nor a directory
    invalid_file,      ///< the YAML top level is not a mapping
    syntax,            ///< YAML/JSON syntax error
    empty,             ///< `Config is empty.`
    bad_value,         ///< a key holds a value of the wrong type or form
    reserved_name,     ///< `name` is Patroni's reserved placeholder
    io,                ///< reading or writing a file failed
};

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/** The detail behind a config error code: the YAML path (dotted, list items by
 *  index, e.g. `postgresql.pg_hba.0`; for syntax errors `file:line:column`) and
 *  a human-readable message. */
struct config_error {
    error_code code;
    std::string path;
    std::string message;

    /// "<path>: <message>" (or just the message when there is no path).
    std::string text() const { return path.empty() ? message : path + ": " + message; }
};

} // namespace pgwarden::config

template <>
struct boost::system::is_error_code_enum<pgwarden::config::error> : std::true_type {};

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/config/impl/error.ipp>
#endif
