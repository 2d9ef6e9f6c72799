/**
 * A CommonJS package (undici's modules, yaml, @redis/client) imported dynamically: its `module.exports` is the
 * namespace's `default`, under Node (whatever named exports it detects; Node >= 23 also lists `module.exports`) and
 * in the single-file build (esbuild gives `default` only). The caller gets module.exports.
 */
export async function importCjs<T extends object>(load: Promise<T>): Promise<T> {
  const mod = await load;
  return ((mod as { default?: T }).default ?? mod) as T;
}
