// A connector that misbehaves on purpose, one way per build, for the fault suite:
//   FAULT_CRASH_EVERY=N  segfaults on every Nth delivery its process makes
//   FAULT_LOOP           never returns from a delivery
//   FAULT_HOG            allocates memory on a delivery until the allocation fails
//   FAULT_ABI_MAJOR=M    reports ABI major M in its table (a plugin built against another SDK)
//   FAULT_CRASH_ON_LOAD  segfaults in a static initialiser, as soon as the library is loaded
//   FAULT_CRASH_IN_ENTRY segfaults when its entry function is called
// Otherwise it answers every delivery "sent" without calling anything.
#include <guichet/sdk/abi.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <vector>

#ifndef FAULT_ABI_MAJOR
#define FAULT_ABI_MAJOR GUICHET_ABI_MAJOR
#endif

namespace {

std::atomic<long> deliveries{0};

#ifdef FAULT_CRASH_ON_LOAD
// Runs inside dlopen, before the loader can look at anything the library exports.
[[maybe_unused]] const bool crashed_on_load = [] {
  std::raise(SIGSEGV);
  return true;
}();
#endif

int answer(guichet_buffer* out, const char* text) {
  out->size = std::strlen(text);
  out->data = static_cast<char*>(std::malloc(out->size + 1));
  std::memcpy(out->data, text, out->size + 1);
  return GUICHET_OK;
}

void misbehave() {
  long n = ++deliveries;
#ifdef FAULT_CRASH_EVERY
  if (n % FAULT_CRASH_EVERY == 0) std::raise(SIGSEGV);
#endif
#ifdef FAULT_LOOP
  for (volatile long spin = 0;; spin = spin + 1) {
  }
#endif
#ifdef FAULT_HOG
  static std::vector<char*> kept;
  while (true) {
    char* block = new char[16 << 20];
    std::memset(block, 1, 16 << 20);
    kept.push_back(block);
  }
#endif
  (void)n;
}

int create(const guichet_host_v1*, const char*, size_t, void** instance, guichet_buffer* out) {
  *instance = std::malloc(1);
  return answer(out, "{}");
}
void destroy(void* instance) { std::free(instance); }
int render(void*, const char*, size_t, guichet_buffer* out) { return answer(out, R"({"fault":true})"); }
int deliver(void*, const char*, size_t, guichet_buffer* out) {
  misbehave();
  return answer(out, R"({"result":"sent"})");
}
void free_buffer(guichet_buffer* buffer) {
  std::free(buffer->data);
  buffer->data = nullptr;
  buffer->size = 0;
}

const guichet_connector_v1 table = {
    sizeof(guichet_connector_v1), FAULT_ABI_MAJOR, GUICHET_ABI_MINOR, FAULT_ID, "1.0.0", &create, &destroy, &render,
    &deliver, nullptr, nullptr, nullptr, nullptr, &free_buffer, nullptr};

}  // namespace

extern "C" GUICHET_EXPORT const guichet_connector_v1* guichet_connector_entry_v1(uint32_t) {
#ifdef FAULT_CRASH_IN_ENTRY
  std::raise(SIGSEGV);
#endif
  return &table;
}
