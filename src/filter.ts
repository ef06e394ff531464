/*
 * --filter EXPR for cat and replay: terms joined by &&, each FIELD OP VALUE.
 *   fields: method url path query peer body size time tls sni header.NAME
 *   (tls is 1 for a request that came over TLS, else 0; sni the server name its client sent, absent without TLS)
 *   ops:    = != (exact)  ~ !~ (regular expression)  > >= < <= (size in bytes, time as ISO date or epoch ms)
 * e.g.  method=POST && path~^/api/ && header.content-type~json && size>1024
 * Text matches as stored (a character per byte) or as its UTF-8 decoding (stored-text.ts): 'body~José' finds the
 * body cat prints as José, and a pattern keeps its meaning (é{2}, [éè], .). time compares whole milliseconds, as cat
 * prints them.
 * Small on purpose: enough to pick requests out of a capture, nothing to learn.
 */

import { captures } from '../shared/checked.ts';
import { CodecUnavailableError } from './archive/codec.ts';
import { type RejectingScan, receivedBody } from './archive/received-body.ts';
import type { ArchiveRecord } from './archive/record.ts';
import { utf8Decoded } from './archive/stored-text.ts';

export class FilterError extends Error {
  override name = 'FilterError';
}

type Op = '=' | '!=' | '~' | '!~' | '>' | '>=' | '<' | '<=';
const FIELDS = ['method', 'url', 'path', 'query', 'peer', 'body', 'size', 'time', 'tls', 'sni'] as const;

/**
 * Whether a record is kept. `body` is its body as received (receivedBody): the reader inflates it once, for the
 * filter and for what it prints or sends; a CodecUnavailableError is thrown when a term needs that body.
 */
export type RecordPredicate = (r: ArchiveRecord, body: Uint8Array | CodecUnavailableError) => boolean;

function bodyOf(body: Uint8Array | CodecUnavailableError): Uint8Array {
  if (body instanceof CodecUnavailableError) throw body;
  return body;
}

/**
 * keep(r, body) for a record of `file`. A term on a body this runtime cannot inflate stops the command with a
 * FilterError naming the file and offset: leaving the record out, or in, would be a guess.
 */
export function keeps(keep: RecordPredicate, r: ArchiveRecord & { offset: number }, body: Uint8Array | CodecUnavailableError, file: string): boolean {
  try {
    return keep(r, body);
  } catch (err) {
    if (!(err instanceof CodecUnavailableError)) throw err;
    throw new FilterError(`${file}: --filter needs the body of the record at offset ${r.offset}, and ${err.message}`);
  }
}

/**
 * What a reader (cat, replay) takes of `records`, each with its body as received, inflated once: a record whose codec
 * rejects its body is left out and ends its file's scan there (receivedBody), and `keep` (--filter) picks from the
 * rest. `fileOf` names a record's file for keeps()'s errors.
 */
export function* keptRecords<R extends ArchiveRecord & { offset: number }>(
  scan: RejectingScan<R>,
  records: Iterable<R>,
  keep: RecordPredicate | null,
  fileOf: (r: R) => string,
): Generator<{ r: R; body: Uint8Array | CodecUnavailableError }> {
  for (const r of records) {
    const body = receivedBody(scan, r);
    if (body !== null && (!keep || keeps(keep, r, body, fileOf(r)))) yield { r, body };
  }
}

function fieldText(r: ArchiveRecord, body: Uint8Array | CodecUnavailableError, field: string): string | undefined {
  switch (field) {
    case 'method':
      return r.method;
    case 'url':
      return r.url;
    case 'path': {
      const q = r.url.indexOf('?');
      return q < 0 ? r.url : r.url.slice(0, q);
    }
    case 'query': {
      const q = r.url.indexOf('?');
      return q < 0 ? '' : r.url.slice(q + 1);
    }
    case 'peer':
      return r.peer.address;
    case 'body':
      return Buffer.from(bodyOf(body)).toString('latin1');
    case 'tls':
      return r.tls ? '1' : '0';
    case 'sni':
      // A request without TLS has no SNI at all: sni=x and sni~x do not match it, sni!=x does (as for a missing header).
      return r.tls ? r.sni : undefined;
    default: {
      const name = field.slice('header.'.length).toLowerCase();
      const values = r.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
      return values.length ? values.join(', ') : undefined;
    }
  }
}

