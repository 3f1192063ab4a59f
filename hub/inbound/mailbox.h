// Reads the hub's mailbox over POP3 (Poco's POP3ClientSession; implicit TLS when configured) on
// an interval, hands each mail to MailIntake, and deletes it only once its effect is stored: a
// crash or a store failure leaves it in the mailbox, to be taken again (with no second effect).
//
// Thread-safety: start/stop from one thread; read_now() may be called from any thread.
#ifndef GUICHET_HUB_INBOUND_MAILBOX_H
#define GUICHET_HUB_INBOUND_MAILBOX_H

#include "hub/inbound/mail_intake.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace guichet::inbound {

struct MailboxSettings {
  std::string host = "127.0.0.1";
  int port = 1110;
  bool tls = false;          // POP3S: TLS from the first byte, the server's certificate verified
  std::string username;      // the mailbox's login, usually its address
  std::string password_secret;  // the name of its password in the secrets file
  int interval_ms = 10000;
  int timeout_ms = 10000;
};

// For metrics: called with to_string(effect) for each mail taken, or "read_error" for a round
// that could not read the mailbox.
using MailboxObserver = std::function<void(const std::string& outcome)>;

class Mailbox {
 public:
  using SecretLookup = std::function<std::optional<std::string>(const std::string& name)>;

  Mailbox(MailboxSettings settings, MailIntake& intake, SecretLookup secret, MailboxObserver observer = {});
  ~Mailbox();
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  void start();
  void stop();
  // One round: takes every mail waiting. Returns how many left the mailbox. Throws
  // Poco::Exception when the server cannot be reached or refuses the login.
  int read_now();

 private:
  void run();

  MailboxSettings settings_;
  MailIntake& intake_;
  SecretLookup secret_;
  MailboxObserver observer_;

  std::mutex round_;  // one POP3 session at a time: a mailbox is locked by the server while open
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace guichet::inbound

#endif
