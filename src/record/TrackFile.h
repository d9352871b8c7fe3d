#pragma once
// One recorded track in a Matroska file, written by libavformat: Opus or VP8 in WebM, H.264
// in Matroska (WebM does not take it). Frames are written as received (no transcoding),
// stamped in milliseconds from the file's first frame. Write errors (a full disk) are
// returned, never thrown; close() writes what makes the file complete (its duration and
// index) and is safe after an error: what was written before stays playable.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

struct AVFormatContext;

namespace parley::record {

enum class TrackCodec { Opus, Vp8, H264 };

struct TrackFormat {
  TrackCodec codec = TrackCodec::Opus;
  int width = 0, height = 0;               // video
  std::vector<std::uint8_t> parameterSets;  // H.264: SPS and PPS, Annex B
};

// The file name extension a codec's files get: "webm" or "mkv".
const char* fileExtension(TrackCodec codec);

class TrackFile {
 public:
  // Creates `path` and writes its header. An error's text if it cannot.
  static std::variant<std::unique_ptr<TrackFile>, std::string> create(const std::string& path,
                                                                        const TrackFormat& format);
  ~TrackFile();
  TrackFile(const TrackFile&) = delete;
  TrackFile& operator=(const TrackFile&) = delete;

  // One frame at `millis` from the file's first (not before the previous one's). The
  // error's text if the write failed; the file then takes nothing more.
  std::optional<std::string> write(std::span<const std::uint8_t> frame, std::int64_t millis, bool keyFrame);
  // Finishes the file (trailer, then closed). The error's text if that failed.
  std::optional<std::string> close();

  std::uint64_t bytesWritten() const { return bytes_; }

 private:
  TrackFile() = default;
  std::optional<std::string> fail(const char* step, int error);

  AVFormatContext* context_ = nullptr;
  static constexpr std::int64_t kFlushMillis = 1000;
  bool headerWritten_ = false, failed_ = false;
  std::int64_t flushedAt_ = 0;
  std::uint64_t bytes_ = 0;
  std::int64_t lastMillis_ = -1;
};

}  // namespace parley::record
