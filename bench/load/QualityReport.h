#pragma once
// The video quality a group of synthetic subscribers saw (capped ones, the others), as
// parley-bench reports it: frames decoded per second and stream, freezes, loss, and for
// capped subscribers how long their downlink took to settle under the cap.
#include <vector>

#include <nlohmann/json.hpp>

#include "LoadParticipant.h"

namespace parley::bench {

// `streams`: video streams each subscriber receives. Medians and maxima over the group.
nlohmann::json qualityReport(const std::vector<LoadParticipant*>& group, double seconds, double streams);
// Human lines for a simulcast run's report (its "capped", "uncapped" and "layers_kbps").
void printQuality(const nlohmann::json& report);

}  // namespace parley::bench
