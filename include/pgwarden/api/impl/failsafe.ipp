#pragma once
#include <pgwarden/api/failsafe.hpp>
#include <pgwarden/core/mark.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace pgwarden::api {

namespace detail {

/// A string member of `o`: nullopt when absent, `bad` set when present but not a string.
inline std::optional<std::string> failsafe_string(const boost::json::object& o, std::string_view key, bool& bad)
{
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    if (!it->value().is_string()) {
        bad = true;
        return std::nullopt;
    }
    return std::string(it->value().get_string());
}

/// A slot position as Patroni sends it: a non-negative JSON integer.
inline std::optional<lsn> failsafe_slot_lsn(const boost::json::value& v)
{
    if (v.is_uint64()) return lsn{v.get_uint64()};
    if (v.is_int64() && v.get_int64() >= 0) return lsn{static_cast<std::uint64_t>(v.get_int64())};
    return std::nullopt;
}

} // namespace detail

PGWARDEN_DECL std::optional<failsafe_post> parse_failsafe_post(std::string_view body, std::string* why)
{
    auto fail = [&](std::string text) -> std::optional<failsafe_post> {
        if (why) *why = std::move(text);
        return std::nullopt;
    };
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return fail("failsafe: the body is not a JSON object");
    const auto& o = v.get_object();
    failsafe_post p;
    bool bad = false;
    auto name = detail::failsafe_string(o, "name", bad);
    if (bad || !name || name->empty()) return fail("failsafe: 'name' is missing or not a non-empty string");
    p.name = std::move(*name);
    auto conn_url = detail::failsafe_string(o, "conn_url", bad);
    if (bad) return fail("failsafe: 'conn_url' is not a string");
    p.conn_url = conn_url.value_or("");
    auto api_url = detail::failsafe_string(o, "api_url", bad);
    if (bad) return fail("failsafe: 'api_url' is not a string");
    p.api_url = api_url.value_or("");
    if (auto it = o.find("slots"); it != o.end() && !it->value().is_null()) {
        if (!it->value().is_object()) return fail("failsafe: 'slots' is not an object");
        p.slots.emplace();
        for (const auto& kv : it->value().get_object())
            if (auto l = detail::failsafe_slot_lsn(kv.value())) p.slots->emplace_back(std::string(kv.key()), *l);
    }
    return p;
}

PGWARDEN_DECL std::string encode_failsafe_post(const failsafe_post& p)
{
    boost::json::object o;
    o["name"] = p.name;
    o["conn_url"] = p.conn_url;
    o["api_url"] = p.api_url;
    boost::json::object slots;
    if (p.slots)
        for (const auto& [slot, l] : *p.slots) slots[slot] = l.value;
    o["slots"] = std::move(slots);
    return boost::json::serialize(o);
}

PGWARDEN_DECL std::string failsafe_endpoint(std::string_view api_url)
{
    const auto scheme_end = api_url.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) return std::string();
    const auto host_begin = scheme_end + 3;
    auto host_end = api_url.find_first_of("/?#", host_begin);
    if (host_end == std::string_view::npos) host_end = api_url.size();
    if (host_end == host_begin) return std::string();
    std::string out(api_url.substr(0, host_end));
    out += "/failsafe";
    return out;
}

PGWARDEN_DECL response failsafe_receiver::accept(std::string_view body_json, bool running_primary,
                                                 std::optional<lsn> own_lsn, mono_time now,
                                                 std::chrono::milliseconds ttl)
{
    std::string why;
    auto post = parse_failsafe_post(body_json, &why);
    if (!post) return text_response(400, why);
    // Patroni: Ha.update_failsafe: a running primary refuses and remembers nothing.
    if (running_primary) {
        PGWARDEN_MARK("failsafe: POST refused, running as a leader");
        return text_response(500, "Running as a leader");
    }
    PGWARDEN_MARK("failsafe: POST accepted");
    last_ = record{std::move(*post), now, ttl};
    response r = text_response(200, "Accepted");
    if (own_lsn) r.headers.emplace_back("lsn", std::to_string(own_lsn->value));
    return r;
}

PGWARDEN_DECL const failsafe_post* failsafe_receiver::leader(mono_time now,
                                                             std::chrono::milliseconds ttl) const noexcept
{
    if (!last_) return nullptr;
    const auto valid_for = std::max(last_->ttl, ttl);
    return now < last_->at + valid_for ? &last_->post : nullptr;
}

} // namespace pgwarden::api
