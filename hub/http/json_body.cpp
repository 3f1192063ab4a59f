#include "hub/http/json_body.h"

#include "hub/cases/api_error.h"

#include <set>
#include <vector>

namespace guichet::http {
namespace {

[[noreturn]] void refuse(const std::string& why) { throw cases::ApiError(400, "invalid_json", why); }

}  // namespace

nlohmann::json parse_json_body(const std::string& body) {
  if (body.empty()) refuse("the request body is empty; a JSON document was expected");
  std::vector<std::set<std::string>> keys;  // one set per open object
  int depth = 0;
  std::string problem;
  auto inspect = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& value) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start || event == Event::array_start) {
      if (++depth > kMaxJsonDepth) {
        problem = "the JSON document is nested too deeply";
        throw std::invalid_argument(problem);
      }
      if (event == Event::object_start) keys.emplace_back();
    } else if (event == Event::object_end || event == Event::array_end) {
      --depth;
      if (event == Event::object_end) keys.pop_back();
    } else if (event == Event::key) {
      if (!keys.back().insert(value.get<std::string>()).second) {
        problem = "the JSON document repeats a key in one object";
        throw std::invalid_argument(problem);
      }
    }
    return true;
  };
  try {
    return nlohmann::json::parse(body, inspect);
  } catch (const std::invalid_argument&) {
    refuse(problem);
  } catch (const nlohmann::json::exception&) {
    refuse("the request body is not valid JSON (UTF-8)");
  }
}

}  // namespace guichet::http
