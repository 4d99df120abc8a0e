// @ts-check
/**
 * BROKEN on purpose (rule family: CSRF). Accepts a callback whatever its `state`: a forged
 * callback reaches the token endpoint. Caught by STATE-CSRF.
 */
import { CalcomProvider, capabilities } from "../calcom.mjs";

export const NAME = "broken: callback state not checked";
export { capabilities };

class NoStateCheck extends CalcomProvider {
  /** @param {string} callbackUrl */
  async complete(callbackUrl) {
    const issued = this.pending.keys().next().value;
    const url = new URL(callbackUrl);
    if (issued !== undefined) url.searchParams.set("state", issued);
    return super.complete(url.href);
  }
}

/** @param {import("../calcom.mjs").Environment} env */
export function createProvider(env) {
  return new NoStateCheck(env);
}
