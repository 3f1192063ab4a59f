// Which connector instance serves which need in which department, from config/departments/.
// Built once at start-up; read-only afterwards, so safe to share between threads.
#ifndef GUICHET_HUB_CASES_ROUTING_H
#define GUICHET_HUB_CASES_ROUTING_H

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace guichet::cases {

struct Route {
  std::string instance;
  std::string agency;
  nlohmann::json deadline;  // see deadline.h
  bool takes_answers = false;  // its connector carries a référent's answer (capability "answer")
};

// A need may be served by several instances in one department: a request for it goes to each.
class Routing {
 public:
  // Adds `route` to those serving `need` in `department`, after the ones already added.
  void add(const std::string& department, const std::string& need, Route route) {
    departments_.insert(department);
    routes_[{department, need}].push_back(std::move(route));
  }
  // The instances serving `need` in `department`, in the order added; empty when none does.
  const std::vector<Route>& serving(const std::string& department, const std::string& need) const {
    static const std::vector<Route> none;
    auto it = routes_.find({department, need});
    return it == routes_.end() ? none : it->second;
  }
  bool has_department(const std::string& department) const { return departments_.count(department) > 0; }
  bool takes_answers(const std::string& instance) const {
    for (const auto& [key, routes] : routes_) {
      for (const auto& route : routes) {
        if (route.instance == instance) return route.takes_answers;
      }
    }
    return false;
  }

 private:
  std::set<std::string> departments_;
  std::map<std::pair<std::string, std::string>, std::vector<Route>> routes_;
};

}  // namespace guichet::cases

#endif
