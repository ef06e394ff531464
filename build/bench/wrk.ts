// wrk (Debian's package, C): the light load generator for bench:broker. autocannon runs in the bench's own
// Node process and costs about as much CPU per request as the no-op server, on the same 2 cores; wrk costs a
// fraction of that, so its rows show the servers with the generator mostly out of the way.
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captures } from '../../shared/checked.ts';

export interface WrkResult {
  requests: number;
  rps: number;
  /** Latency percentiles in ms (wrk measures in µs). */
  p50: number;
  p99: number;
  p999: number;
  errors: number;
}

/** wrk's version when it is installed, else why not and how to fix it (one `wrk --version`). */
export function findWrk(): { version: string } | { missing: string } {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (r.error) return { missing: 'wrk is not installed (apt-get install wrk)' };
  // "wrk debian/4.1.0-3+b2 [epoll] …" (it prints to stdout and exits 1)
  return { version: /(\d+\.\d+\.\d+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown version' };
}

// POST the same 2048-byte body as the autocannon runs; `delay` paces each connection (ms between a
// response and the next request); `done` prints the numbers as one JSON line.
const script = (body: string, delayMs: number) => `
wrk.method = "POST"
wrk.body = "${body}"
wrk.headers["Content-Type"] = "application/octet-stream"
${delayMs > 0 ? `function delay() return ${delayMs} end` : ''}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"us":%d,"p50":%d,"p99":%d,"p999":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;

/**
 * One wrk run: one thread, `connections` keep-alive connections, for `seconds`. With delayMs > 0 each
 * connection waits that long after every response (wrk has no fixed-rate mode; this paces it).
 */
export function wrkLoad(opts: { port: number; scheme?: 'http' | 'https'; seconds: number; connections: number; body: Buffer; delayMs: number; scratch: string }): Promise<WrkResult> {
  if (!/^[A-Za-z0-9+/=]*$/.test(opts.body.toString('latin1'))) throw new Error('wrk body must be printable base64 (it goes into a Lua string)');
  const path = join(opts.scratch, `wrk-${opts.delayMs}.lua`);
  writeFileSync(path, script(opts.body.toString('latin1'), opts.delayMs));
  const args = ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '-s', path, `${opts.scheme ?? 'http'}://127.0.0.1:${opts.port}/ingest`];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      const m = /^WRK (\{.*\})$/m.exec(stdout);
      if (err || !m) return reject(new Error(`wrk ${args.join(' ')} failed: ${err?.message ?? 'no result line'}\n${stdout}${stderr}`));
      const [json] = captures(m, 1);
      const j = JSON.parse(json) as { requests: number; us: number; p50: number; p99: number; p999: number; errors: number };
      resolve({ requests: j.requests, rps: j.requests / (j.us / 1e6), p50: j.p50 / 1000, p99: j.p99 / 1000, p999: j.p999 / 1000, errors: j.errors });
    });
  });
}

/** Connections for `rate` req/s, from a paced run's rate per connection (1 / (1 ms + its latency)). */
export function connectionsFor(rate: number, run: { rps: number; connections: number }): number {
  return Math.max(1, Math.round(rate / (run.rps / run.connections)));
}

/** A paced run counts as "at" its rate when it reached it within 15%: half rate must be about half. */
export const PACE_TOLERANCE = 0.15;

/** How far a run's rate is from the one it was paced to, as a share of that rate. */
export const paceMiss = (rps: number, rate: number) => Math.abs(rps - rate) / rate;

/** A paced run that missed its rate by more than PACE_TOLERANCE: its latency is not at that rate. */
export const offPace = (rps: number, rate: number) => paceMiss(rps, rate) > PACE_TOLERANCE;

/**
 * A paced run near `rate` req/s: 1 ms between a connection's requests, and as many connections as two 2 s
 * calibration runs say it takes (each connection's rate is 1 / (1 ms + latency), and latency moves with the
 * load). A measured run that misses the rate by more than PACE_TOLERANCE is redone with the connections its
 * own rate implies, up to twice — one calibration here gave 41180 req/s for a 22411 target — and the closest
 * run is reported with how many it took and its connections. Given `connections` (a previous run's, for the
 * same server and rate) it skips the calibration.
 */
export async function wrkAtRate(opts: { port: number; scheme?: 'http' | 'https'; seconds: number; rate: number; body: Buffer; scratch: string; connections?: number }): Promise<WrkResult & { attempts: number; connections: number }> {
  const paced = (connections: number, seconds: number) => wrkLoad({ port: opts.port, scheme: opts.scheme, seconds, connections, body: opts.body, delayMs: 1, scratch: opts.scratch }).then((r) => ({ ...r, connections }));
  let connections = opts.connections ?? Math.max(1, Math.round(opts.rate / 1000));
  if (opts.connections === undefined) for (let i = 0; i < 2; i++) connections = connectionsFor(opts.rate, await paced(connections, 2));
  let best = await paced(connections, opts.seconds);
  let attempts = 1;
  for (let last = best; offPace(last.rps, opts.rate) && attempts < 3; attempts++) {
    last = await paced(connectionsFor(opts.rate, last), opts.seconds);
    if (paceMiss(last.rps, opts.rate) < paceMiss(best.rps, opts.rate)) best = last;
  }
  return { ...best, attempts };
}
