#include "hub/domain/ids.h"

#include <random>
#include <string_view>

namespace guichet {
namespace {

std::string random_text(std::string_view alphabet, size_t length) {
  // One generator per thread, seeded from the OS: ids are minted concurrently by HTTP threads.
  thread_local std::mt19937_64 generator(std::random_device{}());
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) out.push_back(alphabet[pick(generator)]);
  return out;
}

constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

std::string new_case_id() { return "c_" + random_text(kBase62, 22); }
std::string new_request_id() { return "r_" + random_text(kBase62, 22); }
std::string new_delivery_key() { return "gch-" + random_text(kBase62, 26); }
std::string new_correlation() { return "GCH-" + random_text(kCrockford, 8); }

}  // namespace guichet
