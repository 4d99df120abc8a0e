// @ts-check
/**
 * BROKEN on purpose (rule family: refresh concurrency). Refreshes without single flight: every
 * call that finds the token expired sends its own refresh. Cal.com rotates the refresh token
 * and revokes the others, so concurrent calls on an expired token kill each other's refresh.
 * Caught by CONCURRENT-REFRESH.
 */
import { CalcomProvider, EXPIRY_MARGIN, Outcome, capabilities } from "../calcom.mjs";

export const NAME = "broken: no single-flight refresh";
export { capabilities };

class NoSingleFlight extends CalcomProvider {
  /** @param {string} connectionId */
  async freshAccessToken(connectionId) {
    const connection = this.connections.get(connectionId);
    if (!connection) throw new Outcome("ReauthorizationRequired", "no such connection");
    if ((await this.now()) < connection.expiresAt - EXPIRY_MARGIN) return connection.accessToken;
    await this.refresh(connectionId, connection);
    return connection.accessToken;
  }
}

/** @param {import("../calcom.mjs").Environment} env */
export function createProvider(env) {
  return new NoSingleFlight(env);
}
