// Small pieces shared by the views: state chips and notices. A chip always says its state in words;
// the colour only repeats it.
import { h } from './dom.js';
import { NEED_LABELS, OVERALL_LABELS, OVERALL_TONES, STATE_LABELS, STATE_TONES } from './labels.js';

export function stateChip(state) {
  return h('span', { class: `chip chip--${STATE_TONES[state] ?? 'neutral'}`, 'data-state': state }, STATE_LABELS[state] ?? state);
}

export function overallChip(overall) {
  return h('span', { class: `chip chip--${OVERALL_TONES[overall] ?? 'neutral'}`, 'data-overall': overall }, OVERALL_LABELS[overall] ?? overall);
}

export function overdueBadge() {
  return h('span', { class: 'chip chip--alert chip--overdue' }, 'En retard');
}

// One need of a case in the list: "Hébergement (SIAO/115) : Envoyée", plus "En retard" when late.
export function needChip({ need, state, overdue }) {
  return h('li', { class: 'need-chip', 'data-need': need },
    h('span', { class: 'need-chip__need' }, `${NEED_LABELS[need] ?? need} :`),
    ' ',
    stateChip(state),
    overdue ? overdueBadge() : null);
}

// tone: info, success, warning, error. Errors are alerts (read at once), the rest polite status.
export function notice(tone, ...content) {
  return h('div', { class: `notice notice--${tone}`, role: tone === 'error' ? 'alert' : 'status' }, ...content);
}
