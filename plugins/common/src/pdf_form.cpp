#include <guichet/connectors/pdf_form.hpp>

#include <hpdf.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <type_traits>

namespace guichet::connectors {
namespace {

// A4 portrait in points, as HPDF_PAGE_SIZE_A4 sets it.
constexpr float kPageHeight = 841.89f;
constexpr float kPageWidth = 595.276f;
constexpr float kMargin = 56.0f;
constexpr float kContentWidth = kPageWidth - 2 * kMargin;
constexpr float kLabelWidth = 160.0f;
constexpr float kGutter = 12.0f;
constexpr float kValueWidth = kContentWidth - kLabelWidth - kGutter;

constexpr float kTitleSize = 16.0f;
constexpr float kHeadingSize = 12.0f;
constexpr float kTextSize = 10.0f;
constexpr float kLeading = 1.35f;  // line height as a multiple of the font size

// Windows-1252 bytes 0x80..0x9F, which hold the typographic characters Latin-1 lacks; 0 where the
// code page leaves the byte undefined.
constexpr char32_t kWindows1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

char windows_1252(char32_t code_point) {
  bool control = code_point < 0x20 || (code_point >= 0x7F && code_point < 0xA0) || code_point == 0x2028 ||
                 code_point == 0x2029;
  if (control) return ' ';
  if (code_point <= 0xFF) return static_cast<char>(code_point);
  if (code_point == 0x202F) return '\xA0';  // French typography's narrow no-break space
  for (std::size_t i = 0; i < std::size(kWindows1252High); ++i) {
    if (kWindows1252High[i] == code_point) return static_cast<char>(0x80 + i);
  }
  return '?';
}

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// libharu is C: an exception thrown from its error handler would unwind through its frames, so the
// handler only records the first error and the writer throws once libharu has returned.
struct HpdfError {
  HPDF_STATUS code = HPDF_OK;
  HPDF_STATUS detail = 0;
};

void record_error(HPDF_STATUS code, HPDF_STATUS detail, void* user_data) {
  auto* error = static_cast<HpdfError*>(user_data);
  if (error->code == HPDF_OK) *error = {code, detail};
}

// One document being laid out, top to bottom, page after page.
class Writer {
 public:
  Writer() : document_(HPDF_New(&record_error, &error_), &HPDF_Free) {
    if (!document_) throw std::runtime_error("PDF form: libharu could not create a document");
    // Uncompressed on purpose: the form is a page or two of text, and leak checks (the connector's
    // tests, the conformance suite) can then read every value the PDF carries in its bytes.
    ok(HPDF_SetCompressionMode(document_.get(), HPDF_COMP_NONE));
    regular_ = present(HPDF_GetFont(document_.get(), "Helvetica", "WinAnsiEncoding"));
    bold_ = present(HPDF_GetFont(document_.get(), "Helvetica-Bold", "WinAnsiEncoding"));
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void title(const std::string& text) {
    lines(bold_, kTitleSize, kMargin, kContentWidth, text);
    y_ -= kTextSize;
  }

  void paragraph(const std::string& text) {
    y_ -= kTextSize / 2;
    lines(regular_, kTextSize, kMargin, kContentWidth, text);
  }

  void heading(const std::string& text) {
    y_ -= kTextSize;
    // A heading never ends a page: it goes over with its first line.
    make_room(kHeadingSize * kLeading + kTextSize * kLeading);
    lines(bold_, kHeadingSize, kMargin, kContentWidth, text);
    ok(HPDF_Page_SetLineWidth(page_, 0.5f));
    ok(HPDF_Page_MoveTo(page_, kMargin, y_ + 2));
    ok(HPDF_Page_LineTo(page_, kMargin + kContentWidth, y_ + 2));
    ok(HPDF_Page_Stroke(page_));
    y_ -= 2;
  }

  void item(const std::string& label, const std::string& value) {
    std::vector<std::string> labels = wrap(bold_, kTextSize, kLabelWidth, label);
    std::vector<std::string> values = wrap(regular_, kTextSize, kValueWidth, value);
    for (std::size_t row = 0; row < std::max(labels.size(), values.size()); ++row) {
      make_room(kTextSize * kLeading);
      if (row < labels.size()) show(bold_, kTextSize, kMargin, labels[row]);
      if (row < values.size()) show(regular_, kTextSize, kMargin + kLabelWidth + kGutter, values[row]);
      y_ -= kTextSize * kLeading;
    }
  }

  void text_item(const std::string& text) { lines(regular_, kTextSize, kMargin, kContentWidth, text); }

  std::string bytes() {
    ok(HPDF_SaveToStream(document_.get()));
    HPDF_UINT32 size = HPDF_GetStreamSize(document_.get());
    check();
    std::string out(size, '\0');
    HPDF_UINT32 read = size;
    ok(HPDF_ReadFromStream(document_.get(), reinterpret_cast<HPDF_BYTE*>(out.data()), &read));
    if (read != size) throw std::runtime_error("PDF form: libharu returned a truncated document");
    return out;
  }

 private:
  [[noreturn]] void fail(HPDF_STATUS status) const {
    char message[96];
    std::snprintf(message, sizeof message, "PDF form: libharu error 0x%04lX (detail %lu)",
                  static_cast<unsigned long>(error_.code != HPDF_OK ? error_.code : status),
                  static_cast<unsigned long>(error_.detail));
    throw std::runtime_error(message);
  }
  void check() const {
    if (error_.code != HPDF_OK) fail(error_.code);
  }
  void ok(HPDF_STATUS status) const {
    if (status != HPDF_OK || error_.code != HPDF_OK) fail(status);
  }
  template <typename Handle>
  Handle present(Handle handle) const {
    if (handle == nullptr || error_.code != HPDF_OK) fail(HPDF_OK);
    return handle;
  }

  void make_room(float height) {
    if (page_ != nullptr && y_ - height >= kMargin) return;
    page_ = present(HPDF_AddPage(document_.get()));
    ok(HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT));
    y_ = kPageHeight - kMargin;
  }

