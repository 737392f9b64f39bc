// The desks as the server last told them: GET /api/v1/desks, fetched again whenever the stream brings a
// desk, link-test, handover, shift, line or party event (live or after a reconnect), so every part of
// the console (strip, banner, prompt, dialog, roster) draws from one snapshot.

const TYPES = ['desk.*', 'linktest.*', 'handover.*', 'shift.*', 'line.*', 'party.*'];

export function createDeskModel(ctx) {
  const listeners = new Set();
  let inflight = null;
  let again = false;
  const model = {
    snapshot: null,
    onChange(fn) { listeners.add(fn); if (model.snapshot) fn(model.snapshot); return () => listeners.delete(fn); },
    async refresh() {
      if (inflight) { again = true; return inflight; }
      inflight = (async () => {
        do {
          again = false;
          try {
            model.snapshot = await ctx.api.get('/api/v1/desks');
          } catch (err) {
            if (err.status !== 0) console.error('desks refresh failed', err);
            return;
          }
          for (const fn of listeners) fn(model.snapshot);
        } while (again);
      })();
      try { await inflight; } finally { inflight = null; }
      return undefined;
    },
    myDesks() {
      return (model.snapshot?.desks || []).filter((d) => d.party === ctx.party);
    },
  };
  const offs = TYPES.map((type) => ctx.bus.subscribe(type, () => model.refresh()));
  model.dispose = () => { for (const off of offs) off(); listeners.clear(); };
  return model;
}
