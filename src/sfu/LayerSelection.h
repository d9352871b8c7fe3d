#pragma once
// Which layer of a simulcast track one subscriber receives, from what it displays and what
// the publisher sends. Pure, so the rule is tested on its own:
// - a track the subscriber does not show (maxHeight 0) gets nothing;
// - otherwise the smallest flowing layer at least kEnough of the displayed height, or the
//   largest flowing one if none is that big; with no wish (kAnyHeight), the largest;
// - a layer's size is known from its key frames (VP8); layers of unknown size are ranked by
//   their order in the offer, lowest first;
// - when no layer flows, the current choice stands (there is nothing better to switch to).
#include <cstdint>
#include <span>

namespace parley::sfu {

inline constexpr int kAnyHeight = -1;
inline constexpr int kNoLayer = -1;

struct LayerView {
  bool flowing = false;
  std::uint16_t height = 0;  // 0: unknown
};

int chooseLayer(std::span<const LayerView> layers, int maxHeight, int current);

// Layer `a` (of height `heightA`, 0: unknown) is smaller than layer `b`: by height when
// both are known and differ, else by their order in the offer.
inline bool smallerLayer(int a, std::uint16_t heightA, int b, std::uint16_t heightB) {
  if (heightA != 0 && heightB != 0 && heightA != heightB) return heightA < heightB;
  return a < b;
}

}  // namespace parley::sfu
