// The référent's dashboard: routes (in the URL fragment, which carries case ids only, never
// personal data), sign-in, and the refresh loop that keeps the page live.
import { claims, currentToken, signInView, signOut } from './auth.js';
import { h, replace } from './dom.js';
import { caseView } from './views/case.js';
import { casesView } from './views/cases.js';
import { newCaseView } from './views/new-case.js';
import { reviewView } from './views/review.js';

// Agencies answer within seconds in the demo and within hours in real life: a few seconds keeps
// the page current without weighing on the hub.
const REFRESH_MS = 4000;

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const session = document.getElementById('session');
let view = null;
let refreshing = false;

function route() {
  const path = location.hash.replace(/^#/, '');
  const caseMatch = path.match(/^\/dossiers\/(.+)$/);
  if (caseMatch) return caseView(decodeURIComponent(caseMatch[1]));
  if (path === '/nouvelle-demande') return newCaseView();
  if (path === '/courriers') return reviewView();
  return casesView();
}

function showSession() {
  const who = claims();
  replace(session,
    h('span', {}, `Référent ${who?.sub ?? ''}${who?.dept ? ` · département ${who.dept}` : ''}`),
    h('button', { type: 'button', class: 'button button--quiet', onclick: () => signOut() }, 'Se déconnecter'));
}

function markCurrentLink() {
  for (const link of nav.querySelectorAll('a')) {
    const here = location.hash === link.hash || (link.hash === '#/dossiers' && (location.hash === '' || location.hash === '#/'));
    if (here) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function show(reason) {
  const signedIn = Boolean(currentToken());
  nav.hidden = !signedIn;
  session.hidden = !signedIn;
  if (!signedIn) {
    view = null;
    document.title = 'Connexion — Guichet';
    replace(main, signInView(reason));
    return;
  }
  showSession();
  markCurrentLink();
  view = route();
  document.title = `${view.title} — Guichet`;
  replace(main, view.root);
  // Moves focus to the new page's title so keyboard and screen-reader users start from the top.
  view.root.querySelector('h1')?.focus();
  await view.refresh?.();
}

async function tick() {
  if (!view?.refresh || refreshing || document.visibilityState !== 'visible') return;
  refreshing = true;
  try {
    await view.refresh();
  } finally {
    refreshing = false;
  }
}

window.addEventListener('hashchange', () => show());
window.addEventListener('guichet:auth', (event) => show(event.detail?.reason));
document.addEventListener('visibilitychange', tick);
setInterval(tick, REFRESH_MS);
show();
