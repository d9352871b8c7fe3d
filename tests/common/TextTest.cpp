#include "common/Text.h"

#include <gtest/gtest.h>

namespace parley {

TEST(Text, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(utf8Length("abc"), 3u);
  EXPECT_EQ(utf8Length("Élodie"), 6u);
  EXPECT_EQ(utf8Length("日本"), 2u);
  EXPECT_EQ(utf8Length("\xF0\x9F\x91\x8D"), 1u);  // 👍
  EXPECT_EQ(utf8Length(""), 0u);
}

TEST(Text, Utf8LengthRejectsInvalidSequences) {
  EXPECT_FALSE(utf8Length("\xC3"));              // truncated
  EXPECT_FALSE(utf8Length("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(utf8Length("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(utf8Length("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(utf8Length("\xFF"));
  EXPECT_FALSE(utf8Length("a\x80"));             // lone continuation
  EXPECT_FALSE(utf8Length("\xE2\x82"));          // truncated at the end
}

TEST(Text, ControlCharacters) {
  EXPECT_FALSE(hasControlCharacters("Marie Curie"));
  EXPECT_TRUE(hasControlCharacters("a\nb"));
  EXPECT_FALSE(hasControlCharacters("a\nb", /*allowNewlines=*/true));
  EXPECT_TRUE(hasControlCharacters(std::string("a\0b", 3), true));
  EXPECT_TRUE(hasControlCharacters("a\x7f"));
  EXPECT_TRUE(hasControlCharacters("a\xC2\x85"));  // U+0085, a C1 control
  EXPECT_FALSE(hasControlCharacters("\xC2\xA0"));  // no-break space is fine
}

TEST(Text, TrimWhitespace) {
  EXPECT_EQ(trimWhitespace("  a b \n"), "a b");
  EXPECT_EQ(trimWhitespace("   "), "");
}

TEST(Text, Sha256MatchesKnownVector) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Text, ConstantTimeEquals) {
  EXPECT_TRUE(constantTimeEquals("token", "token"));
  EXPECT_FALSE(constantTimeEquals("token", "tokem"));
  EXPECT_FALSE(constantTimeEquals("token", "toke"));
}

}  // namespace parley
