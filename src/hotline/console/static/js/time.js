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
/** "21:30" in timeZone, with the day when it differs from UTC's, formatted for lang. */
export function localTime(value, timeZone, lang) {
  const key = `${timeZone}|${lang}`;
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.DateTimeFormat(lang, {
      timeZone, hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short', hourCycle: 'h23',
    }));
  }
  return formatters.get(key).format(value instanceof Date ? value : new Date(value));
}

