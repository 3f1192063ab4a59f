// Which connector instance serves which need in which department, from config/departments/.
// Built once at start-up; read-only afterwards, so safe to share between threads.
#ifndef GUICHET_HUB_CASES_ROUTING_H
#define GUICHET_HUB_CASES_ROUTING_H

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <utility>

namespace guichet::cases {

struct Route {
  std::string instance;
  std::string agency;
  nlohmann::json deadline;  // see deadline.h
};

class Routing {
 public:
  void add(const std::string& department, const std::string& need, Route route) {
    departments_.insert(department);
    routes_[{department, need}] = std::move(route);
  }
  const Route* find(const std::string& department, const std::string& need) const {
    auto it = routes_.find({department, need});
    return it == routes_.end() ? nullptr : &it->second;
  }
  bool has_department(const std::string& department) const { return departments_.count(department) > 0; }

 private:
  std::set<std::string> departments_;
  std::map<std::pair<std::string, std::string>, Route> routes_;
};

}  // namespace guichet::cases

#endif
