#include "hub/conformance/agency_host.h"

#include <Poco/Base64Decoder.h>
#include <Poco/StreamCopier.h>

#include <sstream>

namespace guichet::conformance {
namespace {

AgencyHost* self(void* ctx) { return static_cast<AgencyHost*>(ctx); }

// Invalid base64 yields what decodes before the fault: the hub refuses such a mail anyway.
void append_attachments(const Json& value, std::string& text) {
  if (value.is_object()) {
    if (auto bytes = value.find("content_base64"); bytes != value.end() && bytes->is_string()) {
      std::istringstream in(bytes->get<std::string>());
      Poco::Base64Decoder decoder(in);
      std::string decoded;
      Poco::StreamCopier::copyToString(decoder, decoded);
      text += "\n" + decoded;
    }
  }
  if (value.is_structured()) {
    for (const Json& member : value) append_attachments(member, text);
  }
}

int fail(guichet_buffer* out, const std::string& message, bool transient) {
  sdk::detail::fill(out, sdk::to_text(Json{{"message", message}, {"transient", transient}}));
  return GUICHET_ERROR;
}

}  // namespace

AgencyHost::AgencyHost(Responder answer) : answer_(std::move(answer)) {
  table_.struct_size = sizeof(table_);
  table_.ctx = this;
  table_.http = &AgencyHost::http_entry;
  table_.send_mail = &AgencyHost::mail_entry;
  table_.log = &AgencyHost::log_entry;
  table_.now_ms = &AgencyHost::now_entry;
  table_.secret = &AgencyHost::secret_entry;
  table_.free_buffer = &AgencyHost::free_entry;
}

void AgencyHost::refuse_mail(bool transient) {
  std::lock_guard lock(mutex_);
  mail_refusal_ = transient ? 1 : 2;
}

std::vector<Json> AgencyHost::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<Json> AgencyHost::mails() const {
  std::lock_guard lock(mutex_);
  return mails_;
}

std::vector<std::string> AgencyHost::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

std::string AgencyHost::egress() const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const Json& request : requests_) text += sdk::to_text(request) + "\n";
  for (const Json& mail : mails_) text += searchable(mail) + "\n";
  for (const std::string& line : logs_) text += line + "\n";
  return text;
}

int AgencyHost::http_entry(void* ctx, const char* data, size_t size, guichet_buffer* out) {
  Json request = Json::parse(std::string_view(data, size), nullptr, false);
  if (!request.is_object()) return fail(out, "request is not a JSON object", false);
  AgencyHost* host = self(ctx);
  {
    std::lock_guard lock(host->mutex_);
    host->requests_.push_back(request);
  }
  std::optional<HttpAnswer> answer = host->answer_(request);
  if (!answer) return fail(out, "connection refused", true);
  sdk::detail::fill(out, sdk::to_text(Json{{"status", answer->status}, {"headers", answer->headers},
                                           {"body", answer->body}}));
  return GUICHET_OK;
}

int AgencyHost::mail_entry(void* ctx, const char* data, size_t size, guichet_buffer* out) {
  Json message = Json::parse(std::string_view(data, size), nullptr, false);
  if (!message.is_object()) return fail(out, "message is not a JSON object", false);
  AgencyHost* host = self(ctx);
  std::lock_guard lock(host->mutex_);
  host->mails_.push_back(message);
  if (host->mail_refusal_ == 1) return fail(out, "451 mailbox busy, try again later", true);
  if (host->mail_refusal_ == 2) return fail(out, "550 no such mailbox", false);
  sdk::detail::fill(out, R"({"accepted":true})");
  return GUICHET_OK;
}

void AgencyHost::log_entry(void* ctx, int, const char* text, size_t size) {
  std::lock_guard lock(self(ctx)->mutex_);
  self(ctx)->logs_.emplace_back(text, size);
}

int64_t AgencyHost::now_entry(void*) { return kNowMs; }

int AgencyHost::secret_entry(void*, const char*, size_t, guichet_buffer* out) {
  sdk::detail::fill(out, kSecret);
  return GUICHET_OK;
}

void AgencyHost::free_entry(void*, guichet_buffer* buffer) { sdk::detail::free_buffer(buffer); }

std::string searchable(const Json& sent) {
  std::string text = sdk::to_text(sent);
  append_attachments(sent, text);
  return text;
}

HttpAnswer token_answer() {
  return {200, {{"content-type", "application/json"}},
          R"({"access_token":"conformance-token","token_type":"Bearer","expires_in":3600})"};
}

}  // namespace guichet::conformance
