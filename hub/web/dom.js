// A tiny element builder. Every text goes in through text nodes, never innerHTML: agency messages
// and answers come from outside the hub and must not be able to inject markup.

// h('p', {class: 'x', onclick: fn}, 'text', child) → <p class="x">text…</p>. Attributes set to
// false, null or undefined are left out; true gives an empty boolean attribute.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces an element's content.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// Ids unique within the page, for label/aria-describedby pairs built at run time.
let nextId = 0;
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// Reads out a short message to screen-reader users through the page's polite live region.
export function announce(text) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  // A fresh text node on the next frame makes screen readers announce a repeated message too.
  requestAnimationFrame(() => {
    region.textContent = text;
  });
}
