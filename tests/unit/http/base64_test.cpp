// Goal: base64 as etcd's gateway and HTTP basic auth need it (standard
// alphabet, padded). Method: RFC 4648 vectors, the spec's etcd keys
// (dcs.md 13.1), a round trip over all byte values, and invalid input.
#include <pgwarden/http/base64.hpp>

#include <boost/test/unit_test.hpp>

using namespace pgwarden;

BOOST_AUTO_TEST_SUITE(http_base64)

BOOST_AUTO_TEST_CASE(rfc4648_vectors)
{
    const std::pair<const char*, const char*> v[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                     {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                     {"foobar", "Zm9vYmFy"}};
    for (auto [plain, enc] : v) {
        BOOST_TEST(http::base64_encode(plain) == enc);
        BOOST_TEST(http::base64_decode(enc).value_or("?") == plain);
    }
}

BOOST_AUTO_TEST_CASE(spec_keys)
{
    BOOST_TEST(http::base64_encode("/service/demo/") == "L3NlcnZpY2UvZGVtby8=");
    BOOST_TEST(http::base64_encode("/service/demo0") == "L3NlcnZpY2UvZGVtbzA=");
    BOOST_TEST(http::base64_encode("/service/demo/leader") == "L3NlcnZpY2UvZGVtby9sZWFkZXI=");
    BOOST_TEST(http::base64_encode("node1") == "bm9kZTE=");
}

BOOST_AUTO_TEST_CASE(all_bytes_round_trip)
{
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        const auto piece = all.substr(0, n);
        BOOST_TEST(http::base64_decode(http::base64_encode(piece)).value_or("?") == piece);
    }
    BOOST_TEST(http::base64_decode("Zm9vYg").value_or("?") == "foob");   // unpadded accepted
}

BOOST_AUTO_TEST_CASE(invalid_input)
{
    BOOST_TEST(!http::base64_decode("Zm9v!").has_value());
    BOOST_TEST(!http::base64_decode("Z").has_value());
    BOOST_TEST(!http::base64_decode("Zm 9v").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
