/**
 * A CommonJS package (undici, yaml) imported dynamically: Node gives its exports as named members (and `default`),
 * while the single-file build (esbuild bundles every dependency, so that a run loads a few files, not hundreds)
 * gives them as `default` only. Either way the caller gets the named members.
 */
export async function importCjs<T extends object>(load: Promise<T>): Promise<T> {
  const mod = await load;
  const keys = Object.keys(mod);
  return keys.length === 1 && keys[0] === 'default' ? ((mod as { default: T }).default) : mod;
}
