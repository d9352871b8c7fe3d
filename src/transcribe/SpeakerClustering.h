#pragma once
// The diarizer's second step: bottom-up clustering of speech segments, one full-covariance
// Gaussian per cluster, merging the pair with the least ΔBIC all the way down, then choosing
// how many speakers to keep from the costs of those merges (or keeping the count given).
// Internal to `transcribe`.
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "transcribe/DiarizationSettings.h"
#include "transcribe/Mfcc.h"

namespace parley::transcribe {

struct SpeakerSegment {
  std::size_t begin, end;  // frames
  int cluster = -1;        // speaker label once clustered
};

// One merge of the clustering: cluster `from` joined `into`, at this ΔBIC per frame.
struct ClusterMerge {
  std::size_t into, from;
  double costPerFrame;
};

// Sets every segment's `cluster` (labels 0, 1, ...). Segments shorter than
// `settings.minClusterFrames` do not take part and keep -1 (resegmentation labels them),
// unless no segment is long enough, when all are one speaker.
void clusterSegments(std::vector<SpeakerSegment>& segments, std::span<const MfccFrame> features,
                     std::optional<int> speakers, const DiarizationSettings& settings);

// The number of speakers the merge costs suggest, for `initial` clusters merged down to one.
std::size_t chooseSpeakerCount(const std::vector<ClusterMerge>& merges, std::size_t initial,
                               const DiarizationSettings& settings);

}  // namespace parley::transcribe
