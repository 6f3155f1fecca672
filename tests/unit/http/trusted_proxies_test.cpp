#include "http/trusted_proxies.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace http {
namespace {

bool rangeContains(const std::string& range, const std::string& address) {
  const auto parsedRange = AddressRange::parse(range);
  const auto parsedAddress = IpAddress::parse(address);
  EXPECT_TRUE(parsedRange) << range;
  EXPECT_TRUE(parsedAddress) << address;
  return parsedRange && parsedAddress && parsedRange->contains(*parsedAddress);
}

TrustedProxies proxies(const std::vector<std::string>& entries) {
  auto parsed = TrustedProxies::parse(entries);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : TrustedProxies{};
}

TEST(IpAddressTest, ParsesIpv4AndIpv6Only) {
  for (const char* good : {"127.0.0.1", "0.0.0.0", "2001:db8::1", "::1", "::ffff:192.0.2.1"}) {
    EXPECT_TRUE(IpAddress::parse(good)) << good;
  }
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "localhost", "1.2.3.4/8",
                          " 1.2.3.4", "[::1]", "1.2.3.4:80", "2001:db8::1::2"}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->bytes, IpAddress::parse("::ffff:192.0.2.1")->bytes);
}

TEST(AddressRangeTest, MatchesSingleAddresses) {
  EXPECT_TRUE(rangeContains("127.0.0.2", "127.0.0.2"));
  EXPECT_FALSE(rangeContains("127.0.0.2", "127.0.0.1"));
  EXPECT_TRUE(rangeContains("127.0.0.2", "::ffff:127.0.0.2"));  // a dual-stack listener's view
  EXPECT_TRUE(rangeContains("2001:db8::1", "2001:db8:0::1"));
  EXPECT_FALSE(rangeContains("2001:db8::1", "2001:db8::2"));
}

TEST(AddressRangeTest, MatchesCidrRanges) {
  EXPECT_TRUE(rangeContains("10.0.0.0/24", "10.0.0.255"));
  EXPECT_FALSE(rangeContains("10.0.0.0/24", "10.0.1.0"));
  EXPECT_TRUE(rangeContains("10.0.0.0/23", "10.0.1.200"));
  EXPECT_FALSE(rangeContains("10.0.0.0/23", "10.0.2.1"));
  EXPECT_TRUE(rangeContains("172.16.0.0/12", "172.31.255.1"));
  EXPECT_FALSE(rangeContains("172.16.0.0/12", "172.32.0.1"));
  EXPECT_TRUE(rangeContains("0.0.0.0/0", "203.0.113.9"));
  EXPECT_FALSE(rangeContains("0.0.0.0/0", "2001:db8::1")) << "an IPv4 range holds no IPv6";
  EXPECT_TRUE(rangeContains("fd00::/8", "fd12:3456::1"));
  EXPECT_FALSE(rangeContains("fd00::/8", "fe80::1"));
  EXPECT_TRUE(rangeContains("10.0.0.7/32", "10.0.0.7"));
  EXPECT_FALSE(rangeContains("10.0.0.7/32", "10.0.0.6"));
}

TEST(AddressRangeTest, RefusesMalformedRanges) {
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x",
                          "10.0.0.0/ 8", "/8", "proxy.example", ""}) {
    EXPECT_FALSE(AddressRange::parse(bad)) << bad;
  }
}

TEST(TrustedProxiesTest, NamesABadEntry) {
  auto parsed = TrustedProxies::parse({"127.0.0.2", "10.0.0.0/40"});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().kind, core::ErrorKind::invalid);
  EXPECT_NE(parsed.error().message.find("10.0.0.0/40"), std::string::npos);
  EXPECT_TRUE(proxies({}).empty());
}

