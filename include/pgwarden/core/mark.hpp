// Coverage marks (TigerBeetle marks.zig, FoundationDB CODE_PROBE).
//
// PGWARDEN_MARK("name") records that a code path ran. It costs nothing in the
// daemons; when PGWARDEN_MARKS is defined (tests, simulator), a test can ask
// whether a path was hit and the swarm can report marks never reached.
#pragma once

#ifdef PGWARDEN_MARKS
#include <string_view>
namespace pgwarden::marks {
/// Called by PGWARDEN_MARK; defined by the test support library.
void hit(std::string_view name) noexcept;
} // namespace pgwarden::marks
#define PGWARDEN_MARK(name) ::pgwarden::marks::hit(name)
#else
#define PGWARDEN_MARK(name) static_cast<void>(0)
#endif
