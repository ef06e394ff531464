// The progress line of long commands (src/progress.ts, src/commands/files-progress.ts): when it is drawn, what it
// says, that it is erased before output, and that the commands that read archives feed it every byte they read.
import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../shared/byte-size.ts';
import { runCli } from '../../src/cli.ts';
import { FIRST_DRAW_MS, formatDuration, Progress, type ProgressOptions, type ProgressSink, progressText, REDRAW_MS } from '../../src/progress.ts';
import { repoRoot } from '../fixtures/context.ts';

/** A sink that records what is written, on a terminal or not. */
function sink(visible: boolean) {
  const writes: string[] = [];
  const asked: boolean[] = [];
  const s: ProgressSink = {
    visible: (streaming) => {
      asked.push(streaming);
      return visible;
    },
    write: (t) => writes.push(t),
  };
  return { s, writes, asked };
}

describe('progress line', () => {
  it('says how far, how fast and how long still', () => {
    expect(progressText({ label: 'broker stats', total: 4 * 2 ** 30, done: 2 ** 30, elapsedMs: 4000 })).toBe('broker stats: 1.00 GiB of 4.00 GiB (25%), 256.0 MiB/s, about 12 s left');
    expect(progressText({ label: 'broker cat', total: 100, done: 150, elapsedMs: 1000 })).toBe('broker cat: 100 B of 100 B (100%), 100 B/s, about 0 s left');
    expect(progressText({ label: 'x', total: 100, done: 0, elapsedMs: 2000 })).toBe('x: 0 B of 100 B (0%), 0 B/s');
    expect([formatDuration(7.4), formatDuration(185), formatDuration(4320)]).toEqual(['7 s', '3 min 5 s', '1 h 12 min']);
  });

  it('is drawn from two seconds on, at most once a second, only where it is seen, and erased at the end', () => {
    let t = 0;
    let done = 0;
    const options: ProgressOptions = { label: 'broker verify', total: 1000, done: () => done };
    const term = sink(true);
    const p = new Progress(options, { ...term.s, now: () => t });
    t = FIRST_DRAW_MS - 1;
    p.tick();
    expect(term.writes).toEqual([]);
    t = FIRST_DRAW_MS;
    done = 500;
    p.tick();
    expect(term.writes).toEqual(['\rbroker verify: 500 B of 1000 B (50%), 250 B/s, about 2 s left\x1b[K']);
    t += REDRAW_MS - 1;
    p.tick();
    expect(term.writes).toHaveLength(1);
    t += 1;
    p.tick();
    expect(term.writes).toHaveLength(2);
    p.clear(); // a line of output: the progress line goes, and comes back at the next due tick
    expect(term.writes.at(-1)).toBe('\r\x1b[K');
    p.clear();
    expect(term.writes).toHaveLength(3);
    t += REDRAW_MS;
    p.tick();
    expect(term.writes).toHaveLength(4);
    p.end();
    expect(term.writes.at(-1)).toBe('\r\x1b[K');
    t += 10 * REDRAW_MS;
    p.tick();
    expect(term.writes).toHaveLength(5);
    expect(term.asked).toEqual([false]);

    const pipe = sink(false);
    const q = new Progress({ ...options, streaming: true }, { ...pipe.s, now: () => t });
    t += FIRST_DRAW_MS;
    q.tick();
    t += REDRAW_MS;
    q.tick();
    q.end();
    expect(pipe.writes).toEqual([]);
    expect(pipe.asked).toEqual([true]); // asked once, and told the command streams its output
  });
});

describe('commands that read archives', () => {
  const v4 = join(repoRoot, 'test/fixtures/archives/v4-batches-gzip-brotli.brk');
  const v2 = join(repoRoot, 'test/fixtures/archives/v2-none-gzip-brotli.brk');

  /** Runs a command with a progress line on a "terminal" whose clock moves 2.5 s at every look: each read is due a draw. */
  async function run(argv: string[]) {
    const lines: string[] = [];
    const events: string[] = [];
    const seen: boolean[] = [];
    const drawn: string[] = [];
    let t = 0;
    const progress: ProgressSink = {
      visible: (streaming) => {
        seen.push(streaming);
        return true;
      },
      write: (text) => {
        if (!text.startsWith('\r\x1b[K')) drawn.push(text);
        events.push(text.startsWith('\r\x1b[K') ? 'erased' : 'drawn');
      },
      now: () => (t += 2500),
    };
    const io = {
      out: (l: string) => {
        lines.push(l);
        events.push('out');
      },
      err: (l: string) => {
        lines.push(l);
        events.push('err');
      },
      progress,
    };
    const code = await runCli(argv, io);
    const plain: string[] = [];
    const plainCode = await runCli(argv, { out: (l) => plain.push(l), err: (l) => plain.push(l) });
    return { code, lines, events, seen, drawn, plain, plainCode };
  }

  it.each([
    ['stats', [v4]],
    ['stats', [v4, v2]],
    ['verify', [v4, v2]],
    ['cat', [v4, v2]],
    ['cat', [v2, '--json']],
  ])("%s %j: every byte of its files counted, the line erased before any output but cat's, the output unchanged", async (command, args) => {
    const r = await run([command, ...args]);
    const files = args.filter((a) => !a.startsWith('--'));
    // Asked once whether it is seen, told whether the command streams; its last line has read every byte of the files.
    expect(r.seen).toEqual([command === 'cat']);
    const total = files.reduce((n, f) => n + statSync(f).size, 0);
    expect(r.drawn.at(-1)?.startsWith(`\rbroker ${command}: ${formatBytes(total)} of ${formatBytes(total)} (100%), `)).toBe(true);
    expect(r.events).toContain('drawn');
    expect(r.events.at(-1)).not.toBe('drawn'); // erased at the end, or output came after an erase
    // No output line lands on a drawn line: each is preceded by an erase (cat's stdout goes where no line is drawn).
    for (let i = 1; i < r.events.length; i++) if (r.events[i] === 'err' || (r.events[i] === 'out' && command !== 'cat')) expect(r.events[i - 1]).not.toBe('drawn');
    expect([r.code, r.lines]).toEqual([r.plainCode, r.plain]);
  });

  it('replay: a timer draws the share of the archive walked (every loop), erased before its report', async () => {
    const server = createServer((req, res) => req.resume().on('end', () => res.end()));
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    try {
      const { port } = server.address() as AddressInfo;
      // 9 records, twice, at 30 a second: ~0.6 s, long enough for the timer's ticks (every 250 ms).
      const r = await run(['replay', v2, '--target', `http://127.0.0.1:${port}`, '--loop', '2', '--rate', '30/s', '--concurrency', '1']);
      expect(r.code).toBe(0);
      expect(r.seen).toEqual([false]);
      expect(r.drawn.length).toBeGreaterThan(0);
      const total = formatBytes(2 * statSync(v2).size);
      const shares = r.drawn.map((d) => {
        expect(d.startsWith('\rbroker replay: ')).toBe(true);
        expect(d).toContain(` of ${total} (`);
        return Number(/\((\d+)%\)/.exec(d)?.[1]);
      });
      expect(shares).toEqual([...shares].sort((a, b) => a - b));
      const firstOut = r.events.findIndex((e) => e === 'out' || e === 'err');
      expect(r.events.slice(0, firstOut)).toContain('drawn');
      expect(r.events[firstOut - 1]).toBe('erased');
    } finally {
      server.close();
    }
  });
});
