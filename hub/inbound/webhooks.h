// Agency callbacks on POST /v1/inbound/{instance}. The connector decides whether the call is
// authentic (it knows the agency's signature scheme); the hub never trusts an unverified call.
#ifndef GUICHET_HUB_INBOUND_WEBHOOKS_H
#define GUICHET_HUB_INBOUND_WEBHOOKS_H

#include "hub/connectors/registry.h"
#include "hub/domain/time.h"
#include "hub/store/store.h"

#include <functional>
#include <map>
#include <string>

namespace guichet::inbound {

struct WebhookCall {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

enum class WebhookResult { accepted, unauthenticated, unknown_instance };

class Webhooks {
 public:
  // Asks for an immediate poll of an instance: some agencies' webhooks are unsigned hints that
  // something changed (Démarches Simplifiées), to be confirmed by asking the agency itself.
  using PollNow = std::function<void(const std::string& instance)>;

  Webhooks(store::Store& store, connectors::Registry& registry, Clock clock, PollNow poll_now = {});
  WebhookResult handle(const std::string& instance, const WebhookCall& call);

 private:
  store::Store& store_;
  connectors::Registry& registry_;
  Clock clock_;
  PollNow poll_now_;
};

}  // namespace guichet::inbound

#endif
