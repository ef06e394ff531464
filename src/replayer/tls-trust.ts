/*
 * Which certificates replay takes from https targets: those Node trusts by default (its CA store), those and the
 * CA certificates of --ca FILE as well (a private CA, a test server's own certificate), or, with --insecure,
 * any at all. --ca adds to the default store rather than replacing it, so a replay whose --target and
 * --tls-target are signed by a public and a private CA trusts both.
 *
 * The trust is one TLS context for all of a replay's connections: a context with Node's ~140 CAs costs about
 * 0.1 s to build, once, not per connection.
 */
import type { ConnectionOptions } from 'node:tls';
import { badValue, UsageError } from '../../shared/cli-args/usage-error.ts';

export type Trust = { kind: 'default' } | { kind: 'ca'; file: string; pems: string[] } | { kind: 'insecure' };

const SEE = "(see 'broker replay --help')";
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM certificates of --ca FILE, each parsed now: an unreadable file or a bad certificate is exit 2 naming the file. */
export function loadCaFile(path: string): string[] {
  if (path === '') throw badValue({ option: '--ca', help: 'broker replay --help' }, path, 'a file of PEM CA certificates');
  let text: string;
  try {
    text = process.getBuiltinModule('node:fs').readFileSync(path, 'latin1');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new UsageError(`--ca ${path}: cannot read it: ${why} (it must be a readable file of PEM CA certificates) ${SEE}`);
  }
  const pems = text.match(PEM_BLOCK) ?? [];
  if (pems.length === 0) throw new UsageError(`--ca ${path}: no PEM certificate in it (no -----BEGIN CERTIFICATE----- block) ${SEE}`);
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  pems.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new UsageError(`--ca ${path}: certificate ${i + 1} of ${pems.length} cannot be read (${(err as Error).message}) ${SEE}`);
    }
  });
  return pems;
}

/** The default CAs: what Node trusts when no `ca` is given (on Node 22.15+ with NODE_EXTRA_CA_CERTS and, if enabled, the system's). */
function defaultCas(): readonly string[] {
  const tls = process.getBuiltinModule('node:tls') as typeof import('node:tls') & { getCACertificates?: (type: 'default') => string[] };
  return tls.getCACertificates?.('default') ?? tls.rootCertificates;
}

/** The TLS options of undici's connector for `trust`; undefined for the default. */
export function connectOptions(trust: Trust): ConnectionOptions | undefined {
  if (trust.kind === 'insecure') return { rejectUnauthorized: false };
  if (trust.kind === 'default') return undefined;
  return { secureContext: process.getBuiltinModule('node:tls').createSecureContext({ ca: [...defaultCas(), ...trust.pems] }) };
}
