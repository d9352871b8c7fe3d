#include "sfu/ActiveSpeaker.h"

namespace parley::sfu {

void ActiveSpeaker::onAudio(const Producer& producer, std::span<const std::uint8_t>, std::uint32_t,
                            std::optional<AudioLevel> level) {
  // Quieter than -70 dBov, or not voice by the sender's own detector, is not speech.
  if (!level || !level->voice || level->dbov > 70) return;
  loudness_[&producer] += 127u - level->dbov;
}

std::optional<std::string> ActiveSpeaker::update() {
  const Producer* loudest = nullptr;
  std::uint32_t best = 0;
  for (auto& [producer, sum] : loudness_) {
    if (sum > best) {
      best = sum;
      loudest = producer;
    }
    sum = 0;
  }
  if (!loudest || loudest->ownerId() == current_) return std::nullopt;
  current_ = loudest->ownerId();
  return current_;
}

}  // namespace parley::sfu
