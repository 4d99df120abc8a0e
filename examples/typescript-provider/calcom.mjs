// @ts-check
/**
 * A Cal.com OAuth + API v2 client ("provider") in plain JavaScript with JSDoc types, on Node's
 * built-in fetch and crypto: no framework, no npm dependencies (Node 20+).
 *
 * It is what an integrator's back end would hold: it builds the authorize URL, handles the
 * callback, exchanges the code, stores and refreshes tokens per connection, and calls API v2.
 * `driver.mjs` exposes it to `mock-calcom verify` over the driver protocol
 * (docs/driver-protocol.md), which is the only thing it was written from.
 *
 * The Cal.com rules it follows (each checked by a clause of the contract suites):
 * - the exact registered redirect_uri, space-separated scopes, a fresh unguessable `state`
 *   checked before anything else and good for one callback; PKCE S256 only for a PUBLIC client;
 * - token requests carry exactly Cal.com's fields, the secret in the body only (no HTTP Basic,
 *   and no `scope` on refresh: Cal.com answers 400 to any field outside its whitelist);
 * - expiry computed from `expires_in` on the fake's clock (never Date.now()), a missing
 *   `expires_in` taken as Cal.com's 30 minutes, and tokens refreshed BEFORE use: /v2/bookings
 *   answers an expired token with 403, not 401;
 * - one refresh at a time per connection (single flight): Cal.com rotates the refresh token and
 *   revokes every other one, so two racing refreshes kill the connection;
 * - the rotated refresh token is kept; invalid_grant means "connect again", never retry; a 5xx
 *   keeps the old tokens;
 * - 429: wait X-RateLimit-Reset-Default seconds through the clock, a bounded number of times;
 *   a write answered 5xx (or not at all) is reported, never re-sent.
 */

import { createHash, randomBytes } from "node:crypto";

/**
 * The environment of one scenario, as the driver protocol's `POST /providers` gives it.
 * @typedef {object} Environment
 * @property {string} client_id
 * @property {string | null} client_secret  null for a PUBLIC client
 * @property {string} redirect_uri
 * @property {string} authorize_url
 * @property {string} token_url
 * @property {string} api_base_url  API v2's base URL (".../v2"); a call's URL is base + path
 * @property {{now_url: string, sleep_url: string}} clock
 * @property {Record<string, unknown>} [extras]
 */

/**
 * What an API call gives back when it is not an outcome.
 * @typedef {object} ApiResponse
 * @property {number} status
 * @property {Record<string, string>} headers
 * @property {unknown} json
 */

/**
 * One user's grant: its tokens, and the refresh in flight (single flight).
 * @typedef {object} Connection
 * @property {string} accessToken
 * @property {string} refreshToken
 * @property {number} expiresAt  on the fake's clock, POSIX seconds
 * @property {Promise<void> | null} refreshing
 */

/** The outcome kinds of the driver protocol. */
export const OUTCOME_KINDS = Object.freeze([
  "AccessDenied", "StateMismatch", "InvalidScope", "ClientNotApproved", "ClientRejected",
  "CodeExchangeFailed", "InvalidClient", "ReauthorizationRequired", "InsufficientScope",
  "RateLimited", "UpstreamError",
]);

/** Something Cal.com said that the caller must act on; `kind` is its protocol name. */
export class Outcome extends Error {
  /**
   * @param {string} kind one of OUTCOME_KINDS
   * @param {string} message
   */
  constructor(kind, message) {
    super(message);
    this.name = kind;
    this.kind = kind;
  }
}

/** Refresh this long before the computed expiry, so a token never dies in flight. */
export const EXPIRY_MARGIN = 60;
/** Cal.com's access tokens live 30 minutes; assumed when `expires_in` is missing. */
export const DEFAULT_EXPIRES_IN = 1800;
/** How many times one call is sent while Cal.com answers 429. */
export const MAX_ATTEMPTS = 4;
/** Never wait longer than this for one 429. */
export const MAX_BACKOFF = 120;

/** `cal-api-version` per path prefix (relative to the base URL); others are unversioned. */
const API_VERSIONS = [
  ["/bookings", "2024-08-13"],
  ["/event-types", "2024-06-14"],
  ["/schedules", "2024-06-11"],
  ["/slots", "2024-09-04"],
];

