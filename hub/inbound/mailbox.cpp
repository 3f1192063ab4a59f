#include "hub/inbound/mailbox.h"

#include "hub/connectors/tls.h"
#include "hub/store/store.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/POP3ClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <memory>
#include <sstream>

namespace guichet::inbound {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("mailbox"); }

std::unique_ptr<Poco::Net::POP3ClientSession> connect(const MailboxSettings& s) {
  std::unique_ptr<Poco::Net::POP3ClientSession> session;
  if (s.tls) {
    Poco::Net::SecureStreamSocket socket(Poco::Net::SocketAddress(s.host, static_cast<Poco::UInt16>(s.port)),
                                         s.host, connectors::client_tls_context());
    session = std::make_unique<Poco::Net::POP3ClientSession>(socket);
  } else {
    session = std::make_unique<Poco::Net::POP3ClientSession>(s.host, static_cast<Poco::UInt16>(s.port));
  }
  session->setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(s.timeout_ms) * 1000));
  return session;
}

}  // namespace

Mailbox::Mailbox(MailboxSettings settings, MailIntake& intake, SecretLookup secret, MailboxObserver observer)
    : settings_(std::move(settings)), intake_(intake), secret_(std::move(secret)), observer_(std::move(observer)) {}

Mailbox::~Mailbox() { stop(); }

void Mailbox::start() {
  std::lock_guard lock(mutex_);
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Mailbox::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Mailbox::run() {
  while (true) {
    try {
      read_now();
    } catch (const std::exception& e) {
      // Server down or login refused: the mail waits on the server; the next round tries again.
      logger().warning("cannot read the mailbox: %s", std::string(e.what()));
      if (observer_) observer_("read_error");
    }
    std::unique_lock lock(mutex_);
    if (wakeup_.wait_for(lock, std::chrono::milliseconds(settings_.interval_ms), [&] { return stopping_; })) return;
  }
}

int Mailbox::read_now() {
  std::lock_guard round(round_);
  auto password = secret_(settings_.password_secret);
  if (!password) throw std::runtime_error("no secret named " + settings_.password_secret);
  auto session = connect(settings_);
  session->login(settings_.username, *password);
  Poco::Net::POP3ClientSession::MessageInfoVec messages;
  session->listMessages(messages);
  int taken = 0;
  for (const auto& info : messages) {
    std::ostringstream raw;
    session->retrieveMessage(info.id, raw);
    MailEffect effect;
    try {
      effect = intake_.take(raw.str());
    } catch (const store::StoreUnavailable&) {
      // Nothing stored: this mail and the ones after it stay for the next round. The session's
      // QUIT (its destructor) still removes the mails deleted so far, whose effect is stored.
      throw;
    } catch (const std::exception&) {
      // A mail the hub cannot take stays in the mailbox, where a person can see it; the others
      // must not wait behind it. The exception's text is not logged: it may quote the mail.
      logger().error("mail %d of the mailbox cannot be taken", info.id);
      if (observer_) observer_("unreadable");
      continue;
    }
    session->deleteMessage(info.id);
    ++taken;
    logger().debug("mail %d of the mailbox taken: %s", info.id, std::string(to_string(effect)));
    if (observer_) observer_(to_string(effect));
  }
  // QUIT: the server removes the deleted mails now, and only now.
  session->close();
  if (taken) logger().information("%d mail(s) taken from the mailbox", taken);
  return taken;
}

}  // namespace guichet::inbound
