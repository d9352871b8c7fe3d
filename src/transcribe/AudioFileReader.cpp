#include "transcribe/AudioFileReader.h"

#include <samplerate.h>
#include <sndfile.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace parley::transcribe {

struct AudioFileReader::Impl {
  SNDFILE* file = nullptr;
  SF_INFO info{};
  SRC_STATE* resampler = nullptr;
  std::vector<float> interleaved, mono, resampled;
  bool ended = false;
  ~Impl() {
    if (resampler) src_delete(resampler);
    if (file) sf_close(file);
  }
};

AudioFileReader::AudioFileReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw AudioError(path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw AudioError(path + ": is a folder, not an audio file");
  if (st.st_size == 0) throw AudioError(path + ": the file is empty");
  impl_->file = sf_open(path.c_str(), SFM_READ, &impl_->info);
  if (!impl_->file) {
    throw AudioError(path + ": not a readable audio file (" + std::string(sf_strerror(nullptr)) + ")");
  }
  if (impl_->info.channels < 1 || impl_->info.channels > 64 || impl_->info.samplerate < 1000 ||
      impl_->info.samplerate > 768000) {
    throw AudioError(path + ": unsupported format (" + std::to_string(impl_->info.channels) + " channels at " +
                     std::to_string(impl_->info.samplerate) + " Hz)");
  }
  if (impl_->info.frames > 0) duration_ = static_cast<double>(impl_->info.frames) / impl_->info.samplerate;
  if (impl_->info.samplerate != kSampleRate) {
    int error = 0;
    impl_->resampler = src_new(SRC_SINC_MEDIUM_QUALITY, 1, &error);
    if (!impl_->resampler) throw AudioError(std::string("resampler: ") + src_strerror(error));
  }
}

AudioFileReader::~AudioFileReader() = default;

bool AudioFileReader::read(std::vector<float>& out, std::size_t maxSamples) {
  Impl& d = *impl_;
  if (d.ended) return false;
  const int channels = d.info.channels;
  const double ratio = static_cast<double>(kSampleRate) / d.info.samplerate;
  const auto frames = static_cast<sf_count_t>(std::max<std::size_t>(1, static_cast<std::size_t>(maxSamples / ratio)));
  d.interleaved.resize(static_cast<std::size_t>(frames * channels));
  const sf_count_t got = sf_readf_float(d.file, d.interleaved.data(), frames);
  if (got < 0) throw AudioError(std::string("read error: ") + sf_strerror(d.file));
  d.mono.resize(static_cast<std::size_t>(got));
  for (sf_count_t i = 0; i < got; ++i) {
    float sum = 0;
    // A float file may hold NaN, infinities or values far past full scale: silence and
    // clipping, so nothing downstream (features, sorting, the resampler) sees them.
    for (int c = 0; c < channels; ++c) {
      const float s = d.interleaved[static_cast<std::size_t>(i * channels + c)];
      sum += std::isfinite(s) ? std::clamp(s, -1.0f, 1.0f) : 0.0f;
    }
    d.mono[static_cast<std::size_t>(i)] = sum / static_cast<float>(channels);
  }
  const bool last = got < frames;
  if (!d.resampler) {
    out.insert(out.end(), d.mono.begin(), d.mono.end());
  } else {
    d.resampled.resize(static_cast<std::size_t>(static_cast<double>(got) * ratio) + 64);
    SRC_DATA data{};
    data.data_in = d.mono.data();
    data.input_frames = got;
    data.data_out = d.resampled.data();
    data.output_frames = static_cast<long>(d.resampled.size());
    data.src_ratio = ratio;
    data.end_of_input = last ? 1 : 0;
    // Feed until the input is consumed (and, at the end, the filter drained).
    for (;;) {
      if (const int error = src_process(d.resampler, &data)) throw AudioError(std::string("resampler: ") + src_strerror(error));
      out.insert(out.end(), d.resampled.begin(), d.resampled.begin() + data.output_frames_gen);
      data.data_in += data.input_frames_used;
      data.input_frames -= data.input_frames_used;
      if (data.input_frames == 0 && (!last || data.output_frames_gen == 0)) break;
    }
  }
  if (last) d.ended = true;
  return got > 0 || !last;
}

std::vector<float> readWholeFile(const std::string& path) {
  AudioFileReader reader(path);
  std::vector<float> samples;
  while (reader.read(samples)) {
  }
  return samples;
}

}  // namespace parley::transcribe
