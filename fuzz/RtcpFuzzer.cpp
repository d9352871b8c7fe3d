// libFuzzer: compound RTCP and every reader the SFU uses on it.
#include <vector>

#include "rtp/Rtcp.h"
#include "rtp/TransportFeedback.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::rtp;
  forEachRtcpPart({data, size}, [](const RtcpPart& part) {
    SenderInfo info;
    std::vector<ReportBlock> blocks;
    std::uint32_t a = 0, b = 0;
    std::vector<std::uint16_t> nacks;
    std::vector<std::uint32_t> firs;
    readSenderReport(part, info, &blocks);
    readReceiverReport(part, a, blocks);
    readFeedbackSsrcs(part, a, b);
    readNack(part, nacks);
    readFir(part, firs);
    readTransportFeedback(part.bytes);
  });
  return 0;
}
