// Goal: the role-transition table is consistent, and docs/design/transitions.md
// is exactly its rendering (so the document cannot drift from the code).
// Method: structural checks on role_edges, then render the table to Markdown
// and compare with the file; PGWARDEN_REWRITE=1 in the environment rewrites it.
#include <pgwarden/ha/action.hpp>
#include <pgwarden/ha/transitions.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

using namespace pgwarden::ha;

namespace {

constexpr node_role all_roles[] = {node_role::uninitialized, node_role::primary, node_role::replica,
                                   node_role::standby_leader, node_role::demoted, node_role::promoted};

std::string render()
{
    std::ostringstream out;
    out << "# Role transitions of the HA core\n\n"
        << "Generated from `include/pgwarden/ha/transitions.hpp` by `tests/unit/ha/transitions_test.cpp`\n"
        << "(run `PGWARDEN_REWRITE=1 unit_ha` to regenerate). `decide()` asserts that every role change\n"
        << "it makes is one of these edges; staying in the same role is always legal.\n\n"
        << "| from | to | Patroni path |\n|---|---|---|\n";
    for (const auto& e : role_edges)
        out << "| `" << role_name(e.from) << "` | `" << role_name(e.to) << "` | " << e.why << " |\n";
    out << "\nMatrix (`x` = legal):\n\n| from \\\\ to |";
    for (auto to : all_roles) out << " " << role_name(to) << " |";
    out << "\n|---|";
    for (std::size_t i = 0; i < std::size(all_roles); ++i) out << "---|";
    out << "\n";
    for (auto from : all_roles) {
        out << "| " << role_name(from) << " |";
        for (auto to : all_roles) out << (is_legal(from, to) ? " x |" : "   |");
        out << "\n";
    }
    return out.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(ha_transitions)

BOOST_AUTO_TEST_CASE(table_is_well_formed)
{
    for (std::size_t i = 0; i < role_edges.size(); ++i) {
        BOOST_TEST((role_edges[i].from != role_edges[i].to));
        BOOST_TEST(!role_edges[i].why.empty());
        for (std::size_t j = i + 1; j < role_edges.size(); ++j)
            BOOST_TEST(!(role_edges[i].from == role_edges[j].from && role_edges[i].to == role_edges[j].to));
    }
    for (auto r : all_roles) BOOST_TEST(is_legal(r, r));
}

BOOST_AUTO_TEST_CASE(forbidden_edges)
{
    // Promotion needs a running replica; an empty data directory cannot be promoted or demoted.
    BOOST_TEST(!is_legal(node_role::uninitialized, node_role::promoted));
    BOOST_TEST(!is_legal(node_role::primary, node_role::promoted));
    BOOST_TEST(is_legal(node_role::replica, node_role::promoted));
    BOOST_TEST(is_legal(node_role::primary, node_role::demoted));
}

BOOST_AUTO_TEST_CASE(action_names_follow_the_variant)
{
    BOOST_TEST(std::string(action_name(action{acquire_leader{}})) == "acquire_leader");
    BOOST_TEST(std::string(action_name(action{pg_promote{}})) == "pg_promote");
    BOOST_TEST(std::string(action_name(action{exit_daemon{}})) == "exit_daemon");
    BOOST_TEST(std::string(action_name(action{fetch_peers{}})) == "fetch_peers");
}

BOOST_AUTO_TEST_CASE(docs_match_the_table)
{
    const std::string path = std::string(PGWARDEN_SOURCE_DIR) + "/docs/design/transitions.md";
    const std::string want = render();
    if (std::getenv("PGWARDEN_REWRITE")) {
        std::ofstream(path) << want;
    }
    std::ifstream in(path);
    std::stringstream have;
    have << in.rdbuf();
    BOOST_TEST(have.str() == want, "docs/design/transitions.md is stale; run with PGWARDEN_REWRITE=1");
}

BOOST_AUTO_TEST_SUITE_END()
