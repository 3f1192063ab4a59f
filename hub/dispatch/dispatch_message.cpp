#include "hub/dispatch/dispatch_message.h"

namespace guichet::dispatch {

DispatchMessage build_dispatch(const store::Delivery& delivery, const store::PersonRecord& person,
                               const privacy::FieldPolicy& policy, const std::optional<std::string>& answer) {
  using Json = nlohmann::json;
  Json stored_person = Json::parse(person.person_json, nullptr, false);
  Json stored_situation = Json::parse(person.situation_json, nullptr, false);
  if (!stored_person.is_object()) stored_person = Json::object();
  if (!stored_situation.is_object()) stored_situation = Json::object();
  privacy::Projection projection = privacy::project(stored_person, stored_situation, policy);

  const store::RequestRecord& r = delivery.request;
  Json need = Json::parse(r.need_json, nullptr, false);
  Json message{{"request_id", r.id},
               {"case_id", r.case_id},
               {"need", need.is_object() ? need : Json{{"kind", r.need}}},
               {"idempotency_key", delivery.idempotency_key},
               {"attempt", delivery.attempts},
               {"correlation", r.correlation},
               {"referent", {{"id", delivery.case_owner}, {"department", delivery.department}}},
               {"person", std::move(projection.person)},
               {"situation", std::move(projection.situation)}};
  if (!r.agency_reference.empty()) message["agency_reference"] = r.agency_reference;
  if (delivery.operation == "withdraw") message["reason"] = delivery.reason;
  if (answer) message["answer"] = {{"text", *answer}, {"idempotency_key", delivery.idempotency_key}};
  return {std::move(message), std::move(projection.disclosed)};
}

}  // namespace guichet::dispatch
