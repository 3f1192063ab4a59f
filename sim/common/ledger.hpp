// The idempotency ledger: remembers the first successful answer to every Idempotency-Key and
// replays it, and is what GET /_received shows tests. One entry is one effect on the agency side.
//
// Thread-safety: all methods may be called concurrently. submit() runs `create` under the ledger's
// lock, so two concurrent submissions of one key cannot both create.
#ifndef GUICHET_SIM_COMMON_LEDGER_HPP
#define GUICHET_SIM_COMMON_LEDGER_HPP

#include "common/http.hpp"
#include "common/time_format.hpp"

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace guichet::sim {

class Ledger {
 public:
  // The stored answer when `key` was seen with the same path and body, 422 when it was seen with
  // another one, else the answer of `create`, kept only when it succeeded: a rejected request
  // created nothing, so a corrected resend under the same key must be able to succeed.
  Response submit(const std::string& key, const std::string& path, const nlohmann::json& body,
                  const std::function<Response()>& create);

  // {"agency","effects","received":[{"idempotency_key","path","body","count","first_at"}]}
  Json to_json(const std::string& agency) const;

 private:
  struct Entry {
    std::string key;
    std::string path;
    nlohmann::json body;
    Response response;
    int count = 1;
    TimePoint first_at;
  };

  mutable std::mutex mutex_;
  std::vector<Entry> entries_;  // in order of first arrival
  std::map<std::string, std::size_t> index_by_key_;
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_LEDGER_HPP
