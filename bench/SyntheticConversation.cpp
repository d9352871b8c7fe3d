// Builds a conversation with an exact reference from single-speaker LibriSpeech utterances:
// turns of different speakers with pauses (and some overlap) between them, the RTTM written
// from the turns with each turn's internal pauses cut out (30 dB below the turn's peak).
//   synthetic_conversation SPEAKER_ROOT SPEAKERS SECONDS SEED OUT.wav OUT.rttm
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<float> readFlac(const fs::path& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file || info.samplerate != 16000 || info.channels != 1) {
    if (file) sf_close(file);
    return {};
  }
  std::vector<float> samples(static_cast<std::size_t>(info.frames));
  sf_readf_float(file, samples.data(), info.frames);
  sf_close(file);
  return samples;
}

// Frames (10 ms) of `turn` within 30 dB of its loudest frame.
std::vector<bool> activeFrames(const std::vector<float>& turn) {
  std::vector<double> db;
  for (std::size_t i = 0; i + 160 <= turn.size(); i += 160) {
    double e = 0;
    for (std::size_t k = i; k < i + 160; ++k) e += double(turn[k]) * turn[k];
    db.push_back(10 * std::log10(e / 160 + 1e-12));
  }
  const double peak = db.empty() ? 0 : *std::max_element(db.begin(), db.end());
  std::vector<bool> active(db.size());
  for (std::size_t i = 0; i < db.size(); ++i) active[i] = db[i] > peak - 30;
  // Bridge gaps under 200 ms: a pause between words is still the same turn.
  for (std::size_t i = 0; i < active.size();) {
    if (active[i]) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < active.size() && !active[end]) ++end;
    if (i > 0 && end < active.size() && end - i < 20) std::fill(active.begin() + i, active.begin() + end, true);
    i = end;
  }
  return active;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s SPEAKER_ROOT SPEAKERS SECONDS SEED OUT.wav OUT.rttm\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  const int speakers = std::atoi(argv[2]);
  const double seconds = std::atof(argv[3]);
  std::mt19937 rng(static_cast<unsigned>(std::atoi(argv[4])));
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  std::shuffle(folders.begin(), folders.end(), rng);
  if (static_cast<int>(folders.size()) < speakers) return 2;
  folders.resize(static_cast<std::size_t>(speakers));
  std::vector<std::vector<fs::path>> utterances;
  for (const auto& folder : folders) {
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(folder)) {
      if (f.path().extension() == ".flac") files.push_back(f.path());
    }
    std::sort(files.begin(), files.end());
    utterances.push_back(files);
  }
  std::vector<float> mix;
  std::FILE* rttm = std::fopen(argv[6], "w");
  const std::string id = fs::path(argv[5]).stem().string();
  std::uniform_real_distribution<double> pause(0.3, 1.5);
  std::uniform_real_distribution<double> chance(0, 1);
  int previous = -1;
  std::size_t cursor = 0;
  while (mix.size() < seconds * 16000) {
    int speaker;
    do speaker = static_cast<int>(rng() % static_cast<unsigned>(speakers));
    while (speaker == previous && speakers > 1);
    previous = speaker;
    const auto& files = utterances[static_cast<std::size_t>(speaker)];
    auto turn = readFlac(files[rng() % files.size()]);
    if (turn.empty()) continue;
    if (turn.size() > 12 * 16000) turn.resize(12 * 16000);  // turns of at most 12 s
    // 10% of turns start 0.4 s before the previous one ends (overlap); others after a pause.
    const bool overlap = chance(rng) < 0.1 && cursor > 8000;
    std::size_t start = overlap ? cursor - 6400 : cursor + static_cast<std::size_t>(pause(rng) * 16000);
    if (mix.size() < start + turn.size()) mix.resize(start + turn.size(), 0.0f);
    for (std::size_t i = 0; i < turn.size(); ++i) mix[start + i] += turn[i];
    const auto active = activeFrames(turn);
    for (std::size_t i = 0; i < active.size();) {
      if (!active[i]) {
        ++i;
        continue;
      }
      std::size_t end = i;
      while (end < active.size() && active[end]) ++end;
      std::fprintf(rttm, "SPEAKER %s 1 %.2f %.2f <NA> <NA> %s <NA> <NA>\n", id.c_str(), (start / 16000.0) + i / 100.0,
                   (end - i) / 100.0, folders[static_cast<std::size_t>(speaker)].filename().c_str());
      i = end;
    }
    cursor = start + turn.size();
  }
  std::fclose(rttm);
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* out = sf_open(argv[5], SFM_WRITE, &info);
  if (!out) return 1;
  for (auto& s : mix) s = std::clamp(s, -1.0f, 1.0f);
  sf_writef_float(out, mix.data(), static_cast<sf_count_t>(mix.size()));
  sf_close(out);
  return 0;
}
