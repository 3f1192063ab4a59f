// The référent's cases: those that need them first, then newest first; search by case id and filters.
import { listCases } from '../api.js';
import { needChip, notice, overallChip } from '../components.js';
import { h, replace, uid } from '../dom.js';
import { errorText, formatDateTime, NEED_KINDS, NEED_LABELS, OVERALL_LABELS } from '../labels.js';

// Stable: the API's newest-first order is kept within each group.
function byUrgency(cases) {
  const needsAction = (c) => (c.overall === 'action_required' ? 0 : 1);
  return [...cases].sort((a, b) => needsAction(a) - needsAction(b));
}

function select(label, options, onchange) {
  const id = uid('filter');
  return h('div', { class: 'field field--inline' },
    h('label', { for: id }, label),
    h('select', { id, onchange }, options.map(([value, text]) => h('option', { value }, text))));
}

export function casesView() {
  const filters = { search: '', overall: '', need: '', overdueOnly: false };
  let cases = [];
  let nextCursor = null;
  let pagesWanted = 1;
  let shown = '';

  const summary = h('p', { class: 'summary', role: 'status' });
  const results = h('div', { class: 'results' });
  const more = h('button', { type: 'button', class: 'button', hidden: true, onclick: () => loadMore() }, 'Afficher plus de dossiers');
  const searchId = uid('search');

  const filterBar = h('form', { class: 'filters card', role: 'search', 'aria-label': 'Filtrer les dossiers', onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'field field--inline field--grow' },
      h('label', { for: searchId }, 'Numéro de dossier'),
      h('input', {
        id: searchId, type: 'search', autocomplete: 'off', spellcheck: 'false',
        oninput: (e) => { filters.search = e.target.value.trim(); render(); },
      })),
    select('État du dossier', [['', 'Tous'], ...Object.entries(OVERALL_LABELS)], (e) => {
      filters.overall = e.target.value;
      pagesWanted = 1;
      refresh();
    }),
    select('Besoin', [['', 'Tous'], ...NEED_KINDS.map((k) => [k, NEED_LABELS[k]])], (e) => { filters.need = e.target.value; render(); }),
    h('div', { class: 'field field--check' },
      h('input', { id: `${searchId}-late`, type: 'checkbox', onchange: (e) => { filters.overdueOnly = e.target.checked; render(); } }),
      h('label', { for: `${searchId}-late` }, 'En retard uniquement')));

  const root = h('section', { class: 'view', 'aria-labelledby': 'cases-title' },
    h('div', { class: 'view__head' },
      h('h1', { id: 'cases-title', tabindex: '-1' }, 'Mes dossiers'),
      h('a', { class: 'button button--primary', href: '#/nouvelle-demande' }, 'Nouvelle demande')),
    filterBar, summary, results, more);

  function visible() {
    const search = filters.search.toLowerCase();
    return byUrgency(cases).filter((c) =>
      (!search || c.case_id.toLowerCase().includes(search)) &&
      (!filters.need || c.requests.some((r) => r.need === filters.need)) &&
      (!filters.overdueOnly || c.requests.some((r) => r.overdue)));
  }

  function row(c) {
    return h('tr', { class: c.overall === 'action_required' ? 'row--action' : null, 'data-case': c.case_id },
      h('th', { scope: 'row' }, h('a', { href: `#/dossiers/${encodeURIComponent(c.case_id)}`, class: 'case-id' }, c.case_id)),
      h('td', {}, overallChip(c.overall)),
      h('td', {}, h('ul', { class: 'need-chips' }, c.requests.map(needChip))),
      h('td', {}, formatDateTime(c.created_at)),
      h('td', {}, formatDateTime(c.updated_at)));
  }

  function render() {
    const list = visible();
    const action = cases.filter((c) => c.overall === 'action_required').length;
    const late = cases.filter((c) => c.requests.some((r) => r.overdue)).length;
    summary.textContent = `${cases.length} dossier${cases.length > 1 ? 's' : ''} · ${action} demande${action > 1 ? 'nt' : ''} votre action · ${late} en retard`;
    more.hidden = !nextCursor;
    if (cases.length === 0) {
      replace(results, notice('info', 'Aucun dossier pour le moment. ', h('a', { href: '#/nouvelle-demande' }, 'Déposer une nouvelle demande')));
      return;
    }
    if (list.length === 0) {
      // The search may name a case beyond the pages loaded: offer to open it directly.
      replace(results, notice('info', 'Aucun dossier affiché ne correspond. ',
        filters.search ? h('a', { href: `#/dossiers/${encodeURIComponent(filters.search)}` }, `Ouvrir le dossier « ${filters.search} »`) : null));
      return;
    }
    replace(results, h('table', { class: 'cases' },
      h('caption', { class: 'visually-hidden' }, 'Dossiers, ceux qui demandent votre action en premier'),
      h('thead', {}, h('tr', {}, ['Dossier', 'État', 'Besoins', 'Créé le', 'Mis à jour'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map(row))));
  }

  // Reloads as many pages as are shown, so a refresh never shortens the list under the référent.
  async function refresh() {
    try {
      let page = await listCases({ overall: filters.overall });
      let loaded = [...page.cases];
      for (let n = 1; n < pagesWanted && page.next_cursor; n += 1) {
        page = await listCases({ overall: filters.overall, cursor: page.next_cursor });
        loaded = loaded.concat(page.cases);
      }
      const snapshot = JSON.stringify([loaded, page.next_cursor]);
      if (snapshot === shown) return;
      shown = snapshot;
      cases = loaded;
      nextCursor = page.next_cursor;
      render();
    } catch (error) {
      shown = '';
      replace(results, notice('error', errorText(error)));
    }
  }

  async function loadMore() {
    pagesWanted += 1;
    await refresh();
  }

  return { root, refresh, title: 'Mes dossiers' };
}
