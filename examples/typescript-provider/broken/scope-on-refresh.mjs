// @ts-check
/**
 * BROKEN on purpose (rule family: token request fields). Re-sends `scope` with every refresh,
 * as many OAuth libraries do by default. Cal.com's token endpoint rejects any field outside its
 * whitelist with 400, so no refresh ever works. Caught by EXCHANGE-FIELDS (and, as
 * consequences, every clause that needs a refresh).
 */
import { CalcomProvider, capabilities } from "../calcom.mjs";

export const NAME = "broken: scope re-sent on refresh";
export { capabilities };

class ScopeOnRefresh extends CalcomProvider {
  /** @param {string[]} scopes */
  async authorizationUrl(scopes) {
    this.scope = scopes.join(" ");
    return super.authorizationUrl(scopes);
  }

  /** @param {Record<string, string>} fields */
  async tokenRequest(fields) {
    if (fields.grant_type === "refresh_token") fields = { ...fields, scope: this.scope ?? "" };
    return super.tokenRequest(fields);
  }
}

/** @param {import("../calcom.mjs").Environment} env */
export function createProvider(env) {
  return new ScopeOnRefresh(env);
}
