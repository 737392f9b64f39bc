// Tiny DOM helpers. User text only ever becomes text nodes: there is no innerHTML anywhere in the console.

/**
 * h('p', {class: 'x', text: 'hello'}, child, 'more text')
 * Props: class, text (textContent), on<event> (listener), dataset {..}, anything else -> setAttribute.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  add(el, children);
  return el;
}

export function add(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Text written by a person: isolated from its surroundings (<bdi>) and marked with its language. */
export function userText(tag, text, lang) {
  const el = h(tag, { class: 'user-text', dir: 'auto', lang: lang || null });
  el.textContent = text;
  return el;
}

/** A short random id for idempotent posts; crypto.randomUUID needs a secure context, this does not. */
export function randomId(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
