/*
 * A request that failed because its https target's certificate was refused. Replay stops at the first one: the
 * certificate will be refused for every other request too, and a line saying why (and what to give: --ca or
 * --insecure) says more than thousands of counted errors.
 */
import type { Trust } from './tls-trust.ts';

export interface CertificateRejection {
  /** The target's origin (https://host:port). */
  target: string;
  /** Node's code: DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, … */
  code: string;
  /** OpenSSL's or Node's words for it. */
  reason: string;
}

// Verification failures that mean "signed by no CA this replay trusts": --ca with that CA fixes them.
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);
// The others a certificate can fail (OpenSSL's X509_V_ERR_* as Node names them, and Node's own name check).
const REFUSED = new Set([
  ...UNTRUSTED,
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Node 24 ends an untrusted certificate's message with advice for `node` itself ("; if the root CA is installed
 * locally, try running Node.js with --use-system-ca"): a broker binary takes no Node flags, and the line says what
 * broker takes instead (describeRejection).
 */
const NODE_ADVICE = /; if the root CA is installed locally, try running Node\.js with --use-system-ca$/;

/** The rejection `err` is, or null when it is not one (a refused connection, a timeout, …). */
export function certificateRejection(err: unknown, target: URL): CertificateRejection | null {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const found = typeof e?.code === 'string' && REFUSED.has(e.code) ? e : typeof e?.cause?.code === 'string' && REFUSED.has(e.cause.code) ? e.cause : null;
  if (found === null) return null;
  return { target: target.origin, code: found.code as string, reason: String(found.message).replace(NODE_ADVICE, '') };
}

/** One line: whose certificate, why, and what would let the replay through. */
export function describeRejection(r: CertificateRejection, trust: Trust): string {
  const untrusted = UNTRUSTED.has(r.code);
  const insecure = '--insecure to send without checking certificates';
  const advice = !untrusted
    ? r.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || r.code === 'HOSTNAME_MISMATCH'
      ? `name the target by a name the certificate holds, or give ${insecure}`
      : 'only --insecure (sending without checking certificates) lets it through'
    : trust.kind === 'ca'
      ? `--ca ${trust.file} holds neither it nor the CA that signed it; give that one with --ca, or ${insecure}`
      : `give the CA that signed it (or the certificate itself) with --ca FILE, or ${insecure}`;
  return `${r.target}: its certificate is ${untrusted ? 'not trusted' : 'refused'} (${r.code}: ${r.reason}); stopped sending: ${advice}`;
}
