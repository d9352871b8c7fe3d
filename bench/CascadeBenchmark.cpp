// The cascade's own cost per relayed packet, apart from everything else a node does: one
// worker's CascadeLink sends N packets of 1,200 bytes (8 tracks, as a webinar's 4 cameras and
// microphones would be) to another's on loopback, each on a thread of its own; each
// thread's CPU time (sending: copy, SRTP, the retransmission store, sendmmsg; receiving:
// recvmmsg, SRTP, loss tracking, the hand-off) over the packets. A benchmark, not a test.
//   build/bench/cascade_benchmark [packets, default 200000]
#include <time.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "cascade/CascadeLink.h"
#include "common/Bytes.h"

namespace {

double threadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct Counting : parley::sfu::RemoteLinkHandler {
  std::atomic<std::uint64_t> received{0};
  void onCascadeRtp(unsigned, std::uint32_t, std::uint8_t*, std::size_t) override {
    received.store(received.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void onCascadeAnnouncement(unsigned, const std::string&, const parley::sfu::RemoteProducerInfo&) override {}
  void onCascadeWithdrawal(unsigned, const std::string&, std::uint32_t) override {}
  void onCascadeSenderReport(unsigned, std::uint32_t, int, const parley::rtp::SenderInfo&) override {}
  void onCascadeKeyFrameRequest(unsigned, std::uint32_t, int) override {}
};

}  // namespace

int main(int argc, char** argv) {
  using parley::cascade::CascadeLink;
  const std::uint64_t packets = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  boost::asio::io_context ioA(1), ioB(1);
  Counting atA, atB;
  CascadeLink a(ioA, {"node-a", "127.0.0.1"}, 0, atA);
  CascadeLink b(ioB, {"node-b", "127.0.0.1"}, 0, atB);
  a.attach(0, {"node-b", 0, "127.0.0.1", b.port()}, "benchmark secret");
  b.attach(0, {"node-a", 0, "127.0.0.1", a.port()}, "benchmark secret");

  double receiveCpu = 0;
  std::atomic<bool> sent{false};
  std::thread receiver([&] {
    const double start = threadCpuSeconds();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (atB.received.load(std::memory_order_relaxed) < packets && std::chrono::steady_clock::now() < deadline) {
      ioB.run_for(std::chrono::milliseconds(5));
      ioB.restart();
      if (sent && atB.received.load() < packets && ioB.poll() == 0) {
        // The sender is done: what is not here by now was dropped by the kernel.
        ioB.run_for(std::chrono::milliseconds(200));
        ioB.restart();
        break;
      }
    }
    receiveCpu = threadCpuSeconds() - start;
  });

  std::vector<std::uint8_t> packet(1200, 0x5A);
  packet[0] = 0x80;
  packet[1] = 96;
  std::uint16_t seq[8] = {};
  const double start = threadCpuSeconds();
  for (std::uint64_t i = 0; i < packets; ++i) {
    const unsigned track = static_cast<unsigned>(i % 8);
    parley::write16(packet.data() + 2, seq[track]++);
    parley::write32(packet.data() + 4, static_cast<std::uint32_t>(i * 90));
    parley::write32(packet.data() + 8, 0);  // the layer, as a worker pipes it
    a.pipeRtp(0, 100 + track, packet.data(), packet.size());
    if (i % 32 == 31) {
      ioA.poll();  // the batch leaves (sendmmsg)
      ioA.restart();
      std::this_thread::sleep_for(std::chrono::microseconds(100));  // paced: ~300k packets/s at most
    }
  }
  ioA.poll();
  const double sendCpu = threadCpuSeconds() - start;
  sent = true;
  receiver.join();
  const auto received = atB.received.load();
  std::printf("cascade, %llu packets of 1,200 bytes over loopback: sending %.2f us a packet, receiving %.2f us a "
              "packet (%llu received, %.2f%% dropped by the kernel)\n",
              static_cast<unsigned long long>(packets), 1e6 * sendCpu / static_cast<double>(packets),
              received ? 1e6 * receiveCpu / static_cast<double>(received) : 0.0, static_cast<unsigned long long>(received),
              100.0 * static_cast<double>(packets - received) / static_cast<double>(packets));
  return received ? 0 : 1;
}