/**
 * @param {string} path relative to the API base URL ("/bookings/abc/cancel")
 * @returns {string | undefined}
 */
export function apiVersionFor(path) {
  for (const [prefix, version] of API_VERSIONS) {
    if (path === prefix || path.startsWith(prefix + "/")) return version;
  }
  return undefined;
}

export class CalcomProvider {
  /** @param {Environment} env */
  constructor(env) {
    this.env = env;
    /** @type {Map<string, {verifier: string | null}>} state -> what its callback must match */
    this.pending = new Map();
    /** @type {Map<string, Connection>} */
    this.connections = new Map();
    this.nextConnection = 1;
  }

  // -- the clock: the fake's, never the system's ------------------------------------------

  /** @returns {Promise<number>} */
  async now() {
    const answer = await fetch(this.env.clock.now_url);
    const body = /** @type {{now: number}} */ (await answer.json());
    return body.now;
  }

  /** @param {number} seconds */
  async sleep(seconds) {
    const answer = await fetch(this.env.clock.sleep_url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ seconds }),
    });
    if (answer.status !== 200) {
      throw new Error(`the clock refused to sleep ${seconds} s (HTTP ${answer.status})`);
    }
  }

  // -- authorization -----------------------------------------------------------------------

  /**
   * @param {string[]} scopes
   * @returns {Promise<string>}
   */
  async authorizationUrl(scopes) {
    const state = randomBytes(32).toString("base64url");
    const params = new URLSearchParams({
      client_id: this.env.client_id,
      redirect_uri: this.env.redirect_uri,
      response_type: "code",
      scope: scopes.join(" "),
      state,
    });
    let verifier = null;
    if (this.env.client_secret === null) {
      // A PUBLIC client has no secret: it proves possession with PKCE S256 instead.
      verifier = randomBytes(48).toString("base64url");
      params.set("code_challenge", createHash("sha256").update(verifier).digest("base64url"));
      params.set("code_challenge_method", "S256");
    }
    this.pending.set(state, { verifier });
    return `${this.env.authorize_url}?${params}`;
  }

  /**
   * @param {string} callbackUrl
   * @returns {Promise<string>} the connection id
   */
  async complete(callbackUrl) {
    const query = callbackQuery(callbackUrl);
    const state = query.get("state");
    const pending = state ? this.pending.get(state) : undefined;
    if (!state || pending === undefined) {
      throw new Outcome("StateMismatch", "the callback's state is missing or was not issued by us");
    }
    this.pending.delete(state); // one callback per state
    const error = query.get("error");
    if (error) throw authorizeError(error, query.get("error_description") ?? "");
    const code = query.get("code");
    if (!code) throw new Outcome("UpstreamError", "the callback carries neither a code nor an error");
    /** @type {Record<string, string>} */
    const fields = { grant_type: "authorization_code", code, redirect_uri: this.env.redirect_uri };
    if (pending.verifier !== null) fields.code_verifier = pending.verifier;
    const connection = await this.tokenRequest(fields);
    const id = `conn-${this.nextConnection++}`;
    this.connections.set(id, connection);
    return id;
  }

  // -- API calls ---------------------------------------------------------------------------

  /**
   * @param {string} connectionId
   * @param {string} method
   * @param {string} path relative to the API base URL, e.g. "/me"
   * @param {Record<string, string> | null} params
   * @param {unknown} json
   * @returns {Promise<ApiResponse>}
   */
  async request(connectionId, method, path, params, json) {
    if (!path.startsWith("/")) throw new Error(`API paths start with /, not ${path}`);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const token = await this.freshAccessToken(connectionId);
      const answer = await this.send(method, path, token, params, json);
      if (answer.status === 429) {
        if (attempt === MAX_ATTEMPTS) {
          throw new Outcome("RateLimited", `still rate limited after ${attempt} attempts`);
        }
        await this.sleep(await this.backoff(answer, attempt));
        continue;
      }
      return interpret(answer.status, answer.headers, answer.json);
    }
    throw new Error("unreachable");
  }

  /**
   * One HTTP request to API v2. A network failure is an UpstreamError (not retried: a write
   * may have been done).
   * @param {string} method
   * @param {string} path
   * @param {string} token
   * @param {Record<string, string> | null} params
   * @param {unknown} json
   * @returns {Promise<ApiResponse>}
   */
  async send(method, path, token, params, json) {
    const query = params && Object.keys(params).length ? `?${new URLSearchParams(params)}` : "";
    /** @type {Record<string, string>} */
    const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
    const version = apiVersionFor(path);
    if (version) headers["cal-api-version"] = version;
    /** @type {RequestInit} */
    const init = { method, headers };
    if (json !== null && json !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(json);
    }
    let answer;
    try {
      // Plain concatenation: the base URL ends in /v2 and the path starts with "/".
      answer = await fetch(this.env.api_base_url.replace(/\/+$/, "") + path + query, init);
    } catch (error) {
      throw new Outcome("UpstreamError", `Cal.com could not be reached: ${describe(error)}`);
    }
    return { status: answer.status, headers: headersOf(answer), json: await jsonOrNull(answer) };
  }

  /**
   * Seconds to wait after a 429: X-RateLimit-Reset-Default (seconds; a unix timestamp is read
   * as one), exponential without it, bounded either way.
   * @param {ApiResponse} answer
   * @param {number} attempt
   */
  async backoff(answer, attempt) {
    const raw = answer.headers["x-ratelimit-reset-default"];
    const reset = raw === undefined ? NaN : Number(raw);
    let delay;
    if (Number.isNaN(reset)) delay = 2 ** attempt;
    else if (reset > 1_000_000_000) delay = reset - (await this.now());
    else delay = reset;
    return Math.min(Math.max(delay, 1), MAX_BACKOFF);
  }

  // -- tokens ------------------------------------------------------------------------------

  /**
   * The connection's access token, refreshed first when it is (nearly) expired; concurrent
   * callers share one refresh.
   * @param {string} connectionId
   * @returns {Promise<string>}
   */
  async freshAccessToken(connectionId) {
    const connection = this.connections.get(connectionId);
    if (!connection) {
      throw new Outcome("ReauthorizationRequired", "no such connection (it was dropped); connect again");
    }
    while (connection.refreshing) await connection.refreshing;
    if ((await this.now()) < connection.expiresAt - EXPIRY_MARGIN) return connection.accessToken;
    // Checked and set with no await in between: whoever gets here first refreshes, the others
    // wait for that refresh (single flight).
    if (!connection.refreshing) {
      connection.refreshing = this.refresh(connectionId, connection).finally(() => {
        connection.refreshing = null;
      });
    }
    await connection.refreshing;
    return connection.accessToken;
  }

  /**
   * @param {string} connectionId
   * @param {Connection} connection
   */
  async refresh(connectionId, connection) {
    let fresh;
    try {
      fresh = await this.tokenRequest({ grant_type: "refresh_token", refresh_token: connection.refreshToken });
    } catch (error) {
      if (error instanceof Outcome && error.kind === "ReauthorizationRequired") {
        this.connections.delete(connectionId);
      }
      throw error;
    }
    connection.accessToken = fresh.accessToken;
    // Cal.com rotates: the old refresh token is dead from now on.
    connection.refreshToken = fresh.refreshToken || connection.refreshToken;
    connection.expiresAt = fresh.expiresAt;
  }

  /**
   * POST to the token endpoint with exactly Cal.com's fields, the secret in the body.
   * @param {Record<string, string>} fields
   * @returns {Promise<Connection>}
   */
  async tokenRequest(fields) {
    /** @type {Record<string, string>} */
    const body = { client_id: this.env.client_id, ...fields };
    if (this.env.client_secret !== null) body.client_secret = this.env.client_secret;
    const sentAt = await this.now();
    let answer;
    try {
      answer = await fetch(this.env.token_url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams(body),
      });
    } catch (error) {
      throw new Outcome("UpstreamError", `Cal.com's token endpoint could not be reached: ${describe(error)}`);
    }
    const payload = await jsonOrNull(answer);
    if (answer.status >= 500) {
      throw new Outcome("UpstreamError", `Cal.com's token endpoint answered ${answer.status}`);
    }
    if (answer.status !== 200 || !isObject(payload)) {
      throw tokenError(answer.status, payload, fields.grant_type);
    }
    const access = payload.access_token;
    if (typeof access !== "string" || !access) {
      throw new Outcome("UpstreamError", "the token response has no access_token");
    }
    const refresh = typeof payload.refresh_token === "string" ? payload.refresh_token : "";
    return { accessToken: access, refreshToken: refresh, expiresAt: sentAt + tokenLifetime(payload), refreshing: null };
  }
}

