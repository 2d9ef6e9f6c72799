/** The built CLI (dist/, made by `npm test` before vitest runs) as a user starts it: one process per command. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

export const cli = join(packageRoot(), 'dist/bin/main.js');

export interface CliProcess {
  /** The first line of stdout, parsed (`idpc mock F --json` prints its URLs and credentials there). */
  info: Record<string, unknown>;
  /** What it wrote to stderr so far. */
  stderr: () => string;
  stop: () => Promise<number | null>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliProcess> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      resolve({
        info: JSON.parse(out.split('\n')[0]!) as Record<string, unknown>,
        stderr: () => err,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('close', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

/** Runs the CLI to completion; resolves with its exit code and output. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
