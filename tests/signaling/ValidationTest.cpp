#include "signaling/Validation.h"

#include <gtest/gtest.h>

namespace parley::signaling {

namespace {
std::string ok(const std::variant<std::string, ValidationError>& v) {
  if (auto* e = std::get_if<ValidationError>(&v)) ADD_FAILURE() << e->message;
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "";
}
bool rejected(const std::variant<std::string, ValidationError>& v) {
  return std::holds_alternative<ValidationError>(v);
}
}  // namespace

TEST(Validation, DisplayNameIsTrimmed) { EXPECT_EQ(ok(validateDisplayName("  Amélie Dupont  ")), "Amélie Dupont"); }

TEST(Validation, DisplayNameLengthCountsCharactersNotBytes) {
  EXPECT_EQ(ok(validateDisplayName(std::string(64, 'a'))).size(), 64u);
  EXPECT_TRUE(rejected(validateDisplayName(std::string(65, 'a'))));
  std::string accented;
  for (int i = 0; i < 64; ++i) accented += "é";  // 128 bytes, 64 characters
  EXPECT_EQ(ok(validateDisplayName(accented)), accented);
}

TEST(Validation, DisplayNameRejections) {
  EXPECT_TRUE(rejected(validateDisplayName("")));
  EXPECT_TRUE(rejected(validateDisplayName("   ")));
  EXPECT_TRUE(rejected(validateDisplayName("Eve\nAdmin")));
  EXPECT_TRUE(rejected(validateDisplayName(std::string("a\0b", 3))));
  EXPECT_TRUE(rejected(validateDisplayName("bad\xFF")));
  EXPECT_TRUE(rejected(validateDisplayName("\x1b[31mred")));
}

TEST(Validation, ChatAllowsNewlinesUpTo2000Characters) {
  EXPECT_EQ(ok(validateChatText("line one\nline two")), "line one\nline two");
  EXPECT_FALSE(rejected(validateChatText(std::string(2000, 'x'))));
  EXPECT_TRUE(rejected(validateChatText(std::string(2001, 'x'))));
  EXPECT_TRUE(rejected(validateChatText(" \n ")));
  EXPECT_TRUE(rejected(validateChatText("bell\a")));
}

TEST(Validation, RoomNameMayBeEmpty) {
  EXPECT_EQ(ok(validateRoomName("")), "");
  EXPECT_TRUE(rejected(validateRoomName(std::string(101, 'r'))));
}

TEST(Validation, RoomIdShape) {
  EXPECT_TRUE(isValidRoomId("abc-defg-hij"));
  EXPECT_FALSE(isValidRoomId("abc-defg-hi"));
  EXPECT_FALSE(isValidRoomId("ABC-defg-hij"));
  EXPECT_FALSE(isValidRoomId("abc_defg_hij"));
  EXPECT_FALSE(isValidRoomId("../etc/pass"));
  EXPECT_FALSE(isValidRoomId(""));
}

}  // namespace parley::signaling
