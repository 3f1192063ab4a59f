// The reader of an agency's reply shared by the connectors whose agency answers by mail (housing,
// childcare, psych_support): connectors::MailConnector::on_email, final in the base class, reads
// them all by the same French keyword rules (plugins/common/src/mail_reply.cpp). The housing
// connector is compiled in to drive it.
#include "mail_reply_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const guichet::fuzz::Json kSettings = guichet::fuzz::example_settings(MANIFEST_PATH);
  if (size == 0) return 0;
  guichet::fuzz::FuzzedConnector connector(kSettings, {});
  connector.call(connector.table().on_email, guichet::fuzz::mail_reply(data, size));
  return 0;
}
