// Assertions that stay on in release builds (STYLE.md 6.1): a crash turns a
// correctness bug into a failover.
#pragma once
#include <cstdio>
#include <cstdlib>

namespace pgwarden::detail {
[[noreturn]] inline void assert_failed(const char* expr, const char* file, int line) noexcept
{
    std::fprintf(stderr, "pgwarden: assertion failed: %s (%s:%d)\n", expr, file, line);
    std::fflush(stderr);
    std::abort();
}
} // namespace pgwarden::detail

#define PGWARDEN_ASSERT(expr) \
    ((expr) ? static_cast<void>(0) : ::pgwarden::detail::assert_failed(#expr, __FILE__, __LINE__))

#if !defined(NDEBUG) || defined(PGWARDEN_SIMULATION)
#define PGWARDEN_ASSERT_EXPENSIVE(expr) PGWARDEN_ASSERT(expr)
#else
#define PGWARDEN_ASSERT_EXPENSIVE(expr) static_cast<void>(0)
#endif
