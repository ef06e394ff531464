// Certificates for the TLS tests, made when the tests run (no key is committed, no openssl needed): the same
// `selfsigned` package record --tls-self-signed uses, with dates and names each case needs.
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
