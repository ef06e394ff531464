import { formatBytes } from '../../shared/byte-size.ts';
import { oneOf } from '../../shared/cli-args/choice.ts';
import { duration } from '../../shared/cli-args/duration.ts';
import { listen } from '../../shared/cli-args/listen.ts';
import { int, number } from '../../shared/cli-args/number.ts';
import { size } from '../../shared/cli-args/size.ts';
import { CODEC_LEVELS, codecName, codecRate, zstdMissing } from '../archive/codec.ts';
import { BLOCK_SIZE, Codec, type CodecName } from '../archive/format.ts';
import { monotonicMs } from '../clock.ts';
import { hostPort } from '../host-port.ts';
import { errText } from '../output.ts';
import { ArchiveFileError } from '../recorder/archive-sink.ts';
import { defaultRequestTimeoutMs } from '../recorder/capture-server.ts';
import { isRecorderWorker } from '../recorder/cluster-role.ts';
import { ACK_MODES, fsyncPolicy, fsyncText } from '../recorder/durability.ts';
import { ListenError } from '../recorder/listen-error.ts';
import { type RecorderCounters, type RecorderOptions, startRecorder } from '../recorder/recorder.ts';
import { STOP_SIGNALS } from '../recorder/stop-signals.ts';
import { loadTlsIdentity, selfSignedIdentity, type TlsIdentity } from '../recorder/tls-identity.ts';
import { loadPfxIdentity } from '../recorder/tls-pfx.ts';
import { keepTickObjectMaps } from '../tick-objects.ts';
import { commandOptions, parseCommandArgs, UsageError } from '../usage.ts';
import type { Command, CommandIO } from './command.ts';

const USAGE = `broker record [--listen 127.0.0.1:8080] [--out FILE] [--status 200] [--max-body 1MiB]
       [--sample 0..1] [--compress gzip|brotli|zstd|none] [--compress-level N] [--rotate SIZE] [--workers N]
       [--flush-ms 100] [--flush-bytes 1MiB] [--ack immediate|written] [--fsync never|batch|DURATION]
       [--header-timeout 10000] [--request-timeout 30s] [--json]
       [--tls-cert FILE --tls-key FILE | --tls-pfx FILE [--tls-passphrase-file FILE] | --tls-self-signed]

  Answers every request at once with --status and, with --out, appends it (method, URL, headers,
  body, time, peer) to an archive created with mode 0600; without --out it only counts.
  --listen HOST:PORT   address to bind; HOST is an IP address ([::1] for IPv6) or localhost, no other
                       names (127.0.0.1 unless told otherwise; port 0 picks one)
  --max-body SIZE      larger bodies get 413 and are not recorded; the connection is then closed once
                       the client has read it (the rest of the body discarded, for at most 2 s or 16 MiB)
  --sample P           record this fraction of requests (needs --out; all are answered and counted)
  --compress CODEC     compress the archive (needs --out): each batch, on the writing thread (format 4;
                       without it the file is format 3, which older brokers read too); zstd needs
                       Node 22.15+ (the shipped runtime has it)
  --compress-level N   the codec's level: gzip 1-9, brotli 0-11, zstd 1-22 (default 1: the fastest)
  --rotate SIZE        start FILE.1, FILE.2, … when a file would pass SIZE (on disk: compressed with
                       --compress); each is a new file
                       (a name that exists is skipped, never written or followed; with --workers
                       each worker rotates into files of its own)
  --workers N          N listener processes (node:cluster) appending to the same archive; if the
                       primary is killed, each worker writes what it answered, says so and stops
  --flush-ms MS        write a batch at most MS after its first record (MS or with a unit: 250ms, 1s);
                       default 100, or 2 with --ack written
  --flush-bytes SIZE   write a batch once it holds SIZE bytes (one write per batch)
  --ack MODE           immediate (default): answer as soon as the body is in; a kill -9 loses what was
                       answered in the last flush. written: answer a recorded request only once the batch
                       holding it is written (many requests share one write), 503 if it cannot be (a
                       full disk; a request the format cannot hold: over 65535 headers, a header name
                       over 64 KiB); a kill -9 loses nothing answered
  --fsync POLICY       when written batches are forced to the device (what survives a power cut): never
                       (default; close still does), batch (after each batch, before --ack written answers),
                       or a DURATION (at most that long after a write: 1s)
  --header-timeout MS  close connections whose request headers take longer (408), or whose TLS
                       handshake does
  --request-timeout DURATION
                       close connections whose whole request (headers and body) takes longer from its
                       first byte (408; MS or with a unit: 30s, 5m; default 30s, or --header-timeout
                       if longer; 0: no limit; not below --header-timeout)
  --json               print the summary as JSON
  --tls-cert FILE      serve HTTPS (HTTP/1.1 over TLS, ALPN http/1.1) with this PEM certificate (chain)
  --tls-key FILE       and this PEM private key (unencrypted); both are checked before listening
  --tls-pfx FILE       serve HTTPS with the certificate (chain) and key of this PKCS#12 bundle (.p12/.pfx),
                       checked before listening like the PEM files
  --tls-passphrase-file FILE
                       the --tls-pfx passphrase: FILE's first line (never given on the command line)
  --tls-self-signed    serve HTTPS with a throwaway certificate made at start (EC P-256, 30 days, for
                       localhost, 127.0.0.1, ::1 and the listen address); its SHA-256 fingerprint is printed
                       so a client can pin it
  Every method is answered and recorded but CONNECT (501: no tunnels; counted, not recorded); a request
  without Host is recorded too; an Expect other than 100-continue gets 417 (counted).
  Over TLS each record keeps the SNI name (cat --filter 'tls=1', 'sni=NAME'). An HTTP/2-only client (ALPN
  h2 without http/1.1) is refused in the handshake (no_application_protocol) with a log line.
  SIGINT/SIGTERM/SIGHUP flush, close and print a summary; a live stats line goes to stderr on a TTY.`;

