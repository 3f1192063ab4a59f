// An answer that is not a success, as the HTTP contract shapes it:
// {"error":{"code","message","field"}}. Thrown by the cases module, rendered by http/.
#ifndef GUICHET_HUB_CASES_API_ERROR_H
#define GUICHET_HUB_CASES_API_ERROR_H

#include <stdexcept>
#include <string>

namespace guichet::cases {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string message, std::string field = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)), field_(std::move(field)) {}

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }

  // Messages name the rule that was broken, never the value that broke it: values are personal.
  static ApiError invalid(std::string field, std::string message) {
    return ApiError(400, "invalid_request", std::move(message), std::move(field));
  }
  static ApiError not_found() { return ApiError(404, "not_found", "no such case"); }
  // Only for a case the caller may see: another's case is not_found, so ids cannot be probed.
  static ApiError forbidden(std::string message) { return ApiError(403, "forbidden", std::move(message)); }
  static ApiError conflict(std::string message, std::string field = {}) {
    return ApiError(409, "conflict", std::move(message), std::move(field));
  }
  static ApiError unavailable() {
    return ApiError(503, "unavailable", "storage unavailable, nothing was stored; try again later");
  }

 private:
  int status_;
  std::string code_;
  std::string field_;
};

}  // namespace guichet::cases

#endif
