// The HTTP floor of a run (bench/runner.ts): what `count` token requests cost a process that only loads undici's Agent
// (the same modules the runner loads: lib/dispatcher/agent.js), sends them one after another on one keep-alive
// connection and keeps each answer's bytes, and does nothing else. No runner that uses undici, as the runner must,
// can spend less CPU on the same number of requests. Bundled by bench/runner.ts like the CLI is (scripts/build.mjs),
// so that module loading costs what it costs the CLI; its CPU is read by bench/cpu-at-exit.mjs.
// usage: node http-floor.mjs <token-url> <count> <form-body> [basic-credentials]
import Agent from 'undici/lib/dispatcher/agent.js';

const [url, countArg, body, basic] = process.argv.slice(2);
const target = new URL(url);
const count = Number(countArg);
const agent = new Agent();
const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(basic ? { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {}) };

function once() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let status = 0;
    agent.dispatch(
      { origin: target.origin, path: `${target.pathname}${target.search}`, method: 'POST', headers, body },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          resolve({ status, text: Buffer.concat(chunks).toString('utf8') });
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      },
    );
  });
}

const statuses = {};
for (let i = 0; i < count; i++) {
  const { status } = await once();
  statuses[status] = (statuses[status] ?? 0) + 1;
}
await agent.close();
process.stdout.write(`${JSON.stringify({ requests: count, statuses })}\n`);
