// Which Host names are ours, whose X-Forwarded-* we believe, same-origin upgrades, and the
// Transfer-Encoding a request may use.
#include "http/HttpPolicy.h"

#include <gtest/gtest.h>

namespace parley::http {

namespace {
Request request(std::initializer_list<std::pair<std::string, std::string>> headers) {
  Request r{boost::beast::http::verb::get, "/", 11};
  for (const auto& [name, value] : headers) r.insert(name, value);
  return r;
}
boost::asio::ip::address ip(const char* text) { return boost::asio::ip::make_address(text); }
}  // namespace

TEST(HttpPolicy, AnswersOnlyForItsOwnHostNames) {
  HttpPolicy none;
  // IP literals and localhost cannot be an attacker's DNS name pointing at us.
  for (const char* host : {"127.0.0.1:8080", "127.0.0.1", "[::1]:8080", "localhost:8080", "LOCALHOST", "10.1.2.3"}) {
    EXPECT_TRUE(hostAllowed(none, host)) << host;
  }
  // DNS rebinding: evil.example resolving to 127.0.0.1 still says Host: evil.example.
  for (const char* host : {"evil.example:8080", "evil.example", "", "127.0.0.1.evil.example", "a b", "x@127.0.0.1",
                           "[::1", "localhost.evil.example"}) {
    EXPECT_FALSE(hostAllowed(none, host)) << host;
  }
  HttpPolicy configured;
  configured.publicHosts = {*hostOfUrl("https://Meet.Example.fr"), *hostOfUrl("http://visio.gouv.fr:8443/base")};
  EXPECT_EQ(configured.publicHosts[0], "meet.example.fr");
  EXPECT_EQ(configured.publicHosts[1], "visio.gouv.fr:8443");
  EXPECT_TRUE(hostAllowed(configured, "meet.example.fr"));
  EXPECT_TRUE(hostAllowed(configured, "MEET.example.fr:443"));
  EXPECT_TRUE(hostAllowed(configured, "visio.gouv.fr:8443"));
  EXPECT_FALSE(hostAllowed(configured, "example.fr"));
  EXPECT_FALSE(hostOfUrl("ftp://meet.example.fr"));
  EXPECT_FALSE(hostOfUrl("https://user@meet.example.fr"));
  EXPECT_FALSE(hostOfUrl("https://"));
}

TEST(HttpPolicy, BelievesForwardedHeadersOnlyFromTrustedProxies) {
  HttpPolicy policy;
  policy.trustedProxies = {*IpNetwork::parse("10.0.0.0/8"), *IpNetwork::parse("::1")};
  const auto forwarded = request({{"X-Forwarded-For", "203.0.113.9, 10.0.0.7"}, {"X-Forwarded-Proto", "https"}});
  // From a stranger: its own address, whatever it claims.
  const auto direct = clientOf(policy, ip("198.51.100.1"), forwarded);
  EXPECT_EQ(direct.address, ip("198.51.100.1"));
  EXPECT_FALSE(direct.https);
  // From our proxy: the right-most address that is not one of ours.
  const auto proxied = clientOf(policy, ip("10.0.0.2"), forwarded);
  EXPECT_EQ(proxied.address, ip("203.0.113.9"));
  EXPECT_TRUE(proxied.https);
  // A client cannot smuggle an address in front of what the proxy appended.
  const auto spoofed = clientOf(policy, ip("10.0.0.2"), request({{"X-Forwarded-For", "1.2.3.4, 198.51.100.77"}}));
  EXPECT_EQ(spoofed.address, ip("198.51.100.77"));
  EXPECT_FALSE(IpNetwork::parse("10.0.0.0/33"));
  EXPECT_FALSE(IpNetwork::parse("not-an-ip"));
  EXPECT_TRUE(IpNetwork::parse("192.168.0.0/16")->contains(ip("192.168.44.1")));
  EXPECT_FALSE(IpNetwork::parse("192.168.0.0/16")->contains(ip("192.169.0.1")));
  EXPECT_TRUE(IpNetwork::parse("10.0.0.0/8")->contains(ip("::ffff:10.1.1.1")));
}

TEST(HttpPolicy, UpgradesMustComeFromOurOwnPages) {
  const ClientInfo plain{ip("127.0.0.1"), false}, tls{ip("127.0.0.1"), true};
  EXPECT_TRUE(originAllowed(request({{"Host", "127.0.0.1:8080"}}), plain)) << "tools send no Origin";
  EXPECT_TRUE(originAllowed(request({{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.0.0.1:8080"}}), plain));
  EXPECT_FALSE(originAllowed(request({{"Host", "127.0.0.1:8080"}, {"Origin", "http://evil.example"}}), plain));
  EXPECT_FALSE(originAllowed(request({{"Host", "127.0.0.1:8080"}, {"Origin", "https://127.0.0.1:8080"}}), plain));
  EXPECT_TRUE(originAllowed(request({{"Host", "meet.example.fr"}, {"Origin", "https://meet.example.fr"}}), tls));
}

TEST(HttpPolicy, RefusesTransferEncodingsAProxyCouldReadDifferently) {
  EXPECT_TRUE(transferEncodingAcceptable(request({})));
  EXPECT_TRUE(transferEncodingAcceptable(request({{"Transfer-Encoding", "chunked"}})));
  EXPECT_TRUE(transferEncodingAcceptable(request({{"Transfer-Encoding", "Chunked"}})));
  EXPECT_FALSE(transferEncodingAcceptable(request({{"Transfer-Encoding", "gzip"}})));
  EXPECT_FALSE(transferEncodingAcceptable(request({{"Transfer-Encoding", "gzip, chunked"}})));
  EXPECT_FALSE(transferEncodingAcceptable(request({{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}})));
  EXPECT_FALSE(transferEncodingAcceptable(request({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}})));
}

}  // namespace parley::http
