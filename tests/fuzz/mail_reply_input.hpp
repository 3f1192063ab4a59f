// The agency's reply a fuzz input stands for, as the hub hands it to a connector's on_email: the
// first byte says whether the request already has the agency's reference, the bytes up to the
// first newline are the subject and the rest is the text.
#ifndef GUICHET_FUZZ_MAIL_REPLY_INPUT_HPP
#define GUICHET_FUZZ_MAIL_REPLY_INPUT_HPP

#include "fuzzed_connector.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace guichet::fuzz {

inline Json mail_reply(const uint8_t* data, size_t size) {
  Json request{{"request_id", "r_1"}, {"state", "sent"}};
  if (data[0] % 2 == 1) request["agency_reference"] = "AGENCE-0001";
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t newline = rest.find('\n');
  std::string subject = newline == std::string::npos ? rest : rest.substr(0, newline);
  std::string text = newline == std::string::npos ? std::string() : rest.substr(newline + 1);
  return Json{{"from", "agence@example.org"}, {"subject", subject}, {"text", text},
              {"headers", Json::object()}, {"request", request}};
}

}  // namespace guichet::fuzz

#endif  // GUICHET_FUZZ_MAIL_REPLY_INPUT_HPP
