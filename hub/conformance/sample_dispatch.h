// The dispatches the conformance checks send a connector: a person and situation as intake accepts
// them (every field of the model, in random variants), turned into a dispatch by the hub's own
// projection, exactly as the dispatcher does; and the same with canaries, unique strings in every
// field the connector did not declare, which must then appear nowhere in what it sends or logs.
#ifndef GUICHET_HUB_CONFORMANCE_SAMPLE_DISPATCH_H
#define GUICHET_HUB_CONFORMANCE_SAMPLE_DISPATCH_H

#include "hub/connectors/manifest.h"

#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

namespace guichet::conformance {

using Json = nlohmann::json;

struct Case {
  Json person, situation, need;  // as filed, before any projection
};

// A plausible case for the manifest's first need, dated before AgencyHost::kNowMs. The same seed
// gives the same case.
Case sample_case(const connectors::Manifest& manifest, std::mt19937_64& random);

// The dispatch the hub would hand the connector for `filed`: person and situation projected to the
// manifest's fields (privacy::project), the envelope of a first attempt.
Json projected_dispatch(const connectors::Manifest& manifest, const Case& filed, const std::string& idempotency_key);

// The dispatch as if the hub had not projected anything: every field as filed, plus members the
// model does not know, at the top level and inside person and situation.
Json unprojected_dispatch(const Case& filed, const Json& unknown_value, const std::string& idempotency_key);

// `filed` with every field the manifest does not declare replaced by a canary: a value of the
// field's shape whose every string is unique ("cnry-nir-5f3a9c01"). Returns the canary strings.
std::vector<std::string> plant_canaries(const connectors::Manifest& manifest, Case& filed, std::mt19937_64& random);

// A fresh canary string.
std::string canary(const std::string& label, std::mt19937_64& random);

}  // namespace guichet::conformance

#endif  // GUICHET_HUB_CONFORMANCE_SAMPLE_DISPATCH_H
