// Goal: --generate-config sorts what a running instance reports the way
// Patroni does (config.md §12): cluster_name becomes the scope, commands and
// file locations stay local, listen_addresses:port becomes `listen`, the
// client's port goes into connect_address, everything else into
// bootstrap.dcs; pg_hba lines are kept by type (PG 16 adds include lines),
// comment-only pg_ident is dropped, and unsupported libpq options are removed.
// Method: apply_running_instance on a template and hand-made rows, with an
// in-memory file reader.
#include "common/generate_config.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace pgwarden;
namespace json = boost::json;

BOOST_AUTO_TEST_SUITE(apps_generate_config)

BOOST_AUTO_TEST_CASE(rows_land_where_patroni_puts_them)
{
    json::object cfg{{"scope", "#FIXME"},
                     {"postgresql", json::object{{"connect_address", "10.0.0.5:5432"}}},
                     {"bootstrap", json::object{{"dcs", json::object{{"ttl", 30}}}}}};
    const std::vector<apps::setting_row> rows{
        {"data_directory", "/d"},    {"cluster_name", "prod"},      {"archive_command", "cp %p /a"},
        {"hba_file", "/d/pg_hba.conf"}, {"ident_file", "/d/pg_ident.conf"}, {"port", "5433"},
        {"listen_addresses", "*"},   {"max_connections", "200"}};
    json::object su{{"sslmode", "require"}, {"gssencmode", "disable"}, {"sslnegotiation", "direct"},
                     {"username", "postgres"}, {"password", "p"}};
    auto files = [](const std::string& path) -> std::optional<std::vector<std::string>> {
        if (path == "/d/pg_hba.conf")
            return std::vector<std::string>{"# comment", "local all all trust", "  host all all 0/0 md5",
                                            "include_dir conf.d", ""};
        if (path == "/d/pg_ident.conf") return std::vector<std::string>{"# only comments", ""};
        return std::nullopt;
    };
    apps::apply_running_instance(cfg, rows, su, 160000, std::string("6000"), files);
    BOOST_TEST(cfg["scope"].as_string() == "prod");
    auto& pg = cfg["postgresql"].as_object();
    BOOST_TEST(pg["data_dir"].as_string() == "/d");
    BOOST_TEST(pg["listen"].as_string() == "*:5433");
    BOOST_TEST(pg["connect_address"].as_string() == "10.0.0.5:6000");
    BOOST_TEST(pg["parameters"].as_object()["archive_command"].as_string() == "cp %p /a");
    BOOST_TEST(!pg["parameters"].as_object().contains("max_connections"));
    const auto& dcs = cfg["bootstrap"].as_object()["dcs"].as_object()["postgresql"].as_object()["parameters"].as_object();
    BOOST_TEST(dcs.at("max_connections").as_string() == "200");
    BOOST_TEST(!dcs.contains("port"));
    BOOST_TEST(cfg["bootstrap"].as_object()["dcs"].as_object()["ttl"].as_int64() == 30);   // template kept
    BOOST_TEST(json::serialize(pg["pg_hba"]) ==
               R"(["local all all trust","host all all 0/0 md5","include_dir conf.d"])");
    BOOST_TEST(!pg.contains("pg_ident"));
    const auto& s = pg["authentication"].as_object()["superuser"].as_object();
    BOOST_TEST(s.contains("gssencmode"));        // PG 12+
    BOOST_TEST(!s.contains("sslnegotiation"));   // PG 17+ only
    BOOST_TEST(pg["authentication"].as_object()["replication"].as_object()["username"].as_string() == "#FIXME");

    // PG 15: include lines are not hba entries; a missing pg_hba.conf is Patroni's error.
    json::object cfg15{{"postgresql", json::object{{"connect_address", "h:1"}}}};
    apps::apply_running_instance(cfg15, rows, su, 150000, std::nullopt, files);
    BOOST_TEST(cfg15["postgresql"].as_object()["pg_hba"].as_array().size() == 2u);
    BOOST_TEST(cfg15["postgresql"].as_object()["connect_address"].as_string() == "h:5433");
    auto no_files = [](const std::string&) -> std::optional<std::vector<std::string>> { return std::nullopt; };
    json::object cfg_missing;
    BOOST_CHECK_EXCEPTION(apps::apply_running_instance(cfg_missing, rows, su, 150000, std::nullopt, no_files),
                          std::runtime_error, [](const std::runtime_error& e) {
                              return std::string(e.what()).starts_with("Failed to read pg_hba.conf");
                          });
}

BOOST_AUTO_TEST_SUITE_END()