interface RecordConfig extends RecorderOptions {
  workers: number;
  json: boolean;
  /** --tls-cert or --tls-pfx, for the line that says what is served. */
  tlsCertPath: string | null;
}

const opt = commandOptions('record');
const CODECS: readonly CodecName[] = ['gzip', 'brotli', 'zstd', 'none'];

/** --compress and --compress-level: the level is checked against the codec's own range, which the error names. */
function compression(codecText: string | undefined, levelText: string | undefined): { codec: number; codecLevel?: number } {
  const name = oneOf(codecText, opt('--compress'), CODECS) ?? 'none';
  if (name === 'zstd') {
    const missing = zstdMissing();
    if (missing) throw new UsageError(`--compress zstd cannot be used: ${missing}; use gzip or brotli, or the broker executable, which runs on Node 22 (see 'broker record --help')`);
  }
  if (levelText === undefined) return { codec: Codec[name] };
  if (name === 'none') throw new UsageError(`--compress-level ${levelText} needs --compress gzip, brotli or zstd (see 'broker record --help')`);
  const range = CODEC_LEVELS[name];
  return { codec: Codec[name], codecLevel: int(levelText, opt(`--compress-level (with --compress ${name})`), range) };
}

function parseConfig(argv: string[]): RecordConfig {
  const { values } = parseCommandArgs('record', argv, {
    listen: { type: 'string' },
    out: { type: 'string' },
    status: { type: 'string' },
    'max-body': { type: 'string' },
    sample: { type: 'string' },
    compress: { type: 'string' },
    'compress-level': { type: 'string' },
    rotate: { type: 'string' },
    workers: { type: 'string' },
    'flush-ms': { type: 'string' },
    'flush-bytes': { type: 'string' },
    ack: { type: 'string' },
    fsync: { type: 'string' },
    'header-timeout': { type: 'string' },
    'request-timeout': { type: 'string' },
    json: { type: 'boolean' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-pfx': { type: 'string' },
    'tls-passphrase-file': { type: 'string' },
    'tls-self-signed': { type: 'boolean' },
  });
  const { host, port } = listen(values.listen ?? '127.0.0.1:8080', opt('--listen'));
  const { codec, codecLevel } = compression(values.compress, values['compress-level']);
  const tlsSelfSigned = values['tls-self-signed'] ?? false;
  const tls = tlsFiles(values, tlsSelfSigned);
  const tlsCertPath = values['tls-pfx'] ?? values['tls-cert'] ?? null;
  if (values.out === '') throw new UsageError(`--out needs a file name (see 'broker record --help')`);
  const rotateBytes = size(values.rotate, opt('--rotate'), { min: 64 * 1024, max: 2 ** 50 }) ?? 0;
  const flushBytes = size(values['flush-bytes'], opt('--flush-bytes'), { min: 4096, max: 64 * 2 ** 20 }) ?? 2 ** 20;
  const ack = oneOf(values.ack, opt('--ack'), ACK_MODES) ?? 'immediate';
  const fsync = fsyncPolicy(values.fsync, opt('--fsync')) ?? 'never';
  // A waiting answer makes the delay part of every request's latency: 2 ms still lets a batch gather the requests
  // of many connections (docs/archive.md, "Durability").
  const flushMs = duration(values['flush-ms'], opt('--flush-ms'), { unit: 'ms', min: 1, max: 60_000 }) ?? (ack === 'written' ? 2 : 100);
  const sample = number(values.sample, opt('--sample'), { min: 0, max: 1 }) ?? 1;
  // Nothing is written without --out: none of these options could change anything, so asking for one is a mistake.
  const asked: [boolean, string][] = [
    [ack !== 'immediate', `ack ${ack}`],
    [fsync !== 'never', `fsync ${values.fsync}`],
    [codec !== Codec.none, `compress ${values.compress}`],
    [values.rotate !== undefined, `rotate ${values.rotate}`],
    [values['flush-bytes'] !== undefined, `flush-bytes ${values['flush-bytes']}`],
    [values['flush-ms'] !== undefined, `flush-ms ${values['flush-ms']}`],
    [values.sample !== undefined, `sample ${values.sample}`],
  ];
  const headerTimeoutMs = duration(values['header-timeout'], opt('--header-timeout'), { unit: 'ms', min: 100, max: 600_000 }) ?? 10_000;
  const requestTimeoutMs = requestTimeout(values['request-timeout'], headerTimeoutMs);
  const needsOut = asked.find(([given]) => given)?.[1];
  if (values.out === undefined && needsOut !== undefined) throw new UsageError(`--${needsOut} needs --out FILE: without it nothing is written (see 'broker record --help')`);
  return {
    host,
    port,
    out: values.out ?? null,
    status: int(values.status, opt('--status'), { min: 200, max: 599 }) ?? 200,
    maxBody: size(values['max-body'], opt('--max-body'), { min: 0, max: 64 * 2 ** 20 }) ?? 2 ** 20,
    sample,
    codec,
    ...(codecLevel === undefined ? {} : { codecLevel }),
    rotateBytes,
    workers: int(values.workers, opt('--workers'), { min: 1, max: 64 }) ?? 1,
    flushMs,
    // A batch never spans files, so a batch no larger than a rotated file keeps every file within --rotate.
    // The header block and a batch's padding count too.
    flushBytes: rotateBytes > 0 ? Math.min(flushBytes, rotateBytes - 3 * BLOCK_SIZE) : flushBytes,
    ack,
    fsync,
    headerTimeoutMs,
    requestTimeoutMs,
    shared: false,
    json: values.json ?? false,
    tls,
    tlsSelfSigned,
    tlsCertPath,
  };
}

/** --request-timeout: 0 (no limit) or a duration, never below --header-timeout (Node refuses a request timeout below its headers'). */
function requestTimeout(text: string | undefined, headerTimeoutMs: number): number {
  if (text === undefined) return defaultRequestTimeoutMs(headerTimeoutMs);
  const ms = duration(text, opt('--request-timeout'), { unit: 'ms', min: 100, max: 3_600_000, zero: 'no limit' });
  if (ms !== 0 && ms < headerTimeoutMs) throw new UsageError(`--request-timeout ${text} is shorter than --header-timeout (${headerTimeoutMs} ms): the whole request cannot take less than its headers (see 'broker record --help')`);
  return ms;
}

type TlsFileOptions = { 'tls-cert'?: string; 'tls-key'?: string; 'tls-pfx'?: string; 'tls-passphrase-file'?: string };

/**
 * --tls-cert and --tls-key, or --tls-pfx (and --tls-passphrase-file), loaded and checked now (exit 2 naming the
 * file before anything listens); --tls-self-signed is made in run(). One source of certificate at most.
 */
function tlsFiles(values: TlsFileOptions, selfSigned: boolean): TlsIdentity | null {
  const see = "(see 'broker record --help')";
  const { 'tls-cert': certPath, 'tls-key': keyPath, 'tls-pfx': pfxPath, 'tls-passphrase-file': passphrasePath } = values;
  const pem = certPath !== undefined || keyPath !== undefined;
  if (selfSigned && pem) throw new UsageError(`--tls-self-signed makes its own certificate: give it alone, or --tls-cert and --tls-key instead ${see}`);
  if (selfSigned && pfxPath !== undefined) throw new UsageError(`--tls-self-signed makes its own certificate: give it alone, or --tls-pfx instead ${see}`);
  if (pfxPath !== undefined && pem) throw new UsageError(`--tls-pfx holds the certificate and its key: give it alone, or --tls-cert and --tls-key instead ${see}`);
  if (passphrasePath !== undefined && pfxPath === undefined) throw new UsageError(`--tls-passphrase-file needs --tls-pfx FILE, the PKCS#12 bundle it opens ${see}`);
  if (pfxPath !== undefined) {
    if (pfxPath === '') throw new UsageError(`--tls-pfx needs a file name ${see}`);
    if (passphrasePath === '') throw new UsageError(`--tls-passphrase-file needs a file name ${see}`);
    return loadPfxIdentity(pfxPath, passphrasePath ?? null);
  }
  if (certPath === undefined && keyPath === undefined) return null;
  if (certPath === undefined || certPath === '') throw new UsageError(`--tls-key needs --tls-cert FILE, the certificate it belongs to ${see}`);
  if (keyPath === undefined || keyPath === '') throw new UsageError(`--tls-cert needs --tls-key FILE, its private key ${see}`);
  return loadTlsIdentity(certPath, keyPath);
}

function summary(cfg: RecordConfig, listen: string, counters: RecorderCounters, seconds: number, error: string | null) {
  const rate = codecRate(counters);
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
    connectRefused: counters.connectRefused,
    expectationFailed: counters.expectationFailed,
    unrecordable: counters.unrecordable,
    tls: cfg.tls ? { fingerprint256: cfg.tls.fingerprint256, selfSigned: cfg.tlsSelfSigned ?? false, handshakeErrors: counters.tlsErrors, h2Refused: counters.h2Refused } : null,
    archive:
      cfg.out === null
        ? null
        : {
            files: counters.files,
            // Header blocks, batches (less what compression took off) and their padding: what is on disk.
            bytes: counters.archiveBytes - counters.savedBytes + counters.paddingBytes + BLOCK_SIZE * counters.files,
            paddingBytes: counters.paddingBytes,
            // --compress: the batches' frames before compression, and the codec.
            frameBytes: counters.archiveBytes,
            compress: cfg.codec === Codec.none ? null : codecName(cfg.codec),
            // Batches the writing thread wrote as they were, having fallen behind (a level too slow for the rate).
            uncompressedBatches: counters.behindBatches,
            // The writing thread's time in the codec, and the frame MiB it compresses per second of it: the rate
            // past which batches would wait (all workers' threads summed; null when nothing was compressed).
            compressSeconds: Number((counters.codecMs / 1000).toFixed(3)),
            compressMiBPerSecond: rate === null ? null : Number(rate.toFixed(1)),
            batches: counters.batches,
            io: counters.batches === 0 ? 'none' : counters.directBatches === counters.batches ? 'direct' : counters.directBatches === 0 ? 'page cache' : 'direct, then page cache',
            ack: cfg.ack ?? 'immediate',
            fsync: fsyncText(cfg.fsync ?? 'never'),
            fsyncs: counters.syncs,
          },
    error,
  };
}

