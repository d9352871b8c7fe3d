// libFuzzer: RTCP as a cascade link reads it once decrypted (another node's announcements and
// withdrawals, of any version): a refusal or a control message, never a crash; a message
// accepted once survives being written and read again.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "cascade/CascadeControl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley;
  rtp::forEachRtcpPart({data, size}, [](const rtp::RtcpPart& part) {
    const auto control = cascade::readCascadeControl(part);
    if (!control || control->type != cascade::CascadeControl::Type::Announcement) return;
    std::array<std::uint8_t, 2048> again{};
    const std::size_t n = cascade::writeAnnouncement(again.data(), again.size(), 1, control->roomId, control->info);
    std::optional<cascade::CascadeControl> reread;
    rtp::forEachRtcpPart({again.data(), n}, [&](const rtp::RtcpPart& p) { reread = cascade::readCascadeControl(p); });
    if (!reread || reread->roomId != control->roomId || reread->info.producerId != control->info.producerId ||
        reread->info.codec.fmtp != control->info.codec.fmtp) {
      std::abort();
    }
  });
  return 0;
}
