/**
 * Reads a JSON or YAML file (by its extension) for any of our config files: mock configs, target configs,
 * baselines. One error type, with a one-line reason; yaml loads only for YAML files (start-up stays lean).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { importCjs } from './import-cjs.js';

export class ConfigFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/**
 * A config given as text (an environment variable): JSON when it starts with "{", YAML otherwise (YAML reads JSON
 * too, but JSON's errors name the position more plainly).
 */
export async function parseConfigText(text: string, source: string): Promise<unknown> {
  const json = text.trimStart().startsWith('{');
  try {
    return json ? JSON.parse(text) : (await importCjs(import('yaml'))).parse(text);
  } catch (e) {
    throw new ConfigFileError(
      source,
      `not valid ${json ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]!.replace(/:\s*$/, '')}`,
    );
  }
}

export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigFileError(
      path,
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message,
    );
  }
  const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
  try {
    return yaml ? (await importCjs(import('yaml'))).parse(text) : JSON.parse(text);
  } catch (e) {
    // yaml's message goes on with a code frame after "at line L, column C:": the first line, without its colon.
    throw new ConfigFileError(
      path,
      `not valid ${yaml ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]!.replace(/:\s*$/, '')}`,
    );
  }
}