/** Below a MiB of frames the codec's set-up, not its rate, decides the figure: the text leaves it out (--json has it). */
const RATE_SHOWN_FROM = 2 ** 20;

function printSummary(io: CommandIO, s: ReturnType<typeof summary>, json: boolean) {
  if (json) return io.out(JSON.stringify(s, null, 2));
  io.out(`broker record: ${s.requests} requests in ${s.seconds.toFixed(1)} s (${s.requestsPerSecond} req/s), ${formatBytes(s.bodyBytes)} of bodies`);
  if (s.archive)
    io.out(
      `  recorded ${s.recorded} to ${s.out} (${s.archive.files} file${s.archive.files === 1 ? '' : 's'}, ${formatBytes(s.archive.bytes)} in ${s.archive.batches} batches${s.archive.compress ? `, ${s.archive.compress}: ${formatBytes(s.archive.frameBytes)} of frames${s.archive.compressMiBPerSecond !== null && s.archive.frameBytes >= RATE_SHOWN_FROM ? ` at ${s.archive.compressMiBPerSecond} MiB/s of the writing thread` : ''}${s.archive.uncompressedBatches ? `, ${s.archive.uncompressedBatches} batches written uncompressed to keep up` : ''}` : ''}, ${s.archive.io} I/O); dropped ${s.dropped}, sampled out ${s.sampledOut}, unrecordable ${s.unrecordable}${s.unrecordable && s.archive.ack === 'written' ? ' (503)' : ''}`,
    );
  io.out(
    `  rejected: ${s.tooLarge} too large (413), ${s.malformed} malformed (400/431), ${s.timeouts} timed out (408)${s.connectRefused ? `, ${s.connectRefused} CONNECT (501)` : ''}${s.expectationFailed ? `, ${s.expectationFailed} unmet Expect (417)` : ''}`,
  );
  // Only when asked for: the default's summary reads as it always has.
  if (s.archive && (s.archive.ack !== 'immediate' || s.archive.fsync !== 'never'))
    io.out(`  answered ${s.archive.ack === 'written' ? 'after each batch was written' : 'at once'}; fsync ${s.archive.fsync} (${s.archive.fsyncs} while recording)`);
  if (s.tls) io.out(`  TLS: ${s.tls.handshakeErrors} failed handshakes, of which ${s.tls.h2Refused} HTTP/2-only clients refused`);
}

