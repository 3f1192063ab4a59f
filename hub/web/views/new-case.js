// The single form a référent fills in with the victim. Validation is the API's: its `field` error
// (a dotted path such as person.birth_date or needs[2].kind) is shown next to the matching control,
// found by its data-field attribute. The personal data typed here lives only in this form: never in
// storage, never in the URL, and the form is emptied once the hub has stored the case.
import { createCase, newIdempotencyKey } from '../api.js';
import { claims } from '../auth.js';
import { announce, h, replace, uid } from '../dom.js';
import { errorText, NEED_KINDS, NEED_LABELS } from '../labels.js';

const REQUIRED_MARK = () => h('span', { class: 'required', 'aria-hidden': 'true' }, ' *');

// A labelled control. path is the control's API path, used to place the API's errors.
function field(path, label, { type = 'text', required = false, hint, control, ...attrs } = {}) {
  const id = uid('f');
  const hintId = hint ? `${id}-hint` : null;
  const input = control ?? h('input', { type, ...attrs });
  input.id = id;
  input.dataset.field = path;
  if (required) input.setAttribute('aria-required', 'true');
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' },
    h('label', { for: id }, label, required ? REQUIRED_MARK() : null),
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null,
    input);
}

function choice(path, label, options, attrs = {}) {
  return field(path, label, { ...attrs, control: h('select', {}, options.map(([value, text]) => h('option', { value }, text))) });
}

function checkbox(path, label, attrs = {}) {
  const id = uid('f');
  return h('div', { class: 'field field--check' },
    h('input', { id, type: 'checkbox', 'data-field': path, ...attrs }),
    h('label', { for: id }, label));
}

function address(path, legend, hint) {
  const hintId = uid('hint');
  return h('fieldset', { class: 'group', 'data-field': path, 'aria-describedby': hint ? hintId : null },
    h('legend', {}, legend),
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null,
    h('div', { class: 'grid' },
      field(`${path}.line`, 'Numéro et voie', { autocomplete: 'off' }),
      field(`${path}.postcode`, 'Code postal', { inputmode: 'numeric', maxlength: 5, class: 'input--short' }),
      field(`${path}.city`, 'Commune')));
}

