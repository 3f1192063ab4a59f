// guichet-connector-host: runs one connector plugin in a process of its own, so that a crash, a
// hang or a leak in connector code costs this process and never the hub.
//
//   guichet-connector-host --library DIR/<id>.so [--memory-mb 512] [--cpu-s 600] [--log-level 0]
//
// It loads the library with the hub's own loader (Plugin::load, manifest checks included), then
// speaks JSON lines: stdin carries the hub's messages, the original stdout the answers; the
// plugin's own output is sent to stderr, which the hub keeps as its log.
//
//   host → hub  {"ready":{"id","version","pid"}}                      once, after loading
//   host → hub  {"rejected":"reason"}                                  instead, and exits 4
//   hub → host  {"id":N,"op":"create|render|deliver|withdraw|answer|poll|on_inbound|on_email","input":{..}}
//   host → hub  {"id":N,"status":0,"output":{..}}                      status: a guichet_status
//   host → hub  {"id":M,"host":"http|send_mail|secret|now","input":..} a host service call ...
//   hub → host  {"id":M,"status":0,"output":..}                        ... and its answer
//   host → hub  {"host":"log","input":{"level":1,"text":".."}}         no answer
//
// Every side effect goes back to the hub, which checks it (declared origins, secrets of this
// instance only): this process never opens a socket or a file once the plugin is loaded.
#include "hub/connectors/plugin.h"
#include "hub/isolation/line_channel.h"

#include <guichet/sdk/abi.h>

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <vector>

namespace {

using guichet::isolation::Json;
using guichet::isolation::LineChannel;

// The way back to the hub for host service calls. A plugin may call them from threads of its own,
// so one call at a time holds the channel from its request to its answer.
class HubLink {
 public:
  HubLink(LineChannel& channel, int log_level) : channel_(channel), log_level_(log_level) {}

  // Sends a host call and waits for its answer. A hub that is gone ends this process: there is no
  // one left to answer to.
  Json call(const char* service, Json input) {
    std::lock_guard lock(mutex_);
    int64_t id = ++last_id_;
    if (!channel_.write(Json{{"id", id}, {"host", service}, {"input", std::move(input)}})) std::_Exit(3);
    LineChannel::ReadResult answer = channel_.read(std::nullopt);
    if (answer.status != LineChannel::ReadStatus::message || answer.message.value("id", int64_t{-1}) != id) {
      std::_Exit(3);
    }
    return std::move(answer.message);
  }

  bool answer(const Json& message) {
    std::lock_guard lock(mutex_);
    return channel_.write(message);
  }

  void log(int level, std::string text) {
    if (level < log_level_) return;  // the hub would drop it
    std::lock_guard lock(mutex_);
    channel_.write(Json{{"host", "log"}, {"input", {{"level", level}, {"text", std::move(text)}}}});
  }

