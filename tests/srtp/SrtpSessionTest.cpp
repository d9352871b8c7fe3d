// Our SRTP against RFC 3711's key derivation vectors and, both ways, against Debian's
// libsrtp2 for every profile we negotiate.
#include "srtp/SrtpSession.h"

#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <vector>

namespace parley::srtp {

namespace {

std::vector<std::uint8_t> hex(const char* text) {
  std::vector<std::uint8_t> out;
  for (const char* p = text; p[0] && p[1]; p += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(p, 2), nullptr, 16)));
  return out;
}

std::vector<std::uint8_t> rtpPacket(std::uint16_t seq, std::uint32_t ssrc, std::size_t payload, bool extension = false) {
  std::vector<std::uint8_t> p = {0x80, 96, static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq),
                                 0x00, 0x01, 0x02, 0x03, static_cast<std::uint8_t>(ssrc >> 24),
                                 static_cast<std::uint8_t>(ssrc >> 16), static_cast<std::uint8_t>(ssrc >> 8),
                                 static_cast<std::uint8_t>(ssrc)};
  if (extension) {
    p[0] |= 0x10;
    for (const std::uint8_t byte : {0xBE, 0xDE, 0x00, 0x01, 0x10, 0xFF, 0x00, 0x00}) p.push_back(byte);  // audio level
  }
  for (std::size_t i = 0; i < payload; ++i) p.push_back(static_cast<std::uint8_t>(i * 7 + seq));
  return p;
}

std::vector<std::uint8_t> rtcpPacket(std::uint32_t ssrc) {
  // A receiver report with one block.
  std::vector<std::uint8_t> p = {0x81, 201, 0x00, 0x07, static_cast<std::uint8_t>(ssrc >> 24),
                                 static_cast<std::uint8_t>(ssrc >> 16), static_cast<std::uint8_t>(ssrc >> 8),
                                 static_cast<std::uint8_t>(ssrc)};
  for (int i = 0; i < 24; ++i) p.push_back(static_cast<std::uint8_t>(i));
  return p;
}

struct ProfileCase {
  SrtpProfile profile;
  void (*setPolicy)(srtp_crypto_policy_t*);
};

class LibSrtp {
 public:
  LibSrtp(const ProfileCase& c, const std::vector<std::uint8_t>& keySalt, bool inbound) {
    static bool initialised = (srtp_init() == srtp_err_status_ok);
    EXPECT_TRUE(initialised);
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof policy);
    c.setPolicy(&policy.rtp);
    c.setPolicy(&policy.rtcp);
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = const_cast<unsigned char*>(keySalt.data());
    policy.window_size = 128;
    policy.allow_repeat_tx = 1;
    EXPECT_EQ(srtp_create(&session_, &policy), srtp_err_status_ok);
  }
  ~LibSrtp() { srtp_dealloc(session_); }
  srtp_t get() { return session_; }

 private:
  srtp_t session_ = nullptr;
};

class SrtpInterop : public ::testing::TestWithParam<ProfileCase> {
 protected:
  void SetUp() override {
    const auto info = profileInfo(GetParam().profile);
    key.resize(info.keyLength);
    salt.resize(info.saltLength);
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0x10 + i * 3);
    for (std::size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<std::uint8_t>(0xA0 + i);
    keySalt = key;
    keySalt.insert(keySalt.end(), salt.begin(), salt.end());
  }
  std::vector<std::uint8_t> key, salt, keySalt;
};

}  // namespace

TEST(SrtpKeyDerivation, MatchesRfc3711AppendixB3) {
  const auto masterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto masterSalt = hex("0EC675AD498AFEEBB6960B3AABE6");
  std::uint8_t out[20];
  deriveSessionKey(SrtpProfile::Aes128CmHmacSha1_80, masterKey, masterSalt, 0, out, 16);
  EXPECT_EQ(std::vector<std::uint8_t>(out, out + 16), hex("C61E7A93744F39EE10734AFE3FF7A087"));
  deriveSessionKey(SrtpProfile::Aes128CmHmacSha1_80, masterKey, masterSalt, 2, out, 14);
  EXPECT_EQ(std::vector<std::uint8_t>(out, out + 14), hex("30CBBC08863D8C85D49DB34A9AE1"));
  deriveSessionKey(SrtpProfile::Aes128CmHmacSha1_80, masterKey, masterSalt, 1, out, 20);
  EXPECT_EQ(std::vector<std::uint8_t>(out, out + 20), hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
}

TEST_P(SrtpInterop, OursProtectsLibSrtpUnprotects) {
  SrtpSession ours(GetParam().profile, key, salt, SrtpSession::Direction::Outbound);
  LibSrtp theirs(GetParam(), keySalt, /*inbound=*/true);
  // Cross the 16-bit sequence wrap, so the rollover counters must agree.
  for (std::uint32_t i = 0; i < 300; ++i) {
    const auto seq = static_cast<std::uint16_t>(65400 + i);
    auto plain = rtpPacket(seq, 0x11223344, 50 + i % 1100, i % 3 == 0);
    auto buffer = plain;
    buffer.resize(plain.size() + kMaxSrtpTrailer);
    std::size_t length = plain.size();
    ASSERT_EQ(ours.protectRtp(buffer.data(), length, buffer.size()), SrtpError::Ok);
    EXPECT_EQ(length, plain.size() + profileInfo(GetParam().profile).tagLength);
    EXPECT_NE(std::memcmp(buffer.data() + plain.size() - 8, plain.data() + plain.size() - 8, 8), 0) << "payload not encrypted";
    int theirLength = static_cast<int>(length);
    ASSERT_EQ(srtp_unprotect(theirs.get(), buffer.data(), &theirLength), srtp_err_status_ok) << "packet " << i;
    ASSERT_EQ(static_cast<std::size_t>(theirLength), plain.size());
    EXPECT_EQ(std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + theirLength), plain);
  }
  for (int i = 0; i < 20; ++i) {
    auto plain = rtcpPacket(0x55667788);
    auto buffer = plain;
    buffer.resize(plain.size() + kMaxSrtpTrailer);
    std::size_t length = plain.size();
    ASSERT_EQ(ours.protectRtcp(buffer.data(), length, buffer.size()), SrtpError::Ok);
    int theirLength = static_cast<int>(length);
    ASSERT_EQ(srtp_unprotect_rtcp(theirs.get(), buffer.data(), &theirLength), srtp_err_status_ok);
    EXPECT_EQ(std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + theirLength), plain);
  }
}

