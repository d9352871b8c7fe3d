#pragma once
// Meeting summaries, on the control thread: when a transcription has finished (its last
// segments stored), its transcript goes to the SummaryService; each of the service's reports
// is kept in the store (state, last error, the result) and told to the moderators of the
// room if it is live. The REST API reads the state here and asks for a new summary.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "meeting/SummaryService.h"
#include "signaling/RoomRegistry.h"
#include "store/RoomStore.h"

namespace parley::signaling {

class MeetingSummaries {
 public:
  // `service` null: this server has no language model (--llm-url), summaries are off.
  MeetingSummaries(RoomRegistry& rooms, meeting::SummaryService* service, std::string language, std::string model);

  bool enabled() const { return service_ != nullptr; }

  enum class Start { Started, Unavailable, Empty, Busy };
  // Writes (again) the summary of a finished transcription of `roomId`.
  Start summarize(const std::string& roomId, std::int64_t transcriptionId, std::int64_t now);
  // A report of the service.
  void onReport(const meeting::SummaryReport& report, std::int64_t now);

  struct Progress {
    int done = 0;
    int planned = 0;
    bool errorSaved = false;  // a retry's error is in the store, until the next step clears it
  };
  // Steps of a summary being written, if it is.
  std::optional<Progress> progress(std::int64_t transcriptionId) const;

 private:
  void save(store::SummaryRecord record);
  void tell(const std::string& roomId, const std::string& state, const std::string& error, Progress progress);

  RoomRegistry& rooms_;
  meeting::SummaryService* service_;
  std::string language_, model_;
  std::map<std::int64_t, Progress> running_;  // by transcription id
};

}  // namespace parley::signaling
