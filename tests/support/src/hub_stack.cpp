#include "guichet/test/hub_stack.hpp"

#include "guichet/test/net.hpp"
#include "guichet/test/paths.hpp"

#include <fstream>
#include <set>
#include <stdexcept>

namespace guichet::test {
namespace {

using Json = nlohmann::json;

// The five agencies of the core pack. Partners added to the shipped department file need servers
// this stack does not start, so they are left out.
const std::set<std::string> kCorePlugins = {"caf", "france_travail", "housing", "childcare", "psych_support"};

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

HubStack::HubStack(HubStackOptions options)
    : options_(std::move(options)), dir_("guichet-stack"), hub_port_(free_port()), caf_port_(free_port()),
      ft_port_(free_port()) {
  data_dir_ = dir_ / "data";
  std::filesystem::create_directories(data_dir_);
  Json secrets = {{"caf-95.client_secret", "caf-client-secret-for-tests"},
                        {"caf-95.webhook_secret", "caf-webhook-secret-for-tests"},
                        {"france-travail-95.client_secret", "ft-client-secret-for-tests"}};
  write_file(data_dir_ / "secrets.json", secrets.dump());

  mail_.emplace(dir_.path());
  std::string shipped = read_file(Paths::config_dir() / "departments" / "95.json");
  shipped = replace_all(shipped, "127.0.0.1:18091", "127.0.0.1:" + std::to_string(caf_port_));
  shipped = replace_all(shipped, "127.0.0.1:18092", "127.0.0.1:" + std::to_string(ft_port_));
  Json department = Json::parse(shipped);
  Json core = Json::array();
  for (const auto& instance : department["instances"]) {
    if (kCorePlugins.count(instance.value("plugin", ""))) core.push_back(instance);
  }
  department["instances"] = core;
  if (options_.edit_department) options_.edit_department(department);
  write_file(dir_ / "departments" / "95.json", department.dump(2));

  Json mail = {{"smtp_host", "127.0.0.1"}, {"smtp_port", mail_->port()}};
  if (options_.email_agencies) {
    const std::string hub_mailbox = "guichet@guichet.local";
    std::vector<std::string> addresses = {hub_mailbox};
    Json accounts = Json::array();
    for (const auto& instance : department["instances"]) {
      std::string plugin = instance.value("plugin", "");
      if (!instance["settings"].contains("to")) continue;
      std::string address = instance["settings"]["to"];
      addresses.push_back(address);
      // The kinds scripts/lib.sh gives the demo's agencies: a CIDFF is told by its instance name.
      std::string kind = plugin == "housing" ? "siao" : plugin == "childcare" ? "childcare" : "association";
      if (instance.value("instance", "").find("cidff") != std::string::npos) kind = "cidff";
      accounts.push_back({{"address", address}, {"kind", kind}, {"prefix", kind == "siao" ? "SIAO-95" : "AG-95"},
                          {"first_sequence", options_.email_first_sequence}});
    }
    pop3_.emplace(dir_.path(), addresses);
    for (auto& account : accounts) account["password"] = pop3_->password(account["address"]);
    write_file(dir_ / "accounts.json", Json{{"accounts", accounts}}.dump(2));
    // The hub finds its mailbox's password where the demo keeps it: in its secrets file.
    secrets["pop3." + hub_mailbox] = pop3_->password(hub_mailbox);
    write_file(data_dir_ / "secrets.json", secrets.dump());
    mail["mailbox"] = hub_mailbox;
    mail["pop3"] = {{"host", "127.0.0.1"}, {"port", pop3_->port()}, {"interval_s", 1}};
    email_agencies_.emplace(ChildProcess::Options{
        Paths::binary("guichet-sim"),
        {"email_agencies", "--pop3-port", std::to_string(pop3_->port()), "--smtp-port", std::to_string(mail_->port()),
         "--accounts", (dir_ / "accounts.json").string(), "--step-ms", std::to_string(options_.step_ms), "--poll-ms",
         "200"},
        dir_ / "email_agencies.log",
        {},
        {},
        "email_agencies"});
    email_agencies_->wait_for_log("answering");
  }

  const Json config = {
      {"listen", {{"host", "127.0.0.1"}, {"port", hub_port_}}},
      {"data_dir", data_dir_.string()},
      {"plugin_dir", (options_.plugin_dir.empty() ? Paths::plugin_dir() : options_.plugin_dir).string()},
      {"departments_dir", (dir_ / "departments").string()},
      {"web_dir", (Paths::source_dir() / "hub" / "web").string()},
      {"mail", mail},
      {"dispatch", {{"workers", 2}, {"lease_s", options_.lease_s}, {"retry", options_.retry}}},
      {"http", options_.http},
      {"log", {{"level", options_.log_level}}}};
  config_file_ = dir_ / "guichet.json";
  write_file(config_file_, config.dump(2));

  auto simulator = [&](const std::string& agency, std::uint16_t port, std::vector<std::string> extra) {
    std::vector<std::string> args = {agency, "--port", std::to_string(port), "--client-id", "guichet-95",
                                     "--step-ms", std::to_string(options_.step_ms)};
    args.insert(args.end(), extra.begin(), extra.end());
    ChildProcess::Options o{Paths::binary("guichet-sim"), args, dir_ / (agency + ".log"), {}, {}, agency};
    return o;
  };
  caf_.emplace(simulator("caf", caf_port_,
                         {"--client-secret", secrets["caf-95.client_secret"], "--webhook-url",
                          url("/v1/inbound/caf-95"), "--webhook-secret", secrets["caf-95.webhook_secret"]}));
  france_travail_.emplace(
      simulator("france_travail", ft_port_, {"--client-secret", secrets["france-travail-95.client_secret"]}));
  caf_->wait_for_port(caf_port_);
  france_travail_->wait_for_port(ft_port_);
  start_hub();
}

HubStack::~HubStack() = default;

void HubStack::start_hub() {
  hub_.reset();
  hub_.emplace(ChildProcess::Options{Paths::binary("guichet"),
                                     {"serve", "--config", config_file_.string()},
                                     dir_ / "hub.log",
                                     {},
                                     {},
                                     "guichet"});
  hub_->wait_for_http(url("/healthz"));
}

void HubStack::kill_hub() {
  if (hub_) hub_->kill9();
}

void HubStack::stop_hub() {
  if (hub_) hub_->terminate();
}

std::string HubStack::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(hub_port_) + path;
}

std::string HubStack::token(const std::string& referent, const std::string& department) const {
  std::filesystem::path out = dir_ / ("token-" + referent + ".txt");
  ChildProcess minting({Paths::binary("guichet"),
                        {"token", "--config", config_file_.string(), "--referent", referent, "--department", department},
                        out, {}, {}, "guichet token"});
  if (minting.wait_for_exit() != 0) throw std::runtime_error("guichet token failed: " + minting.log_tail());
  std::string text = read_file(out);
  return text.substr(0, text.find('\n'));
}

HttpClient HubStack::client(const std::string& referent) const {
  HttpClient http;
  http.set_bearer(token(referent));
  return http;
}

Json HubStack::received(const std::string& agency) const {
  HttpResponse answer = HttpClient().get(agency_url(agency, "/_received"));
  return Json::parse(answer.body);
}

std::string HubStack::agency_url(const std::string& agency, const std::string& path) const {
  std::uint16_t port = agency == "caf" ? caf_port_ : ft_port_;
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

std::string HubStack::hub_log() const { return hub_ ? hub_->log() : std::string(); }

}  // namespace guichet::test
