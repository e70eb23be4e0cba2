// Coverage-mark recorder used by tests and the simulator (core/mark.hpp).
#include "support/marks.hpp"

#include <pgwarden/core/mark.hpp>

#include <map>

namespace pgwarden::marks {
namespace {
std::map<std::string, std::size_t, std::less<>>& table()
{
    static std::map<std::string, std::size_t, std::less<>> t;
    return t;
}
} // namespace

void hit(std::string_view name) noexcept
{
    try {
        auto& t = table();
        auto it = t.find(name);
        if (it == t.end()) t.emplace(std::string(name), 1);
        else ++it->second;
    } catch (...) {
        // Out of memory while recording a mark: losing the count is harmless.
    }
}

void reset() noexcept { table().clear(); }

std::size_t count(std::string_view name) noexcept
{
    auto it = table().find(name);
    return it == table().end() ? 0 : it->second;
}

std::vector<std::string> hits()
{
    std::vector<std::string> out;
    for (const auto& [k, v] : table()) out.push_back(k);
    return out;
}

} // namespace pgwarden::marks
