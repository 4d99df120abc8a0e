// The load of `make soak` (benchmarks/soak.py starts it): Node's own http client over
// keep-alive connections, no npm packages. The Python driver spent more CPU than the server it
// measured; this one costs a few percent of it.
//
//   node soak_driver.mjs --base URL --requests N --concurrency C --max-seconds S
//        --client-id ID --client-secret SECRET --redirect-uri URI
//
// Each worker repeats a round: authorize (a code), the code exchange for nine codes in ten
// (one in ten is never exchanged), GET /v2/me and /v2/bookings with the token, an unknown
// route, a bad bearer, a malformed token request. Bounded by --requests and --max-seconds.
// stdout: one JSON line {"sent", "errors"} every 250 ms, then {"done": true, ...}.
import http from "node:http";

function options(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) {
      throw new Error(`bad argument ${argv[i]}`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

const opts = options(process.argv.slice(2));
const base = new URL(opts.base);
const total = Number(opts.requests);
const concurrency = Number(opts.concurrency ?? 16);
const deadline = Date.now() + 1000 * Number(opts["max-seconds"] ?? 1800);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

let sent = 0;
let errors = 0;
let failures = 0; // transport errors (no answer at all)
let rounds = 0;
const statuses = {};

function request(method, path, headers, body) {
  return new Promise((resolve) => {
    const req = http.request({
      agent, host: base.hostname, port: base.port, method, path,
      headers: body === undefined ? headers
        : { ...headers, "content-length": Buffer.byteLength(body) },
    }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => {
        sent += 1;
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 500) errors += 1;
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.setTimeout(30000, () => req.destroy(new Error("timeout")));
    req.on("error", () => {
      sent += 1;
      failures += 1;
      resolve({ status: 0, headers: {}, body: Buffer.alloc(0) });
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const authorizePath = "/auth/oauth2/authorize?" + new URLSearchParams({
  client_id: opts["client-id"], redirect_uri: opts["redirect-uri"], response_type: "code",
  state: "s", scope: "PROFILE_READ BOOKING_READ",
}).toString();
const malformed = "grant_type=authorization_code";

function more() {
  return sent < total && Date.now() < deadline;
}

async function worker() {
  while (more()) {
    const round = rounds++;
    const authorized = await request("GET", authorizePath, {});
    let code = "";
    try {
      code = new URL(authorized.headers.location ?? "", base).searchParams.get("code") ?? "";
    } catch { /* no redirect: counted by its status */ }
    let token = "";
    if (code && round % 10 !== 9 && more()) { // one code in ten is never exchanged
      const exchanged = await request("POST", "/v2/auth/oauth2/token", FORM,
        new URLSearchParams({
          grant_type: "authorization_code", client_id: opts["client-id"],
          client_secret: opts["client-secret"], code, redirect_uri: opts["redirect-uri"],
        }).toString());
      if (exchanged.status === 200) {
        try { token = JSON.parse(exchanged.body.toString()).access_token ?? ""; } catch { }
      }
    }
    const bearer = { authorization: `Bearer ${token || "nope"}` };
    const rest = [
      ["GET", "/v2/me", bearer],
      ["GET", "/v2/bookings", { ...bearer, "cal-api-version": "2024-08-13" }],
      ["GET", "/v2/nowhere", {}],
      ["GET", "/v2/me", { authorization: "Bearer eyJ.bad.token" }],
    ];
    for (const [method, path, headers] of rest) {
      if (!more()) return;
      await request(method, path, headers);
    }
    if (more()) await request("POST", "/v2/auth/oauth2/token", FORM, malformed);
  }
}

const started = Date.now();
const progress = setInterval(() => {
  process.stdout.write(JSON.stringify({ sent, errors, failures }) + "\n");
}, 250);
await Promise.all(Array.from({ length: concurrency }, worker));
clearInterval(progress);
agent.destroy();
process.stdout.write(JSON.stringify({
  done: true, sent, errors, failures, statuses, seconds: (Date.now() - started) / 1000,
}) + "\n");
