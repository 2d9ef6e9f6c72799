// The load generator, in its own process so that it does not share an event loop with the server it measures.
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2]);
const result = await autocannon({
  url: spec.url,
  method: spec.method ?? 'POST',
  body: spec.body,
  headers: spec.headers ?? {},
  connections: spec.connections ?? 50,
  duration: spec.duration ?? 5,
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
  }),
);
