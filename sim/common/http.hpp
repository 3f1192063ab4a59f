// The request and response types every simulator handler works with. They carry plain values so
// handlers and the idempotency ledger never touch Poco's streaming objects.
#ifndef GUICHET_SIM_COMMON_HTTP_HPP
#define GUICHET_SIM_COMMON_HTTP_HPP

#include <nlohmann/json.hpp>
#include <Poco/Net/NameValueCollection.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace guichet::sim {

// Responses keep the key order of the protocol spec, which makes them easier to read in logs.
using Json = nlohmann::ordered_json;

struct Request {
  std::string method;
  std::string path;                          // decoded, without the query string
  std::map<std::string, std::string> query;  // decoded
  Poco::Net::NameValueCollection headers;    // case-insensitive names
  std::string body;
  std::map<std::string, std::string> params;  // filled by the router from "{name}" segments
  nlohmann::json json;                        // the parsed body of API calls, null when empty

  std::string header(const std::string& name) const { return headers.get(name, ""); }
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the server sends nothing and holds the connection until the client gives up.
  bool withhold = false;
  // When set, the status and headers go at once and the body one byte every 500 ms.
  bool trickle = false;

  static Response json(int status, const Json& body) {
    return {status, body.dump(-1, ' ', false, Json::error_handler_t::replace), {}, false, false};
  }
  static Response error(int status, const std::string& code) {
    return json(status, Json{{"error", code}});
  }
  bool ok() const { return status >= 200 && status < 300; }
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_HTTP_HPP
