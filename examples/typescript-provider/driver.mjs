// @ts-check
/**
 * The driver: exposes a Cal.com provider to `mock-calcom verify` over the driver protocol,
 * version 1 (docs/driver-protocol.md), on Node's built-in http server. No dependencies.
 *
 *   node examples/typescript-provider/driver.mjs [--provider MODULE] [--port PORT]
 *   mock-calcom verify --driver-cmd "node examples/typescript-provider/driver.mjs"
 *
 * MODULE (default ./calcom.mjs, relative to this file) exports `createProvider(env)` and
 * optionally `capabilities`; the deliberately broken variants in ./broken/ are such modules.
 * The port comes from --port, else MOCK_CALCOM_DRIVER_PORT (set by --driver-cmd), else any
 * free one (printed on stderr).
 */

import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

import { OUTCOME_KINDS } from "./calcom.mjs";

const { values: options } = parseArgs({
  options: {
    provider: { type: "string", default: new URL("./calcom.mjs", import.meta.url).href },
    port: { type: "string" },
  },
});

const moduleUrl = /^[a-z]+:/.test(options.provider ?? "")
  ? String(options.provider)
  : pathToFileURL(resolve(String(options.provider))).href;
/** @type {{createProvider: (env: any) => any, capabilities?: {public_clients?: boolean}, NAME?: string}} */
const implementation = await import(moduleUrl);

/**
 * @typedef {object} ProviderLike
 * @property {(scopes: string[]) => Promise<string>} authorizationUrl
 * @property {(callbackUrl: string) => Promise<string>} complete
 * @property {(connection: string, method: string, path: string, params: Record<string, string> | null, json: unknown) => Promise<unknown>} request
 */

/** @type {Map<string, ProviderLike>} */
const providers = new Map();
let nextProvider = 1;

/**
 * @param {import("node:http").IncomingMessage} request
 * @returns {Promise<any>}
 */
async function readJson(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : {};
}

/**
 * @param {import("node:http").ServerResponse} response
 * @param {number} status
 * @param {unknown} [body]
 */
function send(response, status, body) {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/**
 * What a provider call came to, in the protocol's envelope: `{result}` or `{error}`.
 * @param {() => Promise<unknown>} call
 */
async function envelope(call) {
  try {
    return { result: await call() };
  } catch (error) {
    const err = /** @type {any} */ (error);
    const kind = err && typeof err.kind === "string" && OUTCOME_KINDS.includes(err.kind)
      ? err.kind
      : (err && err.name) || "Error";
    const message = OUTCOME_KINDS.includes(kind) ? String(err.message) : String((err && err.stack) || err);
    return { error: { kind, message } };
  }
}

const server = createServer(async (request, response) => {
  try {
    const url = new URL(request.url ?? "/", "http://driver");
    const parts = url.pathname.split("/").filter(Boolean);
    if (request.method === "GET" && url.pathname === "/handshake") {
      send(response, 200, {
        protocol: "mock-calcom-driver",
        version: 1,
        name: implementation.NAME ?? "calcom.mjs (examples/typescript-provider)",
        capabilities: { public_clients: Boolean(implementation.capabilities?.public_clients) },
      });
      return;
    }
    if (parts[0] !== "providers") {
      send(response, 404, { error: { kind: "NotFound", message: `no route ${request.method} ${url.pathname}` } });
      return;
    }
    if (request.method === "POST" && parts.length === 1) {
      const env = await readJson(request);
      const outcome = await envelope(async () => implementation.createProvider(env));
      if ("error" in outcome) {
        send(response, 200, outcome);
        return;
      }
      const id = `p-${nextProvider++}`;
      providers.set(id, /** @type {ProviderLike} */ (outcome.result));
      send(response, 201, { provider: id });
      return;
    }
    const provider = providers.get(parts[1]);
    if (!provider) {
      send(response, 404, { error: { kind: "NotFound", message: `no provider ${parts[1]}` } });
      return;
    }
    if (request.method === "DELETE" && parts.length === 2) {
      providers.delete(parts[1]);
      send(response, 204);
      return;
    }
    if (request.method !== "POST" || parts.length !== 3) {
      send(response, 404, { error: { kind: "NotFound", message: `no route ${request.method} ${url.pathname}` } });
      return;
    }
    const body = await readJson(request);
    switch (parts[2]) {
      case "authorization-url":
        send(response, 200, await envelope(() => provider.authorizationUrl(body.scopes)));
        return;
      case "complete":
        send(response, 200, await envelope(() => provider.complete(body.callback_url)));
        return;
      case "request":
        send(response, 200, await envelope(() => provider.request(
          body.connection, body.method, body.path, body.params ?? null, body.json ?? null)));
        return;
      default:
        send(response, 404, { error: { kind: "NotFound", message: `no call ${parts[2]}` } });
    }
  } catch (error) {
    // A bug of the driver itself (bad JSON, ...): a 500 that verify reports as a crash.
    process.stderr.write(`driver error: ${/** @type {any} */ (error)?.stack ?? error}\n`);
    if (!response.headersSent) send(response, 500, { error: { kind: "DriverError", message: String(error) } });
  }
});

const port = Number(options.port ?? process.env.MOCK_CALCOM_DRIVER_PORT ?? 0);
server.keepAliveTimeout = 30_000;
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  process.stderr.write(`mock-calcom driver listening on http://127.0.0.1:${actual} (${moduleUrl})\n`);
});

for (const signal of /** @type {const} */ (["SIGTERM", "SIGINT"])) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
