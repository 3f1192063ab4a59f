// Posts signed webhook notifications from a background thread, best effort: one attempt each, no
// retry, and a full queue drops the newest. The receiver checks the signature header,
// "sha256=<hex HMAC-SHA256 of the body with the shared secret>".
//
// Thread-safety: send() may be called from any thread.
#ifndef GUICHET_SIM_COMMON_WEBHOOK_SENDER_HPP
#define GUICHET_SIM_COMMON_WEBHOOK_SENDER_HPP

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace guichet::sim {

// "sha256=" followed by the lowercase hex HMAC-SHA256 of `body` under `secret`.
std::string sign_sha256(const std::string& body, const std::string& secret);

class WebhookSender {
 public:
  // `url` must be http://; throws std::invalid_argument otherwise.
  WebhookSender(const std::string& url, std::string secret, std::string signature_header,
                std::string log_source);
  // Drops what is still queued; waits for a post in flight (bounded by its 2 s timeouts).
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Queues `body`; `label` identifies it in logs and must carry no personal data.
  void send(std::string label, std::string body);

 private:
  struct Message {
    std::string label;
    std::string body;
  };

  void run();
  void post(const Message& message);

  std::string host_;
  unsigned short port_ = 0;
  std::string path_;
  const std::string secret_;
  const std::string signature_header_;
  const std::string log_source_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Message> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_WEBHOOK_SENDER_HPP
