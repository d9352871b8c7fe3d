#pragma once
// One REST request for a room homed on another node of the cluster (the web client's
// transcription and recording controls, the transcript, the summary, the recordings and their
// files): sent on to the home over the nodes' network with the cluster's relay key and the
// client's address, as the signaling relay does, and the home's answer streamed back as it
// comes, 64 KiB at a time (a recording's file of a gigabyte is never held here). The home
// checks the client's rights as for a direct request; a 4xx or 5xx of the home goes back as
// it is. One connection to the home per request, each step under its own deadline; if the
// home cannot be reached, the client gets 503 with Retry-After.
//
// Threads: everything runs on the client's connection's thread (the control thread). The
// relay refers to the client's stream, which the session owns: `done` holds the session, so
// the stream outlives the relay.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "http/HttpPolicy.h"
#include "http/RoomPlacement.h"

namespace parley::http {

template <class Stream>
class BasicHttpRelay : public std::enable_shared_from_this<BasicHttpRelay<Stream>> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;
  // `done(keepAlive)` once the answer has gone out, or could not: keepAlive false means the
  // client's connection must close (a broken answer, or the client asked to).
  BasicHttpRelay(Stream& client, RelayTarget home, ClientInfo who, std::function<void(bool)> done);

  // Copies what the home needs of `request`, then connects.
  void start(const Request& request);

 private:
  using Body = boost::beast::http::buffer_body;
  void onConnected(const boost::beast::error_code& ec);
  void onSent(const boost::beast::error_code& ec);
  void onHeader(const boost::beast::error_code& ec);
  // Reads the next piece of the home's body (or none, at its end), then writes it.
  void pump();
  void writePiece();
  // Nothing written to the client yet: it gets `status` instead.
  void answerInstead(unsigned status, std::string_view message);
  void finish(bool keepAlive);

  Stream& client_;
  boost::beast::tcp_stream home_;
  RelayTarget target_;
  ClientInfo who_;
  std::function<void(bool)> done_;
  Request toHome_;
  bool clientKeepAlive_ = false;
  bool head_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<Body>> parser_;
  std::optional<boost::beast::http::response_serializer<Body>> serializer_;
  std::array<char, 64 * 1024> piece_{};
};

}  // namespace parley::http
