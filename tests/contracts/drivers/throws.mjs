// A provider module whose API calls throw a plain TypeError (not an outcome): a crash.
import { CalcomProvider, capabilities } from "../../../examples/typescript-provider/calcom.mjs";

export { capabilities };

class Throws extends CalcomProvider {
  async request() {
    throw new TypeError("Cannot read properties of undefined (reading 'access_token')");
  }
}

export function createProvider(env) {
  return new Throws(env);
}
