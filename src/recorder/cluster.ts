/*
 * `record --workers N`: N recorder processes on one listening port via node:cluster. cluster.fork
 * re-executes this same binary with the same argv — which works inside a SEA, where there are no
 * script files to point a worker at. The primary only supervises: it relays counters, and on stop
 * asks every worker to flush and report. Workers append to the archive the primary created, which they
 * open by its identity; with --rotate each rotates into files of its own (see archive-sink.ts).
 */
import cluster, { type Worker } from 'node:cluster';
import { rmSync } from 'node:fs';
import { isSea } from 'node:sea';
import { archiveVersion, createArchiveFile } from './archive-sink.ts';
import { WORKER_ENV } from './cluster-role.ts';
import { addRecorderCounters, emptyRecorderCounters, type RecorderCounters, type RecorderOptions, startRecorder } from './recorder.ts';
import { recordingFiles, recordsOnDisk, rotatedFilesNow } from './records-on-disk.ts';
import { STOP_SIGNALS } from './stop-signals.ts';
import { identityFromEnv, identityToEnv, type TlsIdentity } from './tls-identity.ts';

/** The archive file the primary created, by identity: a worker opens that file and no other (own-archive-file.ts). */
const ARCHIVE_ENV = 'BROKER_RECORD_ARCHIVE';
/** The --tls-self-signed certificate and key the primary made: every worker serves that one (tls-identity.ts). */
const TLS_ENV = 'BROKER_RECORD_TLS';
/** How long a worker may take to flush and report after being asked to stop, before it is killed. */
const STOP_GRACE_MS = 15_000;

type WorkerMessage = { t: 'listening'; host: string; port: number } | { t: 'stats'; counters: RecorderCounters } | { t: 'final'; counters: RecorderCounters; error: string | null; atClose?: boolean } | { t: 'fatal'; message: string };

/** In a worker of a --tls-self-signed recording: the certificate the primary made; null if it handed none on. */
export function workerTlsIdentity(): TlsIdentity | null {
  const text = process.env[TLS_ENV];
  // The key stays in this process's memory only, not in the environment of anything it might start.
  delete process.env[TLS_ENV];
  return text ? identityFromEnv(text) : null;
}

/**
 * A cluster worker: records until the primary says stop, then reports its counters. A worker whose primary
 * is gone (kill -9) stops the same way — every answered request written — and says what it recorded itself.
 */
export async function runRecorderWorker(o: RecorderOptions, log: (line: string) => void): Promise<number> {
  // Ctrl-C (and a closed terminal's SIGHUP) reaches the whole process group; the primary decides when workers stop, after it.
  for (const sig of STOP_SIGNALS) process.on(sig, () => {});
  // Listen for "stop" before anything else: the primary may send it while this worker is starting.
  const stop = new Promise<'asked' | 'orphaned'>((resolve) => {
    process.on('message', (m: { t?: string }) => m?.t === 'stop' && resolve('asked'));
    // node:cluster's own listener exits a worker at once on a disconnect it did not start (its primary died),
    // losing the batches not yet written. This one runs first and marks the disconnect as expected, so the
    // worker stops as when asked.
    process.prependListener('disconnect', () => {
      if (cluster.worker) cluster.worker.exitedAfterDisconnect = true;
      resolve('orphaned');
    });
  });
  const send = (m: WorkerMessage) => new Promise<void>((resolve) => (process.connected && process.send ? process.send(m, undefined, {}, () => resolve()) : resolve()));
  let rec: Awaited<ReturnType<typeof startRecorder>>;
  // Counts go to the primary after every batch written, so a worker killed later is summed as it left the disk.
  const report = () => void send({ t: 'stats', counters: rec.counters() });
  try {
    rec = await startRecorder({ ...o, shared: true, archiveIdentity: process.env[ARCHIVE_ENV] }, { onBatchWritten: report });
  } catch (err) {
    // A ListenError or ArchiveFileError is one line already; anything else is a bug, said as it is.
    const message = err instanceof Error ? err.message : String(err);
    await send({ t: 'fatal', message });
    return 1;
  }
  await send({ t: 'listening', ...rec.address });
  // The live stats line's request counts, between batches.
  const tick = setInterval(report, 500);
  const outcome = await Promise.race([stop, rec.failed]);
  clearInterval(tick);
  const stopped = await rec.stop();
  const error = outcome instanceof Error ? outcome.message : (stopped?.message ?? null);
  await send({ t: 'final', counters: rec.counters(), error, ...(outcome instanceof Error || !stopped ? {} : { atClose: true }) });
  // No primary to sum and print the counts (it died before or while this worker stopped): say them here.
  if (outcome === 'orphaned' || !process.connected) {
    const c = rec.counters();
    log(`broker record: worker ${cluster.worker?.id} (pid ${process.pid}): the primary is gone; stopped after ${c.requests} requests: recorded ${c.flushed}, dropped ${c.dropped}${error ? `; ${error}` : ''}`);
  }
  return outcome === 'asked' && !stopped ? 0 : 1;
}

export interface ClusterHooks {
  /** Called once every worker listens, with a live view of the summed counters. */
  onListening(address: { host: string; port: number }, counters: () => RecorderCounters): void;
  /** Resolves when the recording should end (a signal). */
  stop: Promise<unknown>;
  /** A worker ended without its final report: its records are about to be counted from these files (records-on-disk.ts). */
  onCounting?(files: string[]): void;
}

