/*
 * One request and its whole response, within a deadline. The response body is read to its end, counting its bytes:
 * a body the target resets or truncates is a failure (undici's `dump()` swallowed that and stopped reading at 128 KiB,
 * so such replies counted as answered and a large body's latency ended early). `--timeout` is a deadline from the
 * hand-over to the last byte: undici's own header/body timers are idle timers, and above a second they tick every
 * ~500 ms, so a 2 s timeout fired anywhere up to 2.5 s and a body trickling one byte a second never timed out.
 * A request caught by a keep-alive connection's close is sent once more within the same deadline (retry.ts).
 */
import { EventEmitter } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Dispatcher, Pool } from 'undici';
import { sendAgain } from './retry.ts';

/** A request cut at its deadline: counted under this code. */
export class ReplayTimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(ms: number) {
    super(`no whole response within ${ms} ms`);
    this.name = 'ReplayTimeoutError';
  }
}

export interface Exchanged {
  status: number;
  /** Bytes of the response body as received (after any transfer decoding, before content decoding). */
  bodyBytes: number;
}

/** `onRetry` is told when the request is sent a second time (retry.ts). */
export async function exchange(pool: Pool, request: Omit<Dispatcher.RequestOptions, 'signal'>, timeoutMs: number, onRetry?: () => void): Promise<Exchanged> {
  // undici takes an EventEmitter as the abort signal (its 'abort' event, its `reason`): on loopback an AbortController
  // cost 22 % of the request rate, this 8 % (docs/benchmarks.md, "replay: each response read whole").
  const signal = new EventEmitter() as EventEmitter & { reason?: Error };
  const timer = setTimeout(() => {
    signal.reason = new ReplayTimeoutError(timeoutMs);
    signal.emit('abort');
  }, timeoutMs);
  try {
    const res = await pool.request({ ...request, signal }).catch((err: unknown) => {
      if (signal.reason || !sendAgain(err, request.method)) throw err;
      onRetry?.();
      return pool.request({ ...request, signal });
    });
    let bodyBytes = 0;
    res.body.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    // Rejects on a reset, a truncated body or the deadline (undici destroys the body with the abort's reason).
    await finished(res.body);
    return { status: res.statusCode, bodyBytes };
  } finally {
    clearTimeout(timer);
  }
}
