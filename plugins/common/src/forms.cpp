#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/forms.hpp>

namespace guichet::connectors {

void set_if(sdk::Json& object, const char* key, const std::optional<std::string>& value) {
  if (value) object[key] = *value;
}

sdk::Json identity_form(const sdk::Json& person) {
  sdk::Json form{{"prenoms", text_list(person, "given_names")}};
  set_if(form, "nomNaissance", text_field(person, "birth_name"));
  set_if(form, "nomUsage", text_field(person, "usage_name"));
  set_if(form, "sexeEtatCivil", text_field(person, "sex"));
  set_if(form, "dateNaissance", text_field(person, "birth_date"));
  return form;
}

sdk::Json children_form(const sdk::Json& children) {
  sdk::Json list = sdk::Json::array();
  if (!children.is_array()) return list;
  for (const auto& child : children) {
    sdk::Json form = sdk::Json::object();
    set_if(form, "prenom", text_field(child, "given_name"));
    set_if(form, "dateNaissance", text_field(child, "birth_date"));
    list.push_back(form);
  }
  return list;
}

}  // namespace guichet::connectors
