// A provider module whose first API call blocks the driver's whole event loop (no CPU:
// Atomics.wait), so the driver stops answering anything, its handshake included.
import { CalcomProvider, capabilities } from "../../../examples/typescript-provider/calcom.mjs";

export { capabilities };

class Hangs extends CalcomProvider {
  async request() {
    process.stderr.write("about to hang\n");
    // A blocked event loop cannot run the driver's SIGTERM handler: let SIGTERM kill it.
    process.removeAllListeners("SIGTERM");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    throw new Error("unreachable in the test");
  }
}

export function createProvider(env) {
  return new Hangs(env);
}
