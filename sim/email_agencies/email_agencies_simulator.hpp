// `guichet-sim email_agencies`: the SIAO, the childcare service and the victim-support
// association as people reading their mailbox. Every poll period it logs in to each agency's
// mailbox over POP3, answers each new request by SMTP to its Reply-To (an acknowledgement with the
// agency's reference at once, the decision a step later; see replies.hpp), and deletes what it
// has answered. A référent's answer to a question is decided again a step later: accepted. A resent copy of a request (same Message-ID) is deleted without a second answer.
// Logs carry references and Message-IDs only. A mail server or POP3 server that is down is retried
// at the next poll; nothing answered is lost.
#ifndef GUICHET_SIM_EMAIL_AGENCIES_EMAIL_AGENCIES_SIMULATOR_HPP
#define GUICHET_SIM_EMAIL_AGENCIES_EMAIL_AGENCIES_SIMULATOR_HPP

#include "common/periodic_task.hpp"
#include "common/simulator.hpp"
#include "email_agencies/accounts.hpp"
#include "email_agencies/replies.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace guichet::sim::email {

struct EmailAgenciesSettings {
  std::uint16_t pop3_port = 1110;
  std::uint16_t smtp_port = 2525;
  std::vector<AgencyAccount> accounts;
  std::chrono::milliseconds step{3000};       // acknowledgement → decision
  std::chrono::milliseconds poll_period{1000};
};

class EmailAgenciesSimulator : public Simulator {
 public:
  explicit EmailAgenciesSimulator(EmailAgenciesSettings settings);
  ~EmailAgenciesSimulator() override;

  void start() override;
  void stop() override;
  std::uint16_t port() const override { return settings_.pop3_port; }
  std::string ready_message() const override;

 private:
  // One request mail an agency received, from its first reading to its decision.
  struct Request {
    int sequence = 0;
    std::string reference;
    std::string correlation;  // the hub's [GCH-...], to find it again on withdrawal
    std::string reply_to, subject, message_id;
    bool acknowledged = false;
    bool decided = false;     // decision sent, or no longer due (withdrawn)
    bool answered = false;    // the référent answered the agency's question: the next decision accepts
    std::chrono::steady_clock::time_point decision_due;
  };
  struct Agency {
    AgencyAccount account;
    int last_sequence = 0;
    std::map<std::string, Request> requests;  // by Message-ID
    std::map<std::string, bool> withdrawals;  // by Message-ID: acknowledged
    std::map<std::string, bool> answers;      // by Message-ID: taken
  };

  void tick();
  void read_mailbox(Agency& agency);
  // Whether the mail with these headers is answered (so it may be deleted).
  bool answer_request(Agency& agency, const std::string& message_id, const std::string& subject,
                      const std::string& reply_to);
  // The référent's answer to a question: the request is decided again, a step later, and accepted.
  bool take_answer(Agency& agency, const std::string& message_id, const std::string& subject);
  bool answer_withdrawal(Agency& agency, const std::string& message_id, const std::string& subject,
                         const std::string& reply_to);
  void send_due_decisions(Agency& agency);
  bool send(const Agency& agency, const std::string& to, const std::string& subject,
            const std::string& in_reply_to, const std::string& id_part, const std::string& text);

  EmailAgenciesSettings settings_;
  std::vector<Agency> agencies_;  // touched by the task's thread only
  std::unique_ptr<PeriodicTask> task_;
};

}  // namespace guichet::sim::email

#endif  // GUICHET_SIM_EMAIL_AGENCIES_EMAIL_AGENCIES_SIMULATOR_HPP
