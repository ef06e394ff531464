import { hostPort } from '../host-port.ts';

/** The capture server could not bind its address: an I/O error (exit 1), told in one line. */
export class ListenError extends Error {
  override name = 'ListenError';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    why: string,
  ) {
    super(`cannot listen on ${hostPort(host, port)}: ${why}${code ? ` (${code})` : ''}`);
  }

  /** The listen failure err, with its reason in words. */
  static from(err: unknown, host: string, port: number): ListenError {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? 'address already in use' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRNOTAVAIL' ? 'address not available on this machine' : e.message;
    return new ListenError(host, port, e.code, why);
  }
}
