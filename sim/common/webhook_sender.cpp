#include "common/webhook_sender.hpp"

#include "common/log.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/HMACEngine.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NullStream.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <stdexcept>

namespace guichet::sim {
namespace {

constexpr std::size_t max_queued = 1000;

// Poco 1.11's SHA2Engine lacks the BLOCK_SIZE and DIGEST_SIZE constants HMACEngine reads.
class Sha256Engine : public Poco::SHA2Engine {
 public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256Engine() : Poco::SHA2Engine(SHA_256) {}
};

}  // namespace

std::string sign_sha256(const std::string& body, const std::string& secret) {
  Poco::HMACEngine<Sha256Engine> hmac(secret);
  hmac.update(body);
  return "sha256=" + Poco::DigestEngine::digestToHex(hmac.digest());
}

WebhookSender::WebhookSender(const std::string& url, std::string secret, std::string signature_header,
                             std::string log_source)
    : secret_(std::move(secret)),
      signature_header_(std::move(signature_header)),
      log_source_(std::move(log_source)) {
  const Poco::URI uri(url);
  if (uri.getScheme() != "http" || uri.getHost().empty()) {
    throw std::invalid_argument("webhook url must be http://host:port/path");
  }
  host_ = uri.getHost();
  port_ = uri.getPort();
  path_ = uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery();
  thread_ = std::thread([this] { run(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WebhookSender::send(std::string label, std::string body) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queued) {
      log_line(log_source_, "webhook " + label + " dropped: queue full");
      return;
    }
    queue_.push_back({std::move(label), std::move(body)});
  }
  wake_.notify_one();
}

void WebhookSender::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Message message = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    post(message);
    lock.lock();
  }
}

void WebhookSender::post(const Message& message) {
  try {
    Poco::Net::HTTPClientSession session(host_, port_);
    session.setTimeout(Poco::Timespan(2, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path_,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json; charset=utf-8");
    request.set(signature_header_, sign_sha256(message.body, secret_));
    request.setContentLength(static_cast<std::streamsize>(message.body.size()));
    session.sendRequest(request) << message.body;
    Poco::Net::HTTPResponse response;
    Poco::NullOutputStream sink;
    Poco::StreamCopier::copyStream(session.receiveResponse(response), sink);
    log_line(log_source_, "webhook " + message.label + " -> " + std::to_string(response.getStatus()));
  } catch (const Poco::Exception& error) {
    log_line(log_source_, "webhook " + message.label + " failed: " + error.displayText());
  } catch (const std::exception& error) {
    log_line(log_source_, "webhook " + message.label + " failed: " + error.what());
  }
}

}  // namespace guichet::sim
