// The sign-in routes without an identity provider, and the helpers they read requests with.
// The flow itself runs against a real provider in tests/e2e/signin.test.mjs.
#include "http/AuthRoutes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace parley::http {

namespace {
namespace bhttp = boost::beast::http;

Request get(const std::string& target) {
  Request request{bhttp::verb::get, target, 11};
  request.set(bhttp::field::host, "meet.example.fr");
  return request;
}

Response answer(AuthRoutes& routes, const Request& request) {
  std::optional<Response> response;
  const bool taken = routes.handle(request, ClientInfo{}, [&](Response r) { response = std::move(r); });
  EXPECT_TRUE(taken);
  EXPECT_TRUE(response) << "answered at once";
  return response ? *response : Response{};
}
}  // namespace

TEST(AuthRoutes, WithoutAProviderSayThatSignInIsOff) {
  AuthRoutes routes(nullptr);
  const auto me = answer(routes, get("/api/me"));
  EXPECT_EQ(me.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(me.body()), (nlohmann::json{{"sign_in", false}, {"user", nullptr}}));
  EXPECT_EQ(answer(routes, get("/auth/login?return=/")).result_int(), 404u);
  EXPECT_EQ(answer(routes, get("/auth/callback?code=a&state=b")).result_int(), 404u);
  Request post{bhttp::verb::post, "/api/me", 11};
  EXPECT_EQ(answer(routes, post).result_int(), 405u);
  EXPECT_FALSE(routes.handle(get("/api/rooms"), ClientInfo{}, [](Response) {})) << "not one of its routes";
  EXPECT_FALSE(routes.user(get("/")));
}

TEST(AuthRoutes, ReadCookiesAndQueryStrings) {
  Request request = get("/");
  request.set(bhttp::field::cookie, "parley_device=abc; parley_session=s3cr3t-id;other=1");
  EXPECT_EQ(cookieValue(request, "parley_session"), "s3cr3t-id");
  EXPECT_EQ(cookieValue(request, "parley_device"), "abc");
  EXPECT_EQ(cookieValue(request, "other"), "1");
  EXPECT_EQ(cookieValue(request, "parley"), "");
  EXPECT_EQ(cookieValue(get("/"), "parley_session"), "");

  EXPECT_EQ(queryValue("code=a%2Fb%20c&state=xyz", "code"), "a/b c");
  EXPECT_EQ(queryValue("code=a+b&state=xyz", "code"), "a b");
  EXPECT_EQ(queryValue("code=a&state=xyz", "state"), "xyz");
  EXPECT_EQ(queryValue("codex=a", "code"), std::nullopt);
  EXPECT_EQ(queryValue("flag", "flag"), "");
  EXPECT_EQ(queryValue("bad=%zz%2", "bad"), "%zz%2") << "broken escapes are kept as they are";
}

}  // namespace parley::http
