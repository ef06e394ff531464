/*
 * Sends recorded requests to a target over a keep-alive pool (undici) with N requests in flight,
 * an optional steady rate, and reports what came back: statuses, errors by kind, and latency from an
 * HDR histogram. Latency is measured from the moment each request is handed to the pool.
 */
// The JS histogram alone, not the package index: the index loads a WASM build and a log writer that
// calls Intl.NumberFormat at load, and a static runtime built `--intl none` has no Intl.
import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js';
import { Pool } from 'undici';
import { CodecUnavailableError } from '../archive/codec.ts';
import { archiveErrorReason } from '../archive/error-reason.ts';
import { ArchiveScan, fileSize } from '../archive/file.ts';
import { Codec } from '../archive/format.ts';
import { MergedScan } from '../archive/merge.ts';
import type { BadFrame } from '../archive/reader.ts';
import type { ArchiveRecord } from '../archive/record.ts';
import { FilterError, keptRecords, type RecordPredicate } from '../filter.ts';
import { type CertificateRejection, certificateRejection } from './certificate-rejection.ts';
import { exchange } from './exchange.ts';
import { connectOptions, type Trust } from './tls-trust.ts';
import { isUnaskedContinue } from './unasked-continue.ts';
import { warmHttpClient } from './warm-client.ts';

export interface ReplayOptions {
  /** One archive, or several merged by record time (src/archive/merge.ts). */
  files: string[];
  target: URL;
  /** Where requests recorded over TLS go (keeping their scheme apart); null: to `target` like the rest. */
  tlsTarget: URL | null;
  concurrency: number;
  /** Requests per second across all connections; 0 = as fast as the target answers. */
  rate: number;
  loop: number;
  filter: RecordPredicate | null;
  timeoutMs: number;
  /** Which certificates https targets may present (tls-trust.ts). */
  trust: Trust;
  /**
   * Told once, as the replay starts, how to follow it: `total` bytes of archive to walk (every file, every loop) and
   * `done()`, the bytes walked up to the last record taken to send (per file, its offset): a progress line's figures.
   */
  onStart?: (walk: { total: number; done: () => number }) => void;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  'p99.9': number;
  max: number;
  mean: number;
}

export interface ReplayReport {
  target: string;
  tlsTarget?: string;
  sent: number;
  responses: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  /**
   * Requests sent a second time because their keep-alive connection was closed or reset by the target before any
   * answer (idempotent methods only: retry.ts); each counts once in `sent`, by its last outcome.
   */
  retried: number;
  seconds: number;
  requestsPerSecond: number;
  bodyBytesSent: number;
  /** Response body bytes read, of the responses counted (each read to its end). */
  bodyBytesReceived: number;
  latencyMs: Percentiles | null;
  /**
   * With --rate: latency from each request's slot in the schedule, not from its hand-over — a request whose slot came
   * while every connection was busy waited for one, and that wait is counted (as wrk2 does; without it a slow target
   * hides the queue it causes). `late`: requests whose slot had passed by more than 1 ms when a connection was free
   * for them (not a timer that woke a little late).
   */
  fromSchedule?: { latencyMs: Percentiles | null; late: number };
  /** Set when an https target's certificate was refused: the replay stopped there (certificate-rejection.ts). */
  certificateRejected?: CertificateRejection;
  /** Set when --filter could not judge a record (a body term on a body this runtime cannot inflate): the walk stopped there. */
  filterError?: string;
  /** With several files, `bad` is the first file's bad frame (naming it) and `files` says how each one ended. */
  /** `error`: why one file could not be read past its last record replayed (an I/O error, a batch this runtime cannot inflate). */
  archive: { records: number; bad: (BadFrame & { file?: string }) | null; error?: string; files?: { file: string; records: number; bad: BadFrame | null; error: string | null }[] };
}

// Connection-level headers belong to the original hop; undici sets its own (and rejects some outright).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'expect', 'upgrade', 'te', 'trailer', 'proxy-connection', 'http2-settings']);

function requestHeaders(r: ArchiveRecord): string[] {
  const out: string[] = [];
  for (const [n, v] of r.headers) if (!HOP_BY_HOP.has(n.toLowerCase())) out.push(n, v);
  return out;
}

/** A short, stable name for a failure: the error code when there is one. */
function errorKind(err: unknown): string {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  // Would otherwise count with every reset and close as UND_ERR_SOCKET.
  if (isUnaskedContinue(err)) return 'UNEXPECTED_RESPONSE';
  // A 101 Switching Protocols to a request that asked for no upgrade: undici's parser fails an internal assert on it.
  if (e?.code === 'ERR_ASSERTION') return 'UNEXPECTED_RESPONSE';
  return e?.cause?.code ?? e?.code ?? e?.name ?? 'Error';
}

/**
 * The path a recorded request target is sent to under the target's base path: an origin-form one (`/x?q`) as it is,
 * an absolute-form one (`http://host/x?q`, as a client talks to a proxy) by its path and query; null for anything
 * else (`*`, authority-form): no request to the target's origin carries it.
 */
