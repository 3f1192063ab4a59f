// Agency callbacks on POST /v1/inbound/{instance}. The connector decides whether the call is
// authentic (it knows the agency's signature scheme); the hub never trusts an unverified call.
#ifndef GUICHET_HUB_INBOUND_WEBHOOKS_H
#define GUICHET_HUB_INBOUND_WEBHOOKS_H

#include "hub/connectors/registry.h"
#include "hub/domain/time.h"
#include "hub/store/store.h"

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
  Webhooks(store::Store& store, connectors::Registry& registry, Clock clock);
  WebhookResult handle(const std::string& instance, const WebhookCall& call);

 private:
  store::Store& store_;
  connectors::Registry& registry_;
  Clock clock_;
};

}  // namespace guichet::inbound

#endif
