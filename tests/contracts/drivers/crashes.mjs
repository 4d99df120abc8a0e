// A provider module for the example driver whose process dies at the first API call (the
// driver-crash test): it says why on stderr first, as a real crash would.
import { CalcomProvider, capabilities } from "../../../examples/typescript-provider/calcom.mjs";

export { capabilities };

class Crashes extends CalcomProvider {
  async request() {
    process.stderr.write("boom: the provider's process died in request()\n");
    process.exit(3);
  }
}

export function createProvider(env) {
  return new Crashes(env);
}
