// A plugin's manifest, read before any of its code is loaded: any JSON may be refused
// (ManifestError and the like), nothing may crash.
#include "hub/connectors/manifest.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  try {
    guichet::connectors::Manifest::parse(json, "fuzz.json");
  } catch (const std::exception&) {
    // A refusal, with its reason: what the loader reports for a bad plugin.
  }
  return 0;
}
