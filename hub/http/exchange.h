// One HTTP exchange as the API sees it, independent of the server library: the routes are plain
// functions of a request, which is what lets them be tested without a socket.
#ifndef GUICHET_HUB_HTTP_EXCHANGE_H
#define GUICHET_HUB_HTTP_EXCHANGE_H

#include "hub/cases/api_error.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace guichet::http {

struct Request {
  std::string method;
  std::string path;                            // without the query string
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;

  static Response json(int status, const nlohmann::json& body) {
    return {status, "application/json", body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}};
  }
  static Response empty(int status) { return {status, "application/json", "", {}}; }
  // The contract's error body: {"error":{"code","message","field"}}.
  static Response error(const cases::ApiError& e) {
    nlohmann::json error{{"code", e.code()}, {"message", e.what()}};
    if (!e.field().empty()) error["field"] = e.field();
    return json(e.status(), {{"error", error}});
  }
};

}  // namespace guichet::http

#endif
