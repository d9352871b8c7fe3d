// What the relying party builds without the provider: names from claims, form encoding, the
// sign-out URL. The exchanges themselves run against a real provider (tests/e2e/signin.test.mjs).
#include "auth/OidcClient.h"

#include <gtest/gtest.h>

namespace parley::auth {

TEST(OidcClient, NamesPeopleAsTheirProviderDoes) {
  EXPECT_EQ(displayName("Ana Sofia", "Martin", "ignored", "Martin-Lopez", "a@x.fr"), "Ana Sofia Martin")
      << "ProConnect: given_name and usual_name";
  EXPECT_EQ(displayName("", "", "Bruno Durand", "", "b@x.fr"), "Bruno Durand");
  EXPECT_EQ(displayName("Chloé", "", "", "Petit", ""), "Chloé Petit");
  EXPECT_EQ(displayName("", "", "", "", "david@example.gouv.fr"), "david@example.gouv.fr");
  EXPECT_EQ(displayName("", "", "  Eve\x01\nMoreau ", "", ""), "Eve  Moreau") << "control characters become spaces";
  const std::string longName(100, 'a');
  EXPECT_EQ(displayName("", "", longName, "", "").size(), 64u);
  std::string accents;
  for (int i = 0; i < 70; ++i) accents += "é";
  EXPECT_EQ(displayName("", "", accents, "", ""), accents.substr(0, 128)) << "64 characters, not bytes";
  EXPECT_EQ(displayName("", "", "\xff\xfe", "", ""), "") << "not UTF-8";
}

TEST(OidcClient, FormEncodesEverythingButUnreservedCharacters) {
  EXPECT_EQ(formEncode("openid given_name email"), "openid%20given_name%20email");
  EXPECT_EQ(formEncode("https://visio.example.gouv.fr/auth/callback"),
            "https%3A%2F%2Fvisio.example.gouv.fr%2Fauth%2Fcallback");
  EXPECT_EQ(formEncode("a-b.c_d~e"), "a-b.c_d~e");
  EXPECT_EQ(formEncode("é&="), "%C3%A9%26%3D");
}

TEST(OidcClient, SignOutUrlCarriesTheHintAndWhereToComeBack) {
  const auto url = endSessionUrl("https://idp.example/session/end", "parley", "eyJ.hint.sig", "https://visio.example/");
  EXPECT_EQ(url.rfind("https://idp.example/session/end?client_id=parley&post_logout_redirect_uri=https%3A%2F%2Fvisio.example%2F&state=", 0), 0u) << url;
  EXPECT_NE(url.find("&id_token_hint=eyJ.hint.sig"), std::string::npos) << url;
  EXPECT_EQ(endSessionUrl("https://idp.example/end?x=1", "p", "", "https://v/").find("?x=1&client_id=p"),
            std::string("https://idp.example/end").size());
}

}  // namespace parley::auth
