#pragma once
// A media worker: one thread, one io_context, one UDP port, and the rooms placed on it.
// Everything a worker owns is touched only by its thread; others post to it. A room that
// spans workers has a Router on each; the worker links them (ShardLinks): packets through
// a PipeRing per pair of workers and an eventfd to wake the receiver, the rest as posts.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "dtls/Certificate.h"
#include "sfu/MediaTypes.h"
#include "sfu/PipeRing.h"
#include "sfu/RemoteLinks.h"
#include "sfu/Router.h"
#include "sfu/ShardLinks.h"
#include "webrtc/WebRtcServer.h"

namespace parley::sfu {

// What a worker's demultiplexer and transports counted, copied out once a second.
struct alignas(64) TransportMetrics {
  std::atomic<std::uint64_t> stunRequests{0}, stunRejected{0}, srtpFailures{0}, dtlsFailures{0};
  std::atomic<std::uint64_t> unknownSource{0}, unknownUfrag{0}, malformedStun{0}, unclassified{0};
  std::atomic<std::uint64_t> consentChecks{0}, consentRefusals{0}, unmatchedResponses{0};
  std::atomic<std::uint64_t> transports{0}, rooms{0};
  // Subscribers by estimated downlink (kDownlinkBuckets), and the sum of the estimates.
  std::array<std::atomic<std::uint64_t>, kDownlinkBuckets.size() + 1> downlinks{};
  std::atomic<std::uint64_t> downlinkSumBps{0};
  std::atomic<std::uint64_t> pausedVideos{0};  // subscribers' video streams paused now (not shown)
  std::atomic<std::uint64_t> receiveBatches{0}, batchMicrosTotal{0}, batchMicrosMax{0};
  // ICE-TCP: connections open and refused (over a limit, or no check in time), packets
  // dropped for a reader too slow, garbage framing.
  std::atomic<std::uint64_t> tcpOpen{0}, tcpRefused{0}, tcpBacklogDrops{0}, tcpFramingErrors{0};
};

class Worker : public ShardLinks, public RemoteLinkHandler {
 public:
  // A UDP socket on each of `udpBindTo` and, unless `tcpBindTo` is empty, an ICE-TCP port
  // on each of those (see WebRtcServer); candidates offer `announcedIps`. With
  // `remoteLinks`, the worker also reaches rooms' shards on other nodes (the cascade).
  Worker(unsigned index, const std::vector<net::Address>& udpBindTo, const std::vector<net::Address>& tcpBindTo,
         std::vector<std::string> announcedIps, std::shared_ptr<dtls::Certificate> certificate,
         std::function<void(MediaEvent)> emit, const RemoteLinksFactory& remoteLinks = {});
  ~Worker() override;

  // All the workers, this one included, before start(): whom ShardLinks reach.
  void setSiblings(std::vector<Worker*> siblings) { siblings_ = std::move(siblings); }
  void start();
  void stop();

  template <typename F>
  void post(F&& task) {
    boost::asio::post(io_, std::forward<F>(task));
  }

  // Worker thread only.
  Router& router(const std::string& roomId);
  Router* findRouter(const std::string& roomId);
  void releaseIfEmpty(const std::string& roomId);
  // The rings between this worker and another, made by the control plane, owned by it.
  void attachOutboundPipe(unsigned to, PipeRing* ring);
  void attachInboundPipe(PipeRing* ring);

  // Worker thread: `slot` names a remote shard from now on (RemoteLinks::attach).
  void attachRemote(unsigned slot, const RemoteShard& shard, const std::string& secret);
  // The cascade's port (0 without one) and counters (null without one); any thread.
  std::uint16_t cascadePort() const { return remote_ ? remote_->port() : 0; }
  const RemoteLinks::Counters* cascadeCounters() const { return remote_ ? &remote_->counters() : nullptr; }

  // ShardLinks, from this worker's routers; peers from kFirstRemoteLink go to RemoteLinks.
  bool pipeRtp(unsigned worker, std::uint32_t pipeId, const std::uint8_t* data, std::size_t length) override;
  void announceProducer(unsigned worker, const std::string& roomId, const RemoteProducerInfo& info) override;
  void withdrawProducer(unsigned worker, const std::string& roomId, std::uint32_t pipeId) override;
  void relaySenderReport(unsigned worker, const std::string& roomId, std::uint32_t pipeId, int layer,
                         const rtp::SenderInfo& info) override;
  void requestKeyFrame(unsigned worker, const std::string& roomId, std::uint32_t pipeId, int layer) override;

  // RemoteLinkHandler: what the cascade brings.
  void onCascadeRtp(unsigned slot, std::uint32_t pipeId, std::uint8_t* data, std::size_t length) override;
  void onCascadeAnnouncement(unsigned slot, const std::string& roomId, const RemoteProducerInfo& info) override;
  void onCascadeWithdrawal(unsigned slot, const std::string& roomId, std::uint32_t pipeId) override;
  void onCascadeSenderReport(unsigned slot, std::uint32_t pipeId, int layer, const rtp::SenderInfo& info) override;
  void onCascadeKeyFrameRequest(unsigned slot, std::uint32_t pipeId, int layer) override;

  unsigned index() const { return index_; }
  std::uint16_t port() const { return server_.port(); }
  std::uint16_t tcpPort() const { return server_.tcpPort(); }
  const MediaCounters& counters() const { return counters_; }
  const TransportMetrics& transportMetrics() const { return transportMetrics_; }

 private:
  void tick();
  void publishTransportMetrics();
  void wake();  // any thread
  void waitForPipes();
  void drainPipes();
  template <typename F>
  void onRouter(unsigned worker, const std::string& roomId, F&& task) {
    Worker* target = siblings_.at(worker);
    target->post([target, roomId, task = std::forward<F>(task)] {
      if (Router* router = target->findRouter(roomId)) task(*router);
    });
  }

  unsigned index_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  webrtc::WebRtcServer server_;
  std::vector<std::string> announcedIps_;
  std::shared_ptr<dtls::Certificate> certificate_;
  std::function<void(MediaEvent)> emit_;
  PipedTracks piped_;  // before routers_: they unregister from it when destroyed
  std::unordered_map<std::string, std::unique_ptr<Router>> routers_;
  std::vector<Worker*> siblings_;
  std::vector<PipeRing*> outbound_;  // by destination worker; null until a room spans both
  std::vector<PipeRing*> inbound_;
  std::unique_ptr<RemoteLinks> remote_;
  // The room of each local track announced to a remote shard, for its key frame requests.
  std::unordered_map<std::uint32_t, std::string> cascadedRooms_;
  int wakeFd_ = -1;
  boost::asio::posix::stream_descriptor wakeDescriptor_;
  boost::asio::steady_timer timer_;
  std::int64_t lastMetrics_ = 0, lastConsent_ = 0;
  bool stopped_ = false;  // worker thread only
  MediaCounters counters_;
  TransportMetrics transportMetrics_;
  std::thread thread_;
};

}  // namespace parley::sfu
