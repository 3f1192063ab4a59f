// Maps (method, path) to a route. Patterns are literal segments and "{name}" captures, e.g.
// "/api/v1/demandes/{reference}". Routes are added before the server starts and only read after,
// so matching needs no lock.
#ifndef GUICHET_SIM_COMMON_ROUTER_HPP
#define GUICHET_SIM_COMMON_ROUTER_HPP

#include "common/http.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace guichet::sim {

using Handler = std::function<Response(const Request&)>;

// What the request pipeline checks before a handler runs.
enum class Guard {
  admin,       // test endpoints: never faulted, no token
  open,        // faulted, no token (the token endpoint)
  token,       // faulted, Bearer token
  idempotent,  // faulted, Bearer token, Idempotency-Key, replayed from the ledger
};

struct Route {
  std::string method;
  std::vector<std::string> segments;
  Guard guard;
  Handler handler;
};

struct Match {
  const Route* route = nullptr;  // null when nothing matched
  bool path_known = false;       // the path exists for another method
  std::map<std::string, std::string> params;
};

class Router {
 public:
  void add(std::string method, const std::string& pattern, Guard guard, Handler handler);
  Match match(const std::string& method, const std::string& path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_ROUTER_HPP
