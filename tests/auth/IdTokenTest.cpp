// ID token validation against a provider's keys, with tokens this test signs itself (RSA and
// P-256 keys made here): a good token passes, and each way of tampering with one is refused
// with its own reason.
#include "auth/IdToken.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "auth/Base64Url.h"

namespace parley::auth {

namespace {

using Key = std::shared_ptr<EVP_PKEY>;

std::string bnBytes(EVP_PKEY* key, const char* name, std::size_t width = 0) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(width ? width : static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  if (width) BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(width));
  else BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

nlohmann::json jwkOf(EVP_PKEY* key, const std::string& kid) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    return {{"kty", "RSA"}, {"kid", kid}, {"use", "sig"}, {"alg", "RS256"},
            {"n", base64UrlEncode(bnBytes(key, OSSL_PKEY_PARAM_RSA_N))},
            {"e", base64UrlEncode(bnBytes(key, OSSL_PKEY_PARAM_RSA_E))}};
  }
  return {{"kty", "EC"}, {"kid", kid}, {"use", "sig"}, {"crv", "P-256"},
          {"x", base64UrlEncode(bnBytes(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", base64UrlEncode(bnBytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

std::string sign(EVP_PKEY* key, const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t length = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string signature(length, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  signature.resize(length);
  EVP_MD_CTX_free(ctx);
  if (!EVP_PKEY_is_a(key, "EC")) return signature;
  // DER to JWS's R || S.
  const unsigned char* der = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string publicPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

constexpr std::int64_t kNow = 1'800'000'000;

struct Provider {
  Key rsa{EVP_RSA_gen(2048), EVP_PKEY_free};
  Key ec{EVP_EC_gen("P-256"), EVP_PKEY_free};
  JsonWebKeySet keys = std::get<JsonWebKeySet>(JsonWebKeySet::parse(
      nlohmann::json{{"keys", {jwkOf(rsa.get(), "rsa-1"), jwkOf(ec.get(), "ec-1")}}}.dump()));

  static nlohmann::json claims() {
    return {{"iss", "https://idp.example.gouv.fr"}, {"sub", "ana-7f3c"}, {"aud", "parley"}, {"exp", kNow + 300},
            {"iat", kNow - 5}, {"nonce", "n-0S6_WzA2Mj"}, {"given_name", "Ana"}, {"usual_name", "Martin"},
            {"email", "ana.martin@example.gouv.fr"}, {"acr", "eidas1"}};
  }
  static std::string token(const nlohmann::json& header, const nlohmann::json& payload, EVP_PKEY* key) {
    const std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload.dump());
    return input + "." + base64UrlEncode(sign(key, input));
  }
  std::string rs256(const nlohmann::json& payload = claims(), const std::string& kid = "rsa-1") const {
    return token({{"alg", "RS256"}, {"kid", kid}, {"typ", "JWT"}}, payload, rsa.get());
  }
  std::string es256(const nlohmann::json& payload = claims()) const {
    return token({{"alg", "ES256"}, {"kid", "ec-1"}}, payload, ec.get());
  }
};

IdTokenExpectations expected() {
  return {"https://idp.example.gouv.fr", "parley", "n-0S6_WzA2Mj", kNow};
}

IdTokenError errorOf(const std::variant<IdTokenClaims, IdTokenRejection>& result) {
  EXPECT_TRUE(std::holds_alternative<IdTokenRejection>(result)) << "accepted";
  return std::holds_alternative<IdTokenRejection>(result) ? std::get<IdTokenRejection>(result).error
                                                          : IdTokenError::Malformed;
}

const Provider& provider() {
  static const Provider p;
  return p;
}

}  // namespace

TEST(IdToken, AcceptsAGoodRs256AndEs256TokenAndReadsItsClaims) {
  for (const auto& token : {provider().rs256(), provider().es256()}) {
    const auto result = validateIdToken(token, provider().keys, expected());
    ASSERT_TRUE(std::holds_alternative<IdTokenClaims>(result)) << describe(std::get<IdTokenRejection>(result).error);
    const auto& claims = std::get<IdTokenClaims>(result);
    EXPECT_EQ(claims.subject, "ana-7f3c");
    EXPECT_EQ(claims.givenName, "Ana");
    EXPECT_EQ(claims.usualName, "Martin");
    EXPECT_EQ(claims.email, "ana.martin@example.gouv.fr");
    EXPECT_EQ(claims.acr, "eidas1");
  }
}

TEST(IdToken, RefusesAWrongSignature) {
  std::string token = provider().rs256();
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(errorOf(validateIdToken(token, provider().keys, expected())), IdTokenError::BadSignature);
  // Claims changed after signing.
  auto claims = Provider::claims();
  const std::string good = provider().rs256(claims);
  claims["sub"] = "bruno-11aa";
  const std::string forged = base64UrlEncode(nlohmann::json{{"alg", "RS256"}, {"kid", "rsa-1"}, {"typ", "JWT"}}.dump()) +
                             "." + base64UrlEncode(claims.dump()) + good.substr(good.rfind('.'));
  EXPECT_EQ(errorOf(validateIdToken(forged, provider().keys, expected())), IdTokenError::BadSignature);
  // Signed by a key the provider does not have, under its kid.
  Key other{EVP_RSA_gen(2048), EVP_PKEY_free};
  EXPECT_EQ(errorOf(validateIdToken(Provider::token({{"alg", "RS256"}, {"kid", "rsa-1"}}, Provider::claims(), other.get()),
                                    provider().keys, expected())),
            IdTokenError::BadSignature);
}

TEST(IdToken, RefusesAlgNoneAndHmacWithThePublicKeyAsSecret) {
  const std::string unsignedToken =
      base64UrlEncode(nlohmann::json{{"alg", "none"}}.dump()) + "." + base64UrlEncode(Provider::claims().dump()) + ".";
  EXPECT_EQ(errorOf(validateIdToken(unsignedToken, provider().keys, expected())), IdTokenError::UnsupportedAlgorithm);
  const std::string input = base64UrlEncode(nlohmann::json{{"alg", "HS256"}, {"kid", "rsa-1"}}.dump()) + "." +
                            base64UrlEncode(Provider::claims().dump());
  const std::string secret = publicPem(provider().rsa.get());
  unsigned char mac[32];
  unsigned macLength = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &macLength);
  const std::string hmacToken = input + "." + base64UrlEncode(std::string(reinterpret_cast<char*>(mac), macLength));
  EXPECT_EQ(errorOf(validateIdToken(hmacToken, provider().keys, expected())), IdTokenError::UnsupportedAlgorithm);
}

TEST(IdToken, RefusesAnUnknownKidAndAKeyOfAnotherType) {
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(Provider::claims(), "rsa-2"), provider().keys, expected())),
            IdTokenError::UnknownKey);
  // ES256 claimed with the RSA key's kid: no P-256 key has it.
  const std::string confused = Provider::token({{"alg", "ES256"}, {"kid", "rsa-1"}}, Provider::claims(), provider().ec.get());
  EXPECT_EQ(errorOf(validateIdToken(confused, provider().keys, expected())), IdTokenError::UnknownKey);
}

TEST(IdToken, RefusesTheWrongAudienceIssuerOrNonce) {
  auto claims = Provider::claims();
  claims["aud"] = "another-client";
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(claims), provider().keys, expected())), IdTokenError::WrongAudience);
  claims["aud"] = {"parley", "another-client"};
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(claims), provider().keys, expected())), IdTokenError::WrongAudience)
      << "several audiences need azp to be ours";
  claims["azp"] = "parley";
  EXPECT_TRUE(std::holds_alternative<IdTokenClaims>(validateIdToken(provider().rs256(claims), provider().keys, expected())));

  claims = Provider::claims();
  claims["iss"] = "https://idp.example.gouv.fr.evil.example";
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(claims), provider().keys, expected())), IdTokenError::WrongIssuer);

  // A token from an earlier sign-in (its nonce) replayed into this one.
  auto replay = expected();
  replay.nonce = "a-newer-sign-in-nonce";
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(), provider().keys, replay)), IdTokenError::WrongNonce);
  claims = Provider::claims();
  claims.erase("nonce");
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(claims), provider().keys, expected())), IdTokenError::WrongNonce);
}

