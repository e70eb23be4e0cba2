// Test-side access to coverage marks (core/mark.hpp).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::marks {

/// Forgets every hit so far.
void reset() noexcept;
/// How often PGWARDEN_MARK(name) ran since the last reset().
std::size_t count(std::string_view name) noexcept;
/// Every mark name hit since the last reset(), sorted.
std::vector<std::string> hits();

} // namespace pgwarden::marks
