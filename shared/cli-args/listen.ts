import { isIPv4, isIPv6 } from 'node:net';
import { badValue, type OptionRef } from './usage-error.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * HOST:PORT to bind, with HOST an IP literal (IPv6 in brackets) or `localhost`; `:PORT` and a bare
 * PORT mean 127.0.0.1. Names other than localhost are refused here: binding one would depend on
 * DNS at start and fail late, as an I/O error, instead of now as a usage error.
 */
export function listen(text: string, at: OptionRef): ListenAddress;
export function listen(text: string | undefined, at: OptionRef): ListenAddress | undefined;
export function listen(text: string | undefined, at: OptionRef): ListenAddress | undefined {
  if (text === undefined) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text) ?? (/^\d{1,5}$/.test(text) ? [text, undefined, '', text] : null);
  const v6 = m?.[1];
  const name = m?.[2];
  const port = m ? Number(m[3]) : Number.NaN;
  const hostOk = v6 !== undefined ? isIPv6(v6) : name === '' || name === 'localhost' || (name !== undefined && isIPv4(name));
  if (!m || !hostOk || port > 65535) {
    throw badValue(at, text, 'HOST:PORT with HOST an IP address or localhost (e.g. 127.0.0.1:8080, [::1]:8080, localhost:0, :8080)');
  }
  return { host: v6 ?? (name || '127.0.0.1'), port };
}
