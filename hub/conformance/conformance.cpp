#include "hub/conformance/conformance.h"

#include "hub/connectors/field_set.h"

namespace guichet::conformance {

Subject Subject::open(const std::filesystem::path& library) {
  return Subject{library, connectors::Plugin::load(library)};
}

Json Subject::settings() const {
  Json settings = manifest().example_settings;
  if (manifest().fields_from_instance) {
    // The most an instance may declare: every field the manifest allows.
    connectors::FieldSet all{manifest().person_fields, manifest().situation_fields};
    settings[connectors::kFieldsKey] = connectors::effective_fields(manifest(), all).to_json();
  }
  return settings;
}

bool check_plugin(const std::filesystem::path& library, std::ostream& report) {
  Subject subject;
  try {
    subject = Subject::open(library);
  } catch (const std::exception& e) {
    report << "conformance of " << library.string() << "\n  FAIL  load: " << e.what() << "\n";
    return false;
  }
  const connectors::Manifest& manifest = subject.manifest();
  report << "conformance of " << manifest.id << " " << manifest.version << " (" << library.string() << ")\n";
  int passed = 0, failed = 0;
  for (const Check& check : checks()) {
    if (!check.applies(manifest)) {
      report << "  skip  " << check.name << " (not for a " << manifest.channel << " connector without it)\n";
      continue;
    }
    std::vector<std::string> failures;
    try {
      failures = check.run(subject);
    } catch (const std::exception& e) {
      failures.push_back(std::string("the check could not run: ") + e.what());
    }
    report << (failures.empty() ? "  ok    " : "  FAIL  ") << check.name << " — " << check.summary << "\n";
    for (const std::string& failure : failures) report << "        - " << failure << "\n";
    (failures.empty() ? passed : failed) += 1;
  }
  report << "  " << passed << " passed, " << failed << " failed\n";
  return failed == 0;
}

}  // namespace guichet::conformance
