// REST API throughput and latency: starts the server on one io_context thread
// with a representative replica view (view_fixture.hpp) and drives it with
// wrk (HTTP/1.1 keep-alive) for GET /health, /primary, /replica and /patroni,
// printing requests/s and the 99th percentile latency of each.
// Target on the 2-core reference box: >= 30,000 req/s with p99 <= 2 ms.
// Usage: pgwarden-api-bench [seconds=5] [connections=32]
#include "unit/api/view_fixture.hpp"

#include <pgwarden/api/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

using namespace pgwarden;
namespace asio = boost::asio;

namespace {

std::string run(const std::string& cmd)
{
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        ::pclose(p);
    }
    return out;
}

/// The token following `key` on the line that starts with it (wrk's output).
std::string field(const std::string& text, const std::string& key)
{
    auto p = text.find(key);
    if (p == std::string::npos) return "?";
    p += key.size();
    while (p < text.size() && text[p] == ' ') ++p;
    auto e = text.find_first_of(" \n", p);
    return text.substr(p, e - p);
}

} // namespace

int main(int argc, char** argv)
{
    const int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
    const int connections = argc > 2 ? std::atoi(argv[2]) : 32;
    asio::io_context ioc(1);
    auto view = api::test::replica_view();
    // The fixture's DCS view and lock expire at t0 + 30 s; the bench reads real
    // time, so anchor the fixture's instants to the start of the run.
    const auto now = std::chrono::steady_clock::now();
    const auto shift = now - api::test::t0();
    view.cluster_valid_until = *view.cluster_valid_until + shift + std::chrono::hours{1};
    view.next_run = view.next_run + shift + std::chrono::hours{1};
    auto current = std::make_shared<const api::router>(std::move(view));
    api::server<> srv(
        ioc.get_executor(), [&] { return current; },
        [] {
            return api::clock_reading{std::chrono::steady_clock::now(),
                                      std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now())};
        });
    if (auto r = srv.listen({asio::ip::make_address("127.0.0.1"), 0}); !r) {
        std::fprintf(stderr, "listen failed: %s\n", r.error().message().c_str());
        return 1;
    }
    srv.start();
    const auto port = srv.local_endpoint().port();

    std::printf("%-10s %12s %10s %10s\n", "endpoint", "req/s", "p50", "p99");
    std::thread driver([&] {
        for (const char* path : {"/health", "/primary", "/replica", "/patroni"}) {
            const std::string cmd = "wrk -t1 -c" + std::to_string(connections) + " -d" + std::to_string(seconds) +
                                    "s --latency http://127.0.0.1:" + std::to_string(port) + path + " 2>&1";
            const auto out = run(cmd);
            if (out.find("Requests/sec") == std::string::npos) {
                std::printf("%-10s wrk failed: %s\n", path, out.c_str());
                continue;
            }
            std::printf("%-10s %12s %10s %10s\n", path, field(out, "Requests/sec:").c_str(),
                        field(out, "     50%").c_str(), field(out, "     99%").c_str());
            std::fflush(stdout);
        }
        asio::post(ioc, [&] { srv.stop(); ioc.stop(); });
    });
    ioc.run();
    driver.join();
    return 0;
}