TEST(TrustedProxiesTest, ContainsOnlyConfiguredAddresses) {
  const TrustedProxies trusted = proxies({"127.0.0.2", "10.0.0.0/24"});
  EXPECT_FALSE(trusted.empty());
  EXPECT_TRUE(trusted.contains("127.0.0.2"));
  EXPECT_TRUE(trusted.contains("10.0.0.99"));
  EXPECT_FALSE(trusted.contains("127.0.0.1"));
  EXPECT_FALSE(trusted.contains(""));
  EXPECT_FALSE(trusted.contains("not an address"));
}

class ClientAddressTest : public ::testing::Test {
 protected:
  ForwardedAddress forwarded(const char* forwarded_for) const {
    return trusted_.clientAddress(forwarded_for, "127.0.0.2");
  }
  std::string client(const char* forwarded_for) const { return forwarded(forwarded_for).address; }

  const TrustedProxies trusted_ = proxies({"127.0.0.2", "10.0.0.0/24", "2001:db8:ff::/48"});
};

TEST_F(ClientAddressTest, TakesTheRightMostUntrustedEntry) {
  EXPECT_EQ(client(""), "127.0.0.2");
  EXPECT_EQ(client("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(client("198.51.100.1, 203.0.113.7"), "203.0.113.7") << "left entries are the client's";
  EXPECT_EQ(client("203.0.113.7, 10.0.0.5"), "203.0.113.7") << "a trusted hop is skipped";
  EXPECT_EQ(client("10.0.0.9,10.0.0.5"), "10.0.0.9") << "only proxies: the first of them";
  EXPECT_EQ(client("198.51.100.1,,  203.0.113.7 "), "203.0.113.7");
  EXPECT_EQ(client("2001:db8::1"), "2001:db8::1");
  EXPECT_TRUE(forwarded("198.51.100.1, 203.0.113.7").unusable_entry.empty());
}

TEST_F(ClientAddressTest, DropsPortsAndBrackets) {
  EXPECT_EQ(client("203.0.113.7:51234"), "203.0.113.7");
  EXPECT_EQ(client("[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(client("[2001:db8::1]"), "2001:db8::1");
  EXPECT_EQ(client("2001:db8::1:443"), "2001:db8::1:443") << "unbracketed: all of it is address";
  EXPECT_EQ(client("203.0.113.7, 10.0.0.5:8443"), "203.0.113.7") << "a trusted hop with a port";
  EXPECT_EQ(client("203.0.113.7, [2001:db8:ff::3]:443"), "203.0.113.7");
  EXPECT_TRUE(forwarded("[2001:db8::1]:443").unusable_entry.empty());
}

TEST_F(ClientAddressTest, AnEntryThatIsNoAddressLeavesTheClientUnknown) {
  // Written by the trusted hop to its right, which did not know its client: the hop is the
  // client, and the entries further left (the client's own) are not believed.
  const ForwardedAddress unknown = forwarded("198.51.100.1, unknown");
  EXPECT_EQ(unknown.address, "127.0.0.2");
  EXPECT_EQ(unknown.unusable_entry, "unknown");
  EXPECT_EQ(client("198.51.100.1, unknown, 10.0.0.5"), "10.0.0.5");
  EXPECT_EQ(client("198.51.100.1, unknown, [2001:db8:ff::3]:443"), "2001:db8:ff::3");
  for (const char* bad : {"unix:", "203.0.113.7:", "203.0.113.7:65536", "203.0.113.7:http",
                          "203.0.113.7:-1", "[203.0.113.7]", "[2001:db8::1", "[2001:db8::1]443",
                          "[2001:db8::1]:", "[junk]:443", "2001:db8::1::2", "_hidden"}) {
    const ForwardedAddress result = forwarded((std::string("198.51.100.1, ") + bad).c_str());
    EXPECT_EQ(result.address, "127.0.0.2") << bad;
    EXPECT_EQ(result.unusable_entry, bad);
  }
  EXPECT_EQ(client("junk, 203.0.113.7"), "203.0.113.7") << "left of the client: never read";
  EXPECT_TRUE(forwarded("junk, 203.0.113.7").unusable_entry.empty());
  EXPECT_EQ(client("junk, 10.0.0.5"), "10.0.0.5");
}

}  // namespace
}  // namespace http