TEST(IdToken, RefusesExpiredFutureAndStaleTokensWithinTheLeeway) {
  auto late = expected();
  late.nowSeconds = kNow + 300 + 59;
  EXPECT_TRUE(std::holds_alternative<IdTokenClaims>(validateIdToken(provider().rs256(), provider().keys, late)))
      << "within a minute of skew";
  late.nowSeconds = kNow + 300 + 61;
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(), provider().keys, late)), IdTokenError::Expired);
  auto claims = Provider::claims();
  claims["iat"] = kNow + 3600;
  claims["exp"] = kNow + 7200;
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(claims), provider().keys, expected())),
            IdTokenError::IssuedInTheFuture);
  claims["iat"] = kNow - 3600;
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(claims), provider().keys, expected())), IdTokenError::TooOld);
  claims = Provider::claims();
  claims.erase("exp");
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(claims), provider().keys, expected())), IdTokenError::Malformed);
}

TEST(IdToken, RefusesMalformedTokensWithoutCrashing) {
  const std::string good = provider().rs256();
  for (const std::string& bad :
       {std::string(), std::string("a.b"), std::string("a.b.c.d.e"), std::string("..."), good + ".extra",
        std::string("e30.e30.") /* {} headers: no alg */, std::string(kMaxIdTokenBytes + 1, 'a'),
        base64UrlEncode("[1,2]") + "." + base64UrlEncode("{}") + ".", std::string("!!!.???.###")}) {
    const auto result = validateIdToken(bad, provider().keys, expected());
    EXPECT_TRUE(std::holds_alternative<IdTokenRejection>(result)) << bad.substr(0, 80);
  }
  auto claims = Provider::claims();
  claims["sub"] = "";
  EXPECT_EQ(errorOf(validateIdToken(provider().rs256(claims), provider().keys, expected())), IdTokenError::MissingSubject);
}