export function requestPath(basePath: string, recorded: string): string | null {
  if (recorded.startsWith('/')) return basePath + recorded;
  // As the client wrote it, as an origin-form one is sent: a URL parser would remove dot segments (`/a/../p` → `/p`)
  // and re-encode characters, and the target would see another request than the one recorded.
  // A fragment is never sent (a client that wrote one meant its own use of it).
  const m = /^https?:\/\/[^/?#]+([^#]*)/i.exec(recorded);
  if (!m) return null;
  const rest = m[1] as string;
  return basePath + (rest.startsWith('/') ? rest : `/${rest}`);
}

// Microseconds from 1 µs to an hour, 3 significant digits; resizes if a reply takes longer.
const Histogram = constructorFromBucketSize(32);
type Histogram = InstanceType<typeof Histogram>;

function latencyHistogram(): Histogram {
  const h = new Histogram(1, 3_600_000_000, 3);
  h.autoResize = true;
  return h;
}

/** The histogram's percentiles in ms; null when it holds nothing. */
function percentiles(h: Histogram): Percentiles | null {
  if (h.totalCount === 0) return null;
  const ms = (us: number) => Number((us / 1000).toFixed(3));
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    'p99.9': ms(h.getValueAtPercentile(99.9)),
    // From the histogram like the percentiles (bucket upper bound), so max ≥ p99.9 always holds.
    max: ms(h.getValueAtPercentile(100)),
    mean: ms(h.mean),
  };
}

