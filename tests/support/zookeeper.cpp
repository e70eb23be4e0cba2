#include "support/zookeeper.hpp"

#include <filesystem>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace pgwarden::test {

namespace {
constexpr const char* zookeeper_jar = "/usr/share/java/zookeeper.jar";
constexpr const char* java = "/usr/bin/java";
} // namespace

bool zookeeper_available()
{
    return ::access(java, X_OK) == 0 && ::access(zookeeper_jar, R_OK) == 0;
}

zookeeper_server::zookeeper_server() : zookeeper_server(zookeeper_options{}) {}

zookeeper_server::zookeeper_server(zookeeper_options options)
    : options_(options), dir_(std::make_unique<temp_dir>("pgwarden-zk")), port_(free_port())
{
    const std::string tick = std::to_string(options_.tick_ms);
    write_file(*dir_ / "zoo.cfg", "tickTime=" + tick + "\n" + "dataDir=" + (*dir_ / "data") + "\n" +
                                      "clientPort=" + std::to_string(port_) + "\n" +
                                      "clientPortAddress=127.0.0.1\n"
                                      "admin.enableServer=false\n"
                                      "4lw.commands.whitelist=ruok,srvr,stat,cons\n"
                                      "maxClientCnxns=0\n");
    // log4j configuration: warnings only, to the console (captured in zk.log).
    write_file(*dir_ / "log4j.properties", "log4j.rootLogger=WARN, CONSOLE\n"
                                           "log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\n"
                                           "log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout\n"
                                           "log4j.appender.CONSOLE.layout.ConversionPattern=%d %p %c: %m%n\n");
    launch();
}

zookeeper_server::~zookeeper_server()
{
    if (proc_.pid() > 0) {
        proc_.signal(SIGCONT);
        proc_.stop(SIGTERM, std::chrono::seconds(10));
    }
}

std::string zookeeper_server::host_port() const
{
    return "127.0.0.1:" + std::to_string(port_);
}

void zookeeper_server::launch()
{
    spawn_options opts;
    opts.log_file = *dir_ / "zk.log";
    opts.unset_env = {"ZOOCFGDIR", "ZOOCFG", "CLASSPATH", "JAVA_TOOL_OPTIONS"};
    // The jar's manifest names its dependencies; the temp dir comes first so
    // our log4j.properties wins over /etc/zookeeper/conf.
    proc_ = spawn({java, "-Xmx256m", "-XX:+UseSerialGC", "-Dzookeeper.jmx.log4j.disable=true",
                   "-cp", dir_->path() + ":" + zookeeper_jar,
                   "org.apache.zookeeper.server.ZooKeeperServerMain", *dir_ / "zoo.cfg"},
                  opts);
    // `ruok` answers before the server accepts sessions; `srvr` names the
    // mode only once it serves requests.
    const bool ready = wait_until([&] { return four_letter("srvr").find("Mode: ") != std::string::npos; },
                                  std::chrono::seconds(60), std::chrono::milliseconds(100));
    if (!ready) throw std::runtime_error("ZooKeeper did not start; see " + opts.log_file);
}

void zookeeper_server::pause()
{
    proc_.signal(SIGSTOP);
    // kill() returns before the JVM's threads have all stopped: one may still answer a request
    // sent right after. Wait until every thread of the process is in state T (stopped).
    const std::string tasks = "/proc/" + std::to_string(proc_.pid()) + "/task";
    (void)wait_until(
        [&] {
            std::error_code ec;
            for (const auto& t : std::filesystem::directory_iterator(tasks, ec)) {
                const std::string stat = read_file(t.path().string() + "/stat");
                const auto close = stat.rfind(')');
                if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'T') return false;
            }
            return !ec;
        },
        std::chrono::seconds(5), std::chrono::milliseconds(5));
}

void zookeeper_server::resume()
{
    proc_.signal(SIGCONT);
}

void zookeeper_server::restart()
{
    proc_.signal(SIGCONT);
    proc_.stop(SIGKILL, std::chrono::seconds(10));
    launch();
}

std::string zookeeper_server::four_letter(const std::string& cmd) const
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::send(fd, cmd.data(), cmd.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(cmd.size())) {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            out.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

} // namespace pgwarden::test
