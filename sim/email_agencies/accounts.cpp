#include "email_agencies/accounts.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace guichet::sim::email {
namespace {

AgencyKind parse_kind(const std::string& text, const std::string& where) {
  if (text == "siao") return AgencyKind::siao;
  if (text == "childcare") return AgencyKind::childcare;
  if (text == "association") return AgencyKind::association;
  if (text == "cidff") return AgencyKind::cidff;
  throw std::invalid_argument(where + ".kind must be siao, childcare, association or cidff");
}

std::string required_text(const nlohmann::json& entry, const char* key, const std::string& where) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw std::invalid_argument(where + "." + key + " must be a non-empty string");
  }
  return it->get<std::string>();
}

}  // namespace

std::vector<AgencyAccount> load_accounts(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::invalid_argument("--accounts file cannot be read");
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("accounts") || !json["accounts"].is_array() ||
      json["accounts"].empty()) {
    throw std::invalid_argument("--accounts must hold {\"accounts\":[...]} with at least one account");
  }
  std::vector<AgencyAccount> accounts;
  for (std::size_t i = 0; i < json["accounts"].size(); ++i) {
    const auto& entry = json["accounts"][i];
    std::string where = "accounts[" + std::to_string(i) + "]";
    if (!entry.is_object()) throw std::invalid_argument(where + " must be an object");
    AgencyAccount account{required_text(entry, "address", where), required_text(entry, "password", where),
                          parse_kind(required_text(entry, "kind", where), where), required_text(entry, "prefix", where)};
    if (entry.contains("first_sequence")) {
      const auto& first = entry["first_sequence"];
      if (!first.is_number_integer() || first.get<int>() < 1 || first.get<int>() > 9999) {
        throw std::invalid_argument(where + ".first_sequence must be a whole number from 1 to 9999");
      }
      account.first_sequence = first.get<int>();
    }
    accounts.push_back(std::move(account));
  }
  return accounts;
}

}  // namespace guichet::sim::email
