// Every field of the person and situation model. Intake accepts nothing else, each connector's
// manifest declares a subset of these, and the projection hands a connector only that subset:
// adding a field here forces a decision, per connector, on whether it may receive it.
#ifndef GUICHET_HUB_DOMAIN_PERSON_FIELDS_H
#define GUICHET_HUB_DOMAIN_PERSON_FIELDS_H

#include <algorithm>
#include <array>
#include <string_view>

namespace guichet {

inline constexpr std::array<std::string_view, 14> kPersonFields{
    "given_names", "birth_name", "usage_name", "sex",        "birth_date",        "nir",      "phone",
    "email",       "address",    "contact_address", "caf_number", "france_travail_id", "children", "languages"};

inline constexpr std::array<std::string_view, 5> kSituationFields{
    "department", "proof", "abuser_in_caf_household", "address_confidential", "safe_channel"};

inline bool is_person_field(std::string_view name) {
  return std::find(kPersonFields.begin(), kPersonFields.end(), name) != kPersonFields.end();
}
inline bool is_situation_field(std::string_view name) {
  return std::find(kSituationFields.begin(), kSituationFields.end(), name) != kSituationFields.end();
}

}  // namespace guichet

#endif
