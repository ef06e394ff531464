import { formatBytes } from '../../shared/byte-size.ts';
import { present } from '../../shared/checked.ts';
import { CodecUnavailableError, codecName } from '../archive/codec.ts';
import { archiveErrorReason } from '../archive/error-reason.ts';
import { ArchiveScan, type ScanResult } from '../archive/file.ts';
import type { BatchTotals } from '../archive/reader.ts';
import { receivedBody } from '../archive/received-body.ts';
import type { ArchiveRecord } from '../archive/record.ts';
import { archiveArgs, parseCommandArgs } from '../usage.ts';
import type { Command, CommandIO } from './command.ts';
import { FilesProgress } from './files-progress.ts';

/** Adds n to a key's count. */
function countInto(counts: Map<string, number>, key: string, n = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

/** What stats counts, for one file or (with several) for all of them together. */
class Tally {
  count = 0;
  first = Infinity;
  last = -Infinity;
  stored = 0;
  raw = 0;
  min = Infinity;
  max = 0;
  readonly methods = new Map<string, number>();
  readonly paths = new Map<string, number>();
  readonly codecs = new Map<string, number>();
  readonly peers = new Set<string>();
  tls = 0;
  readonly snis = new Map<string, number>();
  // Bodies this runtime cannot decompress (zstd before Node 22.15): counted at their stored size.
  undecodable = 0;
  decompressProblem: string | undefined;

  /** Counts r; `size` is its body's decompressed size, or undefined when this runtime cannot decompress it. */
  add(r: ArchiveRecord, decompressed: number | undefined, problem: string | undefined): void {
    this.count++;
    this.first = Math.min(this.first, r.time);
    this.last = Math.max(this.last, r.time);
    let size = r.body.length;
    if (decompressed === undefined) {
      this.undecodable++;
      this.decompressProblem ??= problem;
    } else size = decompressed;
    if (r.tls) {
      this.tls++;
      countInto(this.snis, r.sni);
    }
    this.stored += r.body.length;
    this.raw += size;
    this.min = Math.min(this.min, size);
    this.max = Math.max(this.max, size);
    countInto(this.methods, r.method);
    const q = r.url.indexOf('?');
    const path = q < 0 ? r.url : r.url.slice(0, q);
    countInto(this.paths, path);
    countInto(this.codecs, codecName(r.codec));
    this.peers.add(r.peer.address);
  }

  /** Adds another tally's counts to this one's (a file's, once it was read, to the total's). */
  merge(o: Tally): void {
    const sum = (into: Map<string, number>, from: Map<string, number>) => {
      for (const [k, n] of from) countInto(into, k, n);
    };
    this.count += o.count;
    this.first = Math.min(this.first, o.first);
    this.last = Math.max(this.last, o.last);
    this.stored += o.stored;
    this.raw += o.raw;
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
    sum(this.methods, o.methods);
    sum(this.paths, o.paths);
    sum(this.codecs, o.codecs);
    for (const p of o.peers) this.peers.add(p);
    this.tls += o.tls;
    sum(this.snis, o.snis);
    this.undecodable += o.undecodable;
    this.decompressProblem ??= o.decompressProblem;
  }

  get span(): number {
    return this.count > 1 ? (this.last - this.first) / 1000 : 0;
  }

  /** The report's fields from `requests` to `undecodableBodies`, in the order --json has always printed them. */
  summary() {
    const { count, span, raw, max } = this;
    const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
    return {
      requests: count,
      first: count ? new Date(this.first).toISOString() : null,
      last: count ? new Date(this.last).toISOString() : null,
      spanSeconds: Number(span.toFixed(3)),
      // n requests span n - 1 gaps: 2 requests a second apart came at 1 a second (count / span said 2).
      requestsPerSecond: span > 0 ? Number(((count - 1) / span).toFixed(1)) : null,
      methods: sorted(this.methods),
      topPaths: Object.fromEntries([...this.paths].sort((a, b) => b[1] - a[1]).slice(0, 10)),
      distinctPaths: this.paths.size,
      peers: this.peers.size,
      body: { bytes: raw, storedBytes: this.stored, min: count ? this.min : 0, max, mean: count ? Number((raw / count).toFixed(1)) : 0 },
      codecs: sorted(this.codecs),
      tls: { requests: this.tls, sni: sorted(this.snis) },
      undecodableBodies: this.undecodable,
    };
  }

  /** The text report's lines after its first (which differs between a file and the total). */
  lines(): string[] {
    const s = this.summary();
    const out: string[] = [];
    if (this.count) out.push(`  ${s.first} → ${s.last} (${this.span.toFixed(1)} s${s.requestsPerSecond ? `, ${s.requestsPerSecond} req/s` : ''})`);
    out.push(`  methods: ${[...Object.entries(s.methods)].map(([m, n]) => `${m} ${n}`).join(', ') || '—'}`);
    out.push(`  bodies: ${formatBytes(this.raw)} (stored ${formatBytes(this.stored)}; ${[...this.codecs].map(([c, n]) => `${c} ${n}`).join(', ') || '—'}), min ${s.body.min} B, mean ${s.body.mean} B, max ${this.max} B`);
    out.push(`  peers: ${this.peers.size}; paths: ${this.paths.size} distinct`);
    if (this.tls) out.push(`  TLS: ${this.tls} requests; SNI: ${[...Object.entries(s.tls.sni)].map(([n, c]) => `${n || '(none)'} ${c}`).join(', ')}`);
    for (const [p, n] of Object.entries(s.topPaths)) out.push(`    ${String(n).padStart(8)}  ${p}`);
    return out;
  }
}

/** Reads one file into its tally; its scan result, or the one line saying why it could not be read. */
function tallyFile(file: string, tally: Tally, progress: FilesProgress): { res: ScanResult } | { error: string } {
  const scan = new ArchiveScan(file);
  progress.watch(scan);
  try {
    for (const r of scan.records()) {
      // A body its codec rejects ends the scan at its frame: a bad frame, the records before it counted.
      const body = receivedBody(scan, r);
      if (body === null) continue;
      const unavailable = body instanceof CodecUnavailableError;
      tally.add(r, unavailable ? undefined : body.length, unavailable ? body.message : undefined);
    }
  } catch (err) {
    const why = archiveErrorReason(err);
    if (why === null) throw err;
    return { error: why };
  } finally {
    progress.done(file);
  }
  // The loop above read the archive to its end, which is when the scan has its result.
  return { res: present(scan.result, `the scan result of ${file}`) };
}

/** Compressed batches (format 4) in --json: how many, their bytes in the file, and their frames' bytes inflated. */
function batchReport(b: BatchTotals) {
  return { count: b.count, storedBytes: b.stored, frameBytes: b.raw };
}

/** ", N compressed batches: X of frames in Y" for the first line of a report; '' without batches. */
function batchText(b: BatchTotals): string {
  return b.count ? `, ${b.count} compressed batches: ${formatBytes(b.raw)} of frames in ${formatBytes(b.stored)} (${(b.raw / b.stored).toFixed(1)}:1)` : '';
}

function fileReport(file: string, t: Tally, res: ScanResult) {
  const { requests, ...rest } = t.summary();
  return { file, fileBytes: res.size, paddingBytes: res.padding, batches: batchReport(res.batches), requests, ...rest, intact: res.bad === null, bad: res.bad };
}

function fileText(file: string, t: Tally, res: ScanResult): string[] {
  return [
    `${file}: ${t.count} requests, ${formatBytes(res.size)}${res.padding ? ` (${formatBytes(res.padding)} block padding)` : ''}${batchText(res.batches)}${res.bad ? '' : t.undecodable ? `, ${t.undecodable} bodies not checked` : ', intact'}`,
    ...t.lines(),
  ];
}

/** The problems of one file on stderr, as single-file stats has always said them; true when there were any. */
function fileProblems(file: string, t: Tally, res: ScanResult, io: CommandIO): boolean {
  if (t.undecodable) io.err(`broker: ${file}: ${t.undecodable} bodies counted at their stored size: ${(t.decompressProblem ?? '').replace(/^cannot decompress zstd body: /, '')}`);
  if (res.bad) io.err(`broker: ${file}: bad frame at offset ${res.bad.offset} (${res.bad.reason}); counted the ${t.count} records before it`);
  return t.undecodable > 0 || res.bad !== null;
}

/** Several archives: each file's report as for one, then the total over all of them (text, or --json { files, total }). */
function statsMany(files: string[], json: boolean, io: CommandIO, progress: FilesProgress): number {
  const total = new Tally();
  const perFile: ({ file: string; tally: Tally; res: ScanResult } | { file: string; error: string })[] = [];
  for (const file of files) {
    const tally = new Tally();
    const r = tallyFile(file, tally, progress);
    // A file that could not be read ("not read") counts nothing in the total, whatever its scan got through first.
    if (!('error' in r)) total.merge(tally);
    perFile.push('error' in r ? { file, error: r.error } : { file, tally, res: r.res });
  }
  const read = perFile.filter((f) => 'res' in f);
  const bad = read.filter((f) => f.res.bad).map((f) => ({ file: f.file, ...present(f.res.bad, 'a bad frame') }));
  const unreadable = perFile.filter((f) => 'error' in f).map((f) => ({ file: f.file, error: f.error }));
  const fileBytes = read.reduce((n, f) => n + f.res.size, 0);
  const padding = read.reduce((n, f) => n + f.res.padding, 0);
  const batches = read.reduce((b, f) => ({ count: b.count + f.res.batches.count, stored: b.stored + f.res.batches.stored, raw: b.raw + f.res.batches.raw }), { count: 0, stored: 0, raw: 0 });
  if (json) {
    const { requests, ...rest } = total.summary();
    const totalReport = { files: files.length, fileBytes, paddingBytes: padding, batches: batchReport(batches), requests, ...rest, intact: bad.length === 0 && unreadable.length === 0, bad, unreadable };
    io.out(JSON.stringify({ files: perFile.map((f) => ('error' in f ? f : fileReport(f.file, f.tally, f.res))), total: totalReport }, null, 2));
  } else {
    for (const f of perFile) {
      if ('error' in f) io.out(`${f.file}: not read (${f.error})`);
      else for (const line of fileText(f.file, f.tally, f.res)) io.out(line);
    }
    // As verify counts them: a file whose bodies this runtime could not inflate is not called intact.
    const unchecked = read.filter((f) => !f.res.bad && f.tally.undecodable > 0).length;
    const intact = read.length - bad.length - unchecked;
    const verdict = [
      `${intact} intact`,
      ...(bad.length ? [`${bad.length} with a bad frame`] : []),
      ...(unchecked ? [`${unchecked} with bodies not checked`] : []),
      ...(unreadable.length ? [`${unreadable.length} unreadable`] : []),
    ].join(', ');
    io.out(`total: ${total.count} requests in ${files.length} files, ${formatBytes(fileBytes)}${padding ? ` (${formatBytes(padding)} block padding)` : ''}${batchText(batches)}; ${verdict}`);
    for (const line of total.lines()) io.out(line);
  }
  let problems = unreadable.length;
  for (const f of perFile) {
    if ('error' in f) io.err(`broker: ${f.file}: ${f.error}`);
    else if (fileProblems(f.file, f.tally, f.res, io)) problems++;
  }
  if (problems > 0) io.err(`broker: ${problems} of ${files.length} archives had a problem (above); the others are counted in full`);
  return problems > 0 ? 1 : 0;
}

/** stats of the files given (one, or several with a total), its report printed; the exit code. */
function statsFiles(files: string[], json: boolean, io: CommandIO, progress: FilesProgress): number {
  if (files.length > 1) return statsMany(files, json, io, progress);
  const file = files[0] as string;
  const t = new Tally();
  const r = tallyFile(file, t, progress);
  if ('error' in r) {
    // --json still answers, in the shape several files give an unreadable one ({ file, error }).
    if (json) io.out(JSON.stringify({ file, error: r.error }, null, 2));
    io.err(`broker: ${file}: ${r.error}`);
    return 1;
  }
  const { res } = r;
  if (json) io.out(JSON.stringify(fileReport(file, t, res), null, 2));
  else for (const line of fileText(file, t, res)) io.out(line);
  fileProblems(file, t, res, io);
  if (res.bad) return 1;
  return t.undecodable ? 1 : 0;
}

export const statsCommand: Command = {
  name: 'stats',
  summary: 'summarize an archive: requests, time span, rate, methods, top paths, body sizes, integrity',
  usage: `broker stats FILE... [--json]

  FILE...  one or more archives, or globs of them ('traffic.brk*': FILE and its rotated parts FILE.1,
           FILE.2, …; broker expands a glob the shell left quoted). With several, each file is reported
           as on its own, then a total over all of them (--json: { "files": [...], "total": {...} },
           the total's "bad" and "unreadable" listing each file with a problem). Exit 1 when any file
           has a bad frame, cannot be read, or has bodies this runtime cannot decompress; the others
           are counted in full.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('stats', argv, { json: { type: 'boolean' } }, true);
    const files = await archiveArgs('stats', positionals);
    const progress = new FilesProgress(io, 'broker stats', files);
    try {
      return statsFiles(files, values.json === true, progress.io, progress);
    } finally {
      progress.end();
    }
  },
};
