#include "hub/inbound/dsn.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

namespace guichet::inbound {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;  // names lower-cased, in order

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trim(std::string_view text) {
  std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  std::size_t last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return lines;
}

// Header fields of consecutive lines (folded lines joined), up to the first empty line; `next`
// is set to the index after it.
Fields read_fields(const std::vector<std::string_view>& lines, std::size_t from, std::size_t& next) {
  Fields fields;
  std::size_t i = from;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    std::string_view line = lines[i];
    if ((line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
      fields.back().second += " " + trim(line);
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      fields.emplace_back(lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
    }
  }
  next = i + 1;
  return fields;
}

std::string field(const Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return {};
}

// The value of parameter `name` in a Content-Type ("multipart/report; boundary=\"b\"").
std::string parameter(const std::string& content_type, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = content_type.find(';', pos)) != std::string::npos) {
    ++pos;
    std::size_t equals = content_type.find('=', pos);
    if (equals == std::string::npos) break;
    std::string key = lower(trim(std::string_view(content_type).substr(pos, equals - pos)));
    std::size_t end = content_type.find(';', equals);
    std::string value = trim(std::string_view(content_type).substr(equals + 1, end == std::string::npos ? std::string::npos : end - equals - 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (key == name) return value;
  }
  return {};
}

std::string media_type(const std::string& content_type) {
  return lower(trim(std::string_view(content_type).substr(0, content_type.find(';'))));
}

struct Part {
  Fields headers;
  std::vector<std::string_view> body;
};

std::vector<Part> parts_of(const std::vector<std::string_view>& lines, std::size_t from, const std::string& boundary) {
  const std::string delimiter = "--" + boundary;
  std::vector<Part> parts;
  std::vector<std::string_view> current;
  bool inside = false;
  auto close = [&] {
    if (!inside) return;
    Part part;
    std::size_t body_start = 0;
    part.headers = read_fields(current, 0, body_start);
    if (body_start < current.size()) part.body.assign(current.begin() + static_cast<long>(body_start), current.end());
    parts.push_back(std::move(part));
    current.clear();
  };
  for (std::size_t i = from; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.rfind(delimiter, 0) == 0) {
      std::string rest = trim(line.substr(delimiter.size()));
      close();
      if (rest == "--") return parts;
      inside = rest.empty();
      continue;
    }
    if (inside) current.push_back(line);
  }
  close();
  return parts;
}

// The type-less value of a DSN field written "type; value" (RFC 3464 §2.3).
std::string typed_value(const std::string& value) {
  std::size_t semicolon = value.find(';');
  return semicolon == std::string::npos ? value : trim(std::string_view(value).substr(semicolon + 1));
}

// Per-recipient groups of a message/delivery-status body (the first group is per-message).
void read_status(const std::vector<std::string_view>& body, DeliveryReport& report) {
  std::size_t next = 0;
  read_fields(body, 0, next);
  bool found = false;
  while (next < body.size()) {
    while (next < body.size() && body[next].empty()) ++next;
    if (next >= body.size()) break;
    Fields recipient = read_fields(body, next, next);
    std::string action = lower(field(recipient, "action"));
    if (found && report.action == "failed") break;
    if (found && action != "failed") continue;
    report.action = action;
    report.status = field(recipient, "status");
    report.diagnostic = typed_value(field(recipient, "diagnostic-code"));
    found = true;
  }
}

}  // namespace

std::optional<DeliveryReport> parse_delivery_report(std::string_view raw) {
  std::vector<std::string_view> lines = lines_of(raw);
  std::size_t body = 0;
  Fields headers = read_fields(lines, 0, body);
  std::string content_type = field(headers, "content-type");
  if (media_type(content_type) != "multipart/report") return std::nullopt;
  if (lower(parameter(content_type, "report-type")) != "delivery-status") return std::nullopt;
  std::string boundary = parameter(content_type, "boundary");
  if (boundary.empty()) return std::nullopt;

  DeliveryReport report;
  bool has_status = false;
  for (const Part& part : parts_of(lines, body, boundary)) {
    std::string type = media_type(field(part.headers, "content-type"));
    if (type == "message/delivery-status") {
      read_status(part.body, report);
      has_status = true;
    } else if (type == "text/rfc822-headers" || type == "message/rfc822") {
      std::size_t ignored = 0;
      report.original_message_id = field(read_fields(part.body, 0, ignored), "message-id");
    }
  }
  if (!has_status) return std::nullopt;
  return report;
}

}  // namespace guichet::inbound
