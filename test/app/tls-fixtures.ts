// Certificates for the TLS tests, made when the tests run (no key is committed): the same `selfsigned` package
// record --tls-self-signed uses, with dates and names each case needs; PKCS#12 bundles of them are made with the
// openssl CLI (`openssl pkcs12 -export`), as a user would.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface CertFiles {
  cert: string;
  key: string;
  /** The certificate's PEM, for a client's `ca`. */
  pem: string;
  fingerprint256: string;
}

/** A certificate for localhost, 127.0.0.1 and api.example.test, valid from..to (default: an hour ago to a day ahead). */
export async function certFiles(dir: string, name: string, o: { from?: Date; to?: Date } = {}): Promise<CertFiles> {
  const from = o.from ?? new Date(Date.now() - 3_600_000);
  const to = o.to ?? new Date(Date.now() + 86_400_000);
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: from,
    notAfterDate: to,
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'api.example.test' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, pems.cert);
  writeFileSync(key, pems.private, { mode: 0o600 });
  return { cert, key, pem: pems.cert, fingerprint256: new X509Certificate(pems.cert).fingerprint256 };
}

/**
 * A PKCS#12 bundle of `c` made by `openssl pkcs12 -export` (its own defaults: AES-256, PBKDF2, a SHA-256 MAC),
 * protected by `passphrase` ('' for none); `args` are more of openssl's options (-nokeys, -legacy, …).
 */
export function pfxFile(dir: string, c: CertFiles, name: string, passphrase: string, args: string[] = []): string {
  const out = join(dir, `${name}.p12`);
  execFileSync('openssl', ['pkcs12', '-export', '-in', c.cert, '-inkey', c.key, '-out', out, '-passout', `pass:${passphrase}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}