export interface ClusterResult {
  /** null when the workers never all listened. */
  address: { host: string; port: number } | null;
  counters: RecorderCounters;
  error: string | null;
  /** The error is a worker's archive failing its final sync at close: the records are all written (verify finds nothing). */
  errorAtClose: boolean;
  /**
   * The workers never all listened and nothing came in (a port in use, a worker that could not start): the archive was
   * removed, and there is nothing to summarize — the error is all there is to say, as when one process cannot listen.
   */
  notStarted: boolean;
}

/**
 * The primary: creates the archive (an ArchiveFileError if it cannot), forks the workers, relays their
 * counters, stops them all on hooks.stop or the first failure, and removes the archive again when the
 * workers never all listened and nothing came in.
 */
export async function runRecorderCluster(o: RecorderOptions, count: number, hooks: ClusterHooks): Promise<ClusterResult> {
  const archiveIdentity = o.out === null ? undefined : createArchiveFile(o.out, archiveVersion(o.codec));
  // Rotated names taken before this recording (rotation skips them): not its files when counting them. Without
  // --rotate there are none to tell apart, and no directory to read.
  const takenBefore = o.out !== null && o.rotateBytes > 0 ? rotatedFilesNow(o.out) : null;
  // Workers accept connections themselves: the round-robin default routes every connection through
  // the primary, a cost a 2-core machine feels.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const workers: Worker[] = [];
  const latest = new Map<number, RecorderCounters>();
  const finals = new Map<number, RecorderCounters>();
  let listening = 0;
  let address: ClusterResult['address'] = null;
  let error: string | null = null;
  let errorAtClose = false;
  let stopping = false;
  let exited = 0;
  let allExited!: () => void;
  const done = new Promise<void>((r) => (allExited = r));
  const total = () => workers.map((w) => finals.get(w.id) ?? latest.get(w.id) ?? emptyRecorderCounters()).reduce(addRecorderCounters, emptyRecorderCounters());
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    // A worker may be exiting on its own (a fatal error): its channel can close under this send.
    for (const w of workers) if (w.isConnected()) w.send({ t: 'stop' }, undefined, () => {});
    // A worker that cannot finish its flush in this long is stuck: do not hang the primary on it.
    setTimeout(() => {
      for (const w of workers) {
        if (w.isDead()) continue;
        error ??= `worker ${w.id} did not stop within ${STOP_GRACE_MS / 1000} s; killed`;
        w.process.kill('SIGKILL');
      }
    }, STOP_GRACE_MS).unref();
  };
  // cluster re-executes process.argv[1], which in the binary is the program's path under /seal (the toolchain sets it
  // as `node <bin>` has it), not a file on the disk. The executable's absolute path is what main.ts looks for and drops. No execArgv: the binary applies its blob's own at every start, and
  // passed again they would reach the worker as arguments.
  if (isSea()) cluster.setupPrimary({ exec: process.execPath, execArgv: [] });
  for (let i = 0; i < count; i++) {
    const w = cluster.fork({ [WORKER_ENV]: '1', ...(archiveIdentity ? { [ARCHIVE_ENV]: archiveIdentity } : {}), ...(o.tls && o.tlsSelfSigned ? { [TLS_ENV]: identityToEnv(o.tls) } : {}) });
    workers.push(w);
    // EPIPE on the IPC channel of a worker that is already going: its 'exit' is what counts.
    w.on('error', () => {});
    w.on('message', (m: WorkerMessage) => {
      if (m.t === 'listening') {
        // A stop sent while this worker was starting may have been lost: IPC drops a message no listener takes yet,
        // and the worker listens for "stop" only once its code runs. It does before it says it is listening: again.
        if (stopping) w.send({ t: 'stop' }, undefined, () => {});
        else if (++listening === count) {
          address = { host: m.host, port: m.port };
          hooks.onListening(address, total);
        }
      } else if (m.t === 'stats') latest.set(w.id, m.counters);
      else if (m.t === 'final') {
        finals.set(w.id, m.counters);
        if (m.error && error === null) {
          error = m.error;
          errorAtClose = m.atClose === true;
        }
      } else if (m.t === 'fatal') error ??= m.message;
      if (error) stopAll();
    });
    w.on('exit', (code, signal) => {
      if (!stopping && !error) error = signal ? `worker ${w.id} was killed (${signal})` : `worker ${w.id} exited unexpectedly (code ${code})`;
      stopAll();
      if (++exited === count) allExited();
    });
  }
  await Promise.race([hooks.stop, done]);
  stopAll();
  await done;
  const counters = total();
  const notStarted = address === null && counters.requests === 0;
  if (notStarted && o.out !== null) rmSync(o.out, { force: true });
  else if (o.out !== null && workers.some((w) => !finals.has(w.id))) {
    // A worker that died (kill -9, OOM) may have written a batch after its last report: count the files instead.
    const files = recordingFiles(o.out, takenBefore);
    hooks.onCounting?.(files);
    counters.flushed = recordsOnDisk(files) ?? counters.flushed;
  }
  return { address, counters, error, errorAtClose, notStarted };
}
