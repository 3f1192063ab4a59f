// One case: each agency's request with its timeline, legal deadline and the référent's actions.
// The page refreshes itself; a request's card is updated in place so that a form the référent is
// filling in is not wiped by a refresh, and is rebuilt only when the request's state changes.
import * as api from '../api.js';
import { claims } from '../auth.js';
import { notice, overallChip, overdueBadge, stateChip } from '../components.js';
import { announce, h, replace, uid } from '../dom.js';
import {
  errorText, formatDateTime, NEED_KINDS, NEED_LABELS, SOURCE_LABELS, STATE_LABELS, TERMINAL_STATES, timeLeft, translateMessage,
} from '../labels.js';

const MESSAGE_TITLES = {
  info_requested: "Question de l'organisme",
  refused: 'Motif du refus',
  failed: "Cause de l'échec",
};

// A button that opens a small inline form below it (more robust than a modal for keyboard users).
function disclosure(label, buildForm) {
  const panelId = uid('panel');
  const panel = h('div', { id: panelId, class: 'panel', hidden: true });
  const button = h('button', { type: 'button', class: 'button', 'aria-expanded': 'false', 'aria-controls': panelId });
  button.textContent = label;
  const close = () => {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  };
  button.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      replace(panel, buildForm(close));
      panel.querySelector('textarea, input, select, button')?.focus();
    }
  });
  return [button, panel];
}

function timeline(history) {
  return h('ol', { class: 'timeline' }, history.map((step) =>
    h('li', { class: 'timeline__step' },
      h('time', { datetime: step.at }, formatDateTime(step.at)),
      ' ', stateChip(step.state),
      h('span', { class: 'timeline__source' }, SOURCE_LABELS[step.source] ?? step.source),
      step.detail ? h('span', { class: 'timeline__detail' }, translateMessage(step.detail)) : null)));
}

