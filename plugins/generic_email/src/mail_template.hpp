// A partner's subject or body template: text with {{person.given_names}}-style field references.
// Each must name something the instance receives (see DeclaredFields::check): a template that asks
// for a field the department did not declare is refused when the instance is created, with the
// reference named, rather than sending a mail with a hole in it.
#ifndef GUICHET_GENERIC_EMAIL_MAIL_TEMPLATE_HPP
#define GUICHET_GENERIC_EMAIL_MAIL_TEMPLATE_HPP

#include <guichet/connectors/declared_fields.hpp>
#include <guichet/sdk/connector.hpp>

#include <string>
#include <vector>

namespace guichet::generic_email {

class MailTemplate {
 public:
  // `what` names the template in errors ("subject", "body"). Throws std::invalid_argument.
  MailTemplate(const std::string& text, const connectors::DeclaredFields& fields, const std::string& what);

  // The text with each field reference replaced by the dispatch's value, or nothing when absent.
  // `one_line` turns line breaks in values into spaces: a subject is a header.
  std::string render(const sdk::Json& dispatch, bool one_line) const;

 private:
  struct Part {
    std::string literal;
    std::string path;  // empty for a literal
  };
  std::vector<Part> parts_;
};

// A value as a French reader expects it: lists joined with ", ", an address as "line, postcode
// city", a child as "given name (née le 01/05/2022)", dates as 01/05/2022.
std::string readable(const sdk::Json& value);

}  // namespace guichet::generic_email

#endif
