// Cost of protecting one RTP packet: Parley's SRTP on OpenSSL EVP against Debian's libsrtp2,
// for each profile, at audio (200 bytes) and video (1,200 bytes) sizes. `make bench`.
#include <benchmark/benchmark.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <vector>

#include "srtp/SrtpSession.h"

namespace {

using parley::srtp::SrtpProfile;

std::vector<std::uint8_t> packet(std::size_t size) {
  std::vector<std::uint8_t> p(size + 64, 0x5A);
  const std::uint8_t header[] = {0x80, 96, 0, 1, 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78};
  std::memcpy(p.data(), header, sizeof header);
  return p;
}

void ours(benchmark::State& state, SrtpProfile profile) {
  const auto info = parley::srtp::profileInfo(profile);
  std::vector<std::uint8_t> key(info.keyLength, 7), salt(info.saltLength, 9);
  parley::srtp::SrtpSession session(profile, key, salt, parley::srtp::SrtpSession::Direction::Outbound);
  const auto size = static_cast<std::size_t>(state.range(0));
  auto buffer = packet(size);
  std::uint16_t seq = 0;
  for (auto _ : state) {
    buffer[2] = static_cast<std::uint8_t>(seq >> 8);
    buffer[3] = static_cast<std::uint8_t>(seq++);
    std::size_t length = size;
    benchmark::DoNotOptimize(session.protectRtp(buffer.data(), length, buffer.size()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void libsrtp(benchmark::State& state, SrtpProfile profile) {
  static bool initialised = srtp_init() == srtp_err_status_ok;
  benchmark::DoNotOptimize(initialised);
  const auto info = parley::srtp::profileInfo(profile);
  std::vector<std::uint8_t> keySalt(info.keyLength + info.saltLength, 7);
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  switch (profile) {
    case SrtpProfile::AeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      break;
    case SrtpProfile::AeadAes256Gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
      break;
    case SrtpProfile::Aes128CmHmacSha1_80:
      srtp_crypto_policy_set_rtp_default(&policy.rtp);
      break;
  }
  policy.rtcp = policy.rtp;
  policy.ssrc.type = ssrc_any_outbound;
  policy.key = keySalt.data();
  policy.allow_repeat_tx = 1;
  srtp_t session = nullptr;
  srtp_create(&session, &policy);
  const auto size = static_cast<int>(state.range(0));
  auto buffer = packet(static_cast<std::size_t>(size));
  std::uint16_t seq = 0;
  for (auto _ : state) {
    buffer[2] = static_cast<std::uint8_t>(seq >> 8);
    buffer[3] = static_cast<std::uint8_t>(seq++);
    int length = size;
    benchmark::DoNotOptimize(srtp_protect(session, buffer.data(), &length));
  }
  srtp_dealloc(session);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * size);
}

}  // namespace

BENCHMARK_CAPTURE(ours, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm)->Arg(200)->Arg(1200);
BENCHMARK_CAPTURE(ours, AEAD_AES_256_GCM, SrtpProfile::AeadAes256Gcm)->Arg(200)->Arg(1200);
BENCHMARK_CAPTURE(ours, AES_CM_128_HMAC_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80)->Arg(200)->Arg(1200);
BENCHMARK_CAPTURE(libsrtp, AEAD_AES_128_GCM, SrtpProfile::AeadAes128Gcm)->Arg(200)->Arg(1200);
BENCHMARK_CAPTURE(libsrtp, AEAD_AES_256_GCM, SrtpProfile::AeadAes256Gcm)->Arg(200)->Arg(1200);
BENCHMARK_CAPTURE(libsrtp, AES_CM_128_HMAC_SHA1_80, SrtpProfile::Aes128CmHmacSha1_80)->Arg(200)->Arg(1200);

BENCHMARK_MAIN();
