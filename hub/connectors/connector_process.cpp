#include "hub/connectors/connector_process.h"

#include "hub/connectors/errors.h"

#include <Poco/Logger.h>

#include <signal.h>

#include <algorithm>
#include <thread>

namespace guichet::connectors {
namespace {

using isolation::LineChannel;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxRememberedInputs = 1000;
const std::string kPoisonMessage = "le connecteur plante sur cette demande";

Poco::Logger& logger() { return Poco::Logger::get("guichet.isolation"); }

std::string to_text(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

// A write to a host that just died must fail with EPIPE, not kill the hub with SIGPIPE.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    sigaction(SIGPIPE, nullptr, &current);
    if (current.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
  });
}

// The lowest guichet_log_level the hub's logger for this connector keeps (host_services.cpp logs
// its lines under "connector.<instance>").
int kept_log_level(const std::string& instance) {
  Poco::Logger& logger = Poco::Logger::get("connector." + instance);
  if (logger.debug()) return GUICHET_LOG_DEBUG;
  if (logger.information()) return GUICHET_LOG_INFO;
  if (logger.warning()) return GUICHET_LOG_WARNING;
  return GUICHET_LOG_ERROR;
}

// Identifies an input across attempts: its idempotency key when it has one.
std::string poison_key_of(const std::string& operation, const Json& input) {
  if (input.is_object() && input.contains("idempotency_key") && input["idempotency_key"].is_string()) {
    return operation + ":" + input["idempotency_key"].get<std::string>();
  }
  return operation + ":" + std::to_string(std::hash<std::string>{}(to_text(input)));
}

// A buffer the hub's host services filled, released with their free_buffer.
class HostBuffer {
 public:
  explicit HostBuffer(const guichet_host_v1& host) : host_(host) {}
  ~HostBuffer() { host_.free_buffer(host_.ctx, &buffer_); }
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;
  guichet_buffer* get() { return &buffer_; }
  std::string text() const { return buffer_.data ? std::string(buffer_.data, buffer_.size) : std::string(); }

 private:
  const guichet_host_v1& host_;
  guichet_buffer buffer_{nullptr, 0};
};

}  // namespace

ConnectorProcess::ConnectorProcess(std::string instance, std::filesystem::path library, Json settings,
                                   IsolationOptions options, const guichet_host_v1& host,
                                   QuarantineHook on_quarantine)
    : instance_(std::move(instance)),
      library_(std::move(library)),
      settings_(std::move(settings)),
      options_(std::move(options)),
      host_(host),
      on_quarantine_(std::move(on_quarantine)) {
  ignore_sigpipe_once();
}

ConnectorProcess::~ConnectorProcess() {
  std::lock_guard lock(mutex_);
  stop_locked();
}

ProcessReply ConnectorProcess::start() {
  std::lock_guard lock(mutex_);
  return start_locked();
}

ProcessReply ConnectorProcess::start_locked() {
  child_ = std::make_unique<HostProcess>(options_.host_binary, library_,
                                         HostLimits{options_.memory_mb, options_.cpu_s, kept_log_level(instance_)});
  LineChannel::ReadResult ready = child_->channel().read(std::chrono::milliseconds(options_.call_deadline_ms));
  if (ready.status != LineChannel::ReadStatus::message || !ready.message.contains("ready")) {
    std::string how = stop_locked();
    throw HostCrashed("connector host did not start: " + how, false);
  }
  logger().information("connector %s runs in process %d", instance_, static_cast<int>(child_->pid()));
  ProcessReply created = exchange_locked("create", settings_, "create");
  if (created.status != GUICHET_OK) stop_locked();
  return created;
}

ProcessReply ConnectorProcess::call(const std::string& operation, const Json& input) {
  std::lock_guard lock(mutex_);
  if (quarantined_) throw HostCrashed("connecteur en quarantaine après des arrêts répétés", false);
  if (!child_) {
    if (restart_at_) std::this_thread::sleep_until(*restart_at_);
    restart_at_.reset();
    ProcessReply created = start_locked();
    if (created.status != GUICHET_OK) return created;
  }
  std::string key = poison_key_of(operation, input);
  ProcessReply reply = exchange_locked(operation, input, key);
  crashes_in_a_row_ = 0;
  crashes_by_input_.erase(key);
  return reply;
}

