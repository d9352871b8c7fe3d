#pragma once
// The diarizer's settings, tuned on the train clips of ../shared/data and on synthetic
// conversations (docs/transcription.md).
#include <cstddef>
#include <vector>

namespace parley::transcribe {

struct DiarizationSettings {
  double changePenalty = 1.0;     // λ for change detection
  double clusterPenalty = 1.8;    // λ for the clustering stop rule (tuned on the train clips)
  int changeWindowFrames = 150;   // 1.5 s on each side of a candidate change
  int maxSegmentFrames = 300;     // segments longer than 3 s are split
  // ... and also into these lengths, keeping the labelling that explains the speech best,
  // while that makes at most this many segments (clustering costs grow with their square).
  std::vector<int> alternativeSegmentFrames{150, 200};
  std::size_t alternativesUpToSegments = 600;
  int minClusterFrames = 50;      // shorter segments wait for resegmentation
  int smoothingFrames = 150;      // likelihoods averaged over 1.5 s
  int gmmComponents = 8;
  int resegmentationPasses = 2;
  int maxSpeakers = 12;
  double jumpFraction = 0.5;      // speaker count: the most clusters whose merge jump is this share of the largest
  double oneSpeakerBelow = -0.3;  // ... one speaker if the last merge's ΔBIC per frame is under this
  // Automatic count: a cluster with less speech than the smaller of these joins its nearest.
  double minSpeakerShare = 0.05;
  int minSpeakerFrames = 1000;
  // Automatic count, after resegmentation: speakers whose MAP-adapted models explain each
  // other's speech better than the file's background model by this much are merged.
  double mergeThreshold = -2.0;      // tuned with the next two on the train clips and synthetic conversations
  int backgroundComponents = 8;
  double mapRelevance = 16.0;
  // Speech for diarization: utterance frames within this many frames of a loud one (0: the
  // utterances as the recognizer gets them, padding and hangover included).
  int speechReachFrames = 8;
  double speechBelowPeakDb = 35;
  // ... and within this many frames of one WebRTC's voice detector hears as voice, at this
  // aggressiveness (0-3; -1: the energy detector alone).
  int voiceAggressiveness = 3;
  int voiceReachFrames = 60;
  // A speaker's turn goes on over pauses shorter than this.
  double bridgePauseSeconds = 0.5;
};

}  // namespace parley::transcribe
