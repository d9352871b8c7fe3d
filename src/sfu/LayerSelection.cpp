#include "sfu/LayerSelection.h"

namespace parley::sfu {

namespace {

// A layer this share of the displayed height looks as sharp as the next one up would.
constexpr double kEnough = 0.8;

bool smaller(std::span<const LayerView> layers, int a, int b) {
  return smallerLayer(a, layers[static_cast<std::size_t>(a)].height, b, layers[static_cast<std::size_t>(b)].height);
}

}  // namespace

int chooseLayer(std::span<const LayerView> layers, int maxHeight, int current) {
  if (maxHeight == 0) return kNoLayer;
  int largest = kNoLayer, enough = kNoLayer;
  for (int i = 0; i < static_cast<int>(layers.size()); ++i) {
    const LayerView& layer = layers[static_cast<std::size_t>(i)];
    if (!layer.flowing) continue;
    if (largest == kNoLayer || smaller(layers, largest, i)) largest = i;
    const bool bigEnough = layer.height != 0 && layer.height >= kEnough * maxHeight;
    if (maxHeight > 0 && bigEnough && (enough == kNoLayer || smaller(layers, i, enough))) enough = i;
  }
  if (largest == kNoLayer) return current;
  return enough != kNoLayer ? enough : largest;
}

}  // namespace parley::sfu
