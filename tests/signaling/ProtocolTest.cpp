#include "signaling/Protocol.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace parley::signaling {

namespace {
template <typename T>
T expectMessage(std::string_view frame) {
  auto parsed = parseClientMessage(frame);
  if (auto* error = std::get_if<ProtocolError>(&parsed)) {
    ADD_FAILURE() << "rejected " << frame << ": " << error->message;
    return T{};
  }
  auto& message = std::get<ClientMessage>(parsed);
  if (!std::holds_alternative<T>(message)) {
    ADD_FAILURE() << "parsed " << frame << " as another type";
    return T{};
  }
  return std::get<T>(message);
}

ErrorCode expectError(std::string_view frame) {
  auto parsed = parseClientMessage(frame);
  if (!std::holds_alternative<ProtocolError>(parsed)) {
    ADD_FAILURE() << "accepted " << frame;
    return ErrorCode::Invalid;
  }
  return std::get<ProtocolError>(parsed).code;
}
}  // namespace

TEST(Protocol, ParsesJoin) {
  auto join = expectMessage<JoinRequest>(R"({"type":"join","version":1,"name":" Ana ","token":"secret"})");
  EXPECT_EQ(join.name, "Ana");
  EXPECT_EQ(join.token, "secret");
  auto noToken = expectMessage<JoinRequest>(R"({"type":"join","name":"Bruno"})");
  EXPECT_FALSE(noToken.token);
}

TEST(Protocol, JoinRules) {
  EXPECT_EQ(expectError(R"({"type":"join","version":2,"name":"Ana"})"), ErrorCode::UnsupportedVersion);
  EXPECT_EQ(expectError(R"({"type":"join"})"), ErrorCode::Malformed);
  EXPECT_EQ(expectError(R"({"type":"join","name":""})"), ErrorCode::Invalid);
  EXPECT_EQ(expectError(R"({"type":"join","name":"a\u0007b"})"), ErrorCode::Invalid);
  EXPECT_EQ(expectError(R"({"type":"join","name":42})"), ErrorCode::Malformed);
  EXPECT_EQ(expectError(R"({"type":"join","name":"Ana","token":5})"), ErrorCode::Malformed);
}

// What a client shows of its videos: bounded in count, mid length and height.
TEST(Protocol, VideoViewIsBounded) {
  const auto view = expectMessage<VideoViewRequest>(R"({"type":"video-view","tracks":[{"mid":"3","height":360},{"mid":"5","height":0}]})");
  ASSERT_EQ(view.tracks.size(), 2u);
  EXPECT_EQ(view.tracks[0].mid, "3");
  EXPECT_EQ(view.tracks[0].height, 360);
  EXPECT_EQ(view.tracks[1].height, 0);
  std::string many = R"({"type":"video-view","tracks":[)";
  for (std::size_t i = 0; i < kMaxViewedTracks; ++i) many += std::string(i ? "," : "") + R"({"mid":"1","height":1})";
  expectMessage<VideoViewRequest>(many + "]}");
  EXPECT_EQ(expectError(many + R"(,{"mid":"1","height":1}]})"), ErrorCode::Malformed) << "513 tracks";
  EXPECT_EQ(expectError(R"({"type":"video-view","tracks":[{"mid":"1","height":8193}]})"), ErrorCode::Invalid);
  EXPECT_EQ(expectError(R"({"type":"video-view","tracks":[{"mid":"1","height":-1}]})"), ErrorCode::Invalid);
  EXPECT_EQ(expectError(R"({"type":"video-view","tracks":[{"mid":"","height":1}]})"), ErrorCode::Malformed);
  EXPECT_EQ(expectError(R"({"type":"video-view","tracks":[{"mid":")" + std::string(33, 'm') + R"(","height":1}]})"),
            ErrorCode::Malformed);
  EXPECT_EQ(expectError(R"({"type":"video-view","tracks":[{"mid":"1","height":1.5}]})"), ErrorCode::Malformed);
  EXPECT_EQ(expectError(R"({"type":"video-view","tracks":{}})"), ErrorCode::Malformed);
}

