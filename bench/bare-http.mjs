// Baseline: a bare node:http server answering fixed bytes on any route: by default a small token JSON; with a
// response file ({status, headers, body}), exactly the bytes a mock answered, so a ratio measures the mock's logic
// rather than the size of its answer (on a 2-core box the load generator's parsing is part of every figure).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const fixed = process.argv[3]
  ? JSON.parse(readFileSync(process.argv[3], 'utf8'))
  : { status: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' }, body: JSON.stringify({ access_token: '2YotnFZFEjr1zCsicMWpAA', token_type: 'Bearer', expires_in: 3600 }) };
const headers = { ...fixed.headers, 'Content-Length': Buffer.byteLength(fixed.body) };
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(fixed.status, headers);
    res.end(fixed.body);
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