export function newCaseView() {
  const children = h('div', { class: 'children' });
  const childcareChildren = h('div', { class: 'stack' });
  const summary = h('div', { class: 'error-summary', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Envoyer la demande');
  let sentNeeds = [];
  // One key per distinct body: resending the same body (a double click, a lost answer) cannot
  // create a second case, while a corrected body is a new request and gets a new key.
  let lastAttempt = { body: null, key: null };

  function needBlock(kind) {
    const extra = [];
    if (kind === 'housing') {
      extra.push(choice('needs.housing.urgency', "Urgence de l'hébergement",
        [['', 'Non précisée'], ['tonight', 'Ce soir'], ['this_week', 'Cette semaine'], ['later', 'Plus tard']]));
    }
    if (kind === 'childcare') extra.push(h('fieldset', { class: 'group', 'data-field': 'needs.childcare.children' },
      h('legend', {}, 'Enfants concernés'), childcareChildren));
    const details = h('div', { class: 'need__details', hidden: true },
      checkbox(`consent.${kind}`, `La personne consent à ce que sa demande « ${NEED_LABELS[kind]} » soit transmise à l'organisme`,
        { 'data-label': `Consentement pour « ${NEED_LABELS[kind]} »` }),
      ...extra);
    const box = checkbox(`needs.${kind}`, NEED_LABELS[kind], {
      onchange: (event) => {
        details.hidden = !event.target.checked;
        // Consent is given afresh each time a need is ticked, never carried over.
        if (!event.target.checked) details.querySelector('[data-field^="consent."]').checked = false;
      },
    });
    return h('div', { class: 'need' }, box, details);
  }

  function renumberChildren() {
    [...children.children].forEach((row, i) => {
      row.querySelector('legend').textContent = `Enfant ${i + 1}`;
      row.querySelector('[data-role=given]').dataset.field = `person.children[${i}].given_name`;
      row.querySelector('[data-role=born]').dataset.field = `person.children[${i}].birth_date`;
      row.querySelector('[data-role=remove]').textContent = `Retirer l'enfant ${i + 1}`;
    });
    const rows = [...children.children];
    replace(childcareChildren, rows.length === 0
      ? h('p', { class: 'hint' }, "Ajoutez les enfants dans la partie « Enfants » pour choisir ceux qui sont concernés.")
      : rows.map((row, i) => checkbox('needs.childcare.children', row.querySelector('[data-role=given]').value.trim() || `Enfant ${i + 1}`, { value: String(i) })));
  }

  function addChild() {
    const given = field('', 'Prénom', { autocomplete: 'off' });
    const born = field('', 'Date de naissance', { type: 'date' });
    given.querySelector('input').dataset.role = 'given';
    born.querySelector('input').dataset.role = 'born';
    given.querySelector('input').addEventListener('change', renumberChildren);
    const row = h('fieldset', { class: 'group child' }, h('legend', {}),
      h('div', { class: 'grid' }, given, born),
      h('button', { type: 'button', class: 'button button--quiet', 'data-role': 'remove', onclick: () => {
        row.remove();
        renumberChildren();
        addButton.focus();
      } }));
    children.append(row);
    renumberChildren();
    given.querySelector('input').focus();
  }
  const addButton = h('button', { type: 'button', class: 'button', onclick: addChild }, 'Ajouter un enfant');

  const department = claims()?.dept ?? '';
  const form = h('form', { class: 'case-form', novalidate: true, autocomplete: 'off', 'aria-labelledby': 'new-title' },
    summary,
    h('p', { class: 'hint' }, 'Les champs marqués d’un astérisque (*) sont obligatoires.'),
    h('fieldset', { class: 'card section' },
      h('legend', {}, 'Identité'),
      h('div', { class: 'grid' },
        field('person.given_names', 'Prénoms', { required: true, hint: 'Séparés par des virgules, dans l’ordre de l’état civil.' }),
        field('person.birth_name', 'Nom de naissance', { required: true }),
        field('person.usage_name', "Nom d'usage"),
        field('person.birth_date', 'Date de naissance', { type: 'date', required: true }),
        choice('person.sex', 'Sexe (état civil)', [['', 'Non renseigné'], ['F', 'Féminin'], ['M', 'Masculin']]),
        field('person.nir', 'Numéro de sécurité sociale', { hint: '15 caractères ; nécessaire pour France Travail.', inputmode: 'numeric' }),
        field('person.caf_number', "Numéro d'allocataire CAF", { inputmode: 'numeric' }),
        field('person.france_travail_id', 'Identifiant France Travail'),
        field('person.languages', 'Langues parlées', { hint: 'Codes séparés par des virgules, par exemple : fr, ar.' }))),
    h('fieldset', { class: 'card section' },
      h('legend', {}, 'Coordonnées'),
      h('div', { class: 'grid' },
        field('person.phone', 'Téléphone', { type: 'tel' }),
        field('person.email', 'Courriel', { type: 'email' })),
      address('person.address', 'Adresse actuelle'),
      address('person.contact_address', 'Adresse de contact sûre',
        'Avocat, domiciliation, association : utilisée à la place de l’adresse actuelle lorsque celle-ci est confidentielle.')),
    h('fieldset', { class: 'card section', 'data-field': 'person.children' },
      h('legend', {}, 'Enfants'),
      children,
      addButton),
    h('fieldset', { class: 'card section' },
      h('legend', {}, 'Situation'),
      h('div', { class: 'grid' },
        field('situation.department', 'Département', { required: true, inputmode: 'numeric', class: 'input--short' }),
        choice('situation.proof.kind', 'Justificatif des violences', [['', 'Non renseigné'], ['complaint', 'Plainte'],
          ['protection_order', 'Ordonnance de protection'], ['prosecutor_report', 'Signalement au procureur'], ['none', 'Aucun justificatif']]),
        field('situation.proof.date', 'Date du justificatif', { type: 'date' }),
        choice('situation.safe_channel', 'Moyen de contact sûr', [['', 'Non précisé'], ['phone', 'Téléphone'], ['email', 'Courriel'],
          ['post', 'Courrier'], ['referent_only', 'Uniquement par le référent']])),
      checkbox('situation.address_confidential', "L'adresse actuelle est confidentielle (elle ne sera transmise à aucun organisme)"),
      checkbox('situation.abuser_in_caf_household', "L'auteur des violences fait partie du foyer CAF")),
    h('fieldset', { class: 'card section', 'data-field': 'needs', 'aria-describedby': 'needs-hint' },
      h('legend', {}, 'Besoins et consentement'),
      h('p', { id: 'needs-hint', class: 'hint' },
        "Cochez chaque besoin, puis recueillez le consentement explicite de la personne à la transmission vers l'organisme concerné."),
      NEED_KINDS.map(needBlock)),
    h('div', { class: 'toolbar' }, submit));
  const control = (path) => form.querySelector(`[data-field="${path}"]`);
  renumberChildren();
  // As the default value, so that emptying the form after a submit keeps the référent's department.
  control('situation.department').defaultValue = department;

  const root = h('section', { class: 'view', 'aria-labelledby': 'new-title' },
    h('div', { class: 'view__head' }, h('h1', { id: 'new-title', tabindex: '-1' }, 'Nouvelle demande')),
    form);

  const text = (path) => control(path)?.value.trim() || undefined;
  const list = (path) => (text(path) ?? '').split(',').map((s) => s.trim()).filter(Boolean);

  function addressOf(path) {
    const parts = { line: text(`${path}.line`), postcode: text(`${path}.postcode`), city: text(`${path}.city`) };
    return Object.values(parts).some(Boolean) ? parts : undefined;
  }

  function payload() {
    const rows = [...children.children];
    const person = {
      given_names: list('person.given_names'),
      birth_name: text('person.birth_name'),
      usage_name: text('person.usage_name'),
      sex: text('person.sex'),
      birth_date: text('person.birth_date'),
      // Spaces are how a NIR is usually written down (2 90 04 95 …), not part of it.
      nir: text('person.nir')?.replace(/\s+/g, ''),
      phone: text('person.phone'),
      email: text('person.email'),
      address: addressOf('person.address'),
      contact_address: addressOf('person.contact_address'),
      caf_number: text('person.caf_number'),
      france_travail_id: text('person.france_travail_id'),
      children: rows.length ? rows.map((row) => ({
        given_name: row.querySelector('[data-role=given]').value.trim(),
        birth_date: row.querySelector('[data-role=born]').value,
      })) : undefined,
      languages: list('person.languages').length ? list('person.languages') : undefined,
    };
    const proofKind = text('situation.proof.kind');
    const situation = {
      department: text('situation.department'),
      proof: proofKind ? { kind: proofKind, date: text('situation.proof.date') } : undefined,
      address_confidential: control('situation.address_confidential').checked,
      abuser_in_caf_household: control('situation.abuser_in_caf_household').checked,
      safe_channel: text('situation.safe_channel'),
    };
    sentNeeds = NEED_KINDS.filter((kind) => control(`needs.${kind}`).checked);
    const needs = sentNeeds.map((kind) => {
      const need = { kind };
      if (kind === 'housing' && text('needs.housing.urgency')) need.urgency = text('needs.housing.urgency');
      if (kind === 'childcare') {
        const chosen = [...form.querySelectorAll('[data-field="needs.childcare.children"]:checked')].map((box) => Number(box.value));
        if (chosen.length) need.children = chosen;
      }
      return need;
    });
    const consent = Object.fromEntries(sentNeeds.map((kind) => [kind, control(`consent.${kind}`).checked]));
    // JSON.stringify drops the undefined members: an empty optional field is simply not sent.
    return { person, situation, needs, consent };
  }

  // The control an API field path designates: needs[i] become needs.<kind> (the i-th need sent);
  // a path with no control of its own falls back to its closest parent that has one.
  function controlFor(path) {
    let key = path
      .replace(/^needs\[(\d+)\]/, (_, i) => `needs.${sentNeeds[Number(i)] ?? 'unknown'}`)
      .replace(/^needs\.([a-z_]+)\.kind$/, 'needs.$1')
      .replace(/^consent$/, 'needs');
    for (;;) {
      const found = control(key);
      if (found) return found;
      const parent = key.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
      if (parent === key) return null;
      key = parent;
    }
  }

  function labelOf(el) {
    if (el.dataset.label) return el.dataset.label;
    const own = el.tagName === 'FIELDSET' ? el.querySelector('legend') : el.labels?.[0];
    return (own?.textContent ?? '').replace(/\s*\*$/, '').trim();
  }

  function clearErrors() {
    summary.hidden = true;
    replace(summary);
    form.querySelectorAll('.field-error').forEach((p) => p.remove());
    form.querySelectorAll('[aria-invalid]').forEach((el) => {
      el.removeAttribute('aria-invalid');
      const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => !id.endsWith('-error')).join(' ');
      if (ids) el.setAttribute('aria-describedby', ids);
      else el.removeAttribute('aria-describedby');
    });
  }

  function showError(error) {
    const target = error.field ? controlFor(error.field) : null;
    const message = errorText(error);
    summary.hidden = false;
    if (!target) {
      replace(summary, h('p', { role: 'alert' }, `La demande n'a pas été enregistrée : ${message}`));
      summary.focus();
      return;
    }
    const label = labelOf(target);
    const text = `${label} : ${message}`;
    const errorId = `${target.id || uid('group')}-error`;
    const inline = h('p', { id: errorId, class: 'field-error' }, text);
    // Inside the field, under the control; after a checkbox's row or a group's legend.
    const field = target.closest('.field');
    if (target.tagName === 'FIELDSET') target.querySelector('legend').after(inline);
    else if (field.classList.contains('field--check')) field.after(inline);
    else field.append(inline);
    target.setAttribute('aria-invalid', 'true');
    target.setAttribute('aria-describedby', `${target.getAttribute('aria-describedby') ?? ''} ${errorId}`.trim());
    const focusable = target.tagName === 'FIELDSET' ? target.querySelector('input, select, textarea, button') : target;
    replace(summary, h('p', { role: 'alert' }, "La demande n'a pas été enregistrée. ",
      h('a', { href: `#${focusable.id}`, onclick: (e) => { e.preventDefault(); focusable.focus(); } }, text)));
    focusable.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors();
    const body = payload();
    const bodyText = JSON.stringify(body);
    if (bodyText !== lastAttempt.body) lastAttempt = { body: bodyText, key: newIdempotencyKey() };
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const created = await createCase(body, lastAttempt.key);
      lastAttempt = { body: null, key: null };
      form.reset();
      replace(children);
      renumberChildren();
      form.querySelectorAll('.need__details').forEach((d) => { d.hidden = true; });
      announce('Demande enregistrée.');
      location.hash = `#/dossiers/${encodeURIComponent(created.case_id)}`;
    } catch (error) {
      showError(error);
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  return { root, title: 'Nouvelle demande' };
}
