// recorder.ts starts the archive's writer beside the listener: requests that come while the writer is still starting
// wait, unread, and are handled in order once it is ready; if it cannot start, they are never answered.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchWriter } from '../../src/recorder/batch-writer.ts';
import { type Capture, startCapture } from '../../src/recorder/capture-server.ts';
import { memoryWriter } from '../fixtures/memory-writer.ts';

/** Settles with the answer's status, or with the error that ended the request (no answer came). */
function post(port: number, path: string): Promise<number | Error> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { 'content-length': 2 } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', resolve);
    req.end('hi');
  });
}

const settledWithin = <T>(p: Promise<T>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

let capture: Capture | undefined;
afterEach(async () => {
  await capture?.close(0);
  capture = undefined;
});

const options = { host: '127.0.0.1', port: 0, status: 200, maxBody: 1 << 20, sample: 1, headerTimeoutMs: 5_000 };

describe('a capture whose writer is still starting', () => {
  it('holds requests unanswered until the writer is ready, then answers and records them in order', async () => {
    const mem = memoryWriter(60_000);
    let ready!: (w: BatchWriter) => void;
    capture = await startCapture({ ...options, writer: new Promise<BatchWriter>((r) => (ready = r)) });
    const first = post(capture.address.port, '/first');
    // In order of arrival: the second connects once the first is in.
    await new Promise((r) => setTimeout(r, 50));
    const second = post(capture.address.port, '/second');
    expect(await settledWithin(first, 200)).toBe(false);
    expect(capture.counters.requests).toBe(0);
    ready(mem.writer);
    expect(await first).toBe(200);
    expect(await second).toBe(200);
    await mem.writer.drain();
    expect(mem.records().map((r) => r.url)).toEqual(['/first', '/second']);
    expect(capture.counters).toMatchObject({ requests: 2, recorded: 2 });
  });

  it('never answers them when the writer cannot start: closing the listener ends them without a status', async () => {
    let fail!: (err: Error) => void;
    const writer = new Promise<BatchWriter>((_, reject) => (fail = reject));
    capture = await startCapture({ ...options, writer });
    const answer = post(capture.address.port, '/lost');
    await new Promise((r) => setTimeout(r, 50));
    fail(new Error('the archive cannot be opened'));
    expect(await settledWithin(answer, 100)).toBe(false);
    await capture.close(0);
    capture = undefined;
    expect(await answer).toBeInstanceOf(Error);
  });
});
