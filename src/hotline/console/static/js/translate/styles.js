// The translation and escalation parts bring their own stylesheet (the console's layout is not theirs).
let done = false;
export function ensureStyles() {
  if (done) return;
  done = true;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/static/css/reach.css';
  document.head.append(link);
}
