#include "http/HttpRelay.h"

#include <spdlog/spdlog.h>

#include <boost/beast/ssl.hpp>
#include <limits>

#include "common/Metrics.h"
#include "http/RelayConnect.h"

namespace parley::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {
// Each step: the home's answer to start, each piece of it to arrive, each to be written.
constexpr auto kStepTimeout = std::chrono::seconds(30);
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;

// Headers of one hop, never passed on (RFC 9110, 7.6.1), and the relay's own, which only
// this node may set.
bool hopByHop(std::string_view name) {
  for (std::string_view hop : {"connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
                               "proxy-authorization", "proxy-authenticate"}) {
    if (beast::iequals(name, hop)) return true;
  }
  return beast::iequals(name, kRelayKeyHeader) || beast::iequals(name, kRelayClientHeader) ||
         beast::iequals(name, kRelayHttpsHeader);
}
}  // namespace

template <class Stream>
BasicHttpRelay<Stream>::BasicHttpRelay(Stream& client, RelayTarget home, ClientInfo who,
                                       std::function<void(bool)> done)
    : client_(client),
      home_(client.get_executor()),
      target_(std::move(home)),
      who_(std::move(who)),
      done_(std::move(done)) {
  metrics().httpRelayed++;
}

template <class Stream>
void BasicHttpRelay<Stream>::start(const Request& request) {
  clientKeepAlive_ = request.keep_alive();
  head_ = request.method() == bhttp::verb::head;
  // The request as the client sent it (its Host, cookies, bearer token, range), one request
  // on a connection of its own, with the key that makes the home believe who the client is.
  toHome_ = Request(request.method(), request.target(), 11);
  for (const auto& field : request) {
    if (!hopByHop(field.name_string())) toHome_.insert(field.name_string(), field.value());
  }
  toHome_.body() = request.body();
  toHome_.erase(bhttp::field::transfer_encoding);  // the body is whole here: a length says it
  toHome_.prepare_payload();
  toHome_.keep_alive(false);
  toHome_.set(kRelayKeyHeader, target_.key);
  toHome_.set(kRelayClientHeader, who_.key());
  toHome_.set(kRelayHttpsHeader, who_.https ? "1" : "0");

  connectToHome(home_, target_, "http relay",
                [self = this->shared_from_this()](const beast::error_code& ec) { self->onConnected(ec); });
}

template <class Stream>
void BasicHttpRelay<Stream>::onConnected(const beast::error_code& ec) {
  if (ec) return answerInstead(503, kHomeUnreachable);
  home_.expires_after(kStepTimeout);
  bhttp::async_write(home_, toHome_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onSent(ec); });
}

template <class Stream>
void BasicHttpRelay<Stream>::onSent(const beast::error_code& ec) {
  if (ec) return answerInstead(503, kHomeUnreachable);
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  // The body is passed on as it comes, never held whole: no limit on its size here.
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  if (head_) parser_->skip(true);
  home_.expires_after(kStepTimeout);
  bhttp::async_read_header(home_, buffer_, *parser_,
                           [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
}

template <class Stream>
void BasicHttpRelay<Stream>::onHeader(const beast::error_code& ec) {
  if (ec) {
    spdlog::warn("http relay: no answer from node {}: {}", target_.nodeId, ec.message());
    return answerInstead(503, "this meeting's node did not answer; try again");
  }
  auto& response = parser_->get();
  for (std::string_view hop : {"keep-alive", "proxy-connection", "trailer", "upgrade"}) response.erase(hop);
  response.keep_alive(clientKeepAlive_);
  if constexpr (kTls) response.set(bhttp::field::strict_transport_security, kHsts);
  serializer_.emplace(response);
  pump();
}

template <class Stream>
void BasicHttpRelay<Stream>::pump() {
  auto& body = parser_->get().body();
  if (parser_->is_done()) {
    body.data = nullptr;
    body.size = 0;
    body.more = false;
    return writePiece();
  }
  body.data = piece_.data();
  body.size = piece_.size();
  home_.expires_after(kStepTimeout);
  bhttp::async_read(home_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      // Part of the answer is out: the client must see a broken one, not a short one.
      spdlog::warn("http relay: node {} broke off its answer: {}", self->target_.nodeId, ec.message());
      return self->finish(false);
    }
    auto& body = self->parser_->get().body();
    body.size = self->piece_.size() - body.size;
    body.data = self->piece_.data();
    body.more = !self->parser_->is_done();
    self->writePiece();
  });
}

template <class Stream>
void BasicHttpRelay<Stream>::writePiece() {
  beast::get_lowest_layer(client_).expires_after(kStepTimeout);
  bhttp::async_write(client_, *serializer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return self->finish(false);
    if (self->serializer_->is_done()) return self->finish(!self->parser_->get().need_eof());
    self->pump();
  });
}

template <class Stream>
void BasicHttpRelay<Stream>::answerInstead(unsigned status, std::string_view message) {
  beast::error_code ignored;
  home_.socket().close(ignored);
  auto response = std::make_shared<Response>(relayRefusal(status, message, toHome_.version(), clientKeepAlive_));
  if constexpr (kTls) response->set(bhttp::field::strict_transport_security, kHsts);
  beast::get_lowest_layer(client_).expires_after(kStepTimeout);
  bhttp::async_write(client_, *response, [self = this->shared_from_this(), response](beast::error_code ec, std::size_t) {
    self->finish(!ec && self->clientKeepAlive_);
  });
}

template <class Stream>
void BasicHttpRelay<Stream>::finish(bool keepAlive) {
  beast::error_code ignored;
  home_.socket().close(ignored);
  if (auto done = std::exchange(done_, nullptr)) done(keepAlive);
}

template class BasicHttpRelay<beast::tcp_stream>;
template class BasicHttpRelay<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace parley::http
