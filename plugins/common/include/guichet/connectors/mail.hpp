// Email connectors: the message handed to the host's send_mail, and what its answer means.
#ifndef GUICHET_CONNECTORS_MAIL_HPP
#define GUICHET_CONNECTORS_MAIL_HPP

#include <guichet/sdk/connector.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace guichet::connectors {

struct MailAttachment {
  std::string filename;
  sdk::Json form;  // the agency's form, sent as readable JSON text
};

// A file that is not text, such as the form as a PDF: its bytes travel base64-encoded.
struct MailFile {
  std::string filename;
  std::string content_type;
  std::string bytes;
};

// The send_mail message for a dispatch: one recipient, a subject carrying the correlation
// reference so replies find their request, the same idempotency key on every attempt. The form
// comes first among the attachments, then `files` in their order.
sdk::Json make_mail(const sdk::Json& dispatch, const std::string& to, std::string_view title,
                    const std::string& text, const MailAttachment& attachment,
                    const std::vector<MailFile>& files = {});

// "[GCH-7Q2XAB] title".
std::string mail_subject(const sdk::Json& dispatch, std::string_view title);

// Sends the message. Accepted → sent; a transient refusal → retry; a permanent one →
// config_error (the address or the mail server set-up is wrong, not the request).
sdk::Outcome send_mail(const sdk::Host& host, const sdk::Json& mail, std::string_view agency,
                       const sdk::Json& dispatch);

// A short notice that a request is withdrawn, with no personal data: only references.
sdk::Json withdrawal_mail(const sdk::Json& dispatch, const std::string& to);

// The référent's answer to the agency's question (dispatch "answer"), with the references that
// let the agency file it, under the answer's own idempotency key.
sdk::Json answer_mail(const sdk::Json& dispatch, const std::string& to);

}  // namespace guichet::connectors

#endif
