#include "record/RoomRecording.h"

#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/Clock.h"

namespace parley::record {

namespace {

constexpr auto kIdleWait = std::chrono::milliseconds(5);
constexpr std::int64_t kBoundsCheckMicros = 1'000'000;
const char* const kReserveName = ".reserve";

std::string safeStem(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 32)) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return out;
}

// Space set aside on the recording's disk, given back when the disk is full so that the
// files' endings and the manifest can still be written.
bool makeReserve(const std::string& path, std::uint64_t bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool ok = bytes == 0 || ::posix_fallocate(fd, 0, static_cast<off_t>(bytes)) == 0;
  ::close(fd);
  return ok;
}

std::uint64_t statvfsFreeBytes(const std::string& directory) {
  struct statvfs disk{};
  if (::statvfs(directory.c_str(), &disk) != 0) return UINT64_MAX;  // unknown: the writes will tell
  return static_cast<std::uint64_t>(disk.f_bavail) * disk.f_frsize;
}

std::int64_t threadCpuMicros() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000 + t.tv_nsec / 1000;
}

std::string megabytes(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MB"; }

}  // namespace

RoomRecording::RoomRecording(RecordingOptions options, Finished finished)
    : options_(std::move(options)), finished_(std::move(finished)), queue_(options_.queueSlots) {}

std::variant<std::unique_ptr<RoomRecording>, std::string> RoomRecording::start(RecordingOptions options,
                                                                                Finished finished) {
  std::error_code error;
  if (std::filesystem::exists(options.directory, error)) return "the recording's directory exists already";
  std::filesystem::create_directories(options.directory, error);
  if (error) return "cannot make " + options.directory + ": " + error.message();
  if (!options.freeBytes) options.freeBytes = statvfsFreeBytes;
  if (const auto free = options.freeBytes(options.directory); free < options.minFreeBytes) {
    std::filesystem::remove_all(options.directory, error);
    return "only " + megabytes(free) + " free for recordings, under the " + megabytes(options.minFreeBytes) +
           " kept free";
  }
  // At most a quarter of what is free: a small disk still records, ending cleanly.
  const auto space = std::filesystem::space(options.directory, error);
  const std::uint64_t reserve = error ? options.reserveBytes : std::min<std::uint64_t>(options.reserveBytes, space.available / 4);
  if (!makeReserve(options.directory + "/" + kReserveName, reserve)) {
    std::filesystem::remove_all(options.directory, error);
    return "not enough free space for a recording in " + options.directory;
  }
  if (options.created) options.created(options.directory);
  std::unique_ptr<RoomRecording> recording(new RoomRecording(std::move(options), std::move(finished)));
  recording->startMicros_ = steadyMicrosNow();
  recording->boundsCheckedMicros_ = recording->startMicros_;
  recording->eventsPath_ = recording->options_.directory + "/events.jsonl";
  recording->writer_ = std::thread([r = recording.get()] { r->run(); });
  return recording;
}

RoomRecording::~RoomRecording() {
  stop();
  if (writer_.joinable()) writer_.join();
}

bool RoomRecording::pushTrack(std::uint32_t trackId, std::string_view ownerId, TrackKind kind, TrackOrigin origin,
                              std::string_view codec) {
  if (ended()) return false;
  if (ownerId.size() > RecordedPacket::kMaxOwner) return false;
  const bool pushed = queue_.tryPush([&](RecordedPacket& slot) {
    slot.type = RecordedPacket::Type::Track;
    slot.track = trackId;
    slot.kind = kind;
    slot.origin = origin;
    std::memset(slot.codec, 0, sizeof slot.codec);
    std::memcpy(slot.codec, codec.data(), std::min(codec.size(), sizeof slot.codec));
    std::memcpy(slot.owner, ownerId.data(), ownerId.size());
    slot.ownerLength = static_cast<std::uint8_t>(ownerId.size());
  });
  if (!pushed) dropped_.fetch_add(1, std::memory_order_relaxed);
  return pushed;
}

