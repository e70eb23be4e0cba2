// Goal: pg_controldata output of PostgreSQL 15 (LANG=C) yields the fields the
// HA loop needs: cluster state, timelines, LSNs, rewind preconditions,
// replica minimums.
// Method: a captured output (trimmed) and hand-made variants; the parser's
// derived predicates are checked against ha-loop.md 9.1 and 10.1.
#include <pgwarden/pg/controldata.hpp>
#include <pgwarden/pg/error.hpp>

#include <boost/test/unit_test.hpp>

using namespace pgwarden::pg;

namespace {
const char* sample = R"(pg_control version number:            1300
Catalog version number:               202209061
Database system identifier:           7301234567890123456
Database cluster state:               shut down in recovery
pg_control last modified:             Mon 01 Jan 2024 00:00:00 AM UTC
Latest checkpoint location:           0/3000060
Latest checkpoint's REDO location:    0/3000028
Latest checkpoint's REDO WAL file:    000000020000000000000003
Latest checkpoint's TimeLineID:       2
Latest checkpoint's PrevTimeLineID:   2
Minimum recovery ending location:     0/3000110
Min recovery ending loc's timeline:   2
wal_level setting:                    replica
wal_log_hints setting:                off
max_connections setting:              120
max_worker_processes setting:         8
max_wal_senders setting:              10
max_prepared_xacts setting:           0
max_locks_per_xact setting:           64
Data page checksum version:           1
)";
} // namespace

BOOST_AUTO_TEST_SUITE(pg_controldata)

BOOST_AUTO_TEST_CASE(parses_fields)
{
    auto cd = parse_controldata(sample);
    BOOST_REQUIRE(cd);
    BOOST_TEST(cd->cluster_state == "shut down in recovery");
    BOOST_TEST(*cd->system_identifier == 7301234567890123456ULL);
    BOOST_TEST(cd->checkpoint_timeline == 2);
    BOOST_TEST(cd->checkpoint_lsn.to_text() == "0/3000060");
    BOOST_TEST(cd->prior_checkpoint_lsn.to_text() == "0/3000028");
    BOOST_TEST(cd->min_recovery_lsn.to_text() == "0/3000110");
    BOOST_TEST(cd->min_recovery_timeline == 2);
    BOOST_TEST(!cd->wal_log_hints);
    BOOST_TEST(cd->data_checksum_version == 1);
    BOOST_TEST(cd->settings.at("max_connections") == 120);
    BOOST_TEST(cd->raw.at("wal_level setting") == "replica");
    BOOST_TEST(cd->is_clean_shutdown());
    BOOST_TEST(!cd->needs_crash_recovery());
    BOOST_TEST(cd->rewind_capable());
}

BOOST_AUTO_TEST_CASE(unclean_states_need_crash_recovery)
{
    for (const char* state : {"in production", "shutting down", "in crash recovery"}) {
        auto cd = parse_controldata(std::string("Database cluster state: ") + state + "\n");
        BOOST_REQUIRE(cd);
        BOOST_TEST(cd->needs_crash_recovery(), state);
        BOOST_TEST(!cd->is_clean_shutdown());
        BOOST_TEST(!cd->rewind_capable());
    }
}

BOOST_AUTO_TEST_CASE(rejects_output_without_state)
{
    auto cd = parse_controldata("pg_controldata: error: could not open file\n");
    BOOST_TEST(!cd);
    BOOST_TEST((cd.error() == pgwarden::condition::invalid_response));
}

BOOST_AUTO_TEST_SUITE_END()