TEST_P(SrtpInterop, LibSrtpProtectsOursUnprotects) {
  LibSrtp theirs(GetParam(), keySalt, /*inbound=*/false);
  SrtpSession ours(GetParam().profile, key, salt, SrtpSession::Direction::Inbound);
  for (std::uint32_t i = 0; i < 300; ++i) {
    const auto seq = static_cast<std::uint16_t>(65400 + i);
    auto plain = rtpPacket(seq, 0x0A0B0C0D, 20 + i % 1200, i % 2 == 0);
    auto buffer = plain;
    buffer.resize(plain.size() + 64);
    int theirLength = static_cast<int>(plain.size());
    ASSERT_EQ(srtp_protect(theirs.get(), buffer.data(), &theirLength), srtp_err_status_ok);
    std::size_t length = static_cast<std::size_t>(theirLength);
    ASSERT_EQ(ours.unprotectRtp(buffer.data(), length), SrtpError::Ok) << "packet " << i;
    EXPECT_EQ(std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + length), plain);
  }
  for (int i = 0; i < 20; ++i) {
    auto plain = rtcpPacket(0x01020304);
    auto buffer = plain;
    buffer.resize(plain.size() + 64);
    int theirLength = static_cast<int>(plain.size());
    ASSERT_EQ(srtp_protect_rtcp(theirs.get(), buffer.data(), &theirLength), srtp_err_status_ok);
    std::size_t length = static_cast<std::size_t>(theirLength);
    ASSERT_EQ(ours.unprotectRtcp(buffer.data(), length), SrtpError::Ok);
    EXPECT_EQ(std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + length), plain);
  }
}

TEST_P(SrtpInterop, RejectsReplaysTamperingAndWrongKeys) {
  SrtpSession sender(GetParam().profile, key, salt, SrtpSession::Direction::Outbound);
  SrtpSession receiver(GetParam().profile, key, salt, SrtpSession::Direction::Inbound);
  auto packet = rtpPacket(1000, 42, 200);
  packet.resize(packet.size() + kMaxSrtpTrailer);
  std::size_t length = 212;
  ASSERT_EQ(sender.protectRtp(packet.data(), length, packet.size()), SrtpError::Ok);
  const auto sealed = std::vector<std::uint8_t>(packet.begin(), packet.begin() + length);

  auto copy = sealed;
  std::size_t n = copy.size();
  ASSERT_EQ(receiver.unprotectRtp(copy.data(), n), SrtpError::Ok);
  copy = sealed;
  n = copy.size();
  EXPECT_EQ(receiver.unprotectRtp(copy.data(), n), SrtpError::Replayed);

  auto tampered = sealed;
  tampered[20] ^= 1;
  tampered[3] ^= 1;  // also a new sequence number, so the replay check passes
  n = tampered.size();
  EXPECT_EQ(receiver.unprotectRtp(tampered.data(), n), SrtpError::AuthFailed);

  auto otherKey = key;
  otherKey[0] ^= 0xFF;
  SrtpSession stranger(GetParam().profile, otherKey, salt, SrtpSession::Direction::Inbound);
  auto forged = sealed;
  n = forged.size();
  EXPECT_EQ(stranger.unprotectRtp(forged.data(), n), SrtpError::AuthFailed);

  // A failed packet must not move the replay window: the genuine next one still passes.
  auto next = rtpPacket(1001, 42, 200);
  next.resize(next.size() + kMaxSrtpTrailer);
  length = 212;
  ASSERT_EQ(sender.protectRtp(next.data(), length, next.size()), SrtpError::Ok);
  EXPECT_EQ(receiver.unprotectRtp(next.data(), length), SrtpError::Ok);

  std::uint8_t tiny[4] = {0x80, 0, 0, 0};
  std::size_t tinyLength = sizeof tiny;
  EXPECT_EQ(receiver.unprotectRtp(tiny, tinyLength), SrtpError::TooShort);
  EXPECT_EQ(receiver.unprotectRtcp(tiny, tinyLength), SrtpError::TooShort);
}