 private:
  LineChannel& channel_;
  const int log_level_;
  std::mutex mutex_;
  int64_t last_id_ = 0;
};

void fill(guichet_buffer* out, const std::string& text) {
  out->data = static_cast<char*>(std::malloc(text.size() + 1));
  out->size = 0;
  if (!out->data) return;
  std::memcpy(out->data, text.data(), text.size());
  out->data[text.size()] = '\0';
  out->size = text.size();
}

std::string to_text(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Answers a host call into `out`: raw text for a secret, JSON text otherwise.
int forward(void* ctx, const char* service, Json input, guichet_buffer* out) {
  if (!out) return GUICHET_BAD_INPUT;
  Json answer = static_cast<HubLink*>(ctx)->call(service, std::move(input));
  const Json& output = answer["output"];
  fill(out, output.is_string() ? output.get<std::string>() : to_text(output));
  return answer.value("status", static_cast<int>(GUICHET_ERROR));
}

int forward_json(void* ctx, const char* service, const char* text, size_t size, guichet_buffer* out) {
  Json input = Json::parse(std::string_view(text ? text : "", text ? size : 0), nullptr, false);
  if (input.is_discarded()) {
    if (out) fill(out, R"({"message":"request is not JSON","transient":false})");
    return GUICHET_BAD_INPUT;
  }
  return forward(ctx, service, std::move(input), out);
}

guichet_host_v1 host_table(HubLink& link) {
  guichet_host_v1 table{};
  table.struct_size = sizeof table;
  table.ctx = &link;
  table.http = [](void* ctx, const char* request, size_t size, guichet_buffer* out) {
    return forward_json(ctx, "http", request, size, out);
  };
  table.send_mail = [](void* ctx, const char* message, size_t size, guichet_buffer* out) {
    return forward_json(ctx, "send_mail", message, size, out);
  };
  table.log = [](void* ctx, int level, const char* text, size_t size) {
    static_cast<HubLink*>(ctx)->log(level, std::string(text ? text : "", text ? size : 0));
  };
  table.now_ms = [](void* ctx) -> int64_t {
    Json answer = static_cast<HubLink*>(ctx)->call("now", nullptr);
    return answer["output"].is_number_integer() ? answer["output"].get<int64_t>() : 0;
  };
  table.secret = [](void* ctx, const char* name, size_t size, guichet_buffer* out) {
    return forward(ctx, "secret", std::string(name ? name : "", name ? size : 0), out);
  };
  table.free_buffer = [](void*, guichet_buffer* buffer) {
    if (!buffer) return;
    std::free(buffer->data);
    buffer->data = nullptr;
    buffer->size = 0;
  };
  return table;
}

// Closes every descriptor but the standard three: the hub's database, sockets and other hosts'
// pipes must not be reachable from connector code.
void close_inherited_descriptors() {
  std::vector<int> open;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (dirent* entry = readdir(dir)) {
      int fd = std::atoi(entry->d_name);
      if (fd > 2 && fd != dirfd(dir)) open.push_back(fd);
    }
    closedir(dir);
  }
  for (int fd : open) close(fd);
}

void limit(int resource, rlim_t value) {
  rlimit bound{value, value};
  setrlimit(resource, &bound);
}

struct Arguments {
  std::string library;
  long memory_mb = 512;
  long cpu_s = 600;
  int log_level = GUICHET_LOG_DEBUG;
};

bool parse(int argc, char** argv, Arguments& args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i], value = argv[i + 1];
    if (name == "--library") args.library = value;
    else if (name == "--memory-mb") args.memory_mb = std::atol(value.c_str());
    else if (name == "--cpu-s") args.cpu_s = std::atol(value.c_str());
    else if (name == "--log-level") args.log_level = std::atoi(value.c_str());
    else return false;
  }
  return argc % 2 == 1 && !args.library.empty() && args.memory_mb > 0 && args.cpu_s > 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A child spawned from a Poco thread inherits its blocked signals (SIGTERM, SIGPIPE, ...).
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Arguments args;
  if (!parse(argc, argv, args)) {
    std::cerr << "usage: guichet-connector-host --library FILE.so [--memory-mb N] [--cpu-s N] [--log-level N]\n";
    return 2;
  }
  close_inherited_descriptors();
  // The protocol gets a descriptor of its own; a stray printf in connector code lands in the log.
  int protocol_fd = dup(STDOUT_FILENO);
  dup2(STDERR_FILENO, STDOUT_FILENO);

  // No core file and no ptrace by the same user: the memory holds victims' data.
  prctl(PR_SET_DUMPABLE, 0);
  limit(RLIMIT_CORE, 0);
  limit(RLIMIT_AS, static_cast<rlim_t>(args.memory_mb) * 1024 * 1024);
  limit(RLIMIT_CPU, static_cast<rlim_t>(args.cpu_s));

  LineChannel channel(STDIN_FILENO, protocol_fd);
  std::shared_ptr<const guichet::connectors::Plugin> plugin;
  try {
    plugin = guichet::connectors::Plugin::load(args.library);
  } catch (const std::exception& e) {
    // The reason names the plugin file and its manifest, never a person.
    channel.write(Json{{"rejected", e.what()}});
    std::cerr << "guichet-connector-host: " << e.what() << '\n';
    return 4;
  }
  limit(RLIMIT_NOFILE, 16);

  HubLink link(channel, args.log_level);
  guichet_host_v1 host = host_table(link);
  const guichet_connector_v1& table = plugin->table();
  void* instance = nullptr;
  channel.write(Json{{"ready",
                      {{"id", plugin->manifest().id}, {"version", plugin->manifest().version}, {"pid", getpid()}}}});

  while (true) {
    LineChannel::ReadResult request = channel.read(std::nullopt);
    if (request.status != LineChannel::ReadStatus::message) break;  // the hub closed the pipe
    const Json& message = request.message;
    std::string op = message.value("op", "");
    std::string input = to_text(message.contains("input") ? message["input"] : Json::object());
    guichet_buffer out{nullptr, 0};
    int status = GUICHET_UNSUPPORTED;
    if (op == "create" && !instance) {
      status = table.create(&host, input.data(), input.size(), &instance, &out);
    } else if (auto operation = plugin->operation(op); operation && instance) {
      status = operation(instance, input.data(), input.size(), &out);
    }
    Json output = out.data ? Json::parse(std::string_view(out.data, out.size), nullptr, false) : Json();
    if (output.is_discarded()) output = nullptr;
    if (out.data) table.free_buffer(&out);
    if (status == GUICHET_UNSUPPORTED && output.is_null()) {
      output = Json{{"message", "connector does not offer " + op}, {"transient", false}};
    }
    if (!link.answer(Json{{"id", message.value("id", int64_t{0})}, {"status", status}, {"output", output}})) break;
  }
  if (instance) table.destroy(instance);
  return 0;
}