/** Monotonic seconds (src/clock.ts: performance.now() would load perf_hooks between the listen and "listening on"). */
const secondsNow = () => monotonicMs() / 1000;

/** Live stats on stderr, only on a TTY: a pipe or a log file would fill with carriage returns. */
function liveStats(read: () => RecorderCounters): () => void {
  if (!process.stderr.isTTY) return () => {};
  let last = read();
  let lastAt = secondsNow();
  const timer = setInterval(() => {
    const now = read();
    const dt = secondsNow() - lastAt;
    const rate = (now.requests - last.requests) / dt;
    const mibs = (now.bodyBytes - last.bodyBytes) / dt / 2 ** 20;
    errText(`\r\x1b[K${rate.toFixed(0)} req/s  ${mibs.toFixed(1)} MiB/s  requests ${now.requests}  recorded ${now.flushed}  dropped ${now.dropped}`);
    last = now;
    lastAt = secondsNow();
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    errText('\r\x1b[K');
  };
}

/**
 * SIGINT, SIGTERM or SIGHUP (the terminal or ssh session closed), the first one: the recorder stops. The handlers stay
 * until `dispose` (after the stop): a second signal while it writes what was answered (a double Ctrl-C) is said and
 * ignored, where Node's default action would kill the process and lose those records.
 */
function untilSignal(io: CommandIO): { promise: Promise<string>; dispose: () => void } {
  let resolve!: (s: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  let first: string | undefined;
  const on = (sig: string) => () => {
    if (first === undefined) {
      first = sig;
      resolve(sig);
    } else io.err(`broker record: ${sig}: already stopping, writing what was answered to the archive first`);
  };
  const handlers = STOP_SIGNALS.map((sig) => [sig, on(sig)] as const);
  for (const [sig, handler] of handlers) process.on(sig, handler);
  return {
    promise,
    dispose: () => {
      for (const [sig, handler] of handlers) process.off(sig, handler);
    },
  };
}

const overTls = (cfg: RecordConfig) => (cfg.tls ? ' over TLS' : '');

async function runSingle(cfg: RecordConfig, io: CommandIO): Promise<number> {
  const signal = untilSignal(io);
  let rec: Awaited<ReturnType<typeof startRecorder>>;
  try {
    rec = await startRecorder(cfg);
  } catch (err) {
    signal.dispose();
    throw err;
  }
  const started = secondsNow();
  io.err(`broker record: listening on ${hostPort(rec.address.host, rec.address.port)}${overTls(cfg)}${cfg.out ? `, recording to ${cfg.out}` : ' (blackhole: counting only)'}`);
  const stopLive = liveStats(rec.counters);
  const outcome = await Promise.race([signal.promise.then(() => null), rec.failed]);
  stopLive();
  let stopped: Error | null;
  try {
    stopped = await rec.stop();
  } finally {
    signal.dispose();
  }
  if (outcome) io.err(`broker: ${outcome.message}; the archive holds every record written before it (broker verify ${cfg.out})`);
  else if (stopped) io.err(`broker: ${stopped.message}`);
  const error = (outcome ?? stopped)?.message ?? null;
  printSummary(io, summary(cfg, hostPort(rec.address.host, rec.address.port), rec.counters(), secondsNow() - started, error), cfg.json);
  return error ? 1 : 0;
}

/** --workers N: the primary supervises the workers (src/recorder/cluster.ts). */
async function runPrimary(cfg: RecordConfig, io: CommandIO): Promise<number> {
  const signal = untilSignal(io);
  const started = secondsNow();
  let stopLive = () => {};
  // The supervisor's code loads only for --workers (cluster-role.ts).
  const { runRecorderCluster } = await import('../recorder/cluster.ts');
  let result: Awaited<ReturnType<typeof runRecorderCluster>>;
  try {
    result = await runRecorderCluster(cfg, cfg.workers, {
      stop: signal.promise,
      onListening(address, counters) {
        io.err(`broker record: listening on ${hostPort(address.host, address.port)}${overTls(cfg)} with ${cfg.workers} workers${cfg.out ? `, recording to ${cfg.out}` : ' (blackhole: counting only)'}`);
        stopLive = liveStats(counters);
      },
      onCounting(files) {
        stopLive();
        stopLive = () => {};
        io.err(`broker record: a worker ended without its last report; counting the records in ${files.length === 1 ? files[0] : `${files[0]} and ${files.length - 1} rotated files`}`);
      },
    });
  } finally {
    signal.dispose();
  }
  stopLive();
  const { error } = result;
  // As runSingle when it cannot listen: one line, exit 1, no summary of an archive that is not there.
  if (result.notStarted && error) {
    io.err(`broker: ${error}`);
    return 1;
  }
  // A failed final sync says all there is: verify cannot tell what never reached the device.
  if (error) io.err(`broker: ${error}${cfg.out && result.address && !result.errorAtClose ? `; the archive holds every record written before it (broker verify ${cfg.out})` : ''}`);
  const listen = result.address ? hostPort(result.address.host, result.address.port) : hostPort(cfg.host, cfg.port);
  printSummary(io, summary(cfg, listen, result.counters, secondsNow() - started, error), cfg.json);
  return error ? 1 : 0;
}

export const recordCommand: Command = {
  name: 'record',
  summary: 'answer every request like /dev/null and record it to an archive (or only count)',
  usage: USAGE,
  async run(argv, io) {
    // Before the recorder makes its first ticks: an idle GC must never free the tick objects' maps (tick-objects.ts).
    keepTickObjectMaps();
    const cfg = parseConfig(argv);
    if (isRecorderWorker()) {
      const { runRecorderWorker, workerTlsIdentity } = await import('../recorder/cluster.ts');
      if (!cfg.tlsSelfSigned) return runRecorderWorker(cfg, io.err);
      const tls = workerTlsIdentity();
      // Never serve plain HTTP in place of the HTTPS the primary announced.
      if (tls === null) throw new Error('--tls-self-signed: this worker was handed no certificate by the primary');
      return runRecorderWorker({ ...cfg, tls }, io.err);
    }
    if (cfg.tlsSelfSigned) {
      cfg.tls = await selfSignedIdentity(cfg.host);
      io.err(`broker record: TLS with a self-signed certificate made now (localhost, 127.0.0.1, ::1; 30 days), SHA-256 fingerprint ${cfg.tls.fingerprint256}`);
    } else if (cfg.tls) io.err(`broker record: TLS with ${cfg.tlsCertPath}, SHA-256 fingerprint ${cfg.tls.fingerprint256}`);
    try {
      return cfg.workers > 1 ? await runPrimary(cfg, io) : await runSingle(cfg, io);
    } catch (err) {
      if (err instanceof ArchiveFileError || err instanceof ListenError) {
        io.err(`broker: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
};
