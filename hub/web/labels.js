// French wording of everything the API says in codes, and the small formatting helpers the views share.

export const NEED_KINDS = ['allowance', 'employment', 'housing', 'childcare', 'psych_support'];

export const NEED_LABELS = {
  allowance: 'Aide financière (CAF)',
  employment: 'Emploi (France Travail)',
  housing: 'Hébergement (SIAO/115)',
  childcare: "Garde d'enfants",
  psych_support: 'Soutien psychologique',
};

export const STATE_LABELS = {
  queued: "En attente d'envoi",
  sent: 'Envoyée',
  acknowledged: 'Accusé de réception',
  in_review: "En cours d'examen",
  info_requested: 'Information demandée',
  accepted: 'Acceptée',
  refused: 'Refusée',
  closed: 'Clôturée',
  withdrawn: 'Retirée',
  failed: "Échec d'envoi",
};

export const OVERALL_LABELS = {
  action_required: 'Action requise',
  in_progress: 'En cours',
  completed: 'Terminé',
};

export const SOURCE_LABELS = {
  hub: 'Guichet',
  dispatch: 'Envoi par le guichet',
  webhook: "Notification de l'organisme",
  poll: "Suivi auprès de l'organisme",
  email: "Courriel de l'organisme",
  referent: 'Référent',
};

export const TERMINAL_STATES = new Set(['accepted', 'refused', 'closed', 'withdrawn']);

// Known validation messages of the API (hub/cases/intake_validation.cpp), in French. A message
// not listed here is shown as the API wrote it: better in English than hidden.
const MESSAGES = {
  required: 'obligatoire',
  'must not be empty': 'ne doit pas être vide',
  'must be a string': 'doit être un texte',
  'must be true or false': 'doit être oui ou non',
  'is too long (200 characters at most)': 'est trop long (200 caractères au plus)',
  'must not contain control characters': 'contient des caractères non autorisés',
  'must be a date YYYY-MM-DD': 'doit être une date valide',
  'must not be in the future': 'ne peut pas être dans le futur',
  'must be 5 digits': 'doit comporter 5 chiffres',
  'must be a 15-character social security number': 'doit être un numéro de sécurité sociale de 15 caractères',
  'must be a phone number': 'doit être un numéro de téléphone',
  'must be an email address': 'doit être une adresse électronique',
  'must be digits': 'ne doit contenir que des chiffres',
  'must be letters and digits': 'ne doit contenir que des lettres et des chiffres',
  'must list at least one given name': 'indiquez au moins un prénom',
  '10 given names at most': '10 prénoms au plus',
  '20 children at most': '20 enfants au plus',
  'must be a language code such as fr': 'doit être un code de langue, par exemple fr',
  'no agency is configured for this department': "aucun organisme n'est configuré pour ce département",
  'must list 1 to 10 needs': 'cochez au moins un besoin',
  'this need is already listed': 'ce besoin figure déjà dans la demande',
  'must list children by their position in person.children': 'choisissez au moins un enfant',
  'must be the position of a child in person.children': 'cet enfant ne figure pas dans la liste',
  'required: the victim\'s consent for each need': 'le consentement de la personne est requis pour chaque besoin',
  "the victim's consent is required for every need listed":
    'le consentement de la personne est requis pour chaque besoin coché',
  'must be a référent id of 1 to 200 characters': "indiquez l'identifiant de la ou du collègue (200 caractères au plus)",
  'must not hold control characters': 'contient des caractères non autorisés',
  "is the case's owner": 'vous êtes déjà la ou le référent de ce dossier',
  'must be a text of 1 to 4000 characters, without control characters other than line breaks':
    'écrivez une réponse de 4 000 caractères au plus',
};

// Delivery failures name the agency and its HTTP answer (sdk classify_http_failure).
const PATTERNS = [[/^(.+) answered HTTP (\d+)$/, '$1 a répondu avec le code HTTP $2']];

export function translateMessage(message) {
  if (typeof message !== 'string') return message;
  if (MESSAGES[message]) return MESSAGES[message];
  const [pattern, french] = PATTERNS.find(([re]) => re.test(message)) ?? [];
  return pattern ? message.replace(pattern, french) : message;
}

// Answers without a field: what to tell the référent for each error code.
const CODE_MESSAGES = {
  unauthenticated: 'Votre session a expiré : reconnectez-vous.',
  not_found: "Ce dossier n'existe pas ou ne vous est pas attribué.",
  forbidden: 'Seul ou seule la référente du dossier peut faire cela.',
  conflict: "Cette action n'est pas possible dans l'état actuel de la demande.",
  rate_limited: 'Trop de requêtes : réessayez dans quelques secondes.',
  unavailable: "Le guichet est momentanément indisponible ; rien n'a été enregistré. Réessayez plus tard.",
  payload_too_large: 'La demande est trop volumineuse.',
  network: 'Le guichet ne répond pas. Vérifiez la connexion puis réessayez.',
};

export function errorText(error) {
  return CODE_MESSAGES[error.code] ?? translateMessage(error.message) ?? 'Erreur inattendue.';
}

const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium' });

export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '';
}

export function formatDate(iso) {
  return iso ? dateOnly.format(new Date(iso)) : '';
}

// "2 j 4 h", "3 h 10 min", "12 min": the two largest units are enough to decide what to do first.
function duration(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} j ${hours} h` : `${days} j`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}

// The time left before a legal deadline, or how late it is.
export function timeLeft(deadline, overdue, now = Date.now()) {
  const ms = new Date(deadline).getTime() - now;
  if (overdue || ms <= 0) return `Délai dépassé de ${duration(-ms)}`;
  return `Reste ${duration(ms)}`;
}

// Visual tone of each state; the label always says the state in words as well.
export const STATE_TONES = {
  queued: 'neutral',
  sent: 'neutral',
  acknowledged: 'info',
  in_review: 'info',
  info_requested: 'warning',
  accepted: 'success',
  refused: 'danger',
  closed: 'muted',
  withdrawn: 'muted',
  failed: 'alert',
};

export const OVERALL_TONES = {
  action_required: 'alert',
  in_progress: 'info',
  completed: 'success',
};
