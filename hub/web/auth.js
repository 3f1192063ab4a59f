// Who the référent is: a bearer token (JWT) kept for this tab only (sessionStorage, cleared when the
// tab closes). The embedded default has no login page, so the référent pastes the token that
// `guichet token` printed. Nothing but the token is ever stored in the browser.
import { h, uid } from './dom.js';

const TOKEN_KEY = 'guichet.token';

export function currentToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

// The token's claims (sub = référent id, dept = department), or null when it is not a JWT.
// Read only to greet the référent and prefill the department: the hub checks the signature.
export function claims(token = currentToken()) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

function expired(token) {
  const exp = claims(token)?.exp;
  return typeof exp === 'number' && exp * 1000 <= Date.now();
}

export function saveToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  window.dispatchEvent(new CustomEvent('guichet:auth'));
}

// reason 'refused' (the hub answered 401) tells the sign-in page why the référent is back there.
export function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new CustomEvent('guichet:auth', { detail: { reason } }));
}

// The sign-in page. With OIDC, this is where the dashboard would redirect to the identity
// provider's authorization endpoint instead, and the callback would hand the obtained token to
// saveToken(): the rest of the dashboard only ever asks currentToken().
export function signInView(reason) {
  const inputId = uid('token');
  const errorId = uid('token-error');
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const input = h('textarea', {
    id: inputId,
    name: 'token',
    rows: 4,
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': `${inputId}-hint ${errorId}`,
  });
  const form = h(
    'form',
    { class: 'card sign-in', novalidate: true },
    h('h1', { tabindex: '-1' }, 'Connexion'),
    reason === 'refused'
      ? h('p', { class: 'notice notice--warning', role: 'status' }, 'Le guichet a refusé votre jeton (expiré ou invalide) : collez-en un nouveau.')
      : null,
    h('div', { class: 'field' },
      h('label', { for: inputId }, "Jeton d'accès"),
      h('p', { id: `${inputId}-hint`, class: 'hint' },
        'Collez le jeton fourni par votre administrateur (commande « guichet token »). Il reste dans cet onglet et disparaît à sa fermeture.'),
      input,
      error),
    h('button', { type: 'submit', class: 'button button--primary' }, 'Se connecter'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    let problem = null;
    if (!claims(token)) problem = "Ce texte n'est pas un jeton valide.";
    else if (expired(token)) problem = 'Ce jeton a expiré : demandez-en un nouveau.';
    error.hidden = !problem;
    error.textContent = problem ?? '';
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem) {
      input.focus();
      return;
    }
    saveToken(token);
  });
  return form;
}
