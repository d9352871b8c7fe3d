#include "meeting/TranscriptionService.h"

#include <sstream>

namespace parley::meeting {

TranscriptionService::TranscriptionService(sfu::MediaService* media,
                                           transcribe::LiveTranscription::RecognizerFactory recognizers,
                                           Post postToControl, transcribe::LiveSettings settings)
    : media_(media), recognizers_(std::move(recognizers)), post_(std::move(postToControl)), settings_(settings) {}

std::shared_ptr<RoomTranscriber> TranscriptionService::start(const std::string& roomId,
                                                             std::function<void(transcribe::LiveSegment)> onSegment) {
  auto transcriber = std::make_shared<RoomTranscriber>(
      recognizers_,
      [post = post_, onSegment = std::move(onSegment)](transcribe::LiveSegment&& segment) {
        post([onSegment, segment = std::move(segment)] { onSegment(segment); });
      },
      counters_, settings_);
  if (media_) media_->setAudioTap(roomId, transcriber);
  return transcriber;
}

void TranscriptionService::stop(const std::string& roomId, const std::shared_ptr<RoomTranscriber>& transcriber) {
  if (media_) media_->setAudioTap(roomId, nullptr);
  if (transcriber) transcriber->stop();
}

std::string TranscriptionService::renderMetrics() const {
  std::ostringstream out;
  const auto counter = [&](const char* name, const char* help, std::uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << value << '\n';
  };
  counter("parley_transcript_segments_total", "Final transcript segments.", counters_.segments.load());
  counter("parley_transcription_packets_dropped_total", "Audio packets the transcriber could not take in time.",
          counters_.packetsDropped.load());
  counter("parley_transcription_utterances_dropped_total", "Utterances dropped because recognition fell behind.",
          counters_.utterancesDropped.load());
  counter("parley_transcription_utterances_leaked_total",
          "Utterances dropped as a louder participant's voice leaking into this microphone.",
          counters_.utterancesLeaked.load());
  out << "# HELP parley_caption_latency_seconds From the end of an utterance to its final caption.\n"
         "# TYPE parley_caption_latency_seconds summary\n"
      << "parley_caption_latency_seconds_sum " << counters_.latencyMicrosTotal.load() / 1e6 << '\n'
      << "parley_caption_latency_seconds_count " << counters_.segments.load() << '\n';
  return out.str();
}

}  // namespace parley::meeting
