#include "email_agencies/replies.hpp"

#include <cstdio>

namespace guichet::sim::email {
namespace {

struct Wording {
  const char* signature;
  const char* granted;   // what acceptance gives, after "est acceptée : "
  const char* reason;    // why it is refused, after "motif : "
  const char* question;  // what is asked, after "pourriez-vous nous préciser "
};

const Wording& wording(AgencyKind kind) {
  static const Wording siao{"Le SIAO", "une place d'hébergement est réservée et la personne sera contactée "
                            "par le canal indiqué",
                            "aucune place adaptée n'est disponible dans le département à ce jour",
                            "si la personne a besoin d'une place accessible à une personne à mobilité réduite"};
  static const Wording childcare{"Le service petite enfance",
                                 "une place en crèche est attribuée à compter du lundi suivant",
                                 "aucune place n'est disponible dans la tranche d'âge de l'enfant",
                                 "les jours et horaires d'accueil souhaités"};
  static const Wording association{"L'association d'aide aux victimes",
                                   "une psychologue proposera un premier entretien dans la semaine",
                                   "la personne réside hors de notre secteur d'intervention",
                                   "dans quelle langue l'entretien doit se tenir"};
  static const Wording cidff{"Le CIDFF", "une juriste et une conseillère proposeront un rendez-vous dans la semaine",
                             "notre permanence ne couvre pas la commune de résidence",
                             "si la personne souhaite être reçue avec un interprète"};
  switch (kind) {
    case AgencyKind::siao: return siao;
    case AgencyKind::childcare: return childcare;
    case AgencyKind::association: return association;
    case AgencyKind::cidff: return cidff;
  }
  return siao;
}

std::string letter(AgencyKind kind, const std::string& body) {
  return "Bonjour,\n\n" + body + "\n\nCordialement,\n" + wording(kind).signature + "\n";
}

}  // namespace

Decision decision_for(int sequence) {
  if (sequence % 7 == 0) return Decision::free_text;
  if (sequence % 4 == 0) return Decision::question;
  if (sequence % 5 == 0) return Decision::refused;
  return Decision::accepted;
}

const char* decision_name(Decision decision) {
  switch (decision) {
    case Decision::accepted: return "accepted";
    case Decision::refused: return "refused";
    case Decision::question: return "question";
    case Decision::free_text: return "free_text";
  }
  return "accepted";
}

std::string agency_reference(const std::string& prefix, int sequence) {
  char number[16];
  std::snprintf(number, sizeof number, "%04d", sequence);
  return prefix + "-" + number;
}

std::string acknowledgement_text(AgencyKind kind, const std::string& reference) {
  return letter(kind, "Nous accusons réception de votre demande. Notre référence : " + reference +
                          ".\nElle sera étudiée dans les meilleurs délais.");
}

std::string decision_text(AgencyKind kind, Decision decision, const std::string& reference) {
  const Wording& words = wording(kind);
  const std::string about = "votre demande (notre référence : " + reference + ")";
  switch (decision) {
    case Decision::accepted:
      return letter(kind, "Nous avons le plaisir de vous informer que " + about + " est acceptée : " +
                              words.granted + ".");
    case Decision::refused:
      return letter(kind, "Après examen de " + about + ", nous ne pouvons pas y donner suite, motif : " +
                              words.reason + ".");
    case Decision::question:
      return letter(kind, "Pour instruire " + about + ", pourriez-vous nous préciser " + words.question + " ?");
    case Decision::free_text:
      return letter(kind, "Je reviens vers vous au sujet de ce dossier. Une collègue de l'équipe vous "
                          "appellera demain matin pour en parler de vive voix.");
  }
  return {};
}

std::string withdrawal_text(AgencyKind kind, const std::string& reference) {
  std::string body = "Nous accusons réception du retrait de votre demande.";
  if (!reference.empty()) body += " Notre référence : " + reference + ".";
  return letter(kind, body + "\nLe dossier est clos de notre côté.");
}

}  // namespace guichet::sim::email