export function caseView(caseId) {
  const cards = new Map();
  let current = null;
  let frozen = false;

  const heading = h('h1', { tabindex: '-1' }, 'Dossier ', h('span', { class: 'case-id' }, caseId));
  const headerInfo = h('div', { class: 'case-head__info' });
  const feedback = h('div', { class: 'feedback', role: 'status' });
  const requestsList = h('div', { class: 'requests' });
  const freezeButton = h('button', { type: 'button', class: 'button', onclick: () => toggleFreeze() }, 'Geler le dossier');
  const [addButton, addPanel] = disclosure('Ajouter un besoin', addNeedForm);
  const sharing = h('div', { class: 'sharing' });
  let sharingKey = null;
  const body = h('div', {},
    h('div', { class: 'toolbar' }, freezeButton, addButton),
    addPanel,
    sharing,
    h('h2', {}, 'Demandes par organisme'),
    requestsList);

  const root = h('section', { class: 'view', 'aria-labelledby': 'case-title' },
    h('p', { class: 'back' }, h('a', { href: '#/dossiers' }, '← Mes dossiers')),
    h('div', { class: 'case-head' }, heading, headerInfo),
    feedback,
    body);
  heading.id = 'case-title';

  function say(tone, text) {
    replace(feedback, notice(tone, text));
  }

  // Runs an action, tells the référent how it went, then shows the case as it now is.
  async function act(run, success) {
    // An old notice left in place would read as the outcome of this action.
    replace(feedback);
    try {
      await run();
      say('success', success);
      await refresh();
      return true;
    } catch (error) {
      say('error', errorText(error));
      return false;
    }
  }

  async function toggleFreeze() {
    const freezing = !frozen;
    await act(
      () => (freezing ? api.freezeCase(caseId) : api.unfreezeCase(caseId)),
      freezing ? 'Dossier gelé : plus rien ne part vers les organismes.' : 'Dossier dégelé : les envois reprennent.');
  }

  function addNeedForm(close) {
    const open = new Set(current.requests.filter((r) => !TERMINAL_STATES.has(r.state)).map((r) => r.need));
    const available = NEED_KINDS.filter((k) => !open.has(k));
    if (available.length === 0) return h('p', {}, 'Tous les besoins sont déjà en cours de traitement.');
    const errorId = uid('add-error');
    const error = h('p', { id: errorId, class: 'field-error', hidden: true });
    const name = uid('kind');
    const urgencyId = uid('urgency');
    const consentId = uid('consent');
    const urgency = h('div', { class: 'field', hidden: true },
      h('label', { for: urgencyId }, "Urgence de l'hébergement"),
      h('select', { id: urgencyId, name: 'urgency' },
        h('option', { value: 'tonight' }, 'Ce soir'), h('option', { value: 'this_week' }, 'Cette semaine'), h('option', { value: 'later' }, 'Plus tard')));
    const consent = h('input', { id: consentId, type: 'checkbox', name: 'consent', 'aria-describedby': errorId });
    const kinds = h('fieldset', { 'aria-describedby': errorId },
      h('legend', {}, 'Besoin à ajouter'),
      available.map((kind) => {
        const id = uid('kind');
        return h('div', { class: 'field field--check' },
          h('input', { id, type: 'radio', name, value: kind, onchange: () => { urgency.hidden = kind !== 'housing'; } }),
          h('label', { for: id }, NEED_LABELS[kind]));
      }));
    const form = h('form', { class: 'stack', novalidate: true },
      kinds, urgency,
      h('div', { class: 'field field--check' }, consent,
        h('label', { for: consentId }, "La personne consent à ce que sa demande soit transmise à l'organisme")),
      error,
      h('div', { class: 'toolbar' },
        h('button', { type: 'submit', class: 'button button--primary' }, 'Ajouter le besoin'),
        h('button', { type: 'button', class: 'button button--quiet', onclick: close }, 'Annuler')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const kind = form.querySelector(`input[name="${name}"]:checked`)?.value;
      const show = (text) => {
        error.hidden = false;
        error.textContent = text;
      };
      if (!kind) {
        show('Choisissez un besoin.');
        form.querySelector('input[type=radio]').focus();
        return;
      }
      const need = kind === 'housing' ? { kind, urgency: form.elements.urgency.value } : { kind };
      try {
        await api.addNeeds(caseId, [need], { [kind]: consent.checked });
        close();
        say('success', `Besoin ajouté : ${NEED_LABELS[kind]}.`);
        await refresh();
      } catch (err) {
        show(err.field ? `${err.field.startsWith('consent') ? 'Consentement' : 'Besoin'} : ${errorText(err)}` : errorText(err));
        (err.field?.startsWith('consent') ? consent : form.querySelector('input[type=radio]')).focus();
      }
    });
    return form;
  }

  function shareForm(close) {
    const inputId = uid('colleague');
    const errorId = uid('share-error');
    const error = h('p', { id: errorId, class: 'field-error', hidden: true });
    const input = h('input', { id: inputId, type: 'text', autocomplete: 'off', 'aria-describedby': `${inputId}-hint ${errorId}` });
    const form = h('form', { class: 'stack', novalidate: true },
      h('div', { class: 'field' },
        h('label', { for: inputId }, 'Identifiant du ou de la collègue'),
        h('p', { id: `${inputId}-hint`, class: 'hint' },
          "Un ou une référente de votre département : elle ou il pourra suivre le dossier et agir comme vous, sans pouvoir le partager ni l'effacer."),
        input),
      error,
      h('div', { class: 'toolbar' },
        h('button', { type: 'submit', class: 'button button--primary' }, 'Partager'),
        h('button', { type: 'button', class: 'button button--quiet', onclick: close }, 'Annuler')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const colleague = input.value.trim();
      try {
        await api.shareCase(caseId, colleague);
        close();
        say('success', `Dossier partagé avec ${colleague}.`);
        await refresh();
      } catch (err) {
        error.hidden = false;
        error.textContent = err.field === 'referent' ? `Collègue : ${errorText(err)}` : errorText(err);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    });
    return form;
  }

  // Rebuilt only when who shares the case changes, so a refresh never takes the focus away.
  function renderSharing() {
    const me = claims()?.sub;
    const key = JSON.stringify([current.owner, current.delegates, me]);
    if (key === sharingKey) return;
    sharingKey = key;
    if (current.owner !== me) {
      replace(sharing, h('p', { class: 'hint' }, `Dossier de ${current.owner}, partagé avec vous. `,
        h('button', {
          type: 'button', class: 'button button--quiet',
          onclick: async () => {
            replace(feedback);
            try {
              await api.unshareCase(caseId, me);
              window.location.hash = '#/dossiers';
            } catch (error) {
              say('error', errorText(error));
            }
          },
        }, 'Rendre le dossier')));
      return;
    }
    const [shareButton, sharePanel] = disclosure('Partager le dossier', shareForm);
    replace(sharing,
      current.delegates.length === 0 ? null : h('div', {},
        h('h2', {}, 'Partagé avec'),
        h('ul', { class: 'delegates' }, current.delegates.map((colleague) => h('li', {}, colleague, ' ',
          h('button', {
            type: 'button', class: 'button button--quiet', 'aria-label': `Ne plus partager avec ${colleague}`,
            onclick: () => act(() => api.unshareCase(caseId, colleague), `Le dossier n'est plus partagé avec ${colleague}.`),
          }, 'Ne plus partager'))))),
      h('div', { class: 'toolbar' }, shareButton),
      sharePanel);
  }

  // The actions a request offers depend on its state only (and on the case being frozen).
  function actions(request) {
    const items = [];
    const label = NEED_LABELS[request.need];
    if (request.state === 'failed') {
      items.push(h('button', {
        type: 'button', class: 'button button--primary',
        onclick: () => act(() => api.retryRequest(caseId, request.request_id), `${label} : nouvel envoi demandé.`),
      }, "Relancer l'envoi"));
    }
    if (request.state === 'info_requested') items.push(...answerForm(request));
    if (!TERMINAL_STATES.has(request.state)) {
      items.push(...disclosure('Retirer la demande', (close) => withdrawForm(request, close)));
      items.push(...disclosure('Retirer le consentement', (close) => consentForm(request, close)));
    }
    return items;
  }

  // The référent's words go to the agency through the hub when its connector carries answers.
  function answerForm(request) {
    if (!request.can_answer) return relaunchAfterAnswer(request);
    const label = NEED_LABELS[request.need];
    const id = uid('answer');
    const errorId = uid('answer-error');
    const error = h('p', { id: errorId, class: 'field-error', hidden: true });
    const text = h('textarea', { id, rows: 5, maxlength: 4000, 'aria-describedby': `${id}-hint ${errorId}` });
    const form = h('form', { class: 'stack answer', novalidate: true },
      h('label', { for: id }, "Votre réponse à l'organisme"),
      h('p', { id: `${id}-hint`, class: 'hint' },
        "Elle part à l'organisme avec la référence de la demande. N'écrivez que ce qu'il demande."),
      text,
      error,
      h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'button button--primary' }, 'Envoyer la réponse')));
    const show = (message) => {
      error.hidden = false;
      error.textContent = message;
      text.setAttribute('aria-invalid', 'true');
      text.focus();
    };
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!text.value.trim()) {
        show('Réponse : écrivez ce que vous répondez à la question.');
        return;
      }
      replace(feedback);
      try {
        await api.answerRequest(caseId, request.request_id, text.value);
        say('success', `${label} : réponse envoyée à l'organisme.`);
        await refresh();
      } catch (err) {
        if (err.field === 'text') show(`Réponse : ${errorText(err)}`);
        else say('error', errorText(err));
      }
    });
    return [form];
  }

  // An agency that takes no answer through the hub is answered directly; the request is then
  // relaunched, and the agency recognises it by its unchanged idempotency key.
  function relaunchAfterAnswer(request) {
    const id = uid('answer');
    return [h('div', { class: 'stack answer' },
      h('p', { id, class: 'hint' },
        "Répondez directement à l'organisme (téléphone ou courriel, en citant sa référence), puis relancez : "
        + "la demande repart telle quelle et l'organisme la reconnaît."),
      h('button', {
        type: 'button', class: 'button button--primary', 'aria-describedby': id,
        onclick: () => act(() => api.retryRequest(caseId, request.request_id), `${NEED_LABELS[request.need]} : la demande repart.`),
      }, "J'ai répondu : relancer la demande"))];
  }

  function withdrawForm(request, close) {
    const id = uid('reason');
    const reason = h('textarea', { id, rows: 2, 'aria-describedby': `${id}-hint` });
    const form = h('form', { class: 'stack', novalidate: true },
      h('label', { for: id }, 'Motif du retrait (facultatif)'),
      h('p', { id: `${id}-hint`, class: 'hint' }, "Le motif reste dans le guichet : l'organisme est seulement informé du retrait."),
      reason,
      h('div', { class: 'toolbar' },
        h('button', { type: 'submit', class: 'button button--danger' }, 'Confirmer le retrait'),
        h('button', { type: 'button', class: 'button button--quiet', onclick: close }, 'Annuler')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      act(() => api.withdrawRequest(caseId, request.request_id, reason.value.trim()), `${NEED_LABELS[request.need]} : demande retirée.`);
    });
    return form;
  }

  function consentForm(request, close) {
    const form = h('form', { class: 'stack', novalidate: true },
      h('p', {}, `La personne retire son consentement pour « ${NEED_LABELS[request.need]} » : la demande sera retirée auprès de l'organisme.`),
      h('div', { class: 'toolbar' },
        h('button', { type: 'submit', class: 'button button--danger' }, 'Confirmer le retrait du consentement'),
        h('button', { type: 'button', class: 'button button--quiet', onclick: close }, 'Annuler')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      act(() => api.withdrawConsent(caseId, request.need), `${NEED_LABELS[request.need]} : consentement retiré.`);
    });
    return form;
  }

  function details(request) {
    const rows = [
      ["Référence de l'organisme", request.agency_reference ?? 'pas encore attribuée'],
      ['Délai légal', request.deadline
        ? h('span', { class: request.overdue ? 'deadline deadline--late' : 'deadline' },
          `${formatDateTime(request.deadline)} — ${timeLeft(request.deadline, request.overdue)}`)
        : 'aucun'],
      ['Mise à jour', formatDateTime(request.updated_at)],
    ];
    return h('dl', { class: 'facts' }, rows.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));
  }

  function status(request) {
    return [
      h('div', { class: 'request__state' },
        stateChip(request.state),
        request.overdue ? overdueBadge() : null,
        request.retrying ? h('span', { class: 'hint' }, 'Nouvel essai automatique en cours') : null),
      request.message
        ? h('div', { class: `message message--${request.state}` },
          h('p', { class: 'message__title' }, MESSAGE_TITLES[request.state] ?? "Message de l'organisme"),
          h('p', {}, translateMessage(request.message)))
        : null,
      details(request),
      h('h4', {}, 'Historique'),
      timeline(request.history ?? []),
    ];
  }

  function card(request) {
    const titleId = uid('request');
    const statusPart = h('div', { class: 'request__status' });
    const actionsPart = h('div', { class: 'request__actions toolbar' });
    const el = h('article', { class: 'request card', 'aria-labelledby': titleId, 'data-need': request.need, 'data-request': request.request_id },
      h('h3', { id: titleId }, NEED_LABELS[request.need] ?? request.need),
      h('p', { class: 'request__agency' }, request.agency ?? request.connector),
      statusPart, actionsPart);
    return { el, statusPart, actionsPart, actionKey: null, state: null };
  }

  function renderHead() {
    replace(headerInfo,
      overallChip(current.overall),
      frozen ? h('span', { class: 'chip chip--muted' }, 'Dossier gelé') : null,
      h('span', { class: 'hint' }, `Créé le ${formatDateTime(current.created_at)} · mis à jour le ${formatDateTime(current.updated_at)}`));
    freezeButton.textContent = frozen ? 'Dégeler le dossier' : 'Geler le dossier';
  }

  function render(previous) {
    renderHead();
    renderSharing();
    const changes = [];
    const ordered = current.requests.map((request) => {
      let entry = cards.get(request.request_id);
      if (!entry) {
        entry = card(request);
        cards.set(request.request_id, entry);
      }
      if (previous && entry.state && entry.state !== request.state) {
        changes.push(`${NEED_LABELS[request.need]} : ${STATE_LABELS[request.state]}`);
        entry.el.classList.remove('request--changed');
        requestAnimationFrame(() => entry.el.classList.add('request--changed'));
      }
      entry.state = request.state;
      replace(entry.statusPart, status(request));
      const key = `${request.state}|${request.can_answer}|${frozen}`;
      if (key !== entry.actionKey) {
        entry.actionKey = key;
        replace(entry.actionsPart, actions(request));
      }
      return entry.el;
    });
    // Re-appending an element already in place moves nothing, so focus inside a card survives.
    ordered.forEach((el, i) => {
      if (requestsList.children[i] !== el) requestsList.insertBefore(el, requestsList.children[i] ?? null);
    });
    if (changes.length) announce(`Mise à jour : ${changes.join(' ; ')}`);
  }

  async function refresh() {
    try {
      const previous = current;
      current = await api.getCase(caseId);
      frozen = current.frozen;
      body.hidden = false;
      render(previous);
    } catch (error) {
      if (error.status === 404) {
        body.hidden = true;
        current = null;
        say('error', errorText(error));
      } else {
        say('error', `Actualisation impossible : ${errorText(error)}`);
      }
    }
  }

  return { root, refresh, title: `Dossier ${caseId}` };
}
