/*
 * The certificate and key `record` serves HTTPS with (--tls-cert/--tls-key, --tls-pfx: tls-pfx.ts, or
 * --tls-self-signed), checked before anything listens: every problem is a UsageError (exit 2) naming the file
 * and what is wrong with it.
 *
 * --tls-self-signed makes a throwaway certificate at start with the `selfsigned` package (Node has no
 * certificate generator; it builds the X.509 in JS and signs with Node's own WebCrypto: an EC P-256 key,
 * ~0.2 s). The package is imported only then. With --workers the primary makes it and hands it to the
 * workers in their environment (readable only by this user, like the process's memory), so every worker
 * serves the same certificate and the printed fingerprint holds for all.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../usage.ts';

// node:crypto and node:tls are loaded when a TLS option is given, not at every record start: with them
// (and node:https) a plain `record` loaded 34 more of Node's modules (docs/benchmarks.md, start-up).
const crypto = () => process.getBuiltinModule('node:crypto');
const tls = () => process.getBuiltinModule('node:tls');

/** What node:https serves with: a PEM certificate (chain) and key, or a PKCS#12 bundle and its passphrase. */
export type TlsCredentials = { cert: string; key: string } | { pfx: Buffer; passphrase?: string };

export type TlsIdentity = TlsCredentials & {
  /** SHA-256 of the certificate (DER), as colon-separated hex: what a client pins. */
  fingerprint256: string;
};

export const SEE = "(see 'broker record --help')";

/** The bytes of a TLS option's file; `expected` says what it must be ('a readable PEM file'). */
export function readTlsFile(path: string, option: string, expected: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new UsageError(`${option} ${path}: cannot read it: ${why} (it must be ${expected}) ${SEE}`);
  }
}

const readPem = (path: string, option: string) => readTlsFile(path, option, 'a readable PEM file').toString('latin1');

/** Refuses a certificate that is not valid at `now`, naming the option and file it came from. */
export function checkValidity(x509: X509Certificate, option: string, path: string, now: Date): void {
  const from = new Date(x509.validFrom);
  const to = new Date(x509.validTo);
  if (now > to) throw new UsageError(`${option} ${path}: the certificate expired on ${to.toISOString()} ${SEE}`);
  if (now < from) throw new UsageError(`${option} ${path}: the certificate is not valid until ${from.toISOString()} ${SEE}`);
}

/** The certificate and key from PEM files, checked: each parses, they belong together, and the certificate is valid now. */
export function loadTlsIdentity(certPath: string, keyPath: string, now = new Date()): TlsIdentity {
  const cert = readPem(certPath, '--tls-cert');
  const key = readPem(keyPath, '--tls-key');
  let x509: X509Certificate;
  try {
    if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no BEGIN CERTIFICATE block');
    x509 = new (crypto().X509Certificate)(cert);
  } catch (err) {
    throw new UsageError(`--tls-cert ${certPath}: not a PEM certificate (${(err as Error).message}) ${SEE}`);
  }
  let keyObject: KeyObject;
  try {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) throw new Error('no BEGIN PRIVATE KEY block');
    keyObject = crypto().createPrivateKey(key);
  } catch (err) {
    const msg = (err as Error).message;
    const why = /passphrase/i.test(msg) ? 'it is encrypted (a passphrase-protected key is not supported)' : msg;
    throw new UsageError(`--tls-key ${keyPath}: not a PEM private key (${why}) ${SEE}`);
  }
  if (!x509.checkPrivateKey(keyObject)) throw new UsageError(`--tls-key ${keyPath} does not match the certificate in ${certPath} (it is the private key of another certificate) ${SEE}`);
  checkValidity(x509, '--tls-cert', certPath, now);
  try {
    tls().createSecureContext({ cert, key });
  } catch (err) {
    throw new UsageError(`--tls-cert ${certPath} / --tls-key ${keyPath}: OpenSSL refuses them: ${(err as Error).message} ${SEE}`);
  }
  return { cert, key, fingerprint256: x509.fingerprint256 };
}

/** A throwaway certificate for localhost, 127.0.0.1, ::1 and the listen address, valid from an hour ago for 30 days. */
export async function selfSignedIdentity(listenHost: string): Promise<TlsIdentity> {
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - 3_600_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 30 * 86_400_000);
  const ips = [...new Set(['127.0.0.1', '::1', ...(listenHost.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(listenHost) ? [listenHost] : [])])];
  const pems = await generate([{ name: 'commonName', value: 'broker record (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2 as const, value: 'localhost' }, ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  return { cert: pems.cert, key: pems.private, fingerprint256: new (crypto().X509Certificate)(pems.cert).fingerprint256 };
}

/** The --tls-self-signed identity (PEM) as one environment value, for the --workers workers (cluster.ts). */
export function identityToEnv(id: TlsIdentity): string {
  return JSON.stringify(id);
}

export function identityFromEnv(text: string): TlsIdentity {
  return JSON.parse(text) as TlsIdentity;
}
