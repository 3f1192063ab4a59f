#include "common/token_issuer.hpp"

#include <Poco/RandomStream.h>
#include <Poco/URI.h>

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace guichet::sim {
namespace {

std::string random_token() {
  Poco::RandomInputStream random;
  std::ostringstream hex;
  for (int i = 0; i < 24; ++i) {
    hex << std::hex << std::setw(2) << std::setfill('0') << (random.get() & 0xff);
  }
  return hex.str();
}

std::string join(const std::set<std::string>& scopes) {
  std::string joined;
  for (const std::string& scope : scopes) joined += (joined.empty() ? "" : " ") + scope;
  return joined;
}

}  // namespace

std::set<std::string> split_scopes(const std::string& text) {
  std::set<std::string> scopes;
  std::istringstream stream(text);
  std::string scope;
  while (stream >> scope) scopes.insert(scope);
  return scopes;
}

std::map<std::string, std::string> parse_form(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::istringstream stream(body);
  std::string pair;
  while (std::getline(stream, pair, '&')) {
    std::replace(pair.begin(), pair.end(), '+', ' ');
    const auto equals = pair.find('=');
    std::string name, value;
    Poco::URI::decode(pair.substr(0, equals), name);
    if (equals != std::string::npos) Poco::URI::decode(pair.substr(equals + 1), value);
    if (!name.empty()) fields[name] = value;
  }
  return fields;
}

TokenIssuer::TokenIssuer(TokenSettings settings) : settings_(std::move(settings)) {}

Response TokenIssuer::grant(const std::string& form_body) {
  auto form = parse_form(form_body);
  if (form["client_id"] != settings_.client_id || form["client_secret"] != settings_.client_secret) {
    return Response::error(401, "invalid_client");
  }
  if (form["grant_type"] != "client_credentials") return Response::error(400, "unsupported_grant_type");

  std::set<std::string> scopes = split_scopes(form["scope"]);
  const bool all_allowed = std::all_of(scopes.begin(), scopes.end(), [&](const std::string& scope) {
    return settings_.allowed_scopes.count(scope) > 0;
  });
  if (!all_allowed) {
    Json body{{"error", "invalid_scope"}};
    if (!settings_.invalid_scope_description.empty()) {
      body["error_description"] = settings_.invalid_scope_description;
    }
    return Response::json(400, body);
  }
  if (scopes.empty()) scopes = settings_.allowed_scopes;

  const std::string token = random_token();
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    forget_expired(now);
    expiry_by_token_[token] = now + settings_.lifetime;
  }
  Response response = Response::json(200, Json{{"access_token", token},
                                               {"token_type", "Bearer"},
                                               {"expires_in", settings_.lifetime.count()},
                                               {"scope", join(scopes)}});
  // RFC 6749 §5.1: token responses must not be cached.
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

bool TokenIssuer::accepts(const std::string& authorization) {
  const std::string prefix = "Bearer ";
  if (authorization.compare(0, prefix.size(), prefix) != 0) return false;
  const std::string token = authorization.substr(prefix.size());
  std::lock_guard lock(mutex_);
  auto it = expiry_by_token_.find(token);
  return it != expiry_by_token_.end() && std::chrono::steady_clock::now() < it->second;
}

void TokenIssuer::forget_expired(SteadyTime now) {
  std::erase_if(expiry_by_token_, [now](const auto& entry) { return entry.second <= now; });
}

}  // namespace guichet::sim
