import cluster, { type Worker } from 'node:cluster';
import { rmSync } from 'node:fs';
import { Codec, type CodecName } from '../archive/format.ts';
import { createArchiveFile, ArchiveFileError } from '../recorder/archive-sink.ts';
import { emptyCaptureCounters } from '../recorder/capture-server.ts';
import { startRecorder, type RecorderCounters, type RecorderOptions } from '../recorder/recorder.ts';
import { formatBytes, parseSize } from '../size.ts';
import { parseCommandArgs, UsageError } from '../usage.ts';
import type { Command, CommandIO } from './command.ts';

const USAGE = `broker record [--listen 127.0.0.1:8080] [--out FILE] [--status 200] [--max-body 1MiB]
       [--sample 0..1] [--compress gzip|brotli|none] [--rotate SIZE] [--workers N]
       [--flush-ms 100] [--flush-bytes 1MiB] [--header-timeout 10000] [--json]

  Answers every request at once with --status and, with --out, appends it (method, URL, headers,
  body, time, peer) to an archive created with mode 0600; without --out it only counts.
  --listen HOST:PORT   address to bind (127.0.0.1 unless told otherwise; port 0 picks one)
  --max-body SIZE      larger bodies get 413 and are not recorded
  --sample P           record this fraction of requests (all are answered and counted)
  --compress CODEC     compress bodies in the archive (each frame names its codec)
  --rotate SIZE        start FILE.1, FILE.2, … when a file would pass SIZE
  --workers N          N listener processes (node:cluster) appending to the same archive
  --flush-ms MS        write a batch at most MS after its first record
  --flush-bytes SIZE   write a batch once it holds SIZE bytes (one write per batch)
  --header-timeout MS  close connections whose request headers take longer (408)
  --json               print the summary as JSON
  SIGINT/SIGTERM flush, close and print a summary; a live stats line goes to stderr on a TTY.`;

interface RecordConfig extends RecorderOptions {
  workers: number;
  json: boolean;
}

function int(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${text}' (see 'broker record --help')`);
  return n;
}

