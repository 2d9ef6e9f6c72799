/**
 * What the mock benches load (each mock's token request, with the seed documents' credentials, and the bare
 * baselines) and how: servers spawned in their own process, autocannon in another (bench/load.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';

const root = packageRoot();
export const cli = join(root, 'dist/bin/main.js');
const DURATION = Number(process.env.BENCH_DURATION ?? 6);

export interface Target {
  name: string;
  command: string[];
  /** Path and request that yields a token. */
  path: string;
  body?: string;
  headers: Record<string, string>;
}

export const form = { 'content-type': 'application/x-www-form-urlencoded' };
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
export const TARGETS: Target[] = [
  {
    name: 'bare-node-http',
    command: ['bench/bare-http.mjs'],
    path: '/token',
    body: 'grant_type=client_credentials',
    headers: form,
  },
  {
    name: 'bare-express',
    command: ['bench/bare-express.mjs'],
    path: '/token',
    body: 'grant_type=client_credentials',
    headers: form,
  },
  {
    name: 'portal',
    command: [cli, 'mock', 'portal', '--json'],
    path: '/oauth2/token/',
    body: 'grant_type=password&username=robot%40learningcenter&password=QrnY67ME9yGasNhq2OTbgWA4RzipUvo5',
    headers: { ...form, authorization: basic('ACZpcaLIT3qr725YWmXu8et9REl4HBg1', 't5IfXbGZQThAKR43apoc9usOFVDv2BLE') },
  },
  {
    name: 'rator',
    command: [cli, 'mock', 'rator', '--json'],
    path: '/appcontext/oauth/token?brand_key=BRAND1',
    body: 'grant_type=password&username=myusername&password=mypassword',
    headers: { ...form, authorization: basic('myclientid', 'myclientsecret') },
  },
  {
    name: 'bare-node-http-jose-rs256',
    command: ['bench/bare-jose.mjs'],
    path: '/realms/master/protocol/openid-connect/token',
    body: 'grant_type=client_credentials&client_id=conformance-service&client_secret=conformance-service-secret',
    headers: form,
  },
  {
    name: 'keycloak',
    command: [cli, 'mock', 'keycloak', '--json'],
    path: '/auth/realms/master/protocol/openid-connect/token',
    body: 'grant_type=client_credentials&client_id=conformance-service&client_secret=conformance-service-secret',
    headers: form,
  },
  {
    name: 'infolink',
    command: [cli, 'mock', 'infolink', '--json'],
    path: '/api/v1/oauth2/token',
    body: 'grant_type=client_credentials&client_id=9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6&client_secret=eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
    headers: form,
  },
];

/** Spawns a server; resolves with its port once it prints READY <port> or its JSON line. */
export function spawnServer(target: Target, port = 0): Promise<{ child: ChildProcess; port: number }> {
  const args =
    target.command[0] === cli ? [...target.command, '--port', String(port)] : [...target.command, String(port)];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const ready = /READY (\d+)/.exec(out) ?? /"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(out);
      if (ready) resolve({ child, port: Number(ready[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${target.name} exited with ${code} before it was ready`)));
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function runLoad(url: string, target: Target): Promise<Record<string, number>> {
  const spec = JSON.stringify({
    url,
    method: 'POST',
    body: target.body,
    headers: target.headers,
    connections: 50,
    duration: DURATION,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/load.mjs', spec], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, number>)
        : reject(new Error(`load generator exited ${code}`)),
    );
  });
}
