// Time as the hotline shows it: the UTC date-time group (authoritative) beside the reader's local time.

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const pad = (n) => String(n).padStart(2, '0');

export function parse(iso) { return new Date(iso); }

/** 251930Z NOV 26, the same format the server puts in posted_dtg. */
export function dtg(value) {
  const d = value instanceof Date ? value : new Date(value);
  return `${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z ` +
    `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCFullYear() % 100)}`;
}

const formatters = new Map();
/**
 * "29 Nov, 21:30" in timeZone, formatted for lang; with short, only "21:30" (a card's head has room for
 * no more; the full form goes in its title).
 */
export function localTime(value, timeZone, lang, { short = false } = {}) {
  const key = `${timeZone}|${lang}|${short}`;
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.DateTimeFormat(lang, short
      ? { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : { timeZone, hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short', hourCycle: 'h23' }));
  }
  return formatters.get(key).format(value instanceof Date ? value : new Date(value));
}
