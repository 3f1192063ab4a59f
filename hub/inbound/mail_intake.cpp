#include "hub/inbound/mail_intake.h"

#include "hub/inbound/agency_events.h"
#include "hub/inbound/inbound_mail.h"

#include <Poco/Logger.h>
#include <Poco/SHA2Engine.h>
#include <Poco/String.h>

namespace guichet::inbound {
namespace {

using Json = nlohmann::json;

// The idempotency key inside a Message-ID the hub wrote ("<key@domain>"); a withdrawal's key is
// its delivery's plus "-withdraw", an answer's its delivery's plus "-answer-<ms>".
std::string delivery_key_of(const std::string& message_id) {
  if (message_id.size() < 3 || message_id.front() != '<') return {};
  std::string key = message_id.substr(1, message_id.find('@') == std::string::npos ? std::string::npos
                                                                                     : message_id.find('@') - 1);
  constexpr std::string_view kWithdraw = "-withdraw";
  if (key.size() > kWithdraw.size() && key.compare(key.size() - kWithdraw.size(), kWithdraw.size(), kWithdraw) == 0) {
    key.resize(key.size() - kWithdraw.size());
  }
  if (auto answer = key.rfind("-answer-"); answer != std::string::npos && answer > 0 &&
      key.find_first_not_of("0123456789", answer + 8) == std::string::npos && key.size() > answer + 8) {
    key.resize(answer);
  }
  return key;
}

std::string digest(std::string_view raw) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(raw.data(), static_cast<unsigned>(raw.size()));
  return "sha256:" + Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace

const char* to_string(MailEffect effect) {
  switch (effect) {
    case MailEffect::events: return "events";
    case MailEffect::review: return "review";
    case MailEffect::bounced: return "bounced";
    case MailEffect::ignored: return "ignored";
  }
  return "ignored";
}

MailIntake::MailIntake(store::Store& store, connectors::Registry& registry, review::ReviewQueue& review,
                       std::string mailbox, Clock clock)
    : store_(store), registry_(registry), review_(review), mailbox_(std::move(mailbox)), clock_(std::move(clock)) {}

MailEffect MailIntake::take(std::string_view raw) {
  if (auto report = parse_delivery_report(raw)) return take_bounce(*report);

  InboundMail mail = parse_inbound_mail(raw);
  review::IncomingMail incoming;
  incoming.mail_id = mail.message_id.empty() ? digest(raw) : mail.message_id;
  incoming.from = mail.from;
  incoming.subject = mail.subject;
  incoming.text = mail.text;

  std::string delivery_key;
  for (const auto& ref : mail.refs) {
    if (delivery_key.empty()) delivery_key = delivery_key_of(ref);
  }
  incoming.request = store_.match_mail(correlation_of(mail, mailbox_), delivery_key);
  if (!incoming.request) {
    guess_sender(mail.from, incoming);
    return review_.add(incoming) ? MailEffect::review : MailEffect::ignored;
  }

  const store::RequestContext& request = *incoming.request;
  auto instance = registry_.find(request.instance);
  if (instance && instance->has_capability("on_email")) {
    try {
      Json answer = instance->on_email(
          {{"from", mail.from},
           {"subject", mail.subject},
           {"text", mail.text},
           {"headers", {{"message-id", mail.message_id}}},
           {"request", {{"request_id", request.request_id}, {"agency_reference", request.agency_reference},
                        {"state", request.state}}}});
      Json events = answer.is_object() ? answer.value("events", Json::array()) : Json::array();
      bool unsure = answer.is_object() && answer.value("review", false);
      if (answer.is_object() && answer.contains("summary") && answer["summary"].is_string()) {
        incoming.summary = answer["summary"].get<std::string>();
      }
      if (!unsure && events.is_array() && !events.empty()) {
        // A reply speaks of the request it answers, whatever the connector read in it.
        for (auto& event : events) {
          if (event.is_object()) event["request_id"] = request.request_id;
        }
        ApplyResult result = apply_events(store_, request.instance, events, "email", clock_());
        if (result.invalid == 0) return MailEffect::events;
        incoming.summary = "le connecteur a lu un état inconnu";
      }
    } catch (const std::exception&) {
      // The connector could not read it: a person will.
      Poco::Logger::get("mailbox").warning("request %s: connector %s could not read a reply", request.request_id,
                                           request.instance);
    }
  }
  return review_.add(incoming) ? MailEffect::review : MailEffect::ignored;
}

MailEffect MailIntake::take_bounce(const DeliveryReport& report) {
  // "delayed" and "delivered" reports change nothing: the mail server keeps trying, or succeeded.
  if (report.action != "failed") return MailEffect::ignored;
  auto request = store_.match_mail("", delivery_key_of(report.original_message_id));
  if (!request) return MailEffect::ignored;
  // The status and the server's diagnostic name the agency's address at most, never the victim.
  std::string reason = "courriel non distribué (" + report.status + ")";
  if (!report.diagnostic.empty()) reason += " : " + report.diagnostic.substr(0, 300);
  if (!store_.fail_request(request->request_id, format_time(clock_()), reason)) return MailEffect::ignored;
  Poco::Logger::get("mailbox").warning("request %s: mail bounced (%s)", request->request_id, report.status);
  return MailEffect::bounced;
}

void MailIntake::guess_sender(const std::string& address, review::IncomingMail& mail) const {
  if (address.empty()) return;
  for (const auto& report : registry_.instances()) {
    const connectors::InstanceConfig* config = registry_.config(report.instance);
    if (!config || !config->settings.is_object()) continue;
    auto to = config->settings.find("to");
    if (to != config->settings.end() && to->is_string() && Poco::icompare(to->get<std::string>(), address) == 0) {
      mail.instance = report.instance;
      mail.department = report.departments.empty() ? config->department : report.departments.front();
      return;
    }
  }
}

}  // namespace guichet::inbound
