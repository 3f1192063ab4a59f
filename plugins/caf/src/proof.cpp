#include "proof.hpp"

#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/fields.hpp>

namespace guichet::caf {

using connectors::object_field;
using connectors::text_field;

namespace {

constexpr int kMaxAgeMonths = 12;

const char* const kNoValidProof =
    "Justificatif manquant : l'aide universelle d'urgence exige un dépôt de plainte, une ordonnance "
    "de protection ou un signalement au procureur de la République (une main courante ne suffit "
    "pas). Merci d'obtenir l'un de ces documents, puis de relancer la demande.";
const char* const kNoDate =
    "Date du justificatif manquante ou illisible : indiquez la date de la plainte, de l'ordonnance "
    "de protection ou du signalement au procureur (AAAA-MM-JJ).";
const char* const kFutureDate =
    "La date du justificatif est postérieure à aujourd'hui : merci de la vérifier.";
const char* const kTooOld =
    "Justificatif de plus de 12 mois : l'aide universelle d'urgence exige un justificatif daté de "
    "moins d'un an. Merci d'obtenir un document récent (plainte, ordonnance de protection ou "
    "signalement au procureur), puis de relancer la demande.";

}  // namespace

std::optional<std::string> justificatif_type(const sdk::Json& situation) {
  auto kind = text_field(object_field(situation, "proof"), "kind");
  if (kind == "complaint") return "plainte";
  if (kind == "protection_order") return "ordonnance_protection";
  if (kind == "prosecutor_report") return "signalement_procureur";
  return std::nullopt;
}

std::optional<std::string> proof_kind_problem(const sdk::Json& situation) {
  if (!justificatif_type(situation)) return kNoValidProof;
  auto date = text_field(object_field(situation, "proof"), "date");
  if (!date || !connectors::parse_date(*date)) return kNoDate;
  return std::nullopt;
}

std::optional<std::string> proof_problem(const sdk::Json& situation,
                                         std::chrono::year_month_day today) {
  if (auto problem = proof_kind_problem(situation)) return problem;
  auto date = *connectors::parse_date(*text_field(object_field(situation, "proof"), "date"));
  if (std::chrono::sys_days{date} > std::chrono::sys_days{today}) return kFutureDate;
  if (!connectors::within_months(date, today, kMaxAgeMonths)) return kTooOld;
  return std::nullopt;
}

}  // namespace guichet::caf
