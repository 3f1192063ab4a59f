#include "hub/domain/ids.h"

#include <chrono>
#include <random>
#include <string_view>

namespace guichet {
namespace {

// In ASCII order, so that base62 text sorts as the numbers it writes.
constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t kTimeCharacters = 8;  // 62^8 ms: beyond the year 8000

std::string random_text(std::string_view alphabet, size_t length) {
  // One generator per thread, seeded from the OS: ids are minted concurrently by HTTP threads.
  thread_local std::mt19937_64 generator(std::random_device{}());
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) out.push_back(alphabet[pick(generator)]);
  return out;
}

// The wall clock in milliseconds, fixed-width base62, then `random` random characters.
std::string time_ordered(size_t random) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  uint64_t value = static_cast<uint64_t>(ms.count());
  std::string out(kTimeCharacters, '0');
  for (size_t i = kTimeCharacters; i-- > 0; value /= kBase62.size()) out[i] = kBase62[value % kBase62.size()];
  return out + random_text(kBase62, random);
}

}  // namespace

std::string new_case_id() { return "c_" + time_ordered(14); }
std::string new_request_id() { return "r_" + time_ordered(14); }
std::string new_delivery_key() { return "gch-" + time_ordered(18); }
std::string new_correlation() { return "GCH-" + random_text(kCrockford, 8); }

}  // namespace guichet
