#pragma once
#include <pgwarden/pg/slots.hpp>

#include <algorithm>

namespace pgwarden::pg {

PGWARDEN_DECL bool is_ignored_slot(const slot_info& s, const std::vector<slot_filter>& ignore) noexcept
{
    return std::any_of(ignore.begin(), ignore.end(), [&](const slot_filter& f) {
        if (f.name && *f.name != s.name) return false;
        if (f.type && *f.type != s.type) return false;
        if (f.database && (!s.database || *f.database != *s.database)) return false;
        if (f.plugin && (!s.plugin || *f.plugin != *s.plugin)) return false;
        return true;
    });
}

PGWARDEN_DECL slot_changes plan_slot_changes(const std::vector<slot_info>& present, const slot_plan& plan)
{
    slot_changes out;
    auto wanted_physical = [&](const std::string& n) {
        return std::find(plan.physical.begin(), plan.physical.end(), n) != plan.physical.end();
    };
    auto wanted_logical = [&](const std::string& n) -> const logical_slot* {
        for (const auto& l : plan.logical)
            if (l.name == n) return &l;
        return nullptr;
    };
    std::vector<std::string> kept;
    for (const auto& s : present) {
        if (is_ignored_slot(s, plan.ignore)) {
            kept.push_back(s.name);
            continue;
        }
        bool keep = false;
        if (s.type == "physical" && wanted_physical(s.name)) keep = s.wal_status != "lost";
        if (s.type == "logical") {
            if (const auto* l = wanted_logical(s.name))
                keep = s.plugin.value_or("") == l->plugin && s.database.value_or("") == l->database;
        }
        if (keep || plan.paused) kept.push_back(s.name);
        else out.drop.push_back(s.name);
    }
    auto is_kept = [&](const std::string& n) { return std::find(kept.begin(), kept.end(), n) != kept.end(); };
    for (const auto& n : plan.physical)
        if (!is_kept(n)) out.create_physical.push_back(n);
    for (const auto& l : plan.logical)
        if (!is_kept(l.name) && !wanted_physical(l.name)) out.create_logical.push_back(l);
    return out;
}

} // namespace pgwarden::pg
