// A provider's discovery document: what is read, and what makes it refused.
#include "auth/ProviderMetadata.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace parley::auth {

namespace {

const std::string kIssuer = "https://auth.example.gouv.fr/api/v2";

nlohmann::json document() {
  // Shaped like ProConnect's integration environment's document.
  return {{"issuer", kIssuer},
          {"authorization_endpoint", kIssuer + "/authorize"},
          {"token_endpoint", kIssuer + "/token"},
          {"userinfo_endpoint", kIssuer + "/userinfo"},
          {"end_session_endpoint", kIssuer + "/session/end"},
          {"jwks_uri", kIssuer + "/jwks"},
          {"id_token_signing_alg_values_supported", {"ES256", "RS256"}},
          {"token_endpoint_auth_methods_supported", {"client_secret_post", "private_key_jwt"}},
          {"scopes_supported", {"openid", "given_name", "usual_name", "email"}}};
}

std::string refusal(const nlohmann::json& doc, const std::string& issuer = kIssuer) {
  const auto parsed = ProviderMetadata::parse(doc.dump(), issuer);
  return std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : std::string();
}

}  // namespace

TEST(ProviderMetadata, ReadsTheEndpointsAndHowToSendTheSecret) {
  const auto parsed = ProviderMetadata::parse(document().dump(), kIssuer);
  ASSERT_TRUE(std::holds_alternative<ProviderMetadata>(parsed)) << std::get<std::string>(parsed);
  const auto& m = std::get<ProviderMetadata>(parsed);
  EXPECT_EQ(m.authorizationEndpoint, kIssuer + "/authorize");
  EXPECT_EQ(m.tokenEndpoint, kIssuer + "/token");
  EXPECT_EQ(m.jwksUri, kIssuer + "/jwks");
  EXPECT_EQ(m.userinfoEndpoint, kIssuer + "/userinfo");
  EXPECT_EQ(m.endSessionEndpoint, kIssuer + "/session/end");
  EXPECT_TRUE(m.clientSecretPost);
  auto basic = document();
  basic.erase("token_endpoint_auth_methods_supported");
  EXPECT_FALSE(std::get<ProviderMetadata>(ProviderMetadata::parse(basic.dump(), kIssuer)).clientSecretPost)
      << "absent means client_secret_basic";
}

TEST(ProviderMetadata, RefusesAnotherIssuerAndUnsafeOrMissingEndpoints) {
  EXPECT_NE(refusal(document(), "https://auth.example.gouv.fr/api/v2/").find("names issuer"), std::string::npos);
  auto doc = document();
  doc["token_endpoint"] = "http://auth.example.gouv.fr/token";
  EXPECT_NE(refusal(doc).find("token_endpoint"), std::string::npos);
  doc = document();
  doc.erase("jwks_uri");
  EXPECT_NE(refusal(doc).find("jwks_uri"), std::string::npos);
  doc = document();
  doc["authorization_endpoint"] = "https://user:pass@evil.example/authorize";
  EXPECT_NE(refusal(doc).find("authorization_endpoint"), std::string::npos);
  doc = document();
  doc["id_token_signing_alg_values_supported"] = {"HS256", "none"};
  EXPECT_NE(refusal(doc).find("neither RS256 nor ES256"), std::string::npos);
  doc = document();
  doc["end_session_endpoint"] = "javascript:alert(1)";
  EXPECT_TRUE(std::get<ProviderMetadata>(ProviderMetadata::parse(doc.dump(), kIssuer)).endSessionEndpoint.empty())
      << "an optional endpoint that is not safe is dropped";
  for (const char* bad : {"", "[]", "{", "null", "{\"issuer\":5}"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(ProviderMetadata::parse(bad, kIssuer))) << bad;
  }
  EXPECT_TRUE(std::holds_alternative<std::string>(ProviderMetadata::parse(std::string(70000, ' '), kIssuer)));
}

TEST(ProviderMetadata, HttpOnlyOnLoopback) {
  EXPECT_TRUE(isAcceptableProviderUrl("https://auth.example.gouv.fr/api/v2/token"));
  EXPECT_TRUE(isAcceptableProviderUrl("http://127.0.0.1:4444/token"));
  EXPECT_TRUE(isAcceptableProviderUrl("http://localhost:4444/token"));
  EXPECT_TRUE(isAcceptableProviderUrl("http://[::1]:4444/token"));
  EXPECT_FALSE(isAcceptableProviderUrl("http://10.0.0.1/token"));
  EXPECT_FALSE(isAcceptableProviderUrl("http://localhost.evil.example/token"));
  EXPECT_FALSE(isAcceptableProviderUrl("http://127.0.0.1@evil.example/token"));
  EXPECT_FALSE(isAcceptableProviderUrl("https:///token"));
  EXPECT_FALSE(isAcceptableProviderUrl("ftp://auth.example.gouv.fr/"));
  EXPECT_FALSE(isAcceptableProviderUrl("https://auth.example.gouv.fr/a b"));
}

}  // namespace parley::auth
