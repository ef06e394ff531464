// The recorder owns its archive file: it creates it, and removes it again when it cannot start; a listen
// failure is a ListenError (a type, not a message prefix).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveFileError } from '../../src/recorder/archive-sink.ts';
import { ListenError } from '../../src/recorder/listen-error.ts';
import { type RecorderOptions, startRecorder } from '../../src/recorder/recorder.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-lifecycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (out: string | null, port: number): RecorderOptions => ({
  host: '127.0.0.1',
  port,
  out,
  status: 200,
  maxBody: 2 ** 20,
  sample: 1,
  codec: 0,
  rotateBytes: 0,
  flushMs: 5,
  flushBytes: 2 ** 20,
  headerTimeoutMs: 10_000,
  shared: false,
});

describe('startRecorder and its archive file', () => {
  it('creates the archive it records to, and leaves it when stopped', async () => {
    const out = join(dir, 'made.brk');
    const rec = await startRecorder(options(out, 0));
    expect(existsSync(out)).toBe(true);
    await rec.stop();
    expect(existsSync(out)).toBe(true);
  });

  it('a port in use: a ListenError naming address and code, and the archive it created is gone', async () => {
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const port = (blocker.address() as { port: number }).port;
    const out = join(dir, 'busy.brk');
    try {
      const err = await startRecorder(options(out, port)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ListenError);
      expect(err).toMatchObject({ host: '127.0.0.1', port, code: 'EADDRINUSE', message: `cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)` });
      expect(existsSync(out)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('an existing file is an ArchiveFileError and is left as it was', async () => {
    const out = join(dir, 'taken.brk');
    writeFileSync(out, 'not mine');
    const err = await startRecorder(options(out, 0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveFileError);
    expect(readFileSync(out, 'utf8')).toBe('not mine');
  });

  it('a shared recorder (cluster worker) never creates the file: without the primary’s identity it refuses', async () => {
    const out = join(dir, 'worker.brk');
    const err = await startRecorder({ ...options(out, 0), shared: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveFileError);
    expect(existsSync(out)).toBe(false);
  });
});
