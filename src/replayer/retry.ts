/*
 * Which failed requests are sent again, once. A keep-alive connection the target closes while idle can be closed just
 * as the next request goes out on it: the target never read that request, and the client sees the connection closed
 * or reset before any byte of an answer. undici checks an idle connection before reusing it, but a close that crosses
 * the request on the wire still fails it. Sent again only when that is what happened as far as the client can tell —
 * no response headers, the connection closed or reset, a connection that had answered before when the error says so —
 * and only for the methods HTTP lets a client repeat (RFC 9110 9.2.2, RFC 9112 9.3.1): a POST that may have been
 * applied is never sent twice; it counts as an error, as before.
 */

import { isUnaskedContinue } from './unasked-continue.ts';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** True when `err`, from a request that got no response headers, is the idle-close race and `method` may be repeated. */
export function sendAgain(err: unknown, method: string): boolean {
  if (!IDEMPOTENT.has(method.toUpperCase())) return false;
  const e = err as { code?: string; message?: string; socket?: { bytesRead?: number } } | null;
  if (e?.code === 'ECONNRESET' || e?.code === 'EPIPE') return true;
  // undici's SocketError carries the connection's byte counts: a connection that never answered was not reused, so
  // the target closed a fresh one on this request (sending it again would only send it twice).
  if (e?.code === 'UND_ERR_SOCKET' && !isUnaskedContinue(err)) return (e.socket?.bytesRead ?? 0) > 0;
  return false;
}