/** Whether `test` holds for a field's stored text or for its UTF-8 decoding (what cat shows). */
function textMatches(stored: string, test: (text: string) => boolean): boolean {
  if (test(stored)) return true;
  const decoded = utf8Decoded(stored);
  return decoded !== null && test(decoded);
}

function parseTerm(term: string): RecordPredicate {
  const m = /^\s*([a-zA-Z][\w.-]*)\s*(!=|!~|>=|<=|=|~|>|<)\s*(.*?)\s*$/.exec(term);
  if (!m) throw new FilterError(`cannot read '${term.trim()}': expected FIELD OP VALUE, e.g. method=POST`);
  const [fieldAsWritten, opText, valueAsWritten] = captures(m, 3);
  const field = fieldAsWritten.toLowerCase();
  const op = opText as Op;
  let value = valueAsWritten;
  if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
  if (!(FIELDS as readonly string[]).includes(field) && !field.startsWith('header.')) throw new FilterError(`unknown field '${fieldAsWritten}' (fields: ${FIELDS.join(', ')}, header.NAME)`);
  if (field === 'header.') throw new FilterError(`'${fieldAsWritten}' names no header: header.NAME, e.g. header.content-type`);
  if (field === 'tls') {
    if (op !== '=' && op !== '!=') throw new FilterError(`'${fieldAsWritten}' is 1 or 0: compare it with = or !=, not ${op}`);
    const bit = value === '1' || value === 'true' ? '1' : value === '0' || value === 'false' ? '0' : null;
    if (bit === null) throw new FilterError(`'${value}' is not a value of tls: 1 (came over TLS) or 0`);
    const want = op === '=';
    return (r) => (r.tls === (bit === '1')) === want;
  }
  if (field === 'size' || field === 'time') {
    if (op === '~' || op === '!~') throw new FilterError(`'${fieldAsWritten}' compares with = != > >= < <=, not ${op}`);
    let n = field === 'time' && !/^\d+(\.\d+)?$/.test(value) ? Date.parse(value) : Number(value);
    if (value === '' || !Number.isFinite(n)) throw new FilterError(`'${value}' is not a ${field === 'time' ? 'date (ISO 8601 or epoch ms)' : 'number of bytes'}`);
    // A recorded time has fractions of a millisecond, which cat does not print: a time copied from its output
    // must select the record it was copied from (time=) and put it on the right side of the others.
    if (field === 'time') n = Math.floor(n);
    const get = field === 'size' ? (_: ArchiveRecord, body: Uint8Array | CodecUnavailableError) => bodyOf(body).length : (r: ArchiveRecord) => Math.floor(r.time);
    const cmp: Record<Exclude<Op, '~' | '!~'>, (a: number) => boolean> = { '=': (a) => a === n, '!=': (a) => a !== n, '>': (a) => a > n, '>=': (a) => a >= n, '<': (a) => a < n, '<=': (a) => a <= n };
    const test = cmp[op];
    return (r, body) => test(get(r, body));
  }
  if (op === '~' || op === '!~') {
    let re: RegExp;
    try {
      re = new RegExp(value);
    } catch (err) {
      throw new FilterError(`bad regular expression '${value}': ${(err as Error).message}`);
    }
    const want = op === '~';
    // A missing field (no such header, no SNI on a plain request) matches no regular expression: x!~RE selects it,
    // as x!=VALUE does.
    return (r, body) => {
      const t = fieldText(r, body, field);
      return (t !== undefined && textMatches(t, (text) => re.test(text))) === want;
    };
  }
  if (op === '=' || op === '!=') {
    const want = op === '=';
    const norm = field === 'method' ? (s: string) => s.toUpperCase() : (s: string) => s;
    const v = norm(value);
    return (r, body) => {
      const t = fieldText(r, body, field);
      return (t !== undefined && textMatches(t, (text) => norm(text) === v)) === want;
    };
  }
  throw new FilterError(`'${fieldAsWritten}' is text: compare it with = != ~ !~, not ${op}`);
}

/** Parses EXPR into a predicate; throws FilterError naming the part it could not read. */
export function parseFilter(expr: string): RecordPredicate {
  if (!expr.trim()) throw new FilterError('empty filter');
  const terms = expr.split('&&').map(parseTerm);
  return (r, body) => terms.every((t) => t(r, body));
}
