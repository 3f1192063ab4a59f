#include "guichet/test/mail_server.hpp"

#include <unistd.h>

#include "guichet/test/net.hpp"
#include "guichet/test/paths.hpp"

namespace guichet::test {

namespace {

ChildProcess::Options mail_server_options(const std::filesystem::path& work_dir, std::uint16_t port,
                                          const std::filesystem::path& maildir_root) {
  ChildProcess::Options options;
  options.name = "mailserver";
  options.command = Paths::system_python();
  options.args = {(Paths::scripts_dir() / "mailserver").string(),
                  "--host",
                  "127.0.0.1",
                  "--port",
                  std::to_string(port),
                  "--maildir",
                  maildir_root.string(),
                  "--ready-file",
                  (work_dir / "mailserver.ready").string()};
  // Dovecot will not read mail as root: as root, the Maildirs go to Debian's "mail" account, which
  // a Pop3Server on the same work_dir reads them as (scripts/pop3server).
  if (geteuid() == 0) {
    options.args.insert(options.args.end(), {"--owner", "mail"});
  }
  options.log_file = work_dir / "mailserver.log";
  // Unbuffered, so the log is complete the moment a test reads it.
  options.env = {{"PYTHONUNBUFFERED", "1"}};
  return options;
}

}  // namespace

MailServer::MailServer(const std::filesystem::path& work_dir)
    : port_(free_port()),
      maildir_root_(work_dir / "mail"),
      process_(mail_server_options(work_dir, port_, maildir_root_)) {
  // The ready file is written only after aiosmtpd has answered its own test connection, which a
  // bare port check cannot tell apart from a socket that is bound but not yet serving.
  process_.wait_for_file(work_dir / "mailserver.ready");
}

}  // namespace guichet::test
