#pragma once
// Live transcription of one room: the media worker hands it each microphone's Opus packets
// (as an sfu::AudioTap, copying them into a ring); a decoder thread turns them into 16 kHz
// speech per participant for the transcription engine, whose segments come back through a
// callback; recognition runs on the server's shared RecognizerPool. Media forwarding never
// waits for any of it.
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "common/MpscRing.h"
#include "sfu/AudioTap.h"
#include "transcribe/LiveTranscription.h"

namespace parley::meeting {

struct TranscriberCounters {
  std::atomic<std::uint64_t> packetsDropped{0};  // the ring was full
  std::atomic<std::uint64_t> utterancesDropped{0};
  std::atomic<std::uint64_t> utterancesLeaked{0};  // dropped by the bleed rule
  std::atomic<std::uint64_t> segments{0};
  std::atomic<std::uint64_t> latencyMicrosTotal{0};
};

class RoomTranscriber : public sfu::AudioTap {
 public:
  // `onSegment` is called from recognition threads; times count from construction.
  RoomTranscriber(std::shared_ptr<transcribe::RecognizerPool> recognizers,
                  std::function<void(transcribe::LiveSegment&&)> onSegment, TranscriberCounters& counters,
                  transcribe::LiveSettings settings = {});
  ~RoomTranscriber() override;

  void onOpusPacket(const std::string& participantId, const std::uint8_t* payload, std::size_t length,
                    std::uint32_t rtpTimestamp) override;

  // Decodes what is queued, ends utterances in progress and waits for their segments, for
  // at most `deadline` (what is not recognized by then is dropped and counted). Packets
  // that still come afterwards are ignored.
  void stop(std::chrono::steady_clock::duration deadline = std::chrono::seconds(10));

 private:
  struct Packet {
    std::array<char, 32> participant{};
    std::uint32_t timestamp = 0;
    std::uint16_t length = 0;
    std::array<std::uint8_t, 1500> data{};
    std::chrono::steady_clock::time_point arrival;
  };
  struct Decoder;
  void run();
  void decode(const Packet& packet);
  void countEngine();

  // Filled by every worker hosting the room, emptied by the decoder thread.
  MpscRing<Packet> ring_{1024};  // about 10 s of one voice, 5 s of two
  TranscriberCounters& counters_;
  std::chrono::steady_clock::time_point start_;
  std::map<std::string, std::unique_ptr<Decoder>> decoders_;
  std::unique_ptr<transcribe::LiveTranscription> engine_;
  std::uint64_t droppedSeen_ = 0, leakedSeen_ = 0;  // the engine's counts already added
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace parley::meeting