bool RoomRecording::pushPacket(std::uint32_t trackId, std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                               std::span<const std::uint8_t> payload, std::int64_t arrivalMicros) {
  if (ended() || payload.size() > RecordedPacket::kMaxPayload) return false;
  const bool pushed = queue_.tryPush([&](RecordedPacket& slot) {
    slot.type = RecordedPacket::Type::Media;
    slot.track = trackId;
    slot.sequence = sequence;
    slot.timestamp = timestamp;
    slot.marker = marker;
    slot.arrivalMicros = arrivalMicros;
    slot.length = static_cast<std::uint16_t>(payload.size());
    std::memcpy(slot.payload, payload.data(), payload.size());
  });
  if (!pushed) dropped_.fetch_add(1, std::memory_order_relaxed);
  return pushed;
}

void RoomRecording::wishKeyFrame(std::uint32_t trackId) {
  for (auto& entry : keyFrameWishes_) {
    std::uint32_t current = entry.load(std::memory_order_relaxed);
    if (current == trackId) return;
    if (current == 0 && entry.compare_exchange_strong(current, trackId, std::memory_order_release)) return;
  }
}

bool RoomRecording::takeKeyFrameWish(std::uint32_t trackId) {
  for (auto& entry : keyFrameWishes_) {
    std::uint32_t expected = trackId;
    if (entry.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return true;
  }
  return false;
}

void RoomRecording::note(RecordingEvent event) {
  const std::lock_guard lock(mutex_);
  events_.emplace_back(steadyMicrosNow(), std::move(event));
}

void RoomRecording::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

std::optional<std::string> RoomRecording::process(const RecordedPacket& packet) {
  const auto found = std::find_if(tracks_.begin(), tracks_.end(),
                                  [&](const auto& t) { return t->summary().info.id == packet.track; });
  if (packet.type == RecordedPacket::Type::Track) {
    const auto codec = trackCodec(packet.codecName());
    if (found != tracks_.end() || !codec || tracks_.size() >= options_.maxTracks) return std::nullopt;
    TrackInfo info{packet.track, std::string(packet.ownerId()), packet.kind, packet.origin, *codec};
    const std::string stem = std::to_string(tracks_.size() + 1) + "-" + safeStem(packet.ownerId()) + "-" +
                             originName(packet.origin);
    tracks_.push_back(std::make_unique<TrackRecorder>(std::move(info), options_.directory, stem, startMicros_));
    return std::nullopt;
  }
  if (found == tracks_.end()) return std::nullopt;  // a track it does not record
  auto error = (*found)->onPacket(packet);
  if (!error && (*found)->wantsKeyFrame()) wishKeyFrame(packet.track);
  return error;
}

void RoomRecording::writeEvents(std::int64_t now) {
  std::vector<std::pair<std::int64_t, RecordingEvent>> events;
  {
    const std::lock_guard lock(mutex_);
    events.swap(events_);
  }
  if (events.empty()) return;
  std::ofstream out(eventsPath_, std::ios::app);
  for (const auto& [at, event] : events) {
    nlohmann::json line = {{"ms", std::max<std::int64_t>(0, (at - startMicros_) / 1000)}, {"type", event.type}};
    if (!event.participantId.empty()) line["participant"] = event.participantId;
    if (!event.name.empty()) line["name"] = event.name;
    if (!event.detail.empty()) line["detail"] = event.detail;
    out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
}

void RoomRecording::noteWriterCpu(std::int64_t now) {
  if (now - cpuNotedMicros_ < kBoundsCheckMicros) return;
  cpuNotedMicros_ = now;
  writerCpuMicros_.store(threadCpuMicros(), std::memory_order_relaxed);
}

std::optional<std::string> RoomRecording::boundReached(std::int64_t now) {
  if (now - boundsCheckedMicros_ < kBoundsCheckMicros) return std::nullopt;
  boundsCheckedMicros_ = now;
  if (options_.maxDurationMillis > 0 && now - startMicros_ >= options_.maxDurationMillis * 1000) {
    const std::int64_t seconds = options_.maxDurationMillis / 1000;
    return "the recording reached its longest length (" +
           (seconds % 60 == 0 ? std::to_string(seconds / 60) + " min" : std::to_string(seconds) + " s") + ")";
  }
  if (options_.minFreeBytes > 0) {
    if (const auto free = options_.freeBytes(options_.directory); free < options_.minFreeBytes) {
      return "the recordings' disk is down to " + megabytes(free) + " free (" + megabytes(options_.minFreeBytes) +
             " are kept free)";
    }
  }
  return std::nullopt;
}

void RoomRecording::run() {
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), options_.niceness);
  std::string error;
  std::string limit;
  for (;;) {
    bool any = false;
    while (error.empty() && queue_.tryPop([&](const RecordedPacket& packet) {
      if (auto problem = process(packet)) error = *problem;
    })) {
      any = true;
    }
    const std::int64_t now = steadyMicrosNow();
    for (auto& track : tracks_) {
      if (!error.empty()) break;
      if (auto problem = track->flush(now)) error = *problem;
      // A frame given up on while no packet came: the publisher is asked for a key frame.
      if (track->wantsKeyFrame()) wishKeyFrame(track->summary().info.id);
    }
    writeEvents(now);
    noteWriterCpu(now);
    if (!error.empty()) break;
    if (auto bound = boundReached(now)) {
      limit = std::move(*bound);
      break;
    }
    std::unique_lock lock(mutex_);
    if (stopping_ && !any) break;
    if (!any) wake_.wait_for(lock, kIdleWait);
  }
  finish(std::move(error), std::move(limit));
}

