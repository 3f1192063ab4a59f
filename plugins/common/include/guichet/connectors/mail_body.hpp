// A readable French plain-text mail body, built from paragraphs, headings and "label : value" lines.
#ifndef GUICHET_CONNECTORS_MAIL_BODY_HPP
#define GUICHET_CONNECTORS_MAIL_BODY_HPP

#include <guichet/connectors/contact.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::connectors {

class MailBody {
 public:
  MailBody& paragraph(std::string_view text);
  MailBody& heading(std::string_view title);
  // "- label : value"; nothing when the value is absent, so optional fields need no test.
  MailBody& item(std::string_view label, const std::optional<std::string>& value);
  MailBody& item(std::string_view text);
  // "- Lina, né(e) le 01/05/2024" for each of the hub's children [{"given_name","birth_date"}].
  MailBody& children(const sdk::Json& children);
  // The safe channel and its detail, or the instruction to go through the référent.
  MailBody& contact(const Contact& contact);
  // The closing lines every agency mail shares: how to answer, and the request's references.
  MailBody& closing(const sdk::Json& dispatch, std::string_view attachment);
  // The same, for a form joined twice: to print (a PDF) and for the agency's tools (JSON).
  MailBody& closing(const sdk::Json& dispatch, std::string_view printable, std::string_view structured);
  std::string text() const;

 private:
  void blank_line();
  void answer_and_references(const sdk::Json& dispatch);
  std::string text_;
};

// "Amina Nour" from ["Amina","Nour"].
std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace guichet::connectors

#endif