// -- Cal.com's answers ---------------------------------------------------------------------

/**
 * The callback's query; a parameter given twice counts as missing.
 * @param {string} url
 * @returns {Map<string, string>}
 */
export function callbackQuery(url) {
  const params = new URL(url).searchParams;
  /** @type {Map<string, string>} */
  const single = new Map();
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    if (values.length === 1) single.set(name, values[0]);
  }
  return single;
}

/**
 * @param {Record<string, unknown>} payload
 * @returns {number} seconds the access token lives
 */
export function tokenLifetime(payload) {
  const expiresIn = payload.expires_in;
  // Missing is not "never": assume Cal.com's 30 minutes.
  return typeof expiresIn === "number" && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN;
}

/**
 * An API answer other than 429: an outcome, or handed back unchanged.
 * @param {number} status
 * @param {Record<string, string>} headers
 * @param {unknown} json
 * @returns {ApiResponse}
 */
export function interpret(status, headers, json) {
  const message = errorMessage(json);
  if (status === 403 && message.startsWith("insufficient_scope")) {
    // Refreshing cannot help: a refreshed token keeps the original scopes.
    throw new Outcome("InsufficientScope", message);
  }
  if (status >= 500) throw new Outcome("UpstreamError", `Cal.com answered ${status}`);
  return { status, headers, json };
}

