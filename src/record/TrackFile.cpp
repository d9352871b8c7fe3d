#include "record/TrackFile.h"

#include <cstring>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

namespace parley::record {

namespace {

std::string errorText(int error) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(error, text, sizeof text);
  return text;
}

// RFC 7845's identification header: what a Matroska Opus track's codec private data is.
std::vector<std::uint8_t> opusHead() {
  std::vector<std::uint8_t> head = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2};
  const std::uint16_t preSkip = 312;  // what WebRTC's encoder (libopus at 48 kHz) holds back
  const std::uint32_t rate = 48000;
  head.push_back(preSkip & 0xFF);
  head.push_back(preSkip >> 8);
  for (int i = 0; i < 4; ++i) head.push_back(static_cast<std::uint8_t>(rate >> (8 * i)));
  head.insert(head.end(), {0, 0, 0});  // output gain, mapping family 0
  return head;
}

bool setExtradata(AVCodecParameters* parameters, const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty()) return true;
  parameters->extradata = static_cast<std::uint8_t*>(av_mallocz(bytes.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!parameters->extradata) return false;
  std::memcpy(parameters->extradata, bytes.data(), bytes.size());
  parameters->extradata_size = static_cast<int>(bytes.size());
  return true;
}

}  // namespace

const char* fileExtension(TrackCodec codec) { return codec == TrackCodec::H264 ? "mkv" : "webm"; }

std::variant<std::unique_ptr<TrackFile>, std::string> TrackFile::create(const std::string& path,
                                                                          const TrackFormat& format) {
  std::unique_ptr<TrackFile> file(new TrackFile);
  const char* muxer = format.codec == TrackCodec::H264 ? "matroska" : "webm";
  int error = avformat_alloc_output_context2(&file->context_, nullptr, muxer, path.c_str());
  if (error < 0 || !file->context_) return "cannot make a " + std::string(muxer) + " writer: " + errorText(error);
  AVStream* stream = avformat_new_stream(file->context_, nullptr);
  if (!stream) return std::string("cannot add a stream");
  stream->time_base = {1, 1000};
  AVCodecParameters* parameters = stream->codecpar;
  bool extradata = true;
  switch (format.codec) {
    case TrackCodec::Opus:
      parameters->codec_type = AVMEDIA_TYPE_AUDIO;
      parameters->codec_id = AV_CODEC_ID_OPUS;
      parameters->sample_rate = 48000;
      av_channel_layout_default(&parameters->ch_layout, 2);
      extradata = setExtradata(parameters, opusHead());
      break;
    case TrackCodec::Vp8:
    case TrackCodec::H264:
      parameters->codec_type = AVMEDIA_TYPE_VIDEO;
      parameters->codec_id = format.codec == TrackCodec::Vp8 ? AV_CODEC_ID_VP8 : AV_CODEC_ID_H264;
      parameters->width = format.width;
      parameters->height = format.height;
      extradata = setExtradata(parameters, format.parameterSets);
      break;
  }
  if (!extradata) return std::string("out of memory");
  error = avio_open(&file->context_->pb, path.c_str(), AVIO_FLAG_WRITE);
  if (error < 0) return "cannot create " + path + ": " + errorText(error);
  error = avformat_write_header(file->context_, nullptr);
  if (error < 0) return "cannot write " + path + ": " + errorText(error);
  file->headerWritten_ = true;
  avio_flush(file->context_->pb);
  if (file->context_->pb->error < 0) return "cannot write " + path + ": " + errorText(file->context_->pb->error);
  return file;
}

TrackFile::~TrackFile() {
  close();
}

std::optional<std::string> TrackFile::fail(const char* step, int error) {
  failed_ = true;
  return std::string(step) + ": " + errorText(error);
}

std::optional<std::string> TrackFile::write(std::span<const std::uint8_t> frame, std::int64_t millis, bool keyFrame) {
  if (failed_ || !context_) return std::string("the file takes nothing more");
  if (millis < lastMillis_) millis = lastMillis_;  // the muxer needs them in order
  AVPacket* packet = av_packet_alloc();
  if (!packet) return fail("out of memory", AVERROR(ENOMEM));
  int error = av_new_packet(packet, static_cast<int>(frame.size()));
  if (error < 0) {
    av_packet_free(&packet);
    return fail("out of memory", error);
  }
  std::memcpy(packet->data, frame.data(), frame.size());
  packet->pts = packet->dts = millis;
  packet->stream_index = 0;
  if (keyFrame) packet->flags |= AV_PKT_FLAG_KEY;
  av_packet_rescale_ts(packet, AVRational{1, 1000}, context_->streams[0]->time_base);
  error = av_write_frame(context_, packet);
  av_packet_free(&packet);
  if (error < 0) return fail("cannot write", error);
  if (context_->pb->error < 0) return fail("cannot write", context_->pb->error);
  bytes_ += frame.size();
  lastMillis_ = millis;
  // The muxer keeps its cluster (and libavformat its buffer) in memory until asked: a second
  // at most, so that memory stays bounded and a cut (a full disk, a crash) loses little.
  if (millis - flushedAt_ >= kFlushMillis) {
    flushedAt_ = millis;
    error = av_write_frame(context_, nullptr);
    if (error < 0) return fail("cannot write", error);
    avio_flush(context_->pb);
    if (context_->pb->error < 0) return fail("cannot write", context_->pb->error);
  }
  return std::nullopt;
}

std::optional<std::string> TrackFile::close() {
  if (!context_) return std::nullopt;
  std::optional<std::string> problem;
  // A write that failed (a full disk) left the I/O context's error set, and it would refuse
  // the ending too. By now the recording has given its reserve back: the ending (the cues,
  // the duration in the header) is written after what was cut, so the file plays with its
  // length known.
  if (failed_ && context_->pb) context_->pb->error = 0;
  if (headerWritten_) {
    const int error = av_write_trailer(context_);
    if (error < 0) problem = "cannot finish the file: " + errorText(error);
  }
  if (context_->pb) {
    if (context_->pb->error < 0 && !problem) problem = "cannot finish the file: " + errorText(context_->pb->error);
    avio_closep(&context_->pb);
  }
  avformat_free_context(context_);
  context_ = nullptr;
  return problem;
}

}  // namespace parley::record
