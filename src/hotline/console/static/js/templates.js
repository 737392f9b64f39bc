// Structured messages. Only codes and field names live here; every text (title, subject, body,
// field labels, choices) is in the catalogs, so each reader sees a template message in their own
// language. Field values are what the sender typed and are shown as written.

export const TEMPLATES = [
  { code: 'request_clarification', fields: [{ name: 'reference' }, { name: 'question', multiline: true }] },
  { code: 'planned_activity', fields: [{ name: 'activity' }, { name: 'location' }, { name: 'start' }, { name: 'end' }] },
  { code: 'halt_activity', fields: [{ name: 'activity' }, { name: 'location' }, { name: 'reason', multiline: true }] },
  { code: 'presence', fields: [{ name: 'answer', choices: ['confirm', 'deny', 'not_ours'] }, { name: 'location' },
    { name: 'time' }, { name: 'details', multiline: true, optional: true }] },
  { code: 'incident_notice', fields: [{ name: 'location' }, { name: 'time' }, { name: 'description', multiline: true }] },
];

export function template(code) { return TEMPLATES.find((tpl) => tpl.code === code); }

/** Field values ready for a catalog sentence: a choice is itself translated. */
export function fieldParams(code, fields, t, lang) {
  const tpl = template(code);
  const out = { ...fields };
  for (const f of tpl?.fields || []) {
    if (f.choices && fields[f.name] !== undefined) out[f.name] = t(`template.${code}.${f.name}.${fields[f.name]}`, null, lang);
  }
  return out;
}
