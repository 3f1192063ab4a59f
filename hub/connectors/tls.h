// The one TLS client context of the hub's host services (HTTPS and SMTP STARTTLS).
#ifndef GUICHET_HUB_CONNECTORS_TLS_H
#define GUICHET_HUB_CONNECTORS_TLS_H

#include <Poco/Net/Context.h>

namespace guichet::connectors {

// System CAs and peer verification. Made on first use, together with Poco's SSL initialisation and
// an SSLManager client certificate handler that rejects what verification refuses: without one,
// Poco would look for it in an Application's configuration, which the hub may not have.
Poco::Net::Context::Ptr client_tls_context();

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_TLS_H
