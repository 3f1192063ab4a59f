// Testing kit for connector authors: load your built plugin through its real C entry point and
// drive it against a fake host that records every HTTP call and mail, with scripted answers.
//
//   guichet::sdk::testing::FakeHost host;
//   host.on_http("POST", "http://agency/token", {200, {}, R"({"access_token":"t"})"});
//   guichet::sdk::testing::Plugin plugin("build/plugins/caf.so");
//   auto instance = plugin.create(host, settings);
//   Json outcome = instance.deliver(dispatch);
//   EXPECT_EQ(host.requests().size(), 2u);
//
// Thread-safety: FakeHost guards its state; it is meant for single-threaded tests but tolerates more.
// Ownership: a Plugin keeps its library loaded while any Instance made from it lives.
#ifndef GUICHET_SDK_TESTING_HPP
#define GUICHET_SDK_TESTING_HPP

#ifndef BOOST_DLL_USE_STD_FS
#define BOOST_DLL_USE_STD_FS
#endif
#include <boost/dll/shared_library.hpp>
#include <guichet/sdk/connector.hpp>

#include <cstddef>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace guichet::sdk::testing {

// A host whose HTTP answers are scripted per (method, url) and whose mails are kept in memory.
// An HTTP call without a scripted answer fails as a permanent transport error ("no scripted
// answer"), and is still recorded, so a test can assert that render() called nothing.
// Ownership: the table it hands out points into it: it must outlive every Instance using it.
class FakeHost {
 public:
  FakeHost() {
    table_.struct_size = sizeof(table_);
    table_.ctx = this;
    table_.http = &FakeHost::http_entry;
    table_.send_mail = &FakeHost::mail_entry;
    table_.log = &FakeHost::log_entry;
    table_.now_ms = &FakeHost::now_entry;
    table_.secret = &FakeHost::secret_entry;
    table_.free_buffer = &FakeHost::free_entry;
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  // Queues an answer for the next call to (method, url without query); the last one repeats.
  void on_http(const std::string& method, const std::string& url, HttpResponse response) {
    std::lock_guard lock(mutex_);
    scripted_[method + " " + url].push_back(std::move(response));
  }
  // Makes calls to (method, url) fail at the transport level.
  void fail_http(const std::string& method, const std::string& url, bool transient = true) {
    std::lock_guard lock(mutex_);
    failing_[method + " " + url] = transient;
  }
  void set_secret(const std::string& name, const std::string& value) {
    std::lock_guard lock(mutex_);
    secrets_[name] = value;
  }
  void set_now_ms(int64_t now) { now_ms_ = now; }
  void reject_mail(bool transient) {
    std::lock_guard lock(mutex_);
    mail_failure_ = transient ? 1 : 2;
  }

  std::vector<Json> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<Json> mails() const {
    std::lock_guard lock(mutex_);
    return mails_;
  }
  std::vector<std::string> logs() const {
    std::lock_guard lock(mutex_);
    return logs_;
  }
  const guichet_host_v1* table() const { return &table_; }

 private:
  static FakeHost* self(void* ctx) { return static_cast<FakeHost*>(ctx); }

  static int http_entry(void* ctx, const char* data, size_t size, guichet_buffer* out) {
    return self(ctx)->http(Json::parse(std::string_view(data, size)), out);
  }
  int http(const Json& request, guichet_buffer* out) {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    std::string url = request.value("url", std::string());
    std::string key = request.value("method", std::string()) + " " + url.substr(0, url.find('?'));
    if (auto failing = failing_.find(key); failing != failing_.end()) {
      detail::fill(out, to_text(Json{{"message", "connection refused"}, {"transient", failing->second}}));
      return GUICHET_ERROR;
    }
    auto script = scripted_.find(key);
    if (script == scripted_.end() || script->second.empty()) {
      detail::fill(out, to_text(Json{{"message", "no scripted answer for " + key}, {"transient", false}}));
      return GUICHET_ERROR;
    }
    HttpResponse response = script->second.front();
    if (script->second.size() > 1) script->second.pop_front();
    detail::fill(out, to_text(Json{{"status", response.status}, {"headers", response.headers},
                                   {"body", response.body}}));
    return GUICHET_OK;
  }

  static int mail_entry(void* ctx, const char* data, size_t size, guichet_buffer* out) {
    FakeHost* host = self(ctx);
    std::lock_guard lock(host->mutex_);
    if (host->mail_failure_ != 0) {
      // What the hub says of a refusal: the SMTP codes, never the server's text.
      const char* reason = host->mail_failure_ == 1 ? "SMTP 451 4.7.1" : "SMTP 550 5.1.1";
      detail::fill(out, to_text(Json{{"message", reason}, {"transient", host->mail_failure_ == 1}}));
      return GUICHET_ERROR;
    }
    host->mails_.push_back(Json::parse(std::string_view(data, size)));
    detail::fill(out, R"({"accepted":true})");
    return GUICHET_OK;
  }
  static void log_entry(void* ctx, int, const char* text, size_t size) {
    std::lock_guard lock(self(ctx)->mutex_);
    self(ctx)->logs_.emplace_back(text, size);
  }
  static int64_t now_entry(void* ctx) { return self(ctx)->now_ms_; }
  static int secret_entry(void* ctx, const char* name, size_t size, guichet_buffer* out) {
    FakeHost* host = self(ctx);
    std::lock_guard lock(host->mutex_);
    auto it = host->secrets_.find(std::string(name, size));
    if (it == host->secrets_.end()) {
      detail::fill(out, "");
      return GUICHET_ERROR;
    }
    detail::fill(out, it->second);
    return GUICHET_OK;
  }
  static void free_entry(void*, guichet_buffer* buffer) { detail::free_buffer(buffer); }

  mutable std::mutex mutex_;
  guichet_host_v1 table_{};
  std::map<std::string, std::deque<HttpResponse>> scripted_;
  std::map<std::string, bool> failing_;
  std::map<std::string, std::string> secrets_;
  std::vector<Json> requests_;
  std::vector<Json> mails_;
  std::vector<std::string> logs_;
  int mail_failure_ = 0;
  int64_t now_ms_ = 1795000000000;  // 2026-11-18T...Z: a fixed clock keeps golden files stable
};

// One connector instance created through the plugin's C table; movable, not copyable. Calls
// return the JSON the connector produced; a non-OK status throws std::runtime_error with the
// connector's message.
class Instance {
 public:
  Instance(std::shared_ptr<boost::dll::shared_library> library, const guichet_connector_v1* table,
           void* handle)
      : library_(std::move(library)), table_(table), handle_(handle) {}
  Instance(Instance&& other) noexcept
      : library_(std::move(other.library_)), table_(other.table_), handle_(other.handle_) {
    other.handle_ = nullptr;
  }
  Instance(const Instance&) = delete;
  ~Instance() {
    if (handle_) table_->destroy(handle_);
  }

