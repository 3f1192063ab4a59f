#include "email_agencies/email_agencies_simulator.hpp"

#include "common/log.hpp"
#include "email_agencies/smtp_reply.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/POP3ClientSession.h>
#include <Poco/String.h>

#include <map>
#include <regex>
#include <sstream>

namespace guichet::sim::email {
namespace {

constexpr const char* kSource = "email_agencies";

struct Headers {
  std::string message_id, subject, reply_to, from;
};

std::string trim(const std::string& text) {
  std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The top-level header fields the agency needs, unfolded, the subject's RFC 2047 words decoded.
// (Poco's own header reader keeps the space between two encoded words, which RFC 2047 drops.)
Headers read_headers(const std::string& raw) {
  std::map<std::string, std::string> fields;
  std::string last;
  std::istringstream in(raw);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !last.empty()) {
      fields[last] += line;
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    last = Poco::toLower(line.substr(0, colon));
    if (fields.count(last) == 0) fields[last] = line.substr(colon + 1);
  }
  static const std::regex between_words(R"(\?=[ \t]+=\?)");
  Headers headers;
  headers.message_id = trim(fields["message-id"]);
  headers.subject = trim(Poco::Net::MessageHeader::decodeWord(std::regex_replace(fields["subject"], between_words, "?==?")));
  headers.reply_to = trim(fields["reply-to"]);
  headers.from = trim(fields["from"]);
  return headers;
}

// "guichet+GCH-7Q2XAB@guichet.local" from "Guichet <guichet+GCH-7Q2XAB@guichet.local>".
std::string bare_address(const std::string& field) {
  std::size_t open = field.find('<');
  std::size_t close = field.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return trim(field);
  return field.substr(open + 1, close - open - 1);
}

std::string correlation_of(const std::string& subject) {
  static const std::regex pattern(R"(\[(GCH-[A-Za-z0-9]+)\])");
  std::smatch match;
  return std::regex_search(subject, match, pattern) ? match[1].str() : std::string();
}

std::string answer_subject(const std::string& subject) {
  return subject.rfind("Re:", 0) == 0 ? subject : "Re: " + subject;
}

bool is_withdrawal(const std::string& subject) {
  return subject.find("Retrait de la demande") != std::string::npos;
}

bool is_answer(const std::string& subject) {
  return subject.find("Réponse à votre demande d'information") != std::string::npos;
}

std::string domain_of(const std::string& address) { return address.substr(address.find('@') + 1); }

}  // namespace

EmailAgenciesSimulator::EmailAgenciesSimulator(EmailAgenciesSettings settings) : settings_(std::move(settings)) {
  for (const auto& account : settings_.accounts) agencies_.push_back(Agency{account, account.first_sequence - 1, {}, {}, {}});
}

EmailAgenciesSimulator::~EmailAgenciesSimulator() { stop(); }

void EmailAgenciesSimulator::start() {
  task_ = std::make_unique<PeriodicTask>(settings_.poll_period, [this] { tick(); });
}

void EmailAgenciesSimulator::stop() { task_.reset(); }

std::string EmailAgenciesSimulator::ready_message() const {
  return "answering " + std::to_string(agencies_.size()) + " mailbox(es) from POP3 127.0.0.1:" +
         std::to_string(settings_.pop3_port) + " by SMTP 127.0.0.1:" + std::to_string(settings_.smtp_port);
}

void EmailAgenciesSimulator::tick() {
  for (auto& agency : agencies_) {
    read_mailbox(agency);
    send_due_decisions(agency);
  }
}

void EmailAgenciesSimulator::read_mailbox(Agency& agency) {
  try {
    Poco::Net::POP3ClientSession session("127.0.0.1", settings_.pop3_port);
    session.setTimeout(Poco::Timespan(10, 0));
    session.login(agency.account.address, agency.account.password);
    Poco::Net::POP3ClientSession::MessageInfoVec messages;
    session.listMessages(messages);
    for (const auto& info : messages) {
      std::ostringstream raw;
      session.retrieveMessage(info.id, raw);
      Headers headers = read_headers(raw.str());
      std::string reply_to = bare_address(headers.reply_to.empty() ? headers.from : headers.reply_to);
      bool answered = is_withdrawal(headers.subject) ? answer_withdrawal(agency, headers.message_id, headers.subject, reply_to)
                      : is_answer(headers.subject)   ? take_answer(agency, headers.message_id, headers.subject)
                                                     : answer_request(agency, headers.message_id, headers.subject, reply_to);
      if (answered) session.deleteMessage(info.id);
    }
    session.close();  // QUIT: the deletions take effect
  } catch (const Poco::Exception& error) {
    log_line(kSource, "mailbox " + agency.account.prefix + " not read: " + error.className());
  }
}

bool EmailAgenciesSimulator::answer_request(Agency& agency, const std::string& message_id,
                                            const std::string& subject, const std::string& reply_to) {
  auto [it, fresh] = agency.requests.try_emplace(message_id);
  Request& request = it->second;
  if (fresh) {
    request.sequence = ++agency.last_sequence;
    request.reference = agency_reference(agency.account.prefix, request.sequence);
    request.correlation = correlation_of(subject);
    request.reply_to = reply_to;
    request.subject = subject;
    request.message_id = message_id;
  } else if (request.acknowledged) {
    log_line(kSource, "request " + request.reference + " received again message-id=" + message_id + ": ignored");
    return true;
  }
  request.acknowledged = send(agency, request.reply_to, request.subject, message_id, "ack-" + request.reference,
                              acknowledgement_text(agency.account.kind, request.reference));
  if (request.acknowledged) {
    request.decision_due = std::chrono::steady_clock::now() + settings_.step;
    log_line(kSource, "request " + request.reference + " acknowledged message-id=" + message_id);
  }
  return request.acknowledged;
}

bool EmailAgenciesSimulator::answer_withdrawal(Agency& agency, const std::string& message_id,
                                               const std::string& subject, const std::string& reply_to) {
  if (agency.withdrawals[message_id]) return true;
  std::string correlation = correlation_of(subject);
  std::string reference;
  for (auto& [id, request] : agency.requests) {
    if (!correlation.empty() && request.correlation == correlation) {
      request.decided = true;  // a withdrawn request gets no decision
      reference = request.reference;
    }
  }
  std::string id_part = "retrait-" + (reference.empty() ? std::to_string(agency.withdrawals.size()) : reference);
  bool sent = send(agency, reply_to, subject, message_id, id_part, withdrawal_text(agency.account.kind, reference));
  agency.withdrawals[message_id] = sent;
  if (sent) log_line(kSource, "withdrawal acknowledged reference=" + (reference.empty() ? "unknown" : reference));
  return sent;
}

bool EmailAgenciesSimulator::take_answer(Agency& agency, const std::string& message_id, const std::string& subject) {
  if (agency.answers[message_id]) return true;  // a resent copy
  std::string correlation = correlation_of(subject);
  for (auto& [id, request] : agency.requests) {
    if (correlation.empty() || request.correlation != correlation || request.answered) continue;
    if (decision_for(request.sequence) != Decision::question || !request.decided) continue;
    request.answered = true;
    request.decided = false;
    request.decision_due = std::chrono::steady_clock::now() + settings_.step;
    log_line(kSource, "request " + request.reference + " answer taken message-id=" + message_id);
  }
  agency.answers[message_id] = true;
  return true;
}

void EmailAgenciesSimulator::send_due_decisions(Agency& agency) {
  auto now = std::chrono::steady_clock::now();
  for (auto& [id, request] : agency.requests) {
    if (!request.acknowledged || request.decided || request.decision_due > now) continue;
    Decision decision = request.answered ? Decision::accepted : decision_for(request.sequence);
    request.decided = send(agency, request.reply_to, request.subject, request.message_id,
                           (request.answered ? "decision-after-answer-" : "decision-") + request.reference,
                           decision_text(agency.account.kind, decision, request.reference));
    if (request.decided) {
      log_line(kSource, "request " + request.reference + " answered: " + decision_name(decision));
    }
  }
}

bool EmailAgenciesSimulator::send(const Agency& agency, const std::string& to, const std::string& subject,
                                  const std::string& in_reply_to, const std::string& id_part,
                                  const std::string& text) {
  Reply reply{agency.account.address, to, answer_subject(subject),
              "<" + id_part + "@" + domain_of(agency.account.address) + ">", in_reply_to, text};
  try {
    send_reply(settings_.smtp_port, reply);
    return true;
  } catch (const Poco::Exception& error) {
    log_line(kSource, "reply " + id_part + " not sent: " + error.className());
    return false;
  }
}

}  // namespace guichet::sim::email
