// Agency mails the hub could not read on its own: a reply no rule understood, or one that matched
// no request. The référent reads each one and files it on the request it is about (as the state
// the agency meant), or sets it aside. Texts are shown through text nodes only: they come from
// outside the hub.
import { dismissReview, fileReview, listCases, listReview } from '../api.js';
import { notice } from '../components.js';
import { announce, h, replace, uid } from '../dom.js';
import { errorText, formatDateTime, NEED_LABELS, STATE_LABELS, TERMINAL_STATES } from '../labels.js';

// The states an agency's mail can mean; the hub refuses the others (docs/api.md).
const FILEABLE = ['acknowledged', 'in_review', 'info_requested', 'accepted', 'refused', 'closed'];

export function reviewView() {
  const summary = h('p', { class: 'summary', role: 'status' });
  const list = h('div', { class: 'review-list' });
  const root = h('section', { class: 'view', 'aria-labelledby': 'review-title' },
    h('div', { class: 'view__head' }, h('h1', { id: 'review-title', tabindex: '-1' }, 'Courriers à traiter')),
    h('p', { class: 'hint' }, "Réponses d'organismes que le guichet n'a pas su classer seul. Indiquez ce qu'elles disent : la demande concernée est mise à jour."),
    summary, list);
  const cards = new Map();
  let openRequests = [];

  // The open requests of her cases, for a mail that matched none: the first page is the most recent.
  async function loadOpenRequests() {
    const page = await listCases({ limit: 200 });
    openRequests = page.cases.flatMap((c) => c.requests
      .filter((r) => !TERMINAL_STATES.has(r.state))
      .map((r) => ({
        id: r.request_id,
        label: `${c.case_id} · ${NEED_LABELS[r.need] ?? r.need}${r.agency ? ` — ${r.agency}` : ''} (${STATE_LABELS[r.state] ?? r.state})`,
      })));
  }

  function card(item) {
    const titleId = uid('mail');
    const stateId = uid('state');
    const messageId = uid('message');
    const requestId = uid('request');
    const status = h('div', { class: 'card__status' });
    const stateSelect = h('select', { id: stateId, required: true },
      h('option', { value: '' }, 'Choisir…'),
      FILEABLE.map((s) => h('option', { value: s }, STATE_LABELS[s])));
    const message = h('input', { id: messageId, type: 'text', maxlength: '500', autocomplete: 'off' });
    const requestSelect = item.request_id ? null : h('select', { id: requestId, required: true },
      h('option', { value: '' }, 'Choisir la demande…'),
      openRequests.map((r) => h('option', { value: r.id }, r.label)));

    async function act(action, success) {
      try {
        await action();
        announce(success);
        await refresh();
      } catch (error) {
        replace(status, notice('error', errorText(error)));
      }
    }

    const form = h('form', {
      class: 'review-form',
      onsubmit: (event) => {
        event.preventDefault();
        act(() => fileReview(item.id, { requestId: requestSelect?.value, state: stateSelect.value, message: message.value.trim() }),
          'Courrier classé, la demande est mise à jour.');
      },
    },
    requestSelect ? h('div', { class: 'field' }, h('label', { for: requestId }, 'Demande concernée'), requestSelect) : null,
    h('div', { class: 'field' }, h('label', { for: stateId }, "Ce que dit l'organisme"), stateSelect),
    h('div', { class: 'field' }, h('label', { for: messageId }, 'Message pour le dossier (facultatif)'), message),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button button--primary' }, 'Classer'),
      h('button', {
        type: 'button', class: 'button button--quiet',
        onclick: () => act(() => dismissReview(item.id), 'Courrier écarté.'),
      }, 'Écarter (sans rapport avec une demande)')));

    return h('article', { class: 'card review-item', 'aria-labelledby': titleId, 'data-review': item.id },
      h('h2', { id: titleId }, item.subject || '(sans objet)'),
      h('p', { class: 'meta' }, `Reçu le ${formatDateTime(item.received_at)} · de ${item.from || 'expéditeur inconnu'}`,
        item.case_id ? [' · ', h('a', { href: `#/dossiers/${encodeURIComponent(item.case_id)}` }, `dossier ${item.case_id}`)] : ' · aucune demande reconnue'),
      item.summary ? h('p', { class: 'hint' }, `Lecture du connecteur : ${item.summary}`) : null,
      h('pre', { class: 'mail-text' }, item.text || '(message vide)'),
      form, status);
  }

  async function refresh() {
    try {
      const { items } = await listReview();
      if (items.some((i) => !i.request_id)) await loadOpenRequests();
      summary.textContent = items.length ? `${items.length} courrier${items.length > 1 ? 's' : ''} à traiter` : '';
      if (items.length === 0) {
        cards.clear();
        replace(list, notice('success', 'Aucun courrier à traiter.'));
        return;
      }
      // Cards already shown are never moved, so a form the référent is filling keeps its focus
      // across refreshes; items arrive oldest first, so new ones go at the end.
      list.querySelector(':scope > .notice')?.remove();
      for (const [id, el] of cards) {
        if (!items.some((i) => i.id === id)) {
          el.remove();
          cards.delete(id);
        }
      }
      for (const item of items) {
        if (cards.has(item.id)) continue;
        const el = card(item);
        cards.set(item.id, el);
        list.append(el);
      }
    } catch (error) {
      replace(list, notice('error', errorText(error)));
    }
  }

  return { root, refresh, title: 'Courriers à traiter' };
}
