#include "meeting/RoomTranscriber.h"

#include <opus.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <samplerate.h>

#include <cstring>
#include <vector>

namespace parley::meeting {

struct RoomTranscriber::Decoder {
  OpusDecoder* opus = nullptr;
  SRC_STATE* resampler = nullptr;
  bool started = false;
  std::uint32_t firstTimestamp = 0;
  double firstAt = 0;  // seconds since the transcription started
  std::vector<float> pcm48 = std::vector<float>(5760);
  std::vector<float> pcm16 = std::vector<float>(2048);
  Decoder() {
    int error = 0;
    opus = opus_decoder_create(48000, 1, &error);
    resampler = src_new(SRC_SINC_FASTEST, 1, &error);
  }
  ~Decoder() {
    if (opus) opus_decoder_destroy(opus);
    if (resampler) src_delete(resampler);
  }
};

RoomTranscriber::RoomTranscriber(std::shared_ptr<transcribe::RecognizerPool> recognizers,
                                 std::function<void(transcribe::LiveSegment&&)> onSegment,
                                 TranscriberCounters& counters, transcribe::LiveSettings settings)
    : counters_(counters), start_(std::chrono::steady_clock::now()) {
  engine_ = std::make_unique<transcribe::LiveTranscription>(
      std::move(recognizers),
      [this, onSegment = std::move(onSegment)](transcribe::LiveSegment&& segment) {
        if (!segment.partial && !segment.text.empty()) {
          counters_.segments++;
          counters_.latencyMicrosTotal += static_cast<std::uint64_t>(segment.latency * 1e6);
        }
        onSegment(std::move(segment));
      },
      settings);
  thread_ = std::thread([this] { run(); });
}

RoomTranscriber::~RoomTranscriber() { stop(); }

void RoomTranscriber::onOpusPacket(const std::string& participantId, const std::uint8_t* payload, std::size_t length,
                                   std::uint32_t rtpTimestamp) {
  if (stopping_.load(std::memory_order_relaxed)) return;
  const bool fits = length <= 1500 && participantId.size() < 32;
  if (!fits || !ring_.tryPush([&](Packet& slot) {
        std::memcpy(slot.participant.data(), participantId.c_str(), participantId.size() + 1);
        slot.timestamp = rtpTimestamp;
        slot.length = static_cast<std::uint16_t>(length);
        std::memcpy(slot.data.data(), payload, length);
        slot.arrival = std::chrono::steady_clock::now();
      })) {
    counters_.packetsDropped.fetch_add(1, std::memory_order_relaxed);
  }
}

void RoomTranscriber::run() {
  // Below the media threads, like recognition: decoding for captions can wait a little.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 5);
  for (;;) {
    if (ring_.tryPop([this](const Packet& packet) { decode(packet); })) continue;
    if (stopping_.load()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // 20 ms packets: polling is cheap
    // Nothing came: a participant who stopped sending (left, muted, DTX) is silent, which
    // ends the utterance they were in.
    engine_->advance(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
}

void RoomTranscriber::decode(const Packet& packet) {
  const std::string participant(packet.participant.data());
  auto& decoder = decoders_[participant];
  if (!decoder) decoder = std::make_unique<Decoder>();
  if (!decoder->opus || !decoder->resampler) return;
  const int samples = opus_decode_float(decoder->opus, packet.data.data(), packet.length, decoder->pcm48.data(),
                                        static_cast<int>(decoder->pcm48.size()), 0);
  if (samples <= 0) return;
  const double arrival = std::chrono::duration<double>(packet.arrival - start_).count();
  if (!decoder->started) {
    decoder->started = true;
    decoder->firstTimestamp = packet.timestamp;
    decoder->firstAt = arrival;
  }
  // The RTP clock places the samples; arrival only anchors the first packet. A packet from
  // before the first (reordered) has a negative offset: it is too late to use.
  const auto offset = static_cast<std::int32_t>(packet.timestamp - decoder->firstTimestamp);
  if (offset < 0) return;
  const double at = decoder->firstAt + offset / 48000.0;
  SRC_DATA data{};
  data.data_in = decoder->pcm48.data();
  data.input_frames = samples;
  data.data_out = decoder->pcm16.data();
  data.output_frames = static_cast<long>(decoder->pcm16.size());
  data.src_ratio = 1.0 / 3.0;
  if (src_process(decoder->resampler, &data) != 0) return;
  engine_->push(participant, at, {decoder->pcm16.data(), static_cast<std::size_t>(data.output_frames_gen)});
  countEngine();
}

void RoomTranscriber::countEngine() {
  // The counters are the server's, summed over rooms: add what changed.
  const auto dropped = engine_->droppedUtterances(), leaked = engine_->bleedDropped();
  counters_.utterancesDropped.fetch_add(dropped - droppedSeen_, std::memory_order_relaxed);
  counters_.utterancesLeaked.fetch_add(leaked - leakedSeen_, std::memory_order_relaxed);
  droppedSeen_ = dropped;
  leakedSeen_ = leaked;
}

void RoomTranscriber::stop(std::chrono::steady_clock::duration deadline) {
  if (!thread_.joinable()) return;
  stopping_ = true;
  thread_.join();
  engine_->flush(deadline);
  countEngine();
}

}  // namespace parley::meeting
