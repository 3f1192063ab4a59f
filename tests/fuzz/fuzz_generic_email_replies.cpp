// The generic e-mail connector's reader of a partner's replies (on_email): the instance's own
// reply rules, here the manifest's example (regular expressions run over the partner's words).
#include "mail_reply_input.hpp"

namespace {

guichet::fuzz::Json settings() {
  guichet::fuzz::Json settings = guichet::fuzz::example_settings(MANIFEST_PATH);
  settings["_fields"] = {{"person", {"given_names", "birth_name", "phone"}}, {"situation", {"safe_channel"}}};
  return settings;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const guichet::fuzz::Json kSettings = settings();
  if (size == 0) return 0;
  guichet::fuzz::FuzzedConnector connector(kSettings, {});
  connector.call(connector.table().on_email, guichet::fuzz::mail_reply(data, size));
  return 0;
}
