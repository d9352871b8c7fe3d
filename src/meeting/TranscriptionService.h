#pragma once
// Starts and stops live transcription per room: a RoomTranscriber fed by the room's
// media worker, with segments delivered on the control thread.
#include <functional>
#include <memory>
#include <string>

#include "meeting/RoomTranscriber.h"
#include "sfu/MediaService.h"

namespace parley::meeting {

class TranscriptionService {
 public:
  using Post = std::function<void(std::function<void()>)>;  // run on the control thread

  TranscriptionService(sfu::MediaService* media, transcribe::LiveTranscription::RecognizerFactory recognizers,
                       Post postToControl, transcribe::LiveSettings settings = {});

  // `onSegment` runs on the control thread.
  std::shared_ptr<RoomTranscriber> start(const std::string& roomId,
                                         std::function<void(transcribe::LiveSegment)> onSegment);
  // Detaches it from the media, then waits for the segments still being recognized.
  void stop(const std::string& roomId, const std::shared_ptr<RoomTranscriber>& transcriber);

  const TranscriberCounters& counters() const { return counters_; }
  std::string renderMetrics() const;

 private:
  sfu::MediaService* media_;
  transcribe::LiveTranscription::RecognizerFactory recognizers_;
  Post post_;
  transcribe::LiveSettings settings_;
  TranscriberCounters counters_;
};

}  // namespace parley::meeting
