import { duration } from '../../shared/cli-args/duration.ts';
import { int, number } from '../../shared/cli-args/number.ts';
import { badValue } from '../../shared/cli-args/usage-error.ts';
import { archiveErrorReason } from '../archive/error-reason.ts';
import { ArchiveScan } from '../archive/file.ts';
import { Progress } from '../progress.ts';
import { describeRejection } from '../replayer/certificate-rejection.ts';
import type { Percentiles, ReplayReport } from '../replayer/replayer.ts';
import { loadCaFile, type Trust } from '../replayer/tls-trust.ts';
import { keepTickObjectMaps } from '../tick-objects.ts';
import { archiveArgs, commandOptions, filterArg, parseCommandArgs, UsageError } from '../usage.ts';
import type { Command, CommandIO } from './command.ts';

const opt = commandOptions('replay');

const percentilesText = (l: Percentiles) => `p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  p99.9 ${l['p99.9']}  max ${l.max}  mean ${l.mean}`;

function print(io: CommandIO, r: ReplayReport) {
  io.out(`broker replay: ${r.sent} requests to ${r.target}${r.tlsTarget ? ` (recorded over TLS: to ${r.tlsTarget})` : ''} in ${r.seconds.toFixed(2)} s (${r.requestsPerSecond} req/s)`);
  const list = (m: Record<string, number>) =>
    Object.entries(m)
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ') || 'none';
  io.out(`  responses: ${list(r.statuses)}; errors: ${list(r.errors)}${r.retried ? `; ${r.retried} sent again (the target closed their keep-alive connection before answering)` : ''}`);
  if (r.latencyMs) {
    const l = r.latencyMs;
    io.out(`  latency (ms): ${percentilesText(l)}`);
  }
  const s = r.fromSchedule;
  if (s?.latencyMs) io.out(`  from each request's slot in the --rate schedule (ms): ${percentilesText(s.latencyMs)}; ${s.late} sent late (every connection was still busy at their slot)`);
}

