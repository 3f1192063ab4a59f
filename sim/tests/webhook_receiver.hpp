// A tiny HTTP server that records the webhooks a simulator posts to it, and an HMAC-SHA256 computed
// with OpenSSL, independently of the simulator's Poco-based signer.
#ifndef GUICHET_SIM_TESTS_WEBHOOK_RECEIVER_HPP
#define GUICHET_SIM_TESTS_WEBHOOK_RECEIVER_HPP

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace guichet::sim::testing {

inline std::string openssl_hmac_sha256_hex(const std::string& body, const std::string& secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

struct Delivery {
  std::string body;
  std::string signature;  // the X-Caf-Signature header
};

class WebhookReceiver {
 public:
  WebhookReceiver() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket,
                                                      new Poco::Net::HTTPServerParams);
    server_->start();
  }
  ~WebhookReceiver() { server_->stopAll(true); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/caf"; }

  // The deliveries so far, once there are `count` of them or `timeout` has passed.
  std::vector<Delivery> wait_for(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, timeout, [&] { return deliveries_.size() >= count; });
    return deliveries_;
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(WebhookReceiver& receiver) : receiver_(receiver) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
      Delivery delivery;
      Poco::StreamCopier::copyToString(request.stream(), delivery.body);
      delivery.signature = request.get("X-Caf-Signature", "");
      {
        std::lock_guard lock(receiver_.mutex_);
        receiver_.deliveries_.push_back(std::move(delivery));
      }
      receiver_.arrived_.notify_all();
      response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
      response.send();
    }

   private:
    WebhookReceiver& receiver_;
  };

  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(WebhookReceiver& receiver) : receiver_(receiver) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(receiver_);
    }

   private:
    WebhookReceiver& receiver_;
  };

  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Delivery> deliveries_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace guichet::sim::testing

#endif  // GUICHET_SIM_TESTS_WEBHOOK_RECEIVER_HPP
