#include "guichet/test/pop3_server.hpp"

#include <Poco/Net/POP3ClientSession.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "guichet/test/net.hpp"
#include "guichet/test/paths.hpp"
#include "guichet/test/temp_dir.hpp"

namespace guichet::test {

namespace {

ChildProcess::Options pop3_options(const std::filesystem::path& work_dir, std::uint16_t port,
                                   const std::vector<std::string>& accounts) {
  ChildProcess::Options options;
  options.name = "pop3server";
  options.command = Paths::system_python();
  options.args = {(Paths::scripts_dir() / "pop3server").string(), "--data-dir", work_dir.string(),
                  "--port", std::to_string(port)};
  for (const auto& account : accounts) {
    options.args.push_back("--account");
    options.args.push_back(account);
  }
  options.log_file = work_dir / "pop3.log";
  return options;
}

}  // namespace

Pop3Server::Pop3Server(const std::filesystem::path& work_dir, const std::vector<std::string>& accounts)
    : work_dir_(work_dir), port_(free_port()), process_(pop3_options(work_dir, port_, accounts)) {
  // dovecot opens its listener only once its configuration is read and its services are up.
  process_.wait_for_port(port_);
}

std::string Pop3Server::password(const std::string& address) const {
  auto secrets = nlohmann::json::parse(read_file(work_dir_ / "secrets.json"));
  auto found = secrets.find("pop3." + address);
  if (found == secrets.end()) throw std::runtime_error("no POP3 password for an account");
  return found->get<std::string>();
}

std::vector<std::string> fetch_mail(const Pop3Server& server, const std::string& address, bool remove) {
  Poco::Net::POP3ClientSession session(server.host(), server.port());
  session.setTimeout(Poco::Timespan(10, 0));
  session.login(address, server.password(address));
  Poco::Net::POP3ClientSession::MessageInfoVec infos;
  session.listMessages(infos);
  std::vector<std::string> messages;
  for (const auto& info : infos) {
    std::ostringstream raw;
    session.retrieveMessage(info.id, raw);
    messages.push_back(raw.str());
    if (remove) session.deleteMessage(info.id);
  }
  session.close();
  return messages;
}

}  // namespace guichet::test
