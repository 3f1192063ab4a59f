#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/mail.hpp>
#include <guichet/connectors/mail_body.hpp>

#include <openssl/evp.h>

namespace guichet::connectors {

namespace {

std::string request_id(const sdk::Json& dispatch) {
  return text_field(dispatch, "request_id").value_or("unknown");
}

// Standard base64 on one line, as the hub's send_mail reads content_base64.
std::string base64(const std::string& bytes) {
  std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                               reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return encoded;
}

}  // namespace

std::string mail_subject(const sdk::Json& dispatch, std::string_view title) {
  return "[" + text_field(dispatch, "correlation").value_or(request_id(dispatch)) + "] " +
         std::string(title);
}

sdk::Json make_mail(const sdk::Json& dispatch, const std::string& to, std::string_view title,
                    const std::string& text, const MailAttachment& attachment,
                    const std::vector<MailFile>& files) {
  sdk::Json attachments = sdk::Json::array({sdk::Json{{"filename", attachment.filename},
                                                      {"content_type", "application/json"},
                                                      {"content", attachment.form.dump(2)}}});
  for (const MailFile& file : files) {
    attachments.push_back(sdk::Json{{"filename", file.filename},
                                    {"content_type", file.content_type},
                                    {"content_base64", base64(file.bytes)}});
  }
  return sdk::Json{{"to", sdk::Json::array({to})},
                   {"subject", mail_subject(dispatch, title)},
                   {"text", text},
                   {"idempotency_key", dispatch.at("idempotency_key").get<std::string>()},
                   {"correlation", text_field(dispatch, "correlation").value_or("")},
                   {"attachments", attachments}};
}

sdk::Outcome send_mail(const sdk::Host& host, const sdk::Json& mail, std::string_view agency,
                       const sdk::Json& dispatch) {
  try {
    host.send_mail(mail);
    return sdk::Outcome::sent();
  } catch (const sdk::HostError& e) {
    // The host's reason is its codes only ("SMTP 550 5.1.1"), never the server's text.
    std::string what = std::string(agency) + " mail for request " + request_id(dispatch);
    if (e.transient()) return sdk::Outcome::retry(what + " deferred by the mail server: " + e.what());
    return sdk::Outcome::config_error(what + " refused permanently by the mail server: " + e.what());
  }
}

namespace {

// A mail about a request the agency already has: `body`, then the references that let the agency
// file it, under `key` — its own, stable across attempts, so it is never taken for the request.
sdk::Json follow_up_mail(const sdk::Json& dispatch, const std::string& to, std::string_view title, MailBody body,
                         const std::string& key) {
  std::string text = body.heading("Références")
                         .item("Demande", text_field(dispatch, "request_id"))
                         .item("Dossier", text_field(dispatch, "correlation"))
                         .item("Votre référence", text_field(dispatch, "agency_reference"))
                         .text();
  return sdk::Json{{"to", sdk::Json::array({to})},
                   {"subject", mail_subject(dispatch, title)},
                   {"text", text},
                   {"idempotency_key", key},
                   {"correlation", text_field(dispatch, "correlation").value_or("")},
                   {"attachments", sdk::Json::array()}};
}

}  // namespace

sdk::Json withdrawal_mail(const sdk::Json& dispatch, const std::string& to) {
  MailBody body;
  body.paragraph("Bonjour,")
      .paragraph("La demande ci-dessous, transmise dans le cadre du Pack nouveau départ, est "
                 "retirée. Merci de ne pas y donner suite et de ne pas recontacter la personne.");
  return follow_up_mail(dispatch, to, "Retrait de la demande — Pack nouveau départ", std::move(body),
                        dispatch.at("idempotency_key").get<std::string>());
}

sdk::Json answer_mail(const sdk::Json& dispatch, const std::string& to) {
  const sdk::Json& answer = dispatch.at("answer");
  MailBody body;
  body.paragraph("Bonjour,")
      .paragraph("Voici la réponse du référent à votre demande d'information, pour la demande transmise "
                 "dans le cadre du Pack nouveau départ.")
      .paragraph(answer.at("text").get<std::string>());
  return follow_up_mail(dispatch, to, "Réponse à votre demande d'information — Pack nouveau départ", std::move(body),
                        answer.at("idempotency_key").get<std::string>());
}

}  // namespace guichet::connectors
