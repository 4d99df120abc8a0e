// @ts-check
/**
 * BROKEN on purpose (rule family: secret hygiene). Also sends the client credentials as HTTP
 * Basic on token requests (many OAuth libraries' default). Cal.com ignores the header, so
 * everything works, but the secret travels in a header. Caught by EXCHANGE-FIELDS and
 * HYGIENE-SECRET.
 */
import { CalcomProvider, capabilities } from "../calcom.mjs";

export const NAME = "broken: secret in HTTP Basic";
export { capabilities };

const plainFetch = globalThis.fetch;

class SecretInBasicAuth extends CalcomProvider {
  /** @param {Record<string, string>} fields */
  async tokenRequest(fields) {
    const env = this.env;
    // Wrap fetch for this one token request only (the clock's fetches stay untouched).
    const basic = (/** @type {any} */ input, /** @type {any} */ init) => {
      if (String(input) === env.token_url && env.client_secret !== null) {
        const pair = Buffer.from(`${env.client_id}:${env.client_secret}`).toString("base64");
        init = { ...init, headers: { ...(init?.headers ?? {}), authorization: `Basic ${pair}` } };
      }
      return plainFetch(input, init);
    };
    globalThis.fetch = basic;
    try {
      return await super.tokenRequest(fields);
    } finally {
      globalThis.fetch = plainFetch;
    }
  }
}

/** @param {import("../calcom.mjs").Environment} env */
export function createProvider(env) {
  return new SecretInBasicAuth(env);
}
