// The view registry: the console shows these in this order; the first is the default.
//
// A view is {id, titleKey, mount(root, ctx)}; mount fills root and returns an unmount function
// (clear timers, unsubscribe). ctx:
//   api        {get(path), post(path, body)}: JSON in and out; throws ApiError {status, problem, fields}.
//              A 401 already sends the user back to login.
//   bus        subscribe(type, fn) -> unsubscribe; type 'message.posted', a prefix 'message.*' or '*'.
//              Events arrive once each, in seq order, live and after every reconnect.
//   live       the stream: live.lastSeq (the seq the console holds), live.state.
//   store      the message states (MessageStore): get(id), inChannel(id), awaiting(party), onChange(fn).
//   channels   {list, refresh(), onChange(fn)}: the channels with awaiting_my_ack counts.
//   t(key, params), i18n.language(): strings from static/i18n/<lang>.json. Put static labels in
//              elements with data-i18n="key" (or build them with i18n.js label()) so they follow a
//              language switch; re-render dynamic parts from i18n.js onLanguageChange.
//   me / user  {username, party, role, channels, world}; world {parties, deadlines, ...};
//   party, partyName(id), myTimeZone, now() (server-corrected clock), ack(message, note?), canSpeak,
//   onKey(key, fn): a single-key shortcut while this view is mounted.
import roster from '../desks/roster.js';
import incidents from './incidents/index.js';
import map from './map/index.js';
import record from './record/index.js';
import report from './report/index.js';
import timeline from './timeline/index.js';
import translate from '../translate/queue.js';

export const views = [timeline, incidents, map, report, record, roster, translate];