void RoomRecording::finish(std::string error, std::string limit) {
  ended_.store(true, std::memory_order_release);
  // Space for the files' endings, if the disk filled up.
  std::error_code ignored;
  std::filesystem::remove(options_.directory + "/" + kReserveName, ignored);
  RecordingResult result;
  // What is whole goes in; gaps no retransmission can fill any more are given up on.
  for (auto& track : tracks_) {
    if (!error.empty()) break;
    if (auto problem = track->flushLast()) error = *problem;
  }
  result.error = std::move(error);
  if (result.error.empty()) result.limit = std::move(limit);
  result.durationMillis = (steadyMicrosNow() - startMicros_) / 1000;
  for (auto& track : tracks_) {
    if (auto problem = track->close(); problem && result.error.empty()) result.error = *problem;
    if (!track->summary().file.empty()) result.tracks.push_back(track->summary());
  }
  writeEvents(steadyMicrosNow());
  result.packetsDropped = packetsDropped();
  writeManifest(result);
  if (finished_) finished_(result);
  writerCpuMicros_.store(threadCpuMicros(), std::memory_order_relaxed);
  done_.store(true, std::memory_order_release);
}

void RoomRecording::writeManifest(const RecordingResult& result) {
  nlohmann::json tracks = nlohmann::json::array();
  for (const TrackSummary& t : result.tracks) {
    nlohmann::json track = {{"file", t.file},
                            {"participant", t.info.ownerId},
                            {"source", originName(t.info.origin)},
                            {"kind", t.info.kind == TrackKind::Audio ? "audio" : "video"},
                            {"codec", t.info.codec == TrackCodec::Opus ? "opus" : t.info.codec == TrackCodec::Vp8 ? "vp8" : "h264"},
                            {"startMs", t.startMillis},
                            {"endMs", t.endMillis},
                            {"bytes", t.bytes},
                            {"frames", t.frames},
                            {"framesLost", t.framesLost},
                            {"latePackets", t.latePackets}};
    if (t.info.kind == TrackKind::Video) {
      track["width"] = t.width;
      track["height"] = t.height;
    }
    tracks.push_back(std::move(track));
  }
  nlohmann::json manifest = {{"version", 1},
                             {"durationMs", result.durationMillis},
                             {"tracks", std::move(tracks)},
                             {"packetsDropped", result.packetsDropped}};
  if (!result.error.empty()) manifest["error"] = result.error;
  if (!result.limit.empty()) manifest["limit"] = result.limit;
  const std::string path = options_.directory + "/manifest.json";
  std::ofstream out(path + ".tmp", std::ios::trunc);
  out << manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out.close();
  std::error_code ignored;
  if (out) std::filesystem::rename(path + ".tmp", path, ignored);
}

}  // namespace parley::record