  Json render(const Json& dispatch) const { return call(table_->render, dispatch); }
  Json deliver(const Json& dispatch) const { return call(table_->deliver, dispatch); }
  Json withdraw(const Json& dispatch) const { return call(table_->withdraw, dispatch); }
  // Throws std::runtime_error when the plugin's table predates answer (ABI 1.0).
  Json answer(const Json& dispatch) const {
    if (table_->struct_size < offsetof(guichet_connector_v1, answer) + sizeof(table_->answer) || !table_->answer) {
      throw std::runtime_error("the plugin's table has no answer (ABI 1.0)");
    }
    return call(table_->answer, dispatch);
  }
  Json poll(const Json& query) const { return call(table_->poll, query); }
  Json on_inbound(const Json& call_) const { return call(table_->on_inbound, call_); }
  Json on_email(const Json& email) const { return call(table_->on_email, email); }

 private:
  using Operation = int (*)(void*, const char*, size_t, guichet_buffer*);

  Json call(Operation operation, const Json& input) const {
    std::string text = to_text(input);
    guichet_buffer out{nullptr, 0};
    int status = operation(handle_, text.data(), text.size(), &out);
    std::string answer(out.data ? out.data : "", out.size);
    table_->free_buffer(&out);
    Json parsed = Json::parse(answer, nullptr, false);
    if (status != GUICHET_OK) {
      std::string message = parsed.is_object() ? parsed.value("message", answer) : answer;
      throw std::runtime_error(message);
    }
    return parsed;
  }

  std::shared_ptr<boost::dll::shared_library> library_;  // destroyed after the instance
  const guichet_connector_v1* table_;
  void* handle_;
};

// A plugin file loaded in-process for tests. Errors: the constructor throws when the file cannot be
// loaded, lacks the entry symbol or refuses this ABI major; create() throws std::runtime_error
// with the connector's message when creation fails.
class Plugin {
 public:
  explicit Plugin(const std::string& path)
      : library_(std::make_shared<boost::dll::shared_library>(
            path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local)) {
    auto entry = library_->get<const guichet_connector_v1*(uint32_t)>(GUICHET_CONNECTOR_ENTRY);
    table_ = entry(GUICHET_ABI_MAJOR);
    if (!table_) throw std::runtime_error("plugin refused ABI major " + std::to_string(GUICHET_ABI_MAJOR));
  }

  const guichet_connector_v1& table() const { return *table_; }

  Instance create(const FakeHost& host, const Json& settings) const {
    std::string text = to_text(settings);
    void* handle = nullptr;
    guichet_buffer out{nullptr, 0};
    int status = table_->create(host.table(), text.data(), text.size(), &handle, &out);
    std::string answer(out.data ? out.data : "", out.size);
    table_->free_buffer(&out);
    if (status != GUICHET_OK) throw std::runtime_error("create failed: " + answer);
    return Instance(library_, table_, handle);
  }

 private:
  std::shared_ptr<boost::dll::shared_library> library_;
  const guichet_connector_v1* table_ = nullptr;
};

}  // namespace guichet::sdk::testing

#endif  // GUICHET_SDK_TESTING_HPP
