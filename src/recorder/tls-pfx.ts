/*
 * --tls-pfx FILE [--tls-passphrase-file FILE]: `record`'s certificate and key as one PKCS#12 bundle, checked
 * before anything listens as the PEM pair is (tls-identity.ts): an unreadable file, one that is not PKCS#12, a
 * wrong or missing passphrase, a bundle without its certificate or key and a certificate that is expired or not
 * yet valid are each a UsageError (exit 2) naming the file and the problem.
 *
 * The passphrase comes from a file (its first line), never from argv, where `ps` shows it to every user.
 * Node has no PKCS#12 reader of its own: its OpenSSL reads the bundle in tls.createSecureContext (as node:https
 * will), and the certificate comes back out of that context as the local certificate of a server-side
 * TLSSocket over a stream that never carries a byte, for its dates and fingerprint.
 */
import { Duplex } from 'node:stream';
import { UsageError } from '../usage.ts';
import { checkValidity, readTlsFile, SEE, type TlsIdentity } from './tls-identity.ts';

/** DER: SEQUENCE { INTEGER 3 (the PFX version), … } (RFC 7292). */
function looksLikePkcs12(b: Buffer): boolean {
  const length = b[1];
  if (b[0] !== 0x30 || length === undefined) return false;
  const at = 2 + (length & 0x80 ? length & 0x7f : 0);
  return b[at] === 0x02 && b[at + 1] === 0x01 && b[at + 2] === 0x03;
}

/** The passphrase: the file's first line, without its line ending. */
function readPassphrase(path: string): string {
  return readTlsFile(path, '--tls-passphrase-file', 'a readable file whose first line is the passphrase').toString('utf8').split(/\r?\n/, 1)[0] as string;
}

/** What OpenSSL's refusal of a bundle means, as the one line naming the file (and the passphrase file when it is the cause). */
function refusal(err: NodeJS.ErrnoException, pfxPath: string, passphrasePath: string | null): string {
  const msg = err.message;
  if (/mac verify failure/i.test(msg))
    return passphrasePath === null
      ? `--tls-pfx ${pfxPath}: it is protected by a passphrase: give it in a file with --tls-passphrase-file FILE`
      : `--tls-passphrase-file ${passphrasePath}: wrong passphrase for --tls-pfx ${pfxPath} (mac verify failure)`;
  if (err.code === 'ERR_CRYPTO_UNSUPPORTED_OPERATION')
    return `--tls-pfx ${pfxPath}: its encryption is not supported (${msg}); a legacy bundle (RC2/3DES, as OpenSSL 1.x made) can be exported again with OpenSSL 3's openssl pkcs12 -export (AES-256)`;
  if (/Unable to load private key/i.test(msg)) return `--tls-pfx ${pfxPath}: it holds no private key (it must hold the certificate and its key)`;
  if (/Unable to load certificate/i.test(msg)) return `--tls-pfx ${pfxPath}: it holds no certificate (it must hold the certificate and its key)`;
  return `--tls-pfx ${pfxPath}: OpenSSL refuses it: ${msg}`;
}

/** The bundle from --tls-pfx, opened with the passphrase in --tls-passphrase-file (none: an unprotected bundle), checked. */
export function loadPfxIdentity(pfxPath: string, passphrasePath: string | null, now = new Date()): TlsIdentity {
  const pfx = readTlsFile(pfxPath, '--tls-pfx', 'a readable PKCS#12 file');
  const passphrase = passphrasePath === null ? undefined : readPassphrase(passphrasePath);
  if (!looksLikePkcs12(pfx)) {
    const pem = pfx.includes('-----BEGIN ');
    throw new UsageError(`--tls-pfx ${pfxPath}: not a PKCS#12 file (${pem ? 'it is PEM text: give PEM files as --tls-cert and --tls-key' : 'it does not start like a PKCS#12 (DER) file'}) ${SEE}`);
  }
  const tls = process.getBuiltinModule('node:tls');
  let context: ReturnType<typeof tls.createSecureContext>;
  try {
    context = tls.createSecureContext({ pfx, passphrase });
  } catch (err) {
    throw new UsageError(`${refusal(err as NodeJS.ErrnoException, pfxPath, passphrasePath)} ${SEE}`);
  }
  const socket = new tls.TLSSocket(new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() }), { isServer: true, secureContext: context });
  const x509 = socket.getX509Certificate();
  socket.destroy();
  if (x509 === undefined) throw new UsageError(`--tls-pfx ${pfxPath}: it holds no certificate (it must hold the certificate and its key) ${SEE}`);
  checkValidity(x509, '--tls-pfx', pfxPath, now);
  return { pfx, passphrase, fingerprint256: x509.fingerprint256 };
}
