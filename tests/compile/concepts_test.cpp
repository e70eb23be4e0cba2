// Goal: each policy concept accepts a complete model and rejects a type that
// lacks one required operation (stdexec-style negative checks), so a
// concept that silently accepts everything cannot go unnoticed.
// Method: static_asserts on small local types; the test body only exists so
// that the checks are part of the test run.
#include <pgwarden/clock/steady_source.hpp>
#include <pgwarden/dcs/concept.hpp>
#include <pgwarden/pg/concept.hpp>
#include <pgwarden/watchdog/concept.hpp>
#include <pgwarden/watchdog/linux_device.hpp>
#include <pgwarden/watchdog/null_device.hpp>

#include <boost/test/unit_test.hpp>

using namespace pgwarden;

namespace {

struct no_keepalive {
    result<void> activate(std::chrono::seconds) { return {}; }
    bool is_active() const noexcept { return false; }
    result<void> disable() noexcept { return {}; }
};

struct throwing_keepalive {   // keepalive must be noexcept
    result<void> activate(std::chrono::seconds) { return {}; }
    bool is_active() const noexcept { return false; }
    result<void> keepalive() { return {}; }
    result<void> disable() noexcept { return {}; }
};

struct clock_without_wait {
    mono_time now() const noexcept { return {}; }
    wall_time wall_now() const noexcept { return {}; }
};

struct pg_without_promote {
    task<result<pg::local_pg_state>> probe();
    task<result<void>> start(pg::start_role);
    task<result<void>> stop(pg::stop_mode);
    task<result<void>> follow(const pg::follow_target&);
    task<result<void>> rewind(const pg::follow_target&);
    task<result<void>> set_sync_standbys(const pg::sync_names&);
};
struct pg_complete : pg_without_promote {
    task<result<void>> promote();
};

struct dcs_base {
    struct config_type {};
    static constexpr std::string_view kind = "x";
    task<result<dcs::cluster_snapshot>> load_cluster();
    task<result<bool>> try_initialize(const std::string&);
    task<result<void>> set_initialize(const std::string&);
    task<result<void>> cancel_initialize();
    task<result<bool>> acquire_leader(const dcs::leader_claim&);
    task<result<bool>> release_leader(dcs::dcs_version);
    task<result<void>> publish_member(const dcs::member_data&);
    task<result<bool>> write_sync(const dcs::sync_record&, dcs::dcs_version);
    task<result<bool>> delete_sync(dcs::dcs_version);
    task<result<bool>> write_failover(const dcs::failover_record&, dcs::dcs_version);
    task<result<bool>> write_config(const std::string&, dcs::dcs_version);
    task<result<void>> write_status(const dcs::status_record&);
    task<result<void>> write_history(const dcs::history_record&);
    task<result<void>> write_failsafe(const std::string&);
    task<result<bool>> wait_for_change(dcs::dcs_version, std::chrono::milliseconds);
};
struct no_renew : dcs_base {};
struct dcs_complete : dcs_base {
    task<result<bool>> renew_leader(const dcs::leader_claim&, dcs::dcs_version);
};
struct renew_returns_void : dcs_base {   // a CAS must report whether it won
    task<result<void>> renew_leader(const dcs::leader_claim&, dcs::dcs_version);
};

static_assert(watchdog::device<watchdog::null_device>);
static_assert(watchdog::device<watchdog::linux_device>);
static_assert(!watchdog::device<no_keepalive>);
static_assert(!watchdog::device<throwing_keepalive>);
static_assert(clock::timed_source<clock::steady_source>);
static_assert(clock::source<clock_without_wait>);
static_assert(!clock::timed_source<clock_without_wait>);
static_assert(pg::controller<pg_complete>);
static_assert(!pg::controller<pg_without_promote>);
static_assert(dcs::client<dcs_complete>);
static_assert(!dcs::client<no_renew>);
static_assert(!dcs::client<renew_returns_void>);

} // namespace

BOOST_AUTO_TEST_CASE(concepts_accept_models_and_reject_incomplete_types)
{
    // The checks above ran at compile time; here, one run-time fact about a model.
    watchdog::null_device wd;
    BOOST_TEST(!wd.is_active());
    BOOST_TEST(wd.keepalive().has_value());
}