/**
 * @param {string} error
 * @param {string} description
 */
function authorizeError(error, description) {
  const text = description ? `${error}: ${description}` : error;
  if (error === "access_denied") return new Outcome("AccessDenied", text);
  if (error === "unauthorized_client") {
    return new Outcome(description.includes("reject") ? "ClientRejected" : "ClientNotApproved", text);
  }
  if (error === "invalid_scope" || (error === "invalid_request" && description.toLowerCase().includes("scope"))) {
    return new Outcome("InvalidScope", text);
  }
  return new Outcome("UpstreamError", `authorization failed: ${text}`);
}

/**
 * A 4xx from the token endpoint.
 * @param {number} status
 * @param {unknown} payload
 * @param {string | undefined} grantType
 */
function tokenError(status, payload, grantType) {
  const error = isObject(payload) ? payload.error : undefined;
  const description = isObject(payload) ? String(payload.error_description ?? "") : "";
  const text = `${status} ${error}: ${description}`;
  if (error === "invalid_grant") {
    // A dead refresh token, or a code that is used up or expired: the user must connect again.
    return new Outcome(grantType === "refresh_token" ? "ReauthorizationRequired" : "CodeExchangeFailed", text);
  }
  if (error === "invalid_client") return new Outcome("InvalidClient", text);
  if (error === "unauthorized_client") {
    return new Outcome(description === "client_rejected" ? "ClientRejected" : "ClientNotApproved", text);
  }
  return new Outcome("UpstreamError", text);
}

/** @param {unknown} body */
function errorMessage(body) {
  if (isObject(body) && isObject(body.error) && typeof body.error.message === "string") {
    return body.error.message;
  }
  return "";
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** @param {Response} answer */
async function jsonOrNull(answer) {
  const text = await answer.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * @param {Response} answer
 * @returns {Record<string, string>}
 */
function headersOf(answer) {
  /** @type {Record<string, string>} */
  const headers = {};
  answer.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/** @param {unknown} error */
function describe(error) {
  if (error instanceof Error) {
    const cause = /** @type {{cause?: unknown}} */ (error).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

/**
 * The factory the driver calls for every scenario.
 * @param {Environment} env
 */
export function createProvider(env) {
  return new CalcomProvider(env);
}

/** The driver protocol's handshake capabilities of this provider. */
export const capabilities = { public_clients: true };