function size(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = parseSize(text);
  if (n === null || n < min || n > max) throw new UsageError(`${flag} must be a size from ${formatBytes(min)} to ${formatBytes(max)} (e.g. 1MiB, 512k), got '${text}' (see 'broker record --help')`);
  return n;
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(text) ?? (/^\d{1,5}$/.test(text) ? [text, undefined, '', text] : null);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen must be HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080), got '${text}' (see 'broker record --help')`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

function parseConfig(argv: string[]): RecordConfig {
  const { values } = parseCommandArgs('record', argv, {
    listen: { type: 'string' },
    out: { type: 'string' },
    status: { type: 'string' },
    'max-body': { type: 'string' },
    sample: { type: 'string' },
    compress: { type: 'string' },
    rotate: { type: 'string' },
    workers: { type: 'string' },
    'flush-ms': { type: 'string' },
    'flush-bytes': { type: 'string' },
    'header-timeout': { type: 'string' },
    json: { type: 'boolean' },
  });
  const { host, port } = parseListen(values.listen ?? '127.0.0.1:8080');
  const sample = values.sample === undefined ? 1 : Number(values.sample);
  if (values.sample !== undefined && (!/^\d*\.?\d+$/.test(values.sample) || sample > 1)) throw new UsageError(`--sample must be a number from 0 to 1, got '${values.sample}' (see 'broker record --help')`);
  const compress = values.compress ?? 'none';
  if (!(compress in Codec)) throw new UsageError(`--compress must be gzip, brotli or none, got '${compress}' (see 'broker record --help')`);
  if (values.out === '') throw new UsageError(`--out needs a file name (see 'broker record --help')`);
  return {
    host,
    port,
    out: values.out ?? null,
    status: int('--status', values.status, 200, 200, 599),
    maxBody: size('--max-body', values['max-body'], 2 ** 20, 0, 64 * 2 ** 20),
    sample,
    codec: Codec[compress as CodecName],
    rotateBytes: size('--rotate', values.rotate, 0, 64 * 1024, 2 ** 50),
    workers: int('--workers', values.workers, 1, 1, 64),
    flushMs: int('--flush-ms', values['flush-ms'], 100, 1, 60_000),
    flushBytes: size('--flush-bytes', values['flush-bytes'], 2 ** 20, 4096, 64 * 2 ** 20),
    headerTimeoutMs: int('--header-timeout', values['header-timeout'], 10_000, 100, 600_000),
    shared: false,
    json: values.json ?? false,
  };
}

function addCounters(a: RecorderCounters, b: RecorderCounters): RecorderCounters {
  const sum = { ...a };
  for (const k of Object.keys(b) as (keyof RecorderCounters)[]) sum[k] = k === 'files' ? Math.max(a.files, b.files) : a[k] + b[k];
  return sum;
}

const zero = (): RecorderCounters => ({ ...emptyCaptureCounters(), flushed: 0, dropped: 0, batches: 0, archiveBytes: 0, files: 0 });

function summary(cfg: RecordConfig, listen: string, counters: RecorderCounters, seconds: number, error: string | null) {
  return {
    listen,
    out: cfg.out,
    workers: cfg.workers,
    seconds: Number(seconds.toFixed(3)),
    requests: counters.requests,
    requestsPerSecond: Number((counters.requests / Math.max(seconds, 1e-9)).toFixed(1)),
    bodyBytes: counters.bodyBytes,
    recorded: counters.flushed,
    dropped: counters.dropped,
    sampledOut: counters.sampledOut,
    tooLarge: counters.tooLarge,
    malformed: counters.malformed,
    timeouts: counters.timeouts,
    unrecordable: counters.unrecordable,
    archive: cfg.out === null ? null : { files: counters.files, bytes: counters.archiveBytes, batches: counters.batches },
    error,
  };
}

function printSummary(io: CommandIO, s: ReturnType<typeof summary>, json: boolean) {
  if (json) return io.out(JSON.stringify(s, null, 2));
  io.out(`broker record: ${s.requests} requests in ${s.seconds.toFixed(1)} s (${s.requestsPerSecond} req/s), ${formatBytes(s.bodyBytes)} of bodies`);
  if (s.archive) io.out(`  recorded ${s.recorded} to ${s.out} (${s.archive.files} file${s.archive.files === 1 ? '' : 's'}, ${formatBytes(s.archive.bytes + 16 * s.archive.files)} in ${s.archive.batches} batches); dropped ${s.dropped}, sampled out ${s.sampledOut}`);
  io.out(`  rejected: ${s.tooLarge} too large (413), ${s.malformed} malformed (400/431), ${s.timeouts} timed out (408)`);
}

/** Live stats on stderr, only on a TTY: a pipe or a log file would fill with carriage returns. */
function liveStats(read: () => RecorderCounters): () => void {
  if (!process.stderr.isTTY) return () => {};
  let last = read();
  let lastAt = performance.now();
  const timer = setInterval(() => {
    const now = read();
    const dt = (performance.now() - lastAt) / 1000;
    const rate = (now.requests - last.requests) / dt;
    const mibs = (now.bodyBytes - last.bodyBytes) / dt / 2 ** 20;
    process.stderr.write(`\r\x1b[K${rate.toFixed(0)} req/s  ${mibs.toFixed(1)} MiB/s  requests ${now.requests}  recorded ${now.flushed}  dropped ${now.dropped}`);
    last = now;
    lastAt = performance.now();
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

function untilSignal(): { promise: Promise<string>; dispose: () => void } {
  let resolve!: (s: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  const onInt = () => resolve('SIGINT');
  const onTerm = () => resolve('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  return { promise, dispose: () => (process.off('SIGINT', onInt), process.off('SIGTERM', onTerm)) };
}

function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EADDRNOTAVAIL' ? 'address not available on this machine' : err.message;
  return `cannot listen on ${host}:${port}: ${why}${err.code ? ` (${err.code})` : ''}`;
}

const listenText = (a: { host: string; port: number }) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

async function runSingle(cfg: RecordConfig, io: CommandIO): Promise<number> {
  if (cfg.out !== null) createArchiveFile(cfg.out, true);
  const signal = untilSignal();
  let rec;
  try {
    rec = await startRecorder(cfg);
  } catch (err) {
    signal.dispose();
    if (cfg.out !== null) rmSync(cfg.out, { force: true });
    if (err instanceof ArchiveFileError) throw err;
    throw new Error(describeListenError(err as NodeJS.ErrnoException, cfg.host, cfg.port));
  }
  const started = performance.now();
  io.err(`broker record: listening on ${listenText(rec.address)}${cfg.out ? `, recording to ${cfg.out}` : ' (blackhole: counting only)'}`);
  const stopLive = liveStats(rec.counters);
  const outcome = await Promise.race([signal.promise.then(() => null), rec.failed]);
  signal.dispose();
  stopLive();
  await rec.stop();
  const error = outcome ? outcome.message : null;
  if (error) io.err(`broker: ${error}; the archive holds every record written before it (broker verify ${cfg.out})`);
  printSummary(io, summary(cfg, listenText(rec.address), rec.counters(), (performance.now() - started) / 1000, error), cfg.json);
  return error ? 1 : 0;
}

const STOP_GRACE_MS = 15_000;

type WorkerMessage = { t: 'listening'; host: string; port: number } | { t: 'stats'; counters: RecorderCounters } | { t: 'final'; counters: RecorderCounters; error: string | null } | { t: 'fatal'; message: string };

/** A cluster worker: records until the primary says stop (or disappears), then reports its counters. */
async function runWorker(cfg: RecordConfig): Promise<number> {
  // Ctrl-C reaches the whole process group; the primary decides when workers stop, after it.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  const send = (m: WorkerMessage) => new Promise<void>((resolve) => (process.connected ? process.send!(m, undefined, {}, () => resolve()) : resolve()));
  let rec;
  try {
    rec = await startRecorder({ ...cfg, shared: true });
  } catch (err) {
    const message = err instanceof ArchiveFileError ? err.message : describeListenError(err as NodeJS.ErrnoException, cfg.host, cfg.port);
    await send({ t: 'fatal', message });
    return 1;
  }
  await send({ t: 'listening', ...rec.address });
  const r = rec;
  const tick = setInterval(() => void send({ t: 'stats', counters: r.counters() }), 500);
  const stop = new Promise<string | null>((resolve) => {
    process.on('message', (m: { t?: string }) => m?.t === 'stop' && resolve(null));
    process.on('disconnect', () => resolve(null));
  });
  const outcome = await Promise.race([stop, rec.failed.then((e) => e.message)]);
  clearInterval(tick);
  await rec.stop();
  await send({ t: 'final', counters: rec.counters(), error: outcome });
  if (process.connected) process.disconnect();
  return outcome ? 1 : 0;
}

/**
 * The primary of --workers N: creates the archive, forks the workers (cluster re-executes this same
 * binary with the same argv, which works inside a SEA), relays stats, and on a signal stops them all.
 */
async function runPrimary(cfg: RecordConfig, io: CommandIO): Promise<number> {
  if (cfg.out !== null) createArchiveFile(cfg.out, true);
  // Workers accept connections themselves: the round-robin default routes every connection through
  // the primary, a cost 2-core machines feel.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const signal = untilSignal();
  const workers: Worker[] = [];
  const latest = new Map<number, RecorderCounters>();
  const finals = new Map<number, RecorderCounters>();
  let listening = 0;
  let address = `${cfg.host}:${cfg.port}`;
  let error: string | null = null;
  let stopping = false;
  let resolveDone!: () => void;
  const allExited = new Promise<void>((r) => (resolveDone = r));
  let exited = 0;
  const started = performance.now();
  const total = () => [...workers].map((w) => finals.get(w.id) ?? latest.get(w.id) ?? zero()).reduce(addCounters, zero());
  let stopLive = () => {};
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const w of workers) if (w.isConnected()) w.send({ t: 'stop' });
    // A worker that cannot finish its flush in this long is stuck: do not hang the primary on it.
    setTimeout(() => {
      for (const w of workers) {
        if (w.isDead()) continue;
        error ??= `worker ${w.id} did not stop within ${STOP_GRACE_MS / 1000} s; killed`;
        w.process.kill('SIGKILL');
      }
    }, STOP_GRACE_MS).unref();
  };
  for (let i = 0; i < cfg.workers; i++) {
    const w = cluster.fork({ BROKER_RECORD_WORKER: '1' });
    workers.push(w);
    w.on('message', (m: WorkerMessage) => {
      if (m.t === 'listening') {
        address = listenText(m);
        if (++listening === cfg.workers) {
          io.err(`broker record: listening on ${address} with ${cfg.workers} workers${cfg.out ? `, recording to ${cfg.out}` : ' (blackhole: counting only)'}`);
          stopLive = liveStats(total);
        }
      } else if (m.t === 'stats') latest.set(w.id, m.counters);
      else if (m.t === 'final') {
        finals.set(w.id, m.counters);
        if (m.error) error ??= m.error;
      } else if (m.t === 'fatal') error ??= m.message;
      if (error) stopAll();
    });
    w.on('exit', (code) => {
      if (!stopping && !error) error = `worker ${w.id} exited unexpectedly (code ${code})`;
      stopAll();
      if (++exited === cfg.workers) resolveDone();
    });
  }
  await Promise.race([signal.promise, allExited]);
  stopAll();
  await allExited;
  signal.dispose();
  stopLive();
  if (error) io.err(`broker: ${error}${cfg.out ? `; the archive holds every record written before it (broker verify ${cfg.out})` : ''}`);
  if (listening === 0 && cfg.out !== null && total().requests === 0) rmSync(cfg.out, { force: true });
  printSummary(io, summary(cfg, address, total(), (performance.now() - started) / 1000, error), cfg.json);
  return error ? 1 : 0;
}

export const recordCommand: Command = {
  name: 'record',
  summary: 'answer every request like /dev/null and record it to an archive (or only count)',
  usage: USAGE,
  async run(argv, io) {
    const cfg = parseConfig(argv);
    if (cluster.isWorker && process.env.BROKER_RECORD_WORKER === '1') return runWorker(cfg);
    try {
      return cfg.workers > 1 ? await runPrimary(cfg, io) : await runSingle(cfg, io);
    } catch (err) {
      if (err instanceof ArchiveFileError || (err instanceof Error && err.message.startsWith('cannot listen'))) {
        io.err(`broker: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
};
