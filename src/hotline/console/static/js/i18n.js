// UI strings and template texts from catalogs (static/i18n/<lang>.json). Switching language updates
// every element marked data-i18n in place (so drafts survive) and tells listeners to re-render.
import { h } from './dom.js';

export const LANGUAGES = ['en', 'he', 'ar'];
const RTL = new Set(['he', 'ar']);
const STORAGE_KEY = 'hotline.lang';
const catalogs = {};
const listeners = new Set();
let current = 'en';

export async function loadCatalogs() {
  await Promise.all(LANGUAGES.map(async (lang) => {
    const res = await fetch(`/static/i18n/${lang}.json`, { cache: 'no-cache' });
    catalogs[lang] = await res.json();
  }));
}

export function language() { return current; }
export function isRtl(lang = current) { return RTL.has(lang); }
export function savedLanguage() {
  const saved = localStorage.getItem(STORAGE_KEY);
  return LANGUAGES.includes(saved) ? saved : null;
}

/** The catalog text for key, in lang (falls back to English, then to the key so a gap is visible). */
export function t(key, params, lang = current) {
  const text = catalogs[lang]?.[key] ?? catalogs.en?.[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : ''));
}

export function has(key, lang = current) { return key in (catalogs[lang] || {}); }

/**
 * The catalog text as nodes: each {name} becomes a <bdi> holding params[name] as text, so a Hebrew
 * place name inside an Arabic sentence (or coordinates inside Hebrew) keeps its own direction.
 */
export function tNodes(key, params, lang = current) {
  const text = catalogs[lang]?.[key] ?? catalogs.en?.[key] ?? key;
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/\{(\w+)\}/g)) {
    out.push(text.slice(last, m.index));
    const value = params?.[m[1]];
    out.push(value === undefined || value === '' ? '—' : (value instanceof Node ? value
      : h('bdi', { class: 'field-value', text: String(value) })));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out.filter((part) => part !== '');
}

export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return;
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  const root = document.documentElement;
  root.lang = lang;
  root.dir = isRtl(lang) ? 'rtl' : 'ltr';
  applyI18n(document);
  for (const fn of listeners) fn(lang);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Fill every [data-i18n] element's text, and [data-i18n-attr="attr:key;attr:key"] attributes.
 * Static labels use these so the language can change without rebuilding forms.
 */
export function applyI18n(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

/** An element whose text comes from the catalog and follows language changes. */
export function label(tag, key, props = {}) {
  return h(tag, { ...props, dataset: { ...(props.dataset || {}), i18n: key }, text: t(key) });
}
