// What an agency's e-mail answer means for its request, by French keyword rules: the hub hands
// on_email the reply's text; this turns it into status events, or asks for a person to read it.
#ifndef GUICHET_CONNECTORS_MAIL_REPLY_HPP
#define GUICHET_CONNECTORS_MAIL_REPLY_HPP

#include <guichet/sdk/connector.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace guichet::connectors {

// on_email's answer for `email` ({"from","subject","text","headers","request":{..}}), dated `at`
// (RFC 3339):
//   accusé de réception (+ "référence : X")      → acknowledged, agency_reference X
//   the same about a "retrait"                    → withdrawn
//   acceptée / accordée / admise                  → accepted
//   refus / ne pouvons pas (+ "motif : ...")      → refused, message = the reason
//   a question (?) with préciser / merci de nous indiquer / pourriez-vous → info_requested,
//                                                   message = the question
// Quoted lines (">") and whatever follows "... a écrit :" are the hub's own words, not read.
// No rule, or two decisions at once → {"events":[],"review":true}. The summary (at most 200
// characters) quotes the agency only, never the request.
sdk::Json classify_reply(const sdk::Json& email, const std::string& at);

// `text` cut to at most `max_chars` UTF-8 characters, with "…" when it was cut.
std::string cap_text(std::string_view text, std::size_t max_chars);

}  // namespace guichet::connectors

#endif
