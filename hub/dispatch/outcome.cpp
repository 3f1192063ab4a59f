#include "hub/dispatch/outcome.h"

#include "hub/domain/time.h"

namespace guichet::dispatch {
namespace {

using Json = nlohmann::json;
constexpr size_t kMaxMessage = 500;

std::string clipped(std::string text) {
  if (text.size() > kMaxMessage) text.resize(kMaxMessage);
  return text;
}

Decision finished(std::vector<store::HistoryEntry> entries, std::string message) {
  Decision d;
  d.transition.entries = std::move(entries);
  d.transition.message = clipped(std::move(message));
  return d;
}

Decision failed(const std::string& at, const std::string& message) {
  return finished({{"failed", at, "dispatch", ""}}, message);
}

// An answer the agency could not take leaves the request waiting for one, so that the référent
// can answer again; `failed` would offer a retry, which sends the request, not the answer.
Decision answer_not_taken(const std::string& at, const std::string& message) {
  return finished({{"info_requested", at, "dispatch", ""}}, "réponse non transmise : " + message);
}

Decision retry_later(const store::Delivery& delivery, const std::string& message, int64_t retry_after_ms,
                     int64_t now_ms, const RetryPolicy& policy, std::mt19937_64& random) {
  std::string at = format_time(now_ms);
  if (policy.exhausted(delivery.attempts, delivery.first_queued_ms, now_ms)) {
    std::string why = "non remis après " + std::to_string(delivery.attempts) + " essais : " + message;
    return delivery.operation == "answer" ? answer_not_taken(at, why) : failed(at, why);
  }
  Decision d;
  d.done = false;
  d.next_attempt_ms = now_ms + policy.delay_ms(delivery.attempts, retry_after_ms, random);
  d.transition.retrying = true;
  d.transition.message = clipped(message);
  return d;
}

}  // namespace

Decision decide(const store::Delivery& delivery, const Json& outcome, int64_t now_ms, const RetryPolicy& policy,
                std::mt19937_64& random) {
  std::string at = format_time(now_ms);
  std::string result = outcome.is_object() ? outcome.value("result", "") : "";
  std::string message = outcome.is_object() ? outcome.value("message", "") : "";
  std::string reference = outcome.is_object() ? outcome.value("agency_reference", "") : "";

  if (delivery.operation == "withdraw") {
    if (result == "retry") {
      int64_t after = outcome.value("retry_after_s", 0) * int64_t{1000};
      return retry_later(delivery, message, after, now_ms, policy, random);
    }
    bool told = result == "sent" || result == "acknowledged";
    return finished({}, told ? "agence informée du retrait" : "retrait non confirmé par l'agence : " + message);
  }

  if (delivery.operation == "answer") {
    if (result == "sent" || result == "acknowledged") {
      Decision d = finished({{"in_review", at, "dispatch", "réponse remise à l'organisme"}}, "");
      if (!reference.empty()) d.transition.agency_reference = reference;
      return d;
    }
    if (result == "info_requested") return finished({{"info_requested", at, "dispatch", ""}}, message);
    if (result == "refused") return finished({{"refused", at, "dispatch", ""}}, message);
    if (result == "data_error") return answer_not_taken(at, message.empty() ? "refusée par l'organisme" : message);
    if (result == "config_error") {
      Decision d = answer_not_taken(at, "configuration de l'agence à corriger : " + message);
      d.degrade_instance = message;
      return d;
    }
  }

  if (result == "sent") return finished({{"sent", at, "dispatch", ""}}, "");
  if (result == "acknowledged") {
    Decision d = finished({{"sent", at, "dispatch", ""}, {"acknowledged", at, "dispatch", reference}}, "");
    d.transition.agency_reference = reference;
    return d;
  }
  if (result == "info_requested") return finished({{"info_requested", at, "dispatch", ""}}, message);
  if (result == "refused") return finished({{"sent", at, "dispatch", ""}, {"refused", at, "dispatch", ""}}, message);
  if (result == "data_error") return failed(at, message.empty() ? "données refusées par l'agence" : message);
  if (result == "config_error") {
    Decision d = failed(at, "configuration de l'agence à corriger : " + message);
    d.degrade_instance = message;
    return d;
  }
  if (result == "retry") {
    int64_t after = outcome.value("retry_after_s", 0) * int64_t{1000};
    return retry_later(delivery, message.empty() ? "agence indisponible" : message, after, now_ms, policy, random);
  }
  return retry_later(delivery, "réponse illisible du connecteur", 0, now_ms, policy, random);
}

Decision decide_failure(const store::Delivery& delivery, const std::string& message, bool transient,
                        int64_t now_ms, const RetryPolicy& policy, std::mt19937_64& random) {
  if (transient) return retry_later(delivery, message, 0, now_ms, policy, random);
  if (delivery.operation == "withdraw") return finished({}, "retrait non transmis : " + message);
  if (delivery.operation == "answer") return answer_not_taken(format_time(now_ms), message);
  return failed(format_time(now_ms), message);
}

}  // namespace guichet::dispatch