ProcessReply ConnectorProcess::exchange_locked(const std::string& operation, const Json& input,
                                               const std::string& poison_key) {
  int64_t id = ++next_id_;
  if (!child_->channel().write(Json{{"id", id}, {"op", operation}, {"input", input}})) {
    crashed_locked("stopped before the call", poison_key);
  }
  while (true) {
    LineChannel::ReadResult read = child_->channel().read(std::chrono::milliseconds(options_.call_deadline_ms));
    if (read.status == LineChannel::ReadStatus::timed_out) {
      crashed_locked("no answer within " + std::to_string(options_.call_deadline_ms) + " ms", poison_key);
    }
    if (read.status != LineChannel::ReadStatus::message) crashed_locked("broke off", poison_key);
    const Json& message = read.message;
    if (message.contains("host")) {
      serve_host_call_locked(message);
      continue;
    }
    if (message.value("id", int64_t{-1}) != id || !message.contains("status") || !message["status"].is_number_integer()) {
      crashed_locked("answered out of protocol", poison_key);
    }
    return {message["status"].get<int>(), message.contains("output") ? message["output"] : Json()};
  }
}

void ConnectorProcess::serve_host_call_locked(const Json& message) {
  std::string service = message.value("host", "");
  const Json input = message.contains("input") ? message["input"] : Json();
  if (service == "log") {
    std::string text = input.is_object() ? input.value("text", "") : "";
    int level = input.is_object() ? input.value("level", GUICHET_LOG_INFO) : GUICHET_LOG_INFO;
    host_.log(host_.ctx, level, text.data(), text.size());
    return;
  }
  Json answer{{"id", message.value("id", int64_t{0})}};
  HostBuffer out(host_);
  if (service == "http" || service == "send_mail") {
    std::string text = to_text(input);
    auto entry = service == "http" ? host_.http : host_.send_mail;
    answer["status"] = entry(host_.ctx, text.data(), text.size(), out.get());
    answer["output"] = Json::parse(out.text(), nullptr, false);
    if (answer["output"].is_discarded()) answer["output"] = nullptr;
  } else if (service == "secret" && input.is_string()) {
    std::string name = input.get<std::string>();
    answer["status"] = host_.secret(host_.ctx, name.data(), name.size(), out.get());
    answer["output"] = out.text();
  } else if (service == "now") {
    answer["status"] = GUICHET_OK;
    answer["output"] = host_.now_ms(host_.ctx);
  } else {
    answer["status"] = GUICHET_UNSUPPORTED;
    answer["output"] = Json{{"message", "unknown host service"}, {"transient", false}};
  }
  child_->channel().write(answer);  // a host gone meanwhile shows at the next read
}

std::string ConnectorProcess::stop_locked() {
  if (!child_) return "not running";
  std::string how = child_->stop();
  child_.reset();
  return how;
}

void ConnectorProcess::crashed_locked(const std::string& what, const std::string& poison_key) {
  // The exit status says more than what we saw: read it before anything else.
  std::string how = stop_locked();
  auto now = Clock::now();
  ++crashes_in_a_row_;
  int64_t backoff = options_.restart_backoff_ms;
  for (int i = 1; i < crashes_in_a_row_ && backoff < options_.restart_backoff_cap_ms; ++i) backoff *= 2;
  restart_at_ = now + std::chrono::milliseconds(std::min(backoff, options_.restart_backoff_cap_ms));
  crashes_.push_back(now);
  while (!crashes_.empty() && now - crashes_.front() > std::chrono::milliseconds(options_.quarantine_window_ms)) {
    crashes_.pop_front();
  }
  if (crashes_by_input_.size() >= kMaxRememberedInputs) crashes_by_input_.clear();
  bool poison = ++crashes_by_input_[poison_key] >= 2;
  if (poison) crashes_by_input_.erase(poison_key);

  std::string reason = "connector host " + what + " (" + how + ")";
  logger().warning("connector %s: %s", instance_, reason);
  if (!quarantined_ && static_cast<int>(crashes_.size()) >= options_.quarantine_crashes) {
    quarantined_ = true;
    std::string why = std::to_string(crashes_.size()) + " arrêts du connecteur en " +
                      std::to_string(options_.quarantine_window_ms / 60000) + " min ; dernier : " + reason;
    logger().error("connector %s quarantined: %s", instance_, why);
    if (on_quarantine_) {
      try {
        on_quarantine_(why);
      } catch (const std::exception& e) {
        logger().error("connector %s: recording the quarantine failed: %s", instance_, std::string(e.what()));
      }
    }
  }
  throw HostCrashed(poison ? kPoisonMessage : reason, poison);
}

}  // namespace guichet::connectors
