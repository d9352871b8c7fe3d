#include "record/TrackRecorder.h"

namespace parley::record {

std::optional<TrackCodec> trackCodec(std::string_view name) {
  if (name == "opus") return TrackCodec::Opus;
  if (name == "VP8") return TrackCodec::Vp8;
  if (name == "H264") return TrackCodec::H264;
  return std::nullopt;
}

const char* originName(TrackOrigin origin) {
  switch (origin) {
    case TrackOrigin::Microphone: return "microphone";
    case TrackOrigin::Camera: return "camera";
    case TrackOrigin::Screen: return "screen";
    case TrackOrigin::ScreenAudio: return "screen-audio";
  }
  return "unknown";
}

TrackRecorder::TrackRecorder(TrackInfo info, std::string directory, std::string fileStem,
                             std::int64_t recordingStartMicros)
    : directory_(std::move(directory)), fileStem_(std::move(fileStem)), recordingStart_(recordingStartMicros) {
  if (info.kind == TrackKind::Video) {
    assembler_ = std::make_unique<FrameAssembler>(info.codec == TrackCodec::H264 ? VideoCodec::H264 : VideoCodec::Vp8);
  }
  summary_.info = std::move(info);
}

std::optional<std::string> TrackRecorder::onPacket(const RecordedPacket& packet) {
  if (failed_) return std::nullopt;
  lastArrival_ = packet.arrivalMicros;
  const std::span<const std::uint8_t> payload(packet.payload, packet.length);
  if (assembler_) {
    assembler_->push(packet.sequence, packet.timestamp, packet.marker, payload, packet.arrivalMicros);
    return flush(packet.arrivalMicros);
  }
  const std::int64_t timestamp = timestamps_.unwrap(packet.timestamp);
  if (lastWritten_ && timestamp <= *lastWritten_) {  // late or repeated: its place has passed
    ++summary_.latePackets;
    return std::nullopt;
  }
  return writeFrame(payload, timestamp, true, packet.arrivalMicros);
}

std::optional<std::string> TrackRecorder::flush(std::int64_t now) {
  if (!assembler_ || failed_) return std::nullopt;
  while (auto frame = assembler_->pop(now)) {
    if (auto error = writeFrame(frame->data, frame->timestamp, frame->keyFrame, lastArrival_)) return error;
  }
  summary_.framesLost = assembler_->framesLost();
  return std::nullopt;
}

std::optional<std::string> TrackRecorder::flushLast() {
  if (!assembler_ || failed_) return std::nullopt;
  while (auto frame = assembler_->popLast()) {
    if (auto error = writeFrame(frame->data, frame->timestamp, frame->keyFrame, lastArrival_)) return error;
  }
  summary_.framesLost = assembler_->framesLost();
  return std::nullopt;
}

bool TrackRecorder::wantsKeyFrame() const { return assembler_ && !failed_ && (assembler_->needsKeyFrame() || !file_); }

std::optional<std::string> TrackRecorder::open(std::span<const std::uint8_t> firstFrame) {
  TrackFormat format;
  format.codec = summary_.info.codec;
  if (format.codec == TrackCodec::Vp8) {
    const auto size = vp8PictureSize(firstFrame);
    format.width = size.width;
    format.height = size.height;
  } else if (format.codec == TrackCodec::H264) {
    const auto size = h264PictureSize(firstFrame);
    format.width = size.width;
    format.height = size.height;
    format.parameterSets = h264ParameterSets(firstFrame);
  }
  const std::string name = fileStem_ + "." + fileExtension(format.codec);
  auto made = TrackFile::create(directory_ + "/" + name, format);
  if (auto* error = std::get_if<std::string>(&made)) {
    failed_ = true;
    return *error;
  }
  file_ = std::move(std::get<std::unique_ptr<TrackFile>>(made));
  summary_.file = name;
  summary_.width = format.width;
  summary_.height = format.height;
  return std::nullopt;
}

std::optional<std::string> TrackRecorder::writeFrame(std::span<const std::uint8_t> data, std::int64_t timestamp,
                                                     bool keyFrame, std::int64_t arrivalMicros) {
  if (!file_) {
    if (!keyFrame) return std::nullopt;  // a video file starts at a key frame
    if (auto error = open(data)) return error;
    firstTimestamp_ = timestamp;
    summary_.startMillis = std::max<std::int64_t>(0, (arrivalMicros - recordingStart_) / 1000);
  }
  const std::int64_t clockRate = summary_.info.kind == TrackKind::Audio ? 48000 : 90000;
  // A file's own time starts at its first frame; where that falls in the recording is the
  // manifest's (startMs), for the composite to line the tracks up.
  const std::int64_t millis = (timestamp - *firstTimestamp_) * 1000 / clockRate;
  if (auto error = file_->write(data, millis, keyFrame)) {
    failed_ = true;
    return error;
  }
  lastWritten_ = timestamp;
  ++summary_.frames;
  summary_.bytes = file_->bytesWritten();
  summary_.endMillis = summary_.startMillis + millis;
  return std::nullopt;
}

std::optional<std::string> TrackRecorder::close() {
  if (assembler_) summary_.framesLost = assembler_->framesLost();
  if (!file_) return std::nullopt;
  auto error = file_->close();
  file_.reset();
  return error;
}

}  // namespace parley::record
