/**
 * `idpc init`: for every flavour, the template is a valid target config as written, and still valid with its
 * commented authorizationCode section switched on (the browser flow's settings carry the flavour's defaults).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { initTemplate } from '../src/cli/run.js';
import { FLAVOURS } from '../src/flavours/index.js';
import { registry } from '../src/schemas/registry.js';

/** The template with its commented authorizationCode block uncommented. */
function withBrowserFlow(text: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('# authorizationCode:'));
  let i = start;
  while (i < lines.length && lines[i]!.startsWith('#')) {
    lines[i] = lines[i]!.replace(/^# ?/, '').replace(/\s+#.*$/, '');
    i++;
  }
  return lines.join('\n');
}

describe.each(Object.keys(FLAVOURS))('idpc init -f %s', (flavour) => {
  it('writes a valid target config, with or without the browser flow switched on', () => {
    const text = initTemplate(flavour);
    expect(registry().validate('config', 'target-config', parse(text)).errors).toEqual([]);
    const on = parse(withBrowserFlow(text)) as { authorizationCode: Record<string, unknown> };
    expect(registry().validate('config', 'target-config', on).errors).toEqual([]);
    const browser = FLAVOURS[flavour as keyof typeof FLAVOURS].browser;
    expect(on.authorizationCode).toMatchObject({
      redirectUri: 'https://app.example.com/callback',
      openid: browser?.openid ?? false,
      codeLifetime: browser?.codeLifetime ?? 60,
    });
  });
});
