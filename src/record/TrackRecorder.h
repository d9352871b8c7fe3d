#pragma once
// One track of a recording, on the writer thread: its packets in, frames out into its file.
// Audio frames are the Opus packets themselves; video frames come whole out of a
// FrameAssembler, and the file starts at the first key frame (whose picture size and, for
// H.264, parameter sets the file's header needs). Frames are stamped from their RTP
// timestamps, from when the track's first frame arrived in the recording.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "record/FrameAssembler.h"
#include "record/RecordedPacket.h"
#include "record/TrackFile.h"
#include "record/Unwrapper.h"

namespace parley::record {

struct TrackInfo {
  std::uint32_t id = 0;
  std::string ownerId;
  TrackKind kind = TrackKind::Audio;
  TrackOrigin origin = TrackOrigin::Microphone;
  TrackCodec codec = TrackCodec::Opus;
};

// The codec a track's RTP name gives ("opus", "VP8", "H264"), if a recording takes it.
std::optional<TrackCodec> trackCodec(std::string_view rtpName);
const char* originName(TrackOrigin origin);

struct TrackSummary {
  TrackInfo info;
  std::string file;  // its name in the recording's directory; empty if nothing was written
  std::int64_t startMillis = -1, endMillis = -1;  // from the recording's start
  std::uint64_t bytes = 0, frames = 0, framesLost = 0, latePackets = 0;
  int width = 0, height = 0;
};

class TrackRecorder {
 public:
  // `fileStem`: the file's name without extension, in `directory`.
  TrackRecorder(TrackInfo info, std::string directory, std::string fileStem, std::int64_t recordingStartMicros);

  // The error's text if the file could not be written (a full disk).
  std::optional<std::string> onPacket(const RecordedPacket& packet);
  // Writes the video frames that are whole by `nowMicros`.
  std::optional<std::string> flush(std::int64_t nowMicros);
  // At the end: every frame that can still be made whole, gaps given up on.
  std::optional<std::string> flushLast();
  // Whether the track waits for a key frame (to start, or after a lost frame).
  bool wantsKeyFrame() const;
  std::optional<std::string> close();
  const TrackSummary& summary() const { return summary_; }

 private:
  std::optional<std::string> writeFrame(std::span<const std::uint8_t> data, std::int64_t timestamp, bool keyFrame,
                                        std::int64_t arrivalMicros);
  std::optional<std::string> open(std::span<const std::uint8_t> firstFrame);

  std::string directory_, fileStem_;
  std::int64_t recordingStart_;
  std::unique_ptr<FrameAssembler> assembler_;  // video only
  std::unique_ptr<TrackFile> file_;
  bool failed_ = false;
  Unwrapper<std::uint32_t> timestamps_;
  std::optional<std::int64_t> firstTimestamp_, lastWritten_;
  std::int64_t lastArrival_ = 0;
  TrackSummary summary_;
};

}  // namespace parley::record
