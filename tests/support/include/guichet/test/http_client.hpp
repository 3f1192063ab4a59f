#pragma once
// HttpClient: a plain HTTP/1.1 client (Poco HTTPClientSession) for servers the test started on
// loopback. One connection per request, no pooling and no retries: each call shows exactly what
// the server answered to that one request. Network errors (refused, timed out) throw
// std::runtime_error naming the method and URL; any HTTP status, 4xx and 5xx included, is returned.
//
// Thread-safety: request() and its shorthands are const and may run from several threads at once
// (they share no connection); set_default_header() and set_bearer() must not race with them.

#include <chrono>
#include <string>
#include <string_view>

#include "guichet/test/headers.hpp"

namespace guichet::test {

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;

  std::string header(std::string_view name) const { return header_value(headers, name); }
};

class HttpClient {
 public:
  explicit HttpClient(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Sent with every request unless the call passes the same header itself.
  void set_default_header(std::string name, std::string value);
  void set_bearer(std::string_view token);  // Authorization: Bearer <token>

  // url: http://host:port/path?query. A non-empty body without Content-Type is sent as
  // application/json.
  HttpResponse request(std::string_view method, const std::string& url, const std::string& body = {},
                       const Headers& headers = {}) const;
  HttpResponse get(const std::string& url, const Headers& headers = {}) const;
  HttpResponse post(const std::string& url, const std::string& body, const Headers& headers = {}) const;
  HttpResponse del(const std::string& url, const Headers& headers = {}) const;

 private:
  std::chrono::milliseconds timeout_;
  Headers defaults_;
};

}  // namespace guichet::test
