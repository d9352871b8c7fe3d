#pragma once
// Helpers of the media plane's tests: a browser-like microphone offer, free UDP ports, a
// port someone else holds, and a control thread that awaits MediaEvents.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>

#include "sdp/SessionDescription.h"
#include "sfu/MediaTypes.h"

namespace parley::sfu {

// A browser-like offer to publish a microphone.
inline std::string microphoneOffer() {
  sdp::SessionDescription d;
  sdp::MediaDescription audio;
  audio.kind = "audio";
  audio.mid = "0";
  audio.formats = {"111"};
  audio.codecs = {{111, "opus", 48000, 2, "", {}}};
  audio.ssrcs = {4242};
  audio.direction = "sendonly";
  sdp::setTransport(audio, "ufrag", "password-password-1", "AA:BB", "actpass");
  d.bundle = {"0"};
  d.media.push_back(audio);
  return sdp::write(d);
}

// A port range that is free now (a few ports after one the kernel handed out).
inline std::uint16_t freeRangeStart() {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket probe(io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return static_cast<std::uint16_t>(probe.local_endpoint().port() + 7);
}

// A UDP port on 127.0.0.1 that someone else holds, for as long as this lives.
struct HeldPort {
  explicit HeldPort(std::uint16_t port)
      : socket(io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port)) {}
  boost::asio::io_context io;
  boost::asio::ip::udp::socket socket;
};

struct Control {
  boost::asio::io_context io;
  std::vector<MediaEvent> events;
  // Runs the control loop until `count` events of `type` came, or 20 s (a hang bound).
  bool await(MediaEvent::Type type, std::size_t count = 1) {
    return awaitUntil([&] {
      return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](auto& e) { return e.type == type; })) >= count;
    });
  }
  // Runs the control loop until `done` holds, or 20 s.
  template <typename F>
  bool awaitUntil(F&& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(std::chrono::milliseconds(10));
      io.restart();
    }
    return done();
  }
};
}  // namespace parley::sfu