TEST(Protocol, ParsesRoomMessages) {
  EXPECT_EQ(expectMessage<ChatRequest>(R"({"type":"chat","text":"bonjour"})").text, "bonjour");
  EXPECT_TRUE(expectMessage<HandRequest>(R"({"type":"hand","raised":true})").raised);
  EXPECT_EQ(expectMessage<ReactionRequest>(R"({"type":"reaction","reaction":"clap"})").reaction, "clap");
  auto state = expectMessage<MediaStateRequest>(R"({"type":"media-state","audio_muted":true})");
  EXPECT_EQ(state.audioMuted, true);
  EXPECT_FALSE(state.videoMuted);
  auto moderate = expectMessage<ModerateRequest>(R"({"type":"moderate","action":"remove","target":"p1"})");
  EXPECT_EQ(moderate.action, ModerateRequest::Action::Remove);
  EXPECT_EQ(moderate.target, "p1");
  expectMessage<PingRequest>(R"({"type":"ping"})");
  expectMessage<LeaveRequest>(R"({"type":"leave"})");
}

TEST(Protocol, RejectsMalformedFrames) {
  EXPECT_EQ(expectError(""), ErrorCode::Malformed);
  EXPECT_EQ(expectError("{"), ErrorCode::Malformed);
  EXPECT_EQ(expectError("[]"), ErrorCode::Malformed);
  EXPECT_EQ(expectError("\"join\""), ErrorCode::Malformed);
  EXPECT_EQ(expectError(R"({"type":7})"), ErrorCode::Malformed);
  EXPECT_EQ(expectError("\xFF\xFE"), ErrorCode::Malformed);
  EXPECT_EQ(expectError(R"({"type":"hand","raised":"yes"})"), ErrorCode::Malformed);
  EXPECT_EQ(expectError(R"({"type":"media-state"})"), ErrorCode::Malformed);
  EXPECT_EQ(expectError(R"({"type":"teleport"})"), ErrorCode::UnknownType);
  EXPECT_EQ(expectError(R"({"type":"reaction","reaction":"<script>"})"), ErrorCode::Invalid);
  EXPECT_EQ(expectError(R"({"type":"moderate","action":"ban","target":"p1"})"), ErrorCode::Invalid);
  EXPECT_EQ(expectError(R"({"type":"chat","text":""})"), ErrorCode::Invalid);
}

TEST(Protocol, RejectsDeepNestingAndHugeFrames) {
  EXPECT_EQ(expectError(std::string(1000, '[') + std::string(1000, ']')), ErrorCode::Malformed);
  const std::string huge = R"({"type":"chat","text":")" + std::string(kMaxMessageBytes, 'x') + "\"}";
  EXPECT_EQ(expectError(huge), ErrorCode::TooLarge);
  // SDP-carrying frames may be larger (a subscriber's answer in a room of 100), others not.
  const std::string bigSdp = R"({"type":"subscribe-answer","sdp":")" + std::string(500 * 1024, 'a') + "\"}";
  expectMessage<SubscribeAnswerRequest>(bigSdp);
  const std::string tooBigSdp = R"({"type":"publish","sdp":")" + std::string(kMaxSdpMessageBytes, 'a') + "\"}";
  EXPECT_EQ(expectError(tooBigSdp), ErrorCode::TooLarge);
  const std::string bigChat = R"({"type":"chat","text":")" + std::string(500 * 1024, 'a') + "\"}";
  EXPECT_EQ(expectError(bigChat), ErrorCode::TooLarge);
  // Brackets inside strings do not count as nesting.
  expectMessage<ChatRequest>(R"({"type":"chat","text":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})");
}

TEST(Protocol, ServerFramesAreValidJsonWithEscapedUserText) {
  ParticipantView p{"p1", "Ana \"<b>\"\n", Role::Moderator, 0, true, false, true};
  const auto joined = nlohmann::json::parse(participantJoinedFrame(p));
  EXPECT_EQ(joined["type"], "participant-joined");
  EXPECT_EQ(joined["participant"]["name"], "Ana \"<b>\"\n");
  EXPECT_EQ(joined["participant"]["role"], "moderator");
  EXPECT_EQ(joined["participant"]["hand_raised"], true);
  EXPECT_EQ(joined["participant"]["joined_at"], "1970-01-01T00:00:00.000Z");

  const auto error = nlohmann::json::parse(errorFrame({ErrorCode::RateLimited, "slow down"}));
  EXPECT_EQ(error["code"], "rate-limited");
  const auto left = nlohmann::json::parse(participantLeftFrame("p1", "timeout"));
  EXPECT_EQ(left["reason"], "timeout");
}

}  // namespace parley::signaling
