#include "hub/connectors/tls.h"

#include <Poco/Net/NetSSL.h>
#include <Poco/Net/PrivateKeyPassphraseHandler.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>

namespace guichet::connectors {

Poco::Net::Context::Ptr client_tls_context() {
  static const Poco::Net::Context::Ptr context = [] {
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr created = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_RELAXED, 9, true);
    Poco::Net::SSLManager::instance().initializeClient(
        Poco::SharedPtr<Poco::Net::PrivateKeyPassphraseHandler>(),
        new Poco::Net::RejectCertificateHandler(false), created);
    return created;
  }();
  return context;
}

}  // namespace guichet::connectors
