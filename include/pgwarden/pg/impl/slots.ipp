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

PGWARDEN_DECL replica_logical_plan plan_replica_logical_slots(const std::vector<slot_info>& present,
                                                              const slot_plan& plan, lsn replay_lsn)
{
    replica_logical_plan out;
    for (const auto& l : plan.logical) {
        auto t = plan.targets.find(l.name);
        auto it = std::find_if(present.begin(), present.end(), [&](const slot_info& s) { return s.name == l.name; });
        if (it == present.end()) {
            if (t != plan.targets.end()) out.copy.push_back(l.name);   // only slots with feedback in the DCS
            continue;
        }
        const bool same = it->type == "logical" && it->plugin.value_or("") == l.plugin &&
                          it->database.value_or("") == l.database;
        if (!same || t == plan.targets.end()) continue;
        const lsn target = std::min(t->second, replay_lsn);   // cannot advance past replay
        if (it->confirmed_flush_lsn < target) out.advance.push_back({l.name, l.database, target});
    }
    return out;
}

PGWARDEN_DECL std::vector<std::string> ready_logical_slots(logical_readiness_queue& queue,
                                                           const std::vector<slot_info>& present,
                                                           std::optional<std::uint64_t> physical_catalog_xmin)
{
    std::vector<std::string> ready;
    for (auto it = queue.begin(); it != queue.end();) {
        auto local = std::find_if(present.begin(), present.end(), [&](const slot_info& s) { return s.name == it->first; });
        bool done = local == present.end();
        if (!done && physical_catalog_xmin && it->second) {
            const std::uint64_t standby = local->catalog_xmin.value_or(0);
            done = *it->second <= *physical_catalog_xmin && *physical_catalog_xmin <= standby;
        }
        if (done) {
            if (local != present.end()) ready.push_back(it->first);
            it = queue.erase(it);
        } else {
            ++it;
        }
    }
    return ready;
}

PGWARDEN_DECL std::optional<std::string> decode_bytea_hex(std::string_view text)
{
    if (!text.starts_with("\\x") || text.size() % 2 != 0) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 2; i < text.size(); i += 2) {
        const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

} // namespace pgwarden::pg