function targetUrl(option: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badValue(opt(option), text, 'a URL like http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badValue(opt(option), text, 'http or https');
  // Only the origin and a base path are used: a query, a fragment or credentials would be dropped unseen.
  if (url.search || url.hash || url.username || url.password) throw badValue(opt(option), text, 'an origin and an optional base path, without query, fragment or user:password (each request brings its own path and query)');
  return url;
}

/** --ca FILE or --insecure: for https targets only, one or the other. */
function trustArg(ca: string | undefined, insecure: boolean, targets: URL[]): Trust {
  const see = "(see 'broker replay --help')";
  if (ca !== undefined && insecure) throw new UsageError(`--insecure checks no certificate, so --ca ${ca} would change nothing: give one of them ${see}`);
  const given = ca !== undefined ? `--ca ${ca}` : insecure ? '--insecure' : null;
  if (given === null) return { kind: 'default' };
  if (!targets.some((t) => t.protocol === 'https:')) throw new UsageError(`${given} is about the certificates of https targets, and ${targets.map((t) => t.href).join(' and ')} ${targets.length > 1 ? 'are' : 'is'} http ${see}`);
  return ca !== undefined ? { kind: 'ca', file: ca, pems: loadCaFile(ca) } : { kind: 'insecure' };
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'send the recorded requests to a target and report throughput, errors and latency percentiles',
  usage: `broker replay FILE... --target URL [--tls-target URL] [--ca FILE | --insecure] [--concurrency N] [--rate R/s] [--loop N]
       [--filter EXPR] [--timeout MS] [--json]

  --target URL       where to send them (http or https; a path is prefixed to every request's URL);
                     the recorded scheme is dropped: every request goes here, over the target's scheme
  --tls-target URL   keep the scheme apart: requests recorded over TLS go here (e.g. https://host:8443),
                     the others to --target ('--filter tls=1' replays only the TLS ones)
  --ca FILE          https targets: trust the CA certificates in FILE (PEM; a self-signed server's own
                     certificate works too) as well as Node's default ones. Without it an https target must
                     have a certificate from a CA Node trusts; a refused certificate stops the replay with
                     a line saying why (exit 1)
  --insecure         https targets: take any certificate, unchecked (a warning says so on stderr)
  --concurrency N    requests in flight, over N keep-alive connections (default 16)
  --rate R/s         steady request rate across all connections (default: as fast as answered). A request
                     whose slot comes while every connection is busy goes as soon as one is free; the report
                     adds latency from each request's slot, which counts that wait (--json: fromSchedule)
  --loop N           send the archive N times (default 1)
  --filter EXPR      only requests matching EXPR (see 'broker cat --help')
  --timeout MS       the longest a request may take, from sending it to the last byte of its response
                     (default 30000; a unit may be given: 5s, 1m); one cut there counts as TIMEOUT
  FILE...            one or more archives, or globs of them ('traffic.brk*': FILE and its rotated parts;
                     broker expands a glob the shell left quoted), sent merged by record time (equal times:
                     in the order given, then by position). A file that cannot be opened stops the replay
                     before anything is sent (--json: { "sent": 0, "unreadable": [{ "file", "error" }] });
                     one that stops at a bad frame, or cannot be read further (an I/O error), is named with
                     the offset or the reason (--json: archive.bad, archive.error), the records before it and
                     every other file's are sent, and exit is 1.
  A recorded target in absolute form (http://host/x?q, as sent to a proxy) goes by its path and query, as
  written (dot segments and escapes kept);
  one that is no path at all (OPTIONS *) is not sent and counts as URL_NOT_A_PATH.
  A target that answers with a 100 Continue or a 101 Switching Protocols not asked for (no Expect or Upgrade
  header is sent) fails that request as UNEXPECTED_RESPONSE (undici, the client, fails on it; other 1xx before
  the final response are taken).
  A GET, HEAD, OPTIONS, TRACE, PUT or DELETE whose keep-alive connection the target closes or resets before
  any answer (a target closing idle connections, as the request went out) is sent once more, within the
  same --timeout, and counted as sent again (--json: retried); any other method is never sent twice: that
  one counts as an error (RFC 9110 9.2.2).
  Exit 1 when any request failed (refused, reset, timed out): the report says how many of each.`,
  async run(argv, io) {
    // Before the run makes its first ticks: an idle GC must never free the tick objects' maps (tick-objects.ts).
    keepTickObjectMaps();
    const { values, positionals } = parseCommandArgs(
      'replay',
      argv,
      {
        target: { type: 'string' },
        'tls-target': { type: 'string' },
        concurrency: { type: 'string' },
        rate: { type: 'string' },
        loop: { type: 'string' },
        filter: { type: 'string' },
        timeout: { type: 'string' },
        ca: { type: 'string' },
        insecure: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      true,
    );
    const files = await archiveArgs('replay', positionals);
    const file = files[0] as string;
    if (values.target === undefined) throw new UsageError(`replay needs --target URL (see 'broker replay --help')`);
    const target = targetUrl('--target', values.target);
    const tlsTarget = values['tls-target'] === undefined ? null : targetUrl('--tls-target', values['tls-target']);
    const filter = filterArg('replay', values.filter);
    const trust = trustArg(values.ca, values.insecure ?? false, tlsTarget ? [target, tlsTarget] : [target]);
    const options = {
      files,
      target,
      tlsTarget,
      concurrency: int(values.concurrency, opt('--concurrency'), { min: 1, max: 4096 }) ?? 16,
      rate: number(values.rate, opt('--rate'), { above: 0, unit: '/s', of: 'requests per second', example: '500/s' }) ?? 0,
      loop: int(values.loop, opt('--loop'), { min: 1, max: 1_000_000 }) ?? 1,
      timeoutMs: duration(values.timeout, opt('--timeout'), { unit: 'ms', min: 1, max: 3_600_000 }) ?? 30_000,
      filter,
      trust,
    };
    // Open the archives first so a missing or foreign file is a clear error before any traffic (each one named).
    const unreadable: { file: string; error: string }[] = [];
    for (const f of files) {
      try {
        // next() opens the file and reads its header; return() closes it (the replay opens it again to send).
        const check = new ArchiveScan(f).records();
        check.next();
        check.return(undefined);
      } catch (err) {
        const why = archiveErrorReason(err);
        if (why === null) throw err;
        io.err(`broker: ${f}: ${why}`);
        unreadable.push({ file: f, error: why });
      }
    }
    if (unreadable.length > 0) {
      if (files.length > 1) io.err(`broker: ${unreadable.length} of ${files.length} archives cannot be read; nothing was sent`);
      // --json still answers: nothing sent, and which files could not be read.
      if (values.json) io.out(JSON.stringify({ target: target.href, sent: 0, unreadable }, null, 2));
      return 1;
    }
    if (trust.kind === 'insecure') io.err('broker: warning: --insecure: the certificates of https targets are not checked; anyone between here and the target can read and change the traffic');
    // undici and the histogram load only when a replay runs: every other command starts faster.
    const { replay } = await import('../replayer/replayer.ts');
    // A progress line on a terminal (src/progress.ts), ticked by a timer: the work waits on the network, not a loop.
    let progress: Progress | undefined;
    const sink = io.progress;
    const onStart = sink
      ? (walk: { total: number; done: () => number }) => {
          progress = new Progress({ label: 'broker replay', ...walk }, sink);
        }
      : undefined;
    const timer = sink ? setInterval(() => progress?.tick(), 250) : undefined;
    let report: ReplayReport;
    try {
      report = await replay({ ...options, onStart });
    } finally {
      clearInterval(timer);
      progress?.end();
    }
    if (values.json) io.out(JSON.stringify(report, null, 2));
    else print(io, report);
    if (report.certificateRejected) io.err(`broker: ${describeRejection(report.certificateRejected, trust)}`);
    if (report.filterError) io.err(`broker: ${report.filterError}; stopped there, after sending ${report.sent} requests`);
    if (report.archive.files) {
      for (const f of report.archive.files) {
        if (f.bad) io.err(`broker: ${f.file}: stopped at a bad frame at offset ${f.bad.offset} (${f.bad.reason}); replayed the records before it`);
        else if (f.error) io.err(`broker: ${f.file}: ${f.error}; replayed the ${f.records} records before it`);
      }
    } else if (report.archive.bad) io.err(`broker: ${file}: stopped at a bad frame at offset ${report.archive.bad.offset} (${report.archive.bad.reason}); replayed the records before it`);
    else if (report.archive.error) io.err(`broker: ${file}: ${report.archive.error}; replayed the ${report.archive.records} records before it`);
    const failed = Object.values(report.errors).reduce((a, b) => a + b, 0);
    return failed > 0 || report.filterError || report.archive.bad || report.archive.error || report.archive.files?.some((f) => f.error) ? 1 : 0;
  },
};