  float width(HPDF_Font font, float size, const std::string& text) const {
    HPDF_TextWidth measured =
        HPDF_Font_TextWidth(font, reinterpret_cast<const HPDF_BYTE*>(text.data()), static_cast<HPDF_UINT>(text.size()));
    check();
    return static_cast<float>(measured.width) * size / 1000.0f;
  }

  // Greedy word wrap; a word wider than the column is cut where it stops fitting.
  std::vector<std::string> wrap(HPDF_Font font, float size, float column, const std::string& text) const {
    std::vector<std::string> out;
    std::string line;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = std::min(text.find(' ', start), text.size());
      std::string word = text.substr(start, end - start);
      start = end + 1;
      if (word.empty()) continue;
      std::string joined = line.empty() ? word : line + " " + word;
      if (width(font, size, joined) <= column) {
        line = std::move(joined);
        continue;
      }
      if (!line.empty()) out.push_back(std::move(line));
      while (word.size() > 1 && width(font, size, word) > column) {
        std::size_t fits = 1;
        while (fits + 1 < word.size() && width(font, size, word.substr(0, fits + 1)) <= column) ++fits;
        out.push_back(word.substr(0, fits));
        word.erase(0, fits);
      }
      line = std::move(word);
    }
    if (!line.empty() || out.empty()) out.push_back(std::move(line));
    return out;
  }

  void show(HPDF_Font font, float size, float x, const std::string& line) {
    ok(HPDF_Page_BeginText(page_));
    ok(HPDF_Page_SetFontAndSize(page_, font, size));
    ok(HPDF_Page_TextOut(page_, x, y_ - size, line.c_str()));
    ok(HPDF_Page_EndText(page_));
  }

  void lines(HPDF_Font font, float size, float x, float column, const std::string& text) {
    for (const std::string& line : wrap(font, size, column, text)) {
      make_room(size * kLeading);
      show(font, size, x, line);
      y_ -= size * kLeading;
    }
  }

  HpdfError error_;  // before document_: libharu keeps its address from HPDF_New on
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, decltype(&HPDF_Free)> document_;
  HPDF_Font regular_ = nullptr;
  HPDF_Font bold_ = nullptr;
  HPDF_Page page_ = nullptr;
  float y_ = 0;
};

}  // namespace

std::string to_windows_1252(std::string_view utf8) {
  static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};  // shorter forms are overlong
  std::string out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    auto lead = static_cast<unsigned char>(utf8[i]);
    int length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    char32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
    bool valid = length > 0 && i + length <= utf8.size();
    for (int k = 1; valid && k < length; ++k) {
      auto next = static_cast<unsigned char>(utf8[i + k]);
      valid = is_continuation(next);
      code_point = (code_point << 6) | (next & 0x3F);
    }
    valid = valid && code_point >= kSmallest[length] && code_point <= 0x10FFFF &&
            !(code_point >= 0xD800 && code_point <= 0xDFFF);
    if (!valid) {
      out += '?';
      ++i;
      while (i < utf8.size() && is_continuation(static_cast<unsigned char>(utf8[i]))) ++i;
      continue;
    }
    out += windows_1252(code_point);
    i += length;
  }
  return out;
}

PdfForm::PdfForm(std::string_view title) : title_(to_windows_1252(title)) {}

PdfForm& PdfForm::paragraph(std::string_view text) {
  entries_.push_back({Kind::paragraph, {}, to_windows_1252(text)});
  return *this;
}

PdfForm& PdfForm::heading(std::string_view title) {
  entries_.push_back({Kind::heading, {}, to_windows_1252(title)});
  return *this;
}

PdfForm& PdfForm::item(std::string_view label, const std::optional<std::string>& value) {
  if (value) entries_.push_back({Kind::item, to_windows_1252(label), to_windows_1252(*value)});
  return *this;
}

PdfForm& PdfForm::item(std::string_view text) {
  entries_.push_back({Kind::text_item, {}, to_windows_1252(text)});
  return *this;
}

std::string PdfForm::pdf() const {
  Writer writer;
  writer.title(title_);
  for (const Entry& entry : entries_) {
    switch (entry.kind) {
      case Kind::paragraph: writer.paragraph(entry.text); break;
      case Kind::heading: writer.heading(entry.text); break;
      case Kind::item: writer.item(entry.label, entry.text); break;
      case Kind::text_item: writer.text_item(entry.text); break;
    }
  }
  return writer.bytes();
}

}  // namespace guichet::connectors
