// A printable agency form: a title, then headings and "label : value" lines, laid out on A4 pages
// in Helvetica. The PDF twin of MailBody, for agencies that print what they receive.
#ifndef GUICHET_CONNECTORS_PDF_FORM_HPP
#define GUICHET_CONNECTORS_PDF_FORM_HPP

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::connectors {

class PdfForm {
 public:
  explicit PdfForm(std::string_view title);
  PdfForm& paragraph(std::string_view text);
  PdfForm& heading(std::string_view title);
  // "label  value", the value wrapped in its column; nothing when the value is absent.
  PdfForm& item(std::string_view label, const std::optional<std::string>& value);
  PdfForm& item(std::string_view text);
  // The PDF file's bytes; the same form always gives the same bytes (no date is embedded).
  // Throws std::runtime_error naming libharu's error codes, never a value of the form.
  std::string pdf() const;

 private:
  enum class Kind { paragraph, heading, item, text_item };
  struct Entry {
    Kind kind;
    std::string label;  // Windows-1252, as the PDF's base-14 fonts read it
    std::string text;
  };
  std::string title_;
  std::vector<Entry> entries_;
};

// UTF-8 as Windows-1252 (WinAnsiEncoding): French text keeps its accents, ligatures, quotes and
// dashes; a character the code page lacks, or a malformed sequence, becomes '?', and a control
// character a space.
std::string to_windows_1252(std::string_view utf8);

}  // namespace guichet::connectors

#endif
