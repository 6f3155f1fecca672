#include "http/connection_limits.hpp"
#include "http/proxy_protocol.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace http {
namespace {

using namespace std::chrono_literals;
using Clock = ConnectionLimits::Clock;

std::string keyOf(const std::string& address) {
  const auto parsed = IpAddress::parse(address);
  EXPECT_TRUE(parsed) << address;
  return parsed ? ConnectionLimits::clientKey(*parsed) : std::string();
}

TEST(ConnectionLimitsTest, CountsIpv4PerAddressAndIpv6PerSlash64) {
  EXPECT_NE(keyOf("192.0.2.1"), keyOf("192.0.2.2"));
  EXPECT_EQ(keyOf("192.0.2.1"), keyOf("::ffff:192.0.2.1"));
  EXPECT_EQ(keyOf("2001:db8:1:2::1"), keyOf("2001:db8:1:2:ffff:ffff:ffff:ffff"));
  EXPECT_NE(keyOf("2001:db8:1:2::1"), keyOf("2001:db8:1:3::1"));
}

TEST(ConnectionLimitsTest, RefusesBeyondTheOpenConnectionsOfOneClient) {
  ConnectionLimits limits(2, 1000, 1000);
  const auto now = Clock::now();
  const std::string client = keyOf("192.0.2.1");
  EXPECT_EQ(limits.admit(client, now), Refusal::none);
  EXPECT_EQ(limits.admit(client, now), Refusal::none);
  EXPECT_EQ(limits.admit(client, now), Refusal::address_limit);
  EXPECT_EQ(limits.admit(keyOf("192.0.2.2"), now), Refusal::none);
  limits.release(client);
  EXPECT_EQ(limits.admit(client, now), Refusal::none);
}

TEST(ConnectionLimitsTest, HandshakesRefillAtTheConfiguredRate) {
  ConnectionLimits limits(100, 2, 3);
  const auto start = Clock::now();
  const std::string client = keyOf("2001:db8::1");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limits.admit(client, start), Refusal::none);
    limits.release(client);
  }
  EXPECT_EQ(limits.admit(client, start), Refusal::handshake_rate);
  EXPECT_EQ(limits.admit(client, start + 100ms), Refusal::handshake_rate);
  EXPECT_EQ(limits.admit(client, start + 600ms), Refusal::none);  // 2/s: a token per 0.5 s
  EXPECT_EQ(limits.admit(client, start + 700ms), Refusal::handshake_rate);
}

TEST(ConnectionLimitsTest, ForgetsClientsThatLeftWithAFullBucket) {
  ConnectionLimits limits(10, 1000, 5);
  const std::string client = keyOf("192.0.2.9");
  // A second ago: by the release (now) the token is back.
  ASSERT_EQ(limits.admit(client, Clock::now() - 1s), Refusal::none);
  EXPECT_EQ(limits.trackedClients(), 1u);
  limits.release(client);
  EXPECT_EQ(limits.trackedClients(), 0u);
}

std::vector<std::uint8_t> proxyHeader(std::uint8_t command, std::uint8_t family,
                                      std::vector<std::uint8_t> rest) {
  std::vector<std::uint8_t> header = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                      0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  header.push_back(command);
  header.push_back(family);
  header.push_back(static_cast<std::uint8_t>(rest.size() >> 8));
  header.push_back(static_cast<std::uint8_t>(rest.size() & 0xff));
  header.insert(header.end(), rest.begin(), rest.end());
  return header;
}

TEST(ProxyProtocolTest, ReadsTheSourceOfATcpOverIpv4HeaderAndSkipsTlvs) {
  const auto header = proxyHeader(
      0x21, 0x11, {203, 0, 113, 7, 10, 0, 0, 1, 0xC3, 0x50, 0x01, 0xBB, 0x04, 0x00, 0x01, 0x00});
  const auto parsed = parseProxyV2(header);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->source_address, "203.0.113.7");
  EXPECT_EQ(parsed->source_port, 50000);
}

TEST(ProxyProtocolTest, ReadsIpv6AndWritesMappedIpv4AsIpv4) {
  std::vector<std::uint8_t> rest(36, 0);
  rest[0] = 0x20, rest[1] = 0x01, rest[2] = 0x0d, rest[3] = 0xb8, rest[15] = 0x01;
  auto parsed = parseProxyV2(proxyHeader(0x21, 0x21, rest));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->source_address, "2001:db8::1");
  std::vector<std::uint8_t> mapped(36, 0);
  mapped[10] = 0xff, mapped[11] = 0xff, mapped[12] = 192, mapped[13] = 0, mapped[14] = 2,
  mapped[15] = 5;
  parsed = parseProxyV2(proxyHeader(0x21, 0x21, mapped));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->source_address, "192.0.2.5");
}

TEST(ProxyProtocolTest, LocalAndUnspecifiedKeepTheConnectionsOwnAddress) {
  auto local = parseProxyV2(proxyHeader(0x20, 0x00, {}));
  ASSERT_TRUE(local);
  EXPECT_EQ(local->source_address, "");
  auto unspecified = parseProxyV2(proxyHeader(0x21, 0x00, {1, 2, 3}));
  ASSERT_TRUE(unspecified);
  EXPECT_EQ(unspecified->source_address, "");
}

TEST(ProxyProtocolTest, RefusesWhatIsNoValidV2Header) {
  auto wrongVersion = proxyHeader(0x11, 0x11, std::vector<std::uint8_t>(12, 1));
  EXPECT_FALSE(parseProxyV2(wrongVersion));
  EXPECT_FALSE(parseProxyV2(proxyHeader(0x22, 0x11, std::vector<std::uint8_t>(12, 1))));
  EXPECT_FALSE(parseProxyV2(proxyHeader(0x21, 0x11, std::vector<std::uint8_t>(11, 1))));
  EXPECT_FALSE(parseProxyV2(proxyHeader(0x21, 0x12, std::vector<std::uint8_t>(12, 1))));   // UDP
  EXPECT_FALSE(parseProxyV2(proxyHeader(0x21, 0x31, std::vector<std::uint8_t>(216, 1))));  // unix
  auto badSignature = proxyHeader(0x21, 0x11, std::vector<std::uint8_t>(12, 1));
  badSignature[3] = 0x16;
  EXPECT_FALSE(parseProxyV2(badSignature));
  auto tooLong = proxyHeader(0x21, 0x11, std::vector<std::uint8_t>(kProxyV2MaxRestBytes + 1, 0));
  EXPECT_FALSE(proxyV2RestLength(
      std::span<const std::uint8_t, kProxyV2FixedBytes>(tooLong.data(), kProxyV2FixedBytes)));
}

TEST(ProxyProtocolTest, RecognisesTheStartOfAHeaderButNotOfTls) {
  const std::vector<std::uint8_t> v2 = {0x0D, 0x0A, 0x0D};
  const std::vector<std::uint8_t> v1 = {'P', 'R', 'O', 'X', 'Y', ' ', 'T'};
  const std::vector<std::uint8_t> clientHello = {0x16, 0x03, 0x01, 0x02, 0x00};
  EXPECT_TRUE(looksLikeProxyHeader(v2));
  EXPECT_TRUE(looksLikeProxyHeader(v1));
  EXPECT_FALSE(looksLikeProxyHeader(clientHello));
  EXPECT_FALSE(looksLikeProxyHeader({}));
}

}  // namespace
}  // namespace http
