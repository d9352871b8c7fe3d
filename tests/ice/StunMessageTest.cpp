#include "ice/StunMessage.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace parley::ice {

namespace {
// RFC 5769 §2.1: a sample request with USERNAME "evtj:h6vY", password "VOkJxbRl1RmTxUk/WvJxBt".
const std::vector<std::uint8_t> kRfc5769Request = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87,
    0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f,
    0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e,
    0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};
}  // namespace

TEST(Stun, ParsesRfc5769SampleRequest) {
  StunParseError error;
  const auto m = parseStun(kRfc5769Request, &error);
  ASSERT_TRUE(m) << static_cast<int>(error);
  EXPECT_EQ(m->type, kBindingRequest);
  EXPECT_EQ(m->username, "evtj:h6vY");
  EXPECT_EQ(m->priority, 0x6e0001ffu);
  EXPECT_EQ(m->iceControlled, 0x932ff9b151263b36ull);
  EXPECT_TRUE(m->fingerprintOffset > 0);
  EXPECT_TRUE(checkIntegrity(*m, "VOkJxbRl1RmTxUk/WvJxBt"));
  EXPECT_FALSE(checkIntegrity(*m, "wrong password"));
}

TEST(Stun, RejectsCorruptedFingerprintAndLengths) {
  auto bad = kRfc5769Request;
  bad.back() ^= 1;
  StunParseError error;
  EXPECT_FALSE(parseStun(bad, &error));
  EXPECT_EQ(error, StunParseError::BadFingerprint);

  auto tampered = kRfc5769Request;
  tampered[30] ^= 1;  // inside SOFTWARE: integrity and fingerprint both break
  EXPECT_FALSE(parseStun(tampered));

  auto truncated = kRfc5769Request;
  truncated.resize(50);
  EXPECT_FALSE(parseStun(truncated, &error));
  EXPECT_EQ(error, StunParseError::BadLength);
  EXPECT_FALSE(parseStun(std::vector<std::uint8_t>(10, 0)));
  std::vector<std::uint8_t> notStun(kRfc5769Request);
  notStun[4] = 0;  // magic cookie
  EXPECT_FALSE(parseStun(notStun, &error));
  EXPECT_EQ(error, StunParseError::NotStun);
}

TEST(Stun, BindingRequestAndResponseRoundTrip) {
  TransactionId transaction{};
  for (std::size_t i = 0; i < transaction.size(); ++i) transaction[i] = static_cast<std::uint8_t>(i * 9);
  std::uint8_t buffer[kMaxStunSize];
  const std::size_t length = writeBindingRequest(transaction, "serv:clie", "server-password-0123456789", 1234, 42, true, true, buffer);
  const auto request = parseStun({buffer, length});
  ASSERT_TRUE(request);
  EXPECT_EQ(request->username, "serv:clie");
  EXPECT_TRUE(request->useCandidate);
  EXPECT_EQ(request->iceControlling, 42u);
  EXPECT_FALSE(request->iceControlled);
  EXPECT_TRUE(checkIntegrity(*request, "server-password-0123456789"));
  // The controlled side's consent check: ICE-CONTROLLED, never USE-CANDIDATE.
  std::uint8_t consent[kMaxStunSize];
  const auto check = parseStun({consent, writeBindingRequest(transaction, "clie:serv", "client-password-0123456789", 7, 99,
                                                             false, false, consent)});
  ASSERT_TRUE(check);
  EXPECT_EQ(check->iceControlled, 99u);
  EXPECT_FALSE(check->iceControlling);
  EXPECT_FALSE(check->useCandidate);
  EXPECT_TRUE(checkIntegrity(*check, "client-password-0123456789"));

  for (const auto& mapped : {net::Address::ipv4(127, 0, 0, 1, 50000), [] {
         net::Address a;
         net::Address::parse("::1", 40000, a);
         return a;
       }()}) {
    std::uint8_t response[kMaxStunSize];
    const std::size_t n = writeBindingSuccess(*request, mapped, "server-password-0123456789", response);
    const auto parsed = parseStun({response, n});
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->type, kBindingSuccess);
    EXPECT_EQ(parsed->transaction, transaction);
    ASSERT_TRUE(parsed->xorMappedAddress);
    EXPECT_EQ(*parsed->xorMappedAddress, mapped);
    EXPECT_TRUE(checkIntegrity(*parsed, "server-password-0123456789"));
  }
}

TEST(Stun, Crc32MatchesKnownValue) {
  const std::string text = "123456789";
  EXPECT_EQ(crc32({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}), 0xCBF43926u);
}

}  // namespace parley::ice