TEST(JsonWebKeySet, KeepsOnlyUsableSigningKeys) {
  Key rsa{EVP_RSA_gen(2048), EVP_PKEY_free};
  Key small{EVP_RSA_gen(1024), EVP_PKEY_free};
  Key ec{EVP_EC_gen("P-256"), EVP_PKEY_free};
  auto offCurve = jwkOf(ec.get(), "off");
  offCurve["y"] = base64UrlEncode(std::string(31, '\x01') + "\x02");
  auto encryption = jwkOf(rsa.get(), "enc");
  encryption["use"] = "enc";
  const nlohmann::json document = {
      {"keys",
       {jwkOf(rsa.get(), "good-rsa"), jwkOf(small.get(), "small"), jwkOf(ec.get(), "good-ec"), offCurve, encryption,
        {{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}}, {{"kty", "EC"}, {"crv", "P-384"}, {"kid", "p384"}}, 42}}};
  const auto parsed = JsonWebKeySet::parse(document.dump());
  ASSERT_TRUE(std::holds_alternative<JsonWebKeySet>(parsed)) << std::get<std::string>(parsed);
  const auto& set = std::get<JsonWebKeySet>(parsed);
  std::vector<std::string> kids;
  for (const auto& key : set.keys()) kids.push_back(key.kid);
  EXPECT_EQ(kids, (std::vector<std::string>{"good-rsa", "good-ec"}));
  EXPECT_TRUE(set.find("good-ec", KeyType::EcP256));
  EXPECT_FALSE(set.find("good-ec", KeyType::Rsa));
  EXPECT_TRUE(set.find("", KeyType::Rsa)) << "one RSA key: a token without kid may use it";

  for (const char* bad : {"", "[]", "{}", "{\"keys\":{}}", "{\"keys\":[]}", "{\"keys\":[{\"kty\":\"oct\"}]}"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(JsonWebKeySet::parse(bad))) << bad;
  }
  EXPECT_TRUE(std::holds_alternative<std::string>(JsonWebKeySet::parse(std::string(70000, ' '))));
}

TEST(JsonWebKeySet, ReadsTheP256KeyOfRfc7515sExample) {
  // RFC 7515 appendix A.3's public key, which the fuzz target and its seeds use.
  const auto parsed = JsonWebKeySet::parse(
      R"({"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
      R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})");
  ASSERT_TRUE(std::holds_alternative<JsonWebKeySet>(parsed)) << std::get<std::string>(parsed);
  EXPECT_TRUE(std::get<JsonWebKeySet>(parsed).find("", KeyType::EcP256));
}

TEST(Base64Url, RoundTripsAndRefusesWhatIsNotCanonical) {
  for (const std::string& bytes : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                                   std::string("\xff\xfe\x00\x01", 4)}) {
    EXPECT_EQ(base64UrlDecode(base64UrlEncode(bytes)), bytes);
  }
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64UrlDecode("Zm9v="));   // padding
  EXPECT_FALSE(base64UrlDecode("Zm9+"));    // base64, not base64url
  EXPECT_FALSE(base64UrlDecode("Z"));       // 1 mod 4
  EXPECT_FALSE(base64UrlDecode("Zh"));      // stray bits: "Zg" is canonical
  EXPECT_EQ(base64UrlDecode("Zg"), "f");
}

}  // namespace parley::auth
