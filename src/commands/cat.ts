import { CodecUnavailableError, zstdMissing } from '../archive/codec.ts';
import { describeArchiveError } from '../archive/error-reason.ts';
import { ArchiveScan } from '../archive/file.ts';
import { MergedScan } from '../archive/merge.ts';
import type { ArchiveRecord } from '../archive/record.ts';
import { utf8Decoded } from '../archive/stored-text.ts';
import { keptRecords, type RecordPredicate } from '../filter.ts';
import { hostPort } from '../host-port.ts';
import { archiveArgs, filterArg, parseCommandArgs } from '../usage.ts';
import type { Command, CommandIO } from './command.ts';
import { FilesProgress } from './files-progress.ts';

/** Shown as text when it decodes as UTF-8 without control characters other than tab and newlines. */
function printable(body: Uint8Array): string | null {
  const text = Buffer.from(body).toString('utf8');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text) ? null : text;
}

/** `body` as received, or why this runtime cannot inflate it (receivedBody). */
function recordJson(r: ArchiveRecord & { offset: number }, body: Uint8Array | CodecUnavailableError) {
  const ok = !(body instanceof CodecUnavailableError);
  return {
    offset: r.offset,
    time: new Date(r.time).toISOString(),
    timeMs: r.time,
    peer: r.peer,
    ...(r.tls ? { tls: true, sni: r.sni } : {}),
    method: r.method,
    url: r.url,
    headers: r.headers,
    bodySize: ok ? body.length : null,
    body: ok ? Buffer.from(body).toString('base64') : null,
    ...(ok ? {} : { bodyError: body.message }),
  };
}

function recordText(r: ArchiveRecord & { offset: number }, body: Uint8Array | CodecUnavailableError): string {
  const peer = hostPort(r.peer.address, r.peer.port);
  // What a person reads: the UTF-8 decoding where the stored text has one (stored-text.ts).
  const shown = (stored: string) => utf8Decoded(stored) ?? stored;
  const over = r.tls ? ` (TLS${r.sni ? `, SNI ${shown(r.sni)}` : ', no SNI'})` : '';
  const lines = [`${new Date(r.time).toISOString()} ${peer} ${r.method} ${shown(r.url)}${over}`, ...r.headers.map(([n, v]) => `  ${n}: ${shown(v)}`)];
  if (body instanceof CodecUnavailableError) lines.push(`  <${r.body.length} bytes of stored body: ${body.message}>`);
  else if (body.length) {
    const text = printable(body);
    lines.push(text === null ? `  <${body.length} bytes of binary body; --json shows it as base64>` : `  ${body.length} bytes:\n${text.replace(/^/gm, '    ')}`);
  }
  return lines.join('\n');
}

/**
 * Several archives (or a glob of them) as one: merged by record time (src/archive/merge.ts), --json objects
 * naming their file. A file that cannot be read, or stops at a bad frame, is named on stderr with the offset;
 * the others are read to their end; exit 1 when any file had a problem.
 */
function catMany(files: string[], keep: RecordPredicate | null, json: boolean, io: CommandIO, progress: FilesProgress): number {
  const merged = new MergedScan(files);
  progress.watch(merged);
  // Per file: records printed without their body (this runtime lacks the codec), and the first one's offset.
  const unreadable = new Map<string, { count: number; first: number }>();
  let first = true;
  // A body its codec rejects ends its file's scan at its frame (said below as a bad frame), filtered or not.
  for (const { r, body } of keptRecords(merged, merged.records(), keep, (r) => r.file)) {
    if (body instanceof CodecUnavailableError) {
      const u = unreadable.get(r.file) ?? { count: 0, first: r.offset };
      u.count++;
      unreadable.set(r.file, u);
    }
    if (json) io.out(JSON.stringify({ file: r.file, ...recordJson(r, body) }));
    else {
      io.out((first ? '' : '\n') + recordText(r, body));
      first = false;
    }
  }
  let problems = 0;
  for (const o of merged.outcomes) {
    const bad = o.result?.bad;
    if (o.error !== null) io.err(`broker: ${o.file}: ${o.error}${o.records ? ` after ${o.records} records` : ''}`);
    else if (bad) io.err(`broker: ${o.file}: stopped at a bad frame at offset ${bad.offset} (${bad.reason}); ${o.records} records before it are intact ('broker verify --repair' cuts the rest)`);
    const u = unreadable.get(o.file);
    if (u) io.err(`broker: ${o.file}: ${u.count} record${u.count === 1 ? '' : 's'} printed without its body (first at offset ${u.first}): ${zstdMissing()}`);
    if (o.error !== null || bad || u) problems++;
  }
  if (problems > 0) io.err(`broker: ${problems} of ${files.length} archives had a problem (above); the others were read to their end`);
  return problems > 0 ? 1 : 0;
}

