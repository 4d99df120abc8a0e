// @ts-check
/**
 * BROKEN on purpose (rule family: rotation). Ignores the rotated refresh token and refreshes
 * with the first one again; Cal.com revoked it at the first refresh, so the second refresh
 * fails. Caught by ROTATION.
 */
import { CalcomProvider, capabilities } from "../calcom.mjs";

export const NAME = "broken: refresh token not rotated";
export { capabilities };

class KeepsOldRefreshToken extends CalcomProvider {
  /**
   * @param {string} connectionId
   * @param {import("../calcom.mjs").Connection} connection
   */
  async refresh(connectionId, connection) {
    const first = connection.refreshToken;
    await super.refresh(connectionId, connection);
    connection.refreshToken = first;
  }
}

/** @param {import("../calcom.mjs").Environment} env */
export function createProvider(env) {
  return new KeepsOldRefreshToken(env);
}
