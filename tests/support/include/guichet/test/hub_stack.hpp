#pragma once
// HubStack: the whole of Guichet on loopback for one test — the mail server, the CAF and France
// Travail simulators and the hub — on free ports, with its own data directory and a department 95
// wired like config/departments/95.json (its five agency instances, pointed at these simulators).
// With email_agencies, also the POP3 server and the e-mail agencies' simulator, and the hub reads
// its own mailbox: the three e-mail agencies answer by mail.
//
// Ownership: the stack owns every process it starts and stops them all when destroyed.
// Thread-safety: none; drive it from the test's thread.
#include "guichet/test/child_process.hpp"
#include "guichet/test/http_client.hpp"
#include "guichet/test/mail_server.hpp"
#include "guichet/test/pop3_server.hpp"
#include "guichet/test/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace guichet::test {

struct HubStackOptions {
  int step_ms = 60000;  // how fast the simulated agencies move a request along
  int lease_s = 5;      // short, so a killed hub's deliveries are taken over quickly
  nlohmann::json retry = {{"initial_ms", 100}, {"multiplier", 2}, {"cap_ms", 1000}, {"max_attempts", 0}};
  std::filesystem::path plugin_dir;  // empty: the build's plugins
  // Changes department 95 (the shipped file, pointed at this stack) before the hub reads it.
  std::function<void(nlohmann::json&)> edit_department;
  bool email_agencies = false;
  int email_first_sequence = 1;  // the simulated agencies' first answer number (decisions follow it)
  // The hub config's "http" section. The tests poll faster than a référent clicks, so the
  // per-référent rate limit is off unless a test sets it.
  nlohmann::json http = {{"rate_per_minute", 0}};
  std::string log_level = "information";  // the hub config's log.level
};

class HubStack {
 public:
  explicit HubStack(HubStackOptions options = {});
  ~HubStack();
  HubStack(const HubStack&) = delete;
  HubStack& operator=(const HubStack&) = delete;

  // (Re)starts the hub on the same port and data directory and waits for /healthz.
  void start_hub();
  // SIGKILL: no chance to finish anything, as in a power cut of the process.
  void kill_hub();
  // SIGTERM, and waits for the hub to finish, as an operator stops it.
  void stop_hub();

  std::string url(const std::string& path) const;  // on the hub
  std::string token(const std::string& referent, const std::string& department = "95") const;
  // A client carrying `referent`'s token.
  HttpClient client(const std::string& referent) const;
  // What an agency simulator received: its /_received document ("caf" or "france_travail").
  nlohmann::json received(const std::string& agency) const;
  // A URL on an agency simulator ("caf" or "france_travail"), e.g. for POST /_faults.
  std::string agency_url(const std::string& agency, const std::string& path) const;
  Maildir maildir() const { return mail_->maildir(); }
  // The POP3 server; only with email_agencies.
  const Pop3Server& pop3() const { return *pop3_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  const std::filesystem::path& config_file() const { return config_file_; }
  std::string hub_log() const;

 private:
  HubStackOptions options_;
  TempDir dir_;
  std::filesystem::path data_dir_;
  std::filesystem::path config_file_;
  std::uint16_t hub_port_, caf_port_, ft_port_;
  std::optional<MailServer> mail_;
  std::optional<Pop3Server> pop3_;
  std::optional<ChildProcess> caf_, france_travail_, email_agencies_, hub_;
};

}  // namespace guichet::test
