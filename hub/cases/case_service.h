// What a référent can do with cases: file one, read them, add needs, retry, answer, withdraw, change
// consent, erase. Every method checks ownership first: a case of another référent answers
// not_found, exactly as a case that does not exist, so ids cannot be probed.
//
// Errors: ApiError for anything the caller must see (400, 404, 409, 422, 503).
// Thread-safety: all methods may be called concurrently.
#ifndef GUICHET_HUB_CASES_CASE_SERVICE_H
#define GUICHET_HUB_CASES_CASE_SERVICE_H

#include "hub/cases/routing.h"
#include "hub/domain/ids.h"
#include "hub/privacy/vault.h"
#include "hub/domain/time.h"
#include "hub/store/store.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

namespace guichet::cases {

using Json = nlohmann::json;

struct Principal {
  std::string referent;
  std::string department;
};

// Whether `who` may work on the case: its owner, or a colleague it is shared with while their
// token names the case's department.
bool works_on(const store::CaseRecord& record, const Principal& who);

// How an intake may hand its deliveries to the dispatcher directly (dispatch/dispatcher.h): a lease
// for the rows it is about to write, or nothing; then the leased deliveries with the person in
// clear once committed, or the lease given back when nothing was.
struct Handoff {
  std::function<std::optional<store::Lease>(size_t rows)> lease;
  std::function<void(size_t rows)> unlease;
  std::function<void(std::vector<store::Delivery>, store::PersonRecord)> hand_over;
};

// A response prepared for the wire; intake keeps it to replay idempotent requests byte for byte.
struct Answer {
  int status = 200;
  std::string body;
  std::string case_id;
};

class CaseService {
 public:
  // `work_queued` is called after a commit that added outbox rows, to wake the dispatchers.
  // `correlations` mints the requests' correlation codes (tests give their own). With `handoff`,
  // a new case's deliveries go straight to the dispatcher (see Handoff).
  CaseService(store::Store& store, privacy::Vault& vault, Routing routing, Clock clock,
              std::function<void()> work_queued, std::function<std::string()> correlations = new_correlation,
              Handoff handoff = {});

  // `body_hash` identifies the raw body for Idempotency-Key comparisons.
  Answer create(const Principal& who, const Json& body, const std::string& body_hash,
                const std::optional<std::string>& idempotency_key);
  Json get(const Principal& who, const std::string& case_id);
  Json list(const Principal& who, const std::string& overall_filter, int limit, const std::string& cursor);
  Json add_needs(const Principal& who, const std::string& case_id, const Json& body);
  void retry(const Principal& who, const std::string& case_id, const std::string& request_id);
  // Carries the référent's answer {"text"} to an agency that asked for information; the request
  // goes back to in_review. conflict when it is not waiting for information, or when its agency
  // takes answers directly only (then the référent answers it and retries).
  void answer(const Principal& who, const std::string& case_id, const std::string& request_id, const Json& body);
  void withdraw(const Principal& who, const std::string& case_id, const std::string& request_id, const Json& body);
  void consent(const Principal& who, const std::string& case_id, const Json& body);
  void set_frozen(const Principal& who, const std::string& case_id, bool frozen);
  void erase(const Principal& who, const std::string& case_id);
  // Delegation: the owner shares the case with a colleague, who may then act on it as the owner
  // does, except share it further or erase it, for as long as their token names the case's
  // department. The owner, or the colleague giving it back, ends it.
  Json delegate(const Principal& who, const std::string& case_id, const Json& body);
  void undelegate(const Principal& who, const std::string& case_id, const std::string& referent);

 private:
  // The case if `who` owns it or it is shared with them; otherwise not_found, as if it did not exist.
  store::CaseRecord accessible_case(const Principal& who, const std::string& case_id);
  // The case if `who` owns it; forbidden for a delegate, not_found for anyone else.
  store::CaseRecord owned_case(const Principal& who, const std::string& case_id);
  std::vector<store::NewRequest> new_requests(const Json& needs, const Json& person,
                                              const std::string& department, int64_t now);

  store::Store& store_;
  privacy::Vault& vault_;
  Routing routing_;
  Clock clock_;
  std::function<void()> work_queued_;
  std::function<std::string()> correlations_;
  Handoff handoff_;
};

}  // namespace guichet::cases

#endif
