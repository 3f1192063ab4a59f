#include "hub/http/api.h"

#include "hub/http/json_body.h"

#include <Poco/Logger.h>
#include <Poco/SHA2Engine.h>

#include <fstream>
#include <sstream>

namespace guichet::http {
namespace {

using cases::ApiError;
using Json = nlohmann::json;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '/')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// 429 with the delay for the Retry-After header; thrown before a route stores anything.
class RateLimited : public ApiError {
 public:
  explicit RateLimited(int retry_after_s)
      : ApiError(429, "rate_limited", "too many requests for this référent; retry after the Retry-After delay"),
        retry_after_s_(retry_after_s) {}
  int retry_after_s() const { return retry_after_s_; }

 private:
  int retry_after_s_;
};

ApiError method_not_allowed() { return ApiError(405, "invalid_request", "method not allowed for this path"); }

std::string sha256(const std::string& text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(text);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

int parse_limit(const Request& request) {
  auto it = request.query.find("limit");
  if (it == request.query.end()) return 50;
  try {
    size_t used = 0;
    int limit = std::stoi(it->second, &used);
    if (used == it->second.size()) return limit;
  } catch (const std::exception&) {
  }
  throw ApiError::invalid("limit", "must be a whole number from 1 to 200");
}

std::string content_type_of(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"},
      {".json", "application/json"}};
  auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

Response Api::handle(const Request& request) const {
  try {
    return route(request);
  } catch (const RateLimited& e) {
    Response response = Response::error(e);
    response.headers["Retry-After"] = std::to_string(e.retry_after_s());
    return response;
  } catch (const ApiError& e) {
    return Response::error(e);
  } catch (const std::exception& e) {
    Poco::Logger::get("http").error("%s %s: internal error: %s", request.method, request.path, std::string(e.what()));
    return Response::error(ApiError(500, "internal", "internal error; nothing was changed"));
  }
}

Response Api::route(const Request& request) const {
  const auto parts = split_path(request.path);
  if (request.path == "/healthz") return Response::json(200, {{"status", "ok"}});
  if (request.path == "/metrics") {
    if (request.method != "GET") throw method_not_allowed();
    return {200, "text/plain; version=0.0.4", d_.metrics.render(), {}};
  }
  if (request.method == "GET" && (request.path == "/" || (parts.size() >= 2 && parts[0] == "ui"))) {
    std::string relative = request.path == "/" ? "index.html" : request.path.substr(4);
    return static_file(relative);
  }
  if (parts.size() == 3 && parts[0] == "v1" && parts[1] == "inbound") {
    if (request.method != "POST") throw method_not_allowed();
    return inbound(request, parts[2]);
  }
  if (parts.empty() || parts[0] != "v1") throw ApiError(404, "not_found", "no such path");
  if (parts.size() >= 2 && parts[1] == "cases") return cases(request, parts);
  if (parts.size() >= 2 && parts[1] == "review") return review(request, parts);
  if (parts.size() == 2 && parts[1] == "connectors") {
    authenticate(request);
    if (request.method != "GET") throw method_not_allowed();
    return connectors();
  }
  throw ApiError(404, "not_found", "no such path");
}

cases::Principal Api::authenticate(const Request& request) const {
  cases::Principal who = d_.tokens.verify(request.header("authorization"));
  if (int wait_s = d_.limiter.take(who.referent)) throw RateLimited(wait_s);
  return who;
}

Response Api::cases(const Request& request, const std::vector<std::string>& parts) const {
  cases::Principal who = authenticate(request);
  const std::string& method = request.method;
  if (parts.size() == 2) {
    if (method == "POST") {
      Json body = parse_json_body(request.body);
      std::optional<std::string> key;
      if (request.headers.count("idempotency-key")) key = request.header("idempotency-key");
      cases::Answer answer = d_.cases.create(who, body, sha256(request.body), key);
      Response response{answer.status, "application/json", answer.body, {}};
      if (!answer.case_id.empty()) response.headers["Location"] = "/v1/cases/" + answer.case_id;
      return response;
    }
    if (method == "GET") {
      auto overall = request.query.count("overall") ? request.query.at("overall") : "";
      auto cursor = request.query.count("cursor") ? request.query.at("cursor") : "";
      return Response::json(200, d_.cases.list(who, overall, parse_limit(request), cursor));
    }
    throw method_not_allowed();
  }
  const std::string& case_id = parts[2];
  if (parts.size() == 3) {
    if (method == "GET") return Response::json(200, d_.cases.get(who, case_id));
    if (method == "DELETE") {
      d_.cases.erase(who, case_id);
      return Response::empty(204);
    }
    throw method_not_allowed();
  }
  const std::string& action = parts[3];
  if (parts.size() == 4 && action == "disclosures") {
    if (method != "GET") throw method_not_allowed();
    return disclosures(who, case_id);
  }
  if (parts.size() == 5 && action == "delegates") {
    if (method != "DELETE") throw method_not_allowed();
    d_.cases.undelegate(who, case_id, parts[4]);
    return Response::empty(204);
  }
  if (method != "POST") throw method_not_allowed();
  if (parts.size() == 4 && action == "delegates") {
    return Response::json(200, d_.cases.delegate(who, case_id, parse_json_body(request.body)));
  }
  if (parts.size() == 4 && action == "needs") {
    return Response::json(201, d_.cases.add_needs(who, case_id, parse_json_body(request.body)));
  }
  if (parts.size() == 4 && action == "consent") {
    d_.cases.consent(who, case_id, parse_json_body(request.body));
    return Response::json(202, {{"status", "accepted"}});
  }
  if (parts.size() == 4 && (action == "freeze" || action == "unfreeze")) {
    d_.cases.set_frozen(who, case_id, action == "freeze");
    return Response::json(202, {{"status", "accepted"}});
  }
  if (parts.size() == 6 && action == "requests" && parts[5] == "retry") {
    d_.cases.retry(who, case_id, parts[4]);
    return Response::json(202, {{"status", "accepted"}});
  }
  if (parts.size() == 6 && action == "requests" && parts[5] == "answer") {
    d_.cases.answer(who, case_id, parts[4], parse_json_body(request.body));
    return Response::json(202, {{"status", "accepted"}});
  }
  if (parts.size() == 6 && action == "requests" && parts[5] == "withdraw") {
    Json body = request.body.empty() ? Json::object() : parse_json_body(request.body);
    d_.cases.withdraw(who, case_id, parts[4], body);
    return Response::json(202, {{"status", "accepted"}});
  }
  throw ApiError(404, "not_found", "no such path");
}

Response Api::review(const Request& request, const std::vector<std::string>& parts) const {
  cases::Principal who = authenticate(request);
  if (parts.size() == 2) {
    if (request.method != "GET") throw method_not_allowed();
    return Response::json(200, d_.review.list(who));
  }
  if (parts.size() != 3) throw ApiError(404, "not_found", "no such path");
  if (request.method == "POST") return Response::json(200, d_.review.file(who, parts[2], parse_json_body(request.body)));
  if (request.method == "DELETE") {
    d_.review.dismiss(who, parts[2]);
    return Response::empty(204);
  }
  throw method_not_allowed();
}

Response Api::disclosures(const cases::Principal& who, const std::string& case_id) const {
  d_.cases.get(who, case_id);  // ownership first: another référent's case does not exist
  Json list = Json::array();
  for (const auto& d : d_.store.disclosures(case_id)) {
    list.push_back({{"agency", d.agency}, {"connector", d.instance}, {"fields", d.fields}, {"at", d.at},
                    {"request_id", d.request_id}});
  }
  return Response::json(200, {{"disclosures", list}});
}

Response Api::connectors() const {
  Json list = Json::array();
  const auto breakers = d_.breakers ? d_.breakers() : std::map<std::string, std::string>();
  for (const auto& instance : d_.registry.instances()) {
    auto breaker = breakers.find(instance.instance);
    list.push_back({{"instance", instance.instance},
                    {"plugin", instance.plugin},
                    {"version", instance.version},
                    {"agency", instance.agency},
                    {"needs", instance.needs},
                    {"departments", instance.departments},
                    {"state", connectors::to_string(instance.state)},
                    {"breaker", breaker == breakers.end() ? "closed" : breaker->second},
                    {"last_error", instance.last_error.empty() ? Json(nullptr) : Json(instance.last_error)}});
  }
  Json plugins = Json::array();
  for (const auto& plugin : d_.registry.plugins()) {
    plugins.push_back({{"file", plugin.file}, {"id", plugin.id}, {"version", plugin.version}, {"state", plugin.state},
                       {"reason", plugin.reason.empty() ? Json(nullptr) : Json(plugin.reason)}});
  }
  return Response::json(200, {{"connectors", list}, {"plugins", plugins}});
}

Response Api::inbound(const Request& request, const std::string& instance) const {
  inbound::WebhookCall call{request.method, request.path, request.headers, request.body};
  switch (d_.webhooks.handle(instance, call)) {
    case inbound::WebhookResult::accepted: return Response::json(202, {{"status", "accepted"}});
    case inbound::WebhookResult::unauthenticated:
      throw ApiError(401, "unauthenticated", "the call could not be verified");
    case inbound::WebhookResult::unknown_instance: break;
  }
  throw ApiError(404, "not_found", "no such connector instance");
}

Response Api::static_file(const std::string& relative) const {
  if (d_.web_dir.empty()) throw ApiError(404, "not_found", "no such path");
  std::filesystem::path wanted = (d_.web_dir / relative).lexically_normal();
  std::filesystem::path root = d_.web_dir.lexically_normal();
  // The relative part comes from the URL: it must not climb out of the web folder.
  auto [root_end, wanted_it] = std::mismatch(root.begin(), root.end(), wanted.begin(), wanted.end());
  if (root_end != root.end() || !std::filesystem::is_regular_file(wanted)) throw ApiError(404, "not_found", "no such file");
  std::ifstream in(wanted, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  Response response{200, content_type_of(wanted), content.str(), {}};
  response.headers["Cache-Control"] = "no-cache";
  return response;
}

}  // namespace guichet::http