TEST_P(SrtpInterop, KeepsEachOfManySsrcsApartUpToTheCap) {
  // A subscriber in a room of 100 receives about 300 SSRCs: past the first few the session
  // indexes them, and each keeps its own replay state; past kMaxStreams new ones fail.
  SrtpSession sender(GetParam().profile, key, salt, SrtpSession::Direction::Outbound);
  SrtpSession receiver(GetParam().profile, key, salt, SrtpSession::Direction::Inbound);
  const auto seal = [&](std::uint16_t seq, std::uint32_t ssrc) {
    auto packet = rtpPacket(seq, ssrc, 40);
    packet.resize(packet.size() + kMaxSrtpTrailer);
    std::size_t length = 52;
    const auto status = sender.protectRtp(packet.data(), length, packet.size());
    packet.resize(status == SrtpError::Ok ? length : 0);
    return packet;
  };
  const auto open = [&](std::vector<std::uint8_t> packet) {
    std::size_t length = packet.size();
    return receiver.unprotectRtp(packet.data(), length);
  };
  std::vector<std::vector<std::uint8_t>> first;
  for (std::uint32_t ssrc = 1; ssrc <= SrtpSession::kMaxStreams; ++ssrc) {
    first.push_back(seal(100, ssrc));
    ASSERT_FALSE(first.back().empty()) << "ssrc " << ssrc;
    ASSERT_EQ(open(first.back()), SrtpError::Ok) << "ssrc " << ssrc;
  }
  // Every SSRC remembers what it saw, in the linear part and in the indexed one.
  for (const std::uint32_t ssrc : {1u, 5u, 16u, 17u, 300u, 1024u}) {
    EXPECT_EQ(open(first[ssrc - 1]), SrtpError::Replayed) << "ssrc " << ssrc;
    EXPECT_EQ(open(seal(101, ssrc)), SrtpError::Ok) << "ssrc " << ssrc;
  }
  std::size_t length = 52;
  auto extra = rtpPacket(1, SrtpSession::kMaxStreams + 1, 40);
  extra.resize(extra.size() + kMaxSrtpTrailer);
  EXPECT_EQ(sender.protectRtp(extra.data(), length, extra.size()), SrtpError::TooManyStreams);
}

TEST_P(SrtpInterop, RetransmissionEncryptsIdentically) {
  SrtpSession sender(GetParam().profile, key, salt, SrtpSession::Direction::Outbound);
  auto a = rtpPacket(7, 9, 100);
  auto b = a;
  a.resize(a.size() + kMaxSrtpTrailer);
  b.resize(b.size() + kMaxSrtpTrailer);
  std::size_t la = 112, lb = 112;
  ASSERT_EQ(sender.protectRtp(a.data(), la, a.size()), SrtpError::Ok);
  auto later = rtpPacket(8, 9, 100);
  later.resize(later.size() + kMaxSrtpTrailer);
  std::size_t ll = 112;
  ASSERT_EQ(sender.protectRtp(later.data(), ll, later.size()), SrtpError::Ok);
  ASSERT_EQ(sender.protectRtp(b.data(), lb, b.size()), SrtpError::Ok);
  EXPECT_EQ(a, b);
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpInterop,
                         ::testing::Values(ProfileCase{SrtpProfile::AeadAes128Gcm, srtp_crypto_policy_set_aes_gcm_128_16_auth},
                                           ProfileCase{SrtpProfile::AeadAes256Gcm, srtp_crypto_policy_set_aes_gcm_256_16_auth},
                                           ProfileCase{SrtpProfile::Aes128CmHmacSha1_80, srtp_crypto_policy_set_rtp_default}),
                         [](const auto& info) { return std::string(profileName(info.param.profile)); });

TEST(ReplayWindow, AcceptsReorderingAndRejectsOldAndDuplicate) {
  ReplayWindow w;
  EXPECT_TRUE(w.check(1000));
  w.accept(1000);
  EXPECT_FALSE(w.check(1000));
  EXPECT_TRUE(w.check(999));
  w.accept(999);
  EXPECT_FALSE(w.check(999));
  w.accept(1100);
  EXPECT_TRUE(w.check(1050));
  EXPECT_FALSE(w.check(1000));       // 100 back, seen
  EXPECT_TRUE(w.check(1100 - 127));  // inside the window, unseen
  EXPECT_FALSE(w.check(1100 - 128)); // outside
  w.accept(5000);
  EXPECT_FALSE(w.check(1100));
  EXPECT_TRUE(w.check(4990));
}

}  // namespace parley::srtp
