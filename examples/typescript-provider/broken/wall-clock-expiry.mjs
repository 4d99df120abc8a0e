// @ts-check
/**
 * BROKEN on purpose (rule family: expiry). Judges token expiry by the system clock
 * (Date.now()) instead of the fake's: in a verify run the fake's clock jumps by hours while the
 * system clock barely moves, so the token never looks expired and Cal.com is sent expired
 * tokens. Caught by EXPIRY-REFRESH.
 */
import { CalcomProvider, capabilities } from "../calcom.mjs";

export const NAME = "broken: expiry judged by the wall clock";
export { capabilities };

class WallClockExpiry extends CalcomProvider {
  async now() {
    return Date.now() / 1000;
  }
}

/** @param {import("../calcom.mjs").Environment} env */
export function createProvider(env) {
  return new WallClockExpiry(env);
}
