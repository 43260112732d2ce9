// twofold.js: the few lines a partner needs to call twofold's API: JSON over HTTP with the
// application's api-key and, for calls made on a user's behalf, that user's session token.
// An answer that is not 2xx throws a TwofoldError carrying twofold's stable error code.

export class TwofoldError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(`twofold answered ${status} ${error.code ?? ''}: ${error.message ?? ''}`);
    this.status = status;
    this.code = error.code;
    this.error = error; // code, message, request_id and what the code adds (attempts_remaining, field)
  }
}

export function twofoldClient({ url, apiKey }) {
  async function call(method, path, { token, body } = {}) {
    const headers = { 'api-key': apiKey };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) headers['content-type'] = 'application/json';
    const r = await fetch(url + path, { method, headers, body: body && JSON.stringify(body) });
    const text = await r.text();
    const json = text ? JSON.parse(text) : null;
    if (!r.ok) throw new TwofoldError(r.status, json);
    return json;
  }
  return {
    get: (path, opts) => call('GET', path, opts),
    post: (path, body, opts = {}) => call('POST', path, { ...opts, body }),
  };
}
