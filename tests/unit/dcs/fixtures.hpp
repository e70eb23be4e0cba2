// Loading the DCS fixtures of tests/fixtures/ (see its README.md).
#pragma once
#include <pgwarden/dcs/model.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pgwarden::test {

/// The directory of one fixture set: "patroni-3.0.2" or "patroni-4.1".
inline std::filesystem::path fixture_dir(const std::string& set)
{
    return std::filesystem::path(PGWARDEN_FIXTURES_DIR) / set;
}

/// The raw bytes of `<set>/<relative key>.json`.
inline std::string fixture(const std::string& set, const std::string& key)
{
    std::ifstream in(fixture_dir(set) / (key + ".json"), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Every key of a set with its value, version and lease, from `_index.tsv`.
inline std::vector<dcs::raw_entry> fixture_entries(const std::string& set)
{
    std::vector<dcs::raw_entry> out;
    std::ifstream in(fixture_dir(set) / "_index.tsv");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        dcs::raw_entry e;
        std::string lease;
        fields >> e.key >> e.version >> lease;
        if (lease != "0") e.session = lease;
        e.value = fixture(set, e.key);
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace pgwarden::test
