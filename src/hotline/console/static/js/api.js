// The REST client. Errors are RFC 9457 problem documents; a 401 anywhere means the session is gone.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status; // 0: the network failed, nothing was answered
    this.problem = problem || {};
  }

  /** Field errors as {field: detail}. */
  get fields() {
    const out = {};
    for (const e of this.problem.errors || []) out[e.field] = e.detail;
    return out;
  }
}

export function createApi({ onUnauthorized } = {}) {
  async function request(method, path, body) {
    const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, { title: 'Network error', detail: String(err) });
    }
    if (res.status === 204) return null;
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const err = new ApiError(res.status, data);
      // A wrong password is also a 401, but it is the login form's business, not an expired session.
      if (res.status === 401 && !path.endsWith('/auth/login') && onUnauthorized) onUnauthorized(err);
      throw err;
    }
    return data;
  }

  return {
    get: (path) => request('GET', path),
    post: (path, body = {}) => request('POST', path, body),
    request,
  };
}
