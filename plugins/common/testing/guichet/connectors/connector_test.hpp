// What every connector test needs: its manifest, its golden files, and canary values that must
// never leave the connector. PLUGIN_PATH, MANIFEST_PATH and GOLDEN_DIR come from CMake.
#ifndef GUICHET_CONNECTORS_CONNECTOR_TEST_HPP
#define GUICHET_CONNECTORS_CONNECTOR_TEST_HPP

#include <gtest/gtest.h>
#include <guichet/sdk/testing.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace guichet::connectors::testing {

using sdk::Json;

inline Json read_json(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path.string());
  return Json::parse(file);
}

inline Json manifest() { return read_json(MANIFEST_PATH); }

inline Json golden(const std::string& name) {
  return read_json(std::filesystem::path(GOLDEN_DIR) / name);
}

// Renders every tests/golden/<scenario>.dispatch.json and compares it with
// <scenario>.expected.json. GUICHET_UPDATE_GOLDEN=1 rewrites the expected files instead, to be
// read and reviewed like any other change.
inline void check_goldens(const sdk::testing::Instance& instance) {
  const std::string suffix = ".dispatch.json";
  bool update = std::getenv("GUICHET_UPDATE_GOLDEN") != nullptr;
  int scenarios = 0;
  for (const auto& entry : std::filesystem::directory_iterator(GOLDEN_DIR)) {
    std::string name = entry.path().filename().string();
    if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) continue;
    ++scenarios;
    std::string scenario = name.substr(0, name.size() - suffix.size());
    Json rendered = instance.render(read_json(entry.path()));
    auto expected_path = std::filesystem::path(GOLDEN_DIR) / (scenario + ".expected.json");
    if (update) {
      std::ofstream(expected_path) << rendered.dump(2) << "\n";
      continue;
    }
    EXPECT_EQ(rendered, read_json(expected_path)) << "golden scenario " << scenario << ":\n"
                                                  << rendered.dump(2);
  }
  EXPECT_GT(scenarios, 0) << "no golden scenario in " << GOLDEN_DIR;
}

// Reads every tests/golden/replies/<name>.email.json (an agency's answer, as on_email receives it)
// and compares the connector's answer with <name>.expected.json; GUICHET_UPDATE_GOLDEN=1 rewrites
// the expected files, as for check_goldens. Returns how many replies were checked.
inline int check_reply_goldens(const sdk::testing::Instance& instance) {
  const std::string suffix = ".email.json";
  const auto dir = std::filesystem::path(GOLDEN_DIR) / "replies";
  bool update = std::getenv("GUICHET_UPDATE_GOLDEN") != nullptr;
  int replies = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) continue;
    ++replies;
    std::string reply = name.substr(0, name.size() - suffix.size());
    Json answer = instance.on_email(read_json(entry.path()));
    auto expected_path = dir / (reply + ".expected.json");
    if (update) {
      std::ofstream(expected_path) << answer.dump(2) << "\n";
      continue;
    }
    EXPECT_EQ(answer, read_json(expected_path)) << "golden reply " << reply << ":\n" << answer.dump(2);
  }
  EXPECT_GT(replies, 0) << "no golden reply in " << dir;
  return replies;
}

// Every person and situation field of the hub's model.
inline const std::set<std::string>& person_fields() {
  static const std::set<std::string> fields = {
      "given_names", "birth_name", "usage_name", "sex",     "birth_date",        "nir",
      "phone",       "email",      "address",    "contact_address", "caf_number", "france_travail_id",
      "children",    "languages"};
  return fields;
}

inline Json canary(const std::string& field) {
  std::string value = "CANARY-" + field;
  if (field == "given_names" || field == "languages") return Json::array({value});
  if (field == "address" || field == "contact_address") {
    return Json{{"line", value}, {"postcode", value}, {"city", value}};
  }
  if (field == "children") return Json::array({Json{{"given_name", value}, {"birth_date", value}}});
  if (field == "proof") return Json{{"kind", value}, {"date", value}};
  return value;
}

// The dispatch as if the hub's projection had failed: every field the manifest does not declare
// is filled with a canary value, which must then appear nowhere in what the connector sends.
inline Json with_canaries(Json dispatch) {
  Json declared = manifest()["fields"];
  auto is_declared = [&](const char* group, const std::string& field) {
    for (const auto& name : declared[group]) {
      if (name == field) return true;
    }
    return false;
  };
  for (const auto& field : person_fields()) {
    if (!is_declared("person", field)) dispatch["person"][field] = canary(field);
  }
  for (const char* field : {"department", "proof"}) {
    if (!is_declared("situation", field)) dispatch["situation"][field] = canary(field);
  }
  return dispatch;
}

// Standard base64, as send_mail's content_base64 carries bytes. Throws on a character outside it.
inline std::string from_base64(std::string_view text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    std::size_t value = alphabet.find(c);
    if (value == std::string::npos) throw std::runtime_error("not base64");
    bits = (bits << 6) | static_cast<unsigned>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return bytes;
}

// What a connector sent, as text to search: its JSON, then the decoded bytes of every attachment
// sent as content_base64, so that the text of an uncompressed PDF is searched too.
inline std::string sent_text(const Json& sent) {
  std::string text = sent.dump();
  auto append = [&text](const Json& value, const auto& self) -> void {
    if (value.is_object() && value.contains("content_base64") && value["content_base64"].is_string()) {
      text += "\n" + from_base64(value["content_base64"].get<std::string>());
    }
    if (value.is_structured()) {
      for (const Json& member : value) self(member, self);
    }
  };
  append(sent, append);
  return text;
}

inline bool has_canary(const Json& sent) { return sent_text(sent).find("CANARY") != std::string::npos; }

}  // namespace guichet::connectors::testing

#endif
