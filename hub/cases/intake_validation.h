// The rules of docs/api.md for a référent's request, checked before anything is stored.
// Unknown fields are refused too: the hub stores and forwards only fields whose privacy treatment
// has been decided (privacy/projection.h).
#ifndef GUICHET_HUB_CASES_INTAKE_VALIDATION_H
#define GUICHET_HUB_CASES_INTAKE_VALIDATION_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace guichet::cases {

using Json = nlohmann::json;

// Throws ApiError (400, naming the field) at the first rule broken. `today` is days since the
// epoch, so dates in the future can be refused.
void validate_intake(const Json& body, int64_t today,
                     const std::function<bool(const std::string&)>& department_known);

// For POST /v1/cases/{id}/needs: the needs and their consent, against the stored person.
void validate_new_needs(const Json& body, const Json& person);

}  // namespace guichet::cases

#endif
