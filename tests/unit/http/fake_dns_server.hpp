// A tiny DNS server for tests: one UDP socket on 127.0.0.1, answering SRV,
// A and AAAA questions from tables (a name with only A records gets an empty
// NOERROR answer to AAAA, as real servers do). Unknown names get NXDOMAIN; a name marked silent
// gets no answer at all (timeouts). Answers point their owner name at the
// question (compression pointer 0xC00C) and, when `compress_targets` is on,
// share target-name suffixes with earlier names, as real servers do.
// Shared by unit/http (dns_test) and integration/etcd3 (SRV discovery).
#pragma once
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace pgwarden::test {

struct fake_srv {
    std::uint16_t priority, weight, port;
    std::string target;
};

class fake_dns_server {
public:
    explicit fake_dns_server(boost::asio::io_context& io)
        : sock_(io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0))
    {
        boost::asio::co_spawn(io, serve(), boost::asio::detached);
    }

    std::uint16_t port() const { return sock_.local_endpoint().port(); }
    void stop()
    {
        boost::system::error_code ignored;
        sock_.close(ignored);
    }

    std::map<std::string, std::vector<fake_srv>> records;   ///< lower-case name without trailing dot
    std::map<std::string, std::vector<std::string>> a_records;     ///< name -> IPv4 addresses
    std::map<std::string, std::vector<std::string>> aaaa_records;  ///< name -> IPv6 addresses
    std::uint32_t address_ttl = 60;                          ///< TTL of A/AAAA answers
    std::set<std::string> silent;                           ///< never answered
    std::set<std::string> servfail;                         ///< answered with rcode 2
    bool compress_targets = true;
    std::vector<std::string> questions;                     ///< every name asked, in order
    std::vector<std::string> typed_questions;               ///< "A name" / "AAAA name", in order

private:
    boost::asio::awaitable<void> serve()
    {
        std::array<std::uint8_t, 1500> buf{};
        for (;;) {
            boost::asio::ip::udp::endpoint from;
            auto [ec, n] = co_await sock_.async_receive_from(boost::asio::buffer(buf), from,
                                                             boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec == boost::asio::error::operation_aborted || !sock_.is_open()) co_return;
            if (ec || n < 17) continue;
            auto reply = answer(std::vector<std::uint8_t>(buf.begin(), buf.begin() + static_cast<long>(n)));
            if (reply.empty()) continue;
            auto [sec, sent] = co_await sock_.async_send_to(boost::asio::buffer(reply), from,
                                                            boost::asio::as_tuple(boost::asio::use_awaitable));
            (void)sec;
            (void)sent;
        }
    }

    static void put16(std::vector<std::uint8_t>& v, unsigned x)
    {
        v.push_back(static_cast<std::uint8_t>((x >> 8) & 0xFF));
        v.push_back(static_cast<std::uint8_t>(x & 0xFF));
    }

    /// Writes `name`, reusing a suffix written before (offsets in `seen`).
    void put_name(std::vector<std::uint8_t>& v, const std::string& name, std::map<std::string, std::size_t>& seen) const
    {
        std::string rest = name;
        while (!rest.empty()) {
            if (compress_targets) {
                if (auto it = seen.find(rest); it != seen.end()) {
                    put16(v, 0xC000u | static_cast<unsigned>(it->second));
                    return;
                }
                seen.emplace(rest, v.size());
            }
            const auto dot = rest.find('.');
            const std::string label = rest.substr(0, dot);
            v.push_back(static_cast<std::uint8_t>(label.size()));
            v.insert(v.end(), label.begin(), label.end());
            rest = dot == std::string::npos ? std::string() : rest.substr(dot + 1);
        }
        v.push_back(0);
    }

    std::vector<std::uint8_t> answer(const std::vector<std::uint8_t>& q)
    {
        // Question name: uncompressed labels starting at offset 12.
        std::string name;
        std::size_t p = 12;
        while (p < q.size() && q[p] != 0) {
            const std::size_t len = q[p];
            if (p + 1 + len > q.size()) return {};
            if (!name.empty()) name.push_back('.');
            for (std::size_t i = 0; i < len; ++i)
                name.push_back(static_cast<char>(std::tolower(q[p + 1 + i])));
            p += 1 + len;
        }
        const std::size_t question_end = p + 1 + 4;
        if (question_end > q.size()) return {};
        const unsigned qtype = (static_cast<unsigned>(q[p + 1]) << 8) | q[p + 2];
        questions.push_back(name);
        if (qtype == 1 || qtype == 28) typed_questions.push_back((qtype == 1 ? "A " : "AAAA ") + name);
        if (silent.count(name)) return {};
        std::vector<std::uint8_t> r(q.begin(), q.begin() + static_cast<long>(question_end));
        r[2] = 0x81;   // response, recursion desired
        r[3] = 0x80;   // recursion available, rcode 0
        r[6] = r[7] = 0;
        r[8] = r[9] = r[10] = r[11] = 0;   // no authority / additional (drops the OPT echo)
        if (servfail.count(name)) {
            r[3] = 0x82;
            return r;
        }
        if (qtype == 1 || qtype == 28) return answer_address(std::move(r), name, qtype);
        auto it = records.find(name);
        if (it == records.end()) {
            r[3] = 0x83;   // NXDOMAIN
            return r;
        }
        r[7] = static_cast<std::uint8_t>(it->second.size());
        std::map<std::string, std::size_t> seen;
        seen.emplace(name, 12);
        for (const auto& rec : it->second) {
            put16(r, 0xC00C);   // owner: the question name
            put16(r, 33);
            put16(r, 1);
            put16(r, 0);
            put16(r, 60);
            const std::size_t len_at = r.size();
            put16(r, 0);
            put16(r, rec.priority);
            put16(r, rec.weight);
            put16(r, rec.port);
            put_name(r, rec.target, seen);
            const std::size_t len = r.size() - len_at - 2;
            r[len_at] = static_cast<std::uint8_t>(len >> 8);
            r[len_at + 1] = static_cast<std::uint8_t>(len & 0xFF);
        }
        return r;
    }

    std::vector<std::uint8_t> answer_address(std::vector<std::uint8_t> r, const std::string& name, unsigned qtype)
    {
        const auto& table = qtype == 1 ? a_records : aaaa_records;
        auto it = table.find(name);
        if (it == table.end()) {
            // NXDOMAIN only when the name has no address of either family.
            if (!a_records.count(name) && !aaaa_records.count(name)) r[3] = 0x83;
            return r;
        }
        r[7] = static_cast<std::uint8_t>(it->second.size());
        for (const auto& text : it->second) {
            put16(r, 0xC00C);
            put16(r, qtype);
            put16(r, 1);
            put16(r, address_ttl >> 16);
            put16(r, address_ttl & 0xFFFF);
            if (qtype == 1) {
                const auto b = boost::asio::ip::make_address_v4(text).to_bytes();
                put16(r, 4);
                r.insert(r.end(), b.begin(), b.end());
            } else {
                const auto b = boost::asio::ip::make_address_v6(text).to_bytes();
                put16(r, 16);
                r.insert(r.end(), b.begin(), b.end());
            }
        }
        return r;
    }

    boost::asio::ip::udp::socket sock_;
};

} // namespace pgwarden::test
