// @ts-check
/**
 * BROKEN on purpose (rule family: rate limits). Retries a 429 after one second, whatever
 * X-RateLimit-Reset-Default says. Caught by RATE-LIMIT.
 */
import { CalcomProvider, capabilities } from "../calcom.mjs";

export const NAME = "broken: 429 reset ignored";
export { capabilities };

class IgnoresRateLimitReset extends CalcomProvider {
  async backoff() {
    return 1;
  }
}

/** @param {import("../calcom.mjs").Environment} env */
export function createProvider(env) {
  return new IgnoresRateLimitReset(env);
}
