// Baseline: a bare express server answering the same fixed JSON on the same route.
import express from 'express';

const body = { access_token: '2YotnFZFEjr1zCsicMWpAA', token_type: 'Bearer', expires_in: 3600 };
const app = express();
app.use(express.urlencoded({ extended: false }));
app.post(/.*/, (_req, res) => {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json(body);
});
const server = app.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
