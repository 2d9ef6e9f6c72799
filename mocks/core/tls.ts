/**
 * TLS for a mock (--tls): a throw-away CA and a server certificate it signs for the mock's names (localhost, the
 * loopback addresses, the configured host), made at start with @peculiar/x509 on WebCrypto (ECDSA P-256); or the
 * certificate and key files the user gives. The CA's PEM is written to a private temporary file whose path `idpc
 * mock` prints, so a client can trust exactly this mock.
 */
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCjs } from '../../src/util/import-cjs.js';
import { ConfigError } from './config.js';

export interface MockTls {
  cert: string;
  key: string;
  /** The CA that signed `cert`, when the mock made it (PEM), and where it was written. */
  ca?: string;
  caFile?: string;
}

const toPem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** A CA and a server certificate for `hosts` (DNS names and IP addresses), valid from an hour ago for 30 days. */
export async function generateTls(hosts: string[]): Promise<MockTls> {
  // @peculiar/x509 resolves its parts with tsyringe, which needs the Reflect metadata polyfill loaded first.
  await import('reflect-metadata');
  const x509 = await importCjs(import('@peculiar/x509'));
  x509.cryptoProvider.set(webcrypto as never);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + 30 * 86_400_000);
  const caKeys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=idp-conformance mock CA',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const names = [...new Set(hosts)].map((h) =>
    isIP(h.replace(/^\[|\]$/g, ''))
      ? { type: 'ip' as const, value: h.replace(/^\[|\]$/g, '') }
      : { type: 'dns' as const, value: h },
  );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=idp-conformance mock',
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const key = toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const caPem = ca.toString('pem');
  const caFile = join(mkdtempSync(join(tmpdir(), 'idpc-mock-tls-')), 'ca.pem');
  writeFileSync(caFile, caPem, { mode: 0o600 });
  return { cert: cert.toString('pem'), key, ca: caPem, caFile };
}

/** The certificate and key the user gave (PEM files); a file that cannot be read is a ConfigError naming it. */
export function tlsFromFiles(certFile: string, keyFile: string): MockTls {
  const read = (file: string, what: string) => {
    try {
      const text = readFileSync(file, 'utf8');
      if (!text.includes('-----BEGIN ')) throw new Error('not a PEM file');
      return text;
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new ConfigError(`tls.${what}`, [`${file}: ${reason}`]);
    }
  };
  return { cert: read(certFile, 'certFile'), key: read(keyFile, 'keyFile') };
}
