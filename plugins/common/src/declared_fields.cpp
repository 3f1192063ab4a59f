#include <guichet/connectors/contact.hpp>
#include <guichet/connectors/declared_fields.hpp>

#include <map>
#include <stdexcept>
#include <vector>

namespace guichet::connectors {
namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    parts.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

std::set<std::string> names(const sdk::Json& fields, const char* group) {
  std::set<std::string> out;
  if (!fields.contains(group) || !fields[group].is_array()) {
    throw std::invalid_argument(std::string("the hub gave no declared ") + group + " fields");
  }
  for (const auto& name : fields[group]) out.insert(name.get<std::string>());
  return out;
}

// What each contact member is made of.
const std::map<std::string, std::string>& contact_sources() {
  static const std::map<std::string, std::string> sources = {
      {"channel", ""}, {"channel_label", ""}, {"phone", "phone"}, {"email", "email"}, {"address", "contact_address"}};
  return sources;
}

}  // namespace

DeclaredFields DeclaredFields::from_settings(const sdk::Json& settings) {
  auto it = settings.find("_fields");
  if (it == settings.end() || !it->is_object()) {
    throw std::invalid_argument("the hub gave no declared fields: the manifest must set fields_from_instance");
  }
  DeclaredFields fields;
  fields.person_ = names(*it, "person");
  fields.situation_ = names(*it, "situation");
  return fields;
}

void DeclaredFields::check(std::string_view path, const std::string& what) const {
  std::vector<std::string> parts = split(path);
  const std::string& root = parts[0];
  auto fail = [&](const std::string& why) { throw std::invalid_argument(what + ": " + why); };
  for (const std::string& part : parts) {
    if (part.empty()) fail("\"" + std::string(path) + "\" is not a dotted path");
  }
  if (root == "person" || root == "situation") {
    if (parts.size() < 2) fail(root + " alone is not a field");
    const std::set<std::string>& declared = root == "person" ? person_ : situation_;
    if (!declared.count(parts[1])) fail(root + "." + parts[1] + " is not a field declared for this instance");
    return;
  }
  if (root == "contact") {
    auto source = parts.size() == 2 ? contact_sources().find(parts[1]) : contact_sources().end();
    if (source == contact_sources().end()) fail("\"" + std::string(path) + "\" is not a member of contact");
    if (!situation_.count("safe_channel")) fail("contact needs situation.safe_channel declared for this instance");
    if (!source->second.empty() && !person_.count(source->second)) {
      fail(std::string(path) + " needs person." + source->second + " declared for this instance");
    }
    return;
  }
  bool reference = (parts.size() == 1 && (root == "request_id" || root == "case_id" || root == "correlation")) ||
                   (root == "need" && parts.size() >= 2) ||
                   (root == "referent" && parts.size() == 2 && parts[1] == "department");
  if (!reference) fail("\"" + std::string(path) + "\" is not a field of the dispatch");
}

sdk::Json DeclaredFields::reduced(const sdk::Json& dispatch, const char* group) const {
  const std::set<std::string>& declared = std::string(group) == "person" ? person_ : situation_;
  sdk::Json out = sdk::Json::object();
  auto it = dispatch.find(group);
  if (it == dispatch.end() || !it->is_object()) return out;
  for (const auto& [name, value] : it->items()) {
    if (declared.count(name)) out[name] = value;
  }
  return out;
}

sdk::Json DeclaredFields::view(const sdk::Json& dispatch) const {
  sdk::Json view = dispatch;
  view["person"] = reduced(dispatch, "person");
  view["situation"] = reduced(dispatch, "situation");
  Contact contact = safe_contact(view["person"], view["situation"]);
  sdk::Json summary{{"channel", channel_code(contact.channel)}, {"channel_label", channel_label(contact.channel)}};
  if (contact.phone) summary["phone"] = *contact.phone;
  if (contact.email) summary["email"] = *contact.email;
  if (contact.postal_address) {
    summary["address"] = {{"line", contact.postal_address->line},
                          {"postcode", contact.postal_address->postcode},
                          {"city", contact.postal_address->city}};
  }
  view["contact"] = summary;
  return view;
}

const sdk::Json* value_at(const sdk::Json& dispatch, std::string_view path) {
  const sdk::Json* value = &dispatch;
  for (const std::string& part : split(path)) {
    if (!value->is_object()) return nullptr;
    auto it = value->find(part);
    if (it == value->end() || it->is_null()) return nullptr;
    value = &*it;
  }
  return value;
}

}  // namespace guichet::connectors