export async function replay(o: ReplayOptions): Promise<ReplayReport> {
  const connect = connectOptions(o.trust);
  const destination = (url: URL) => ({
    url,
    basePath: url.pathname.replace(/\/+$/, ''),
    pool: new Pool(url.origin, {
      connections: o.concurrency,
      pipelining: 1,
      connectTimeout: Math.min(o.timeoutMs, 10_000),
      // The deadline of each request is exchange()'s (--timeout, from hand-over to the last byte); undici's idle
      // timers would only fire later.
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(connect ? { connect } : {}),
    }),
  });
  const plain = destination(o.target);
  const overTls = o.tlsTarget ? destination(o.tlsTarget) : plain;
  const histogram = latencyHistogram();
  const scheduled = o.rate > 0 ? latencyHistogram() : null;
  let late = 0;
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let sent = 0;
  let responses = 0;
  let retried = 0;
  let bodyBytes = 0;
  let bodyBytesReceived = 0;
  let records = 0;
  let bad: ReplayReport['archive']['bad'] = null;
  let unreadable: string | undefined;
  let files: ReplayReport['archive']['files'];
  let rejected: CertificateRejection | null = null;
  let filterError: string | null = null;

  // How far the walk is: the loops done, and in this loop each file's offset of its last record taken.
  const sizes = o.files.map(fileSize);
  const loopBytes = sizes.reduce((a, b) => a + b, 0);
  let loopsDone = 0;
  const at = sizes.map(() => 0);
  let atSum = 0;
  // Records read in this loop (kept or not): what the report says of an archive whose walk was stopped (a refused certificate).
  let readInLoop = 0;
  let walkEnded = false;
  const startLoop = (i: number) => {
    loopsDone = i;
    at.fill(0);
    atSum = 0;
    readInLoop = 0;
  };
  const taken = (fileIndex: number, offset: number) => {
    atSum += offset - (at[fileIndex] ?? 0);
    at[fileIndex] = offset;
  };
  // Before the clock: the client's one-time start is not a request's latency (warm-client.ts).
  await warmHttpClient();
  o.onStart?.({ total: loopBytes * o.loop, done: () => loopsDone * loopBytes + atSum });

  // Each record read advances the walk's progress, kept or not.
  function* walked<R extends { offset: number }>(records: Iterable<R>, fileIndex: (r: R) => number): Generator<R> {
    for (const r of records) {
      taken(fileIndex(r), r.offset);
      readInLoop++;
      yield r;
    }
  }

  // One shared walk over the archive (loop times); workers pull from it, so order is kept per pull. Each record comes
  // with its body as received (receivedBody: one whose codec rejects it ends its file there, as a bad frame).
  function* walk(): Generator<{ r: ArchiveRecord & { offset: number }; body: Uint8Array | CodecUnavailableError }> {
    let keptInLoop = 0;
    const kept = function* <T>(items: Iterable<T>): Generator<T> {
      for (const item of items) {
        keptInLoop++;
        yield item;
      }
    };
    for (let i = 0; i < o.loop; i++) {
      // A loop that kept no record (an empty archive, a filter matching none) is every loop: --loop 1000000 read the
      // file a million times to send nothing.
      if (i > 0 && keptInLoop === 0) break;
      startLoop(i);
      keptInLoop = 0;
      if (o.files.length > 1) {
        const merged = new MergedScan(o.files);
        yield* kept(
          keptRecords(
            merged,
            walked(merged.records(), (r) => r.fileIndex),
            o.filter,
            (r) => r.file,
          ),
        );
        files = merged.outcomes.map(({ file, records, result, error }) => ({ file, records, bad: result?.bad ?? null, error }));
        records = files.reduce((n, f) => n + f.records, 0);
        const first = files.find((f) => f.bad);
        bad = first?.bad ? { file: first.file, ...first.bad } : null;
        continue;
      }
      const file = o.files[0] as string;
      const scan = new ArchiveScan(file);
      try {
        yield* kept(
          keptRecords(
            scan,
            walked(scan.records(), () => 0),
            o.filter,
            () => file,
          ),
        );
      } catch (err) {
        // Said as several files say it (the file, why, what was replayed before), not lost with the report.
        const why = archiveErrorReason(err);
        if (why === null) throw err;
        unreadable = why;
        records = readInLoop;
        break;
      }
      records = scan.result?.frames ?? 0;
      bad = scan.result?.bad ?? null;
    }
    startLoop(o.loop);
    walkEnded = true;
  }
  const source = walk();
  const started = performance.now();
  let slot = 0;
  // The schedule starts with the first request ready to go: reading the archive's first records is not a slot missed.
  let scheduleStart = 0;

  const worker = async () => {
    // A refused certificate stops every worker: the rest would be refused as well.
    while (rejected === null) {
      let next: ReturnType<typeof source.next>;
      try {
        next = source.next();
      } catch (err) {
        // The walk ends there (a generator that threw is done: the other workers find it so); what was sent is reported.
        if (!(err instanceof FilterError)) throw err;
        filterError ??= err.message;
        break;
      }
      if (next.done) break;
      const { r, body: received } = next.value;
      // zstd on a runtime without it: this record cannot be sent as it came; the others still are.
      if (received instanceof CodecUnavailableError) {
        errors.CODEC_UNAVAILABLE = (errors.CODEC_UNAVAILABLE ?? 0) + 1;
        continue;
      }
      const target = r.tls ? overTls : plain;
      const path = requestPath(target.basePath, r.url);
      // `OPTIONS *` (or any target that is neither a path nor an absolute URL) cannot be sent to a pool: undici refused
      // it and kept that connection waiting for a drain that never came, so the replay hung. Counted, not sent.
      if (path === null) {
        errors.URL_NOT_A_PATH = (errors.URL_NOT_A_PATH ?? 0) + 1;
        continue;
      }
      // Copied now, before any wait: a body stored uncompressed is a view of the scan's read buffer, which the other
      // workers' next() calls refill while this one waits for its slot (an inflated body is memory of its own).
      const body = received.length === 0 ? null : r.codec === Codec.none ? Buffer.from(received) : received;
      let due = 0;
      if (o.rate > 0) {
        // Slot i is due at start + i/rate: a steady schedule however many connections share it. A request whose slot
        // passed while this connection was busy goes at once (the schedule is kept: late ones catch up).
        if (slot === 0) scheduleStart = performance.now();
        due = scheduleStart + (slot++ * 1000) / o.rate;
        const wait = due - performance.now();
        if (wait < -1) late++;
        if (wait > 0) await new Promise((res) => setTimeout(res, wait));
        if (rejected !== null) break;
      }
      sent++;
      const t0 = performance.now();
      const { pool, url } = target;
      try {
        const res = await exchange(pool, { path, method: r.method, headers: requestHeaders(r), body }, o.timeoutMs, () => retried++);
        const end = performance.now();
        histogram.recordValue(Math.max(1, Math.round((end - t0) * 1000)));
        scheduled?.recordValue(Math.max(1, Math.round((end - Math.min(due, t0)) * 1000)));
        responses++;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        bodyBytes += body?.length ?? 0;
        bodyBytesReceived += res.bodyBytes;
      } catch (err) {
        const kind = errorKind(err);
        errors[kind] = (errors[kind] ?? 0) + 1;
        rejected ??= certificateRejection(err, url);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    await plain.pool.close().catch(() => {});
    if (overTls !== plain) await overTls.pool.close().catch(() => {});
  }
  // Stopped in the first loop: the records read so far, where the walk's end would have counted them (it said 0).
  if (!walkEnded && loopsDone === 0) records = readInLoop;
  const seconds = (performance.now() - started) / 1000;
  const latencyMs = percentiles(histogram);
  const fromSchedule = scheduled ? { latencyMs: percentiles(scheduled), late } : undefined;
  histogram.destroy();
  scheduled?.destroy();
  return {
    target: o.target.href,
    ...(o.tlsTarget ? { tlsTarget: o.tlsTarget.href } : {}),
    ...(rejected ? { certificateRejected: rejected } : {}),
    ...(filterError === null ? {} : { filterError }),
    sent,
    responses,
    statuses,
    errors,
    retried,
    seconds: Number(seconds.toFixed(3)),
    requestsPerSecond: Number((sent / Math.max(seconds, 1e-9)).toFixed(1)),
    bodyBytesSent: bodyBytes,
    bodyBytesReceived,
    latencyMs,
    ...(fromSchedule ? { fromSchedule } : {}),
    archive: { records, bad, ...(unreadable === undefined ? {} : { error: unreadable }), ...(files ? { files } : {}) },
  };
}