/** One archive's records, in file order; a bad frame or a body this runtime cannot inflate said on stderr (exit 1). */
function catOne(file: string, keep: RecordPredicate | null, json: boolean, io: CommandIO, progress: FilesProgress): number {
  const scan = new ArchiveScan(file);
  progress.watch(scan);
  // Records printed without their body: this runtime lacks the codec (each said so in its place).
  const unreadable: number[] = [];
  try {
    let first = true;
    // A body its codec rejects ends the scan at its frame (said below as a bad frame), filtered or not.
    for (const { r, body } of keptRecords(scan, scan.records(), keep, () => file)) {
      if (body instanceof CodecUnavailableError) unreadable.push(r.offset);
      if (json) io.out(JSON.stringify(recordJson(r, body)));
      else {
        io.out((first ? '' : '\n') + recordText(r, body));
        first = false;
      }
    }
  } catch (err) {
    const msg = describeArchiveError(err, file);
    if (msg === null) throw err;
    io.err(`broker: ${msg}`);
    return 1;
  }
  const { result } = scan;
  const bad = result?.bad;
  if (result && bad) {
    io.err(`broker: ${file}: stopped at a bad frame at offset ${bad.offset} (${bad.reason}); ${result.frames} records before it are intact ('broker verify --repair' cuts the rest)`);
    return 1;
  }
  if (unreadable.length > 0) {
    io.err(`broker: ${file}: ${unreadable.length} record${unreadable.length === 1 ? '' : 's'} printed without its body (first at offset ${unreadable[0]}): ${zstdMissing()}`);
    return 1;
  }
  return 0;
}

export const catCommand: Command = {
  name: 'cat',
  summary: 'print the recorded requests of an archive (--json: one JSON object per line)',
  usage: `broker cat FILE... [--json] [--filter EXPR]

  FILE...        one or more archives, or globs of them ('traffic.brk*': FILE and its rotated parts
                 FILE.1, FILE.2, …; broker expands a glob the shell left quoted). Several files are
                 merged by record time (equal times: in the order given, then by position); --json
                 then names each record's file. A file that cannot be read or stops at a bad frame is
                 named with its offset on stderr, the others are read to their end, and exit is 1.

  --filter EXPR  terms joined by &&, each FIELD OP VALUE; fields method url path query peer body
                 size time tls sni header.NAME; ops = != ~ !~ (regex) > >= < <= (size, time)
                 e.g. --filter 'method=POST && path~^/api/ && size>1024'
                 tls=1 (came over TLS) or tls=0; sni=NAME or sni~REGEX (the name a TLS client sent)
                 text matches as stored or decoded as UTF-8 (as shown); time (ISO date or epoch ms)
                 compares whole milliseconds, as printed
  URLs and header values show decoded as UTF-8 where they are (clients send it); --json keeps them as
  stored, one character per byte, and gives bodies as base64.
  Stops at the first bad frame, says where, and exits 1 (broker verify --repair cuts it off).`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('cat', argv, { json: { type: 'boolean' }, filter: { type: 'string' } }, true);
    const files = await archiveArgs('cat', positionals);
    const keep = filterArg('cat', values.filter);
    const progress = new FilesProgress(io, 'broker cat', files, true);
    try {
      if (files.length > 1) return catMany(files, keep, values.json === true, progress.io, progress);
      return catOne(files[0] as string, keep, values.json === true, progress.io, progress);
    } finally {
      progress.end();
    }
  },
};
