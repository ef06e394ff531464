// Many archives read as one (issue 27): FILE... and globs for cat, stats, verify and replay; the k-way merge
// by record time; one damaged file among several; two real recorders' archives merged.

import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandArchivePaths, expandGlob, naturalCompare } from '../../src/archive/archive-paths.ts';
import { encodeHeader, HEADER_SIZE, paddedLength } from '../../src/archive/format.ts';
import { MergedScan } from '../../src/archive/merge.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { encodeRequestFrame, recordPayloadSize } from '../../src/archive/record.ts';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { paddingAfter, sampleRecord } from './archive-fixtures.ts';
import { killLeftovers, removeBundle, runBroker, startRecorder } from './broker-process.ts';
import { keepAlive, post } from './http-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-multi-'));
afterAll(() => {
  killLeftovers();
  removeBundle();
  rmSync(dir, { recursive: true, force: true });
});

/** An archive whose i-th record has time `times[i]` (ms after a fixed epoch) and URL /<tag>/<i>, laid out as the recorder writes. */
function timedArchive(times: number[], tag: string): Buffer {
  const parts: Buffer[] = [Buffer.from(encodeHeader()), paddingAfter(HEADER_SIZE)];
  let end = paddedLength(HEADER_SIZE);
  times.forEach((t, i) => {
    const r = { ...sampleRecord(i), time: 1_764_000_000_000 + t, url: `/${tag}/${i}` };
    const buf = Buffer.alloc(12 + recordPayloadSize(r));
    encodeRequestFrame(buf, 0, r, 0);
    parts.push(buf);
    end += buf.length;
    if (i % 4 === 3) {
      const pad = paddingAfter(end);
      parts.push(pad);
      end += pad.length;
    }
  });
  return Buffer.concat(parts);
}

const at = (name: string) => join(dir, name);
// Two recorders' files, interleaved in time: A at even ms, B at odd ms, and both at 100 (a tie).
const a = at('a.brk');
const b = at('b.brk');
writeFileSync(a, timedArchive([0, 2, 4, 6, 8, 100], 'a'));
writeFileSync(b, timedArchive([1, 3, 5, 7, 9, 100], 'b'));
const urls = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).url);

describe('FILE arguments: paths and globs', () => {
  const g = at('glob');
  beforeAll(() => {
    mkdirSync(join(g, 'sub'), { recursive: true });
    for (const n of ['traffic.brk', 'traffic.brk.1', 'traffic.brk.2', 'traffic.brk.10', 'other.brk', '.hidden.brk', 'sub/x.brk', 'a[1].brk', 'dash-x.brk', 'star*.brk']) writeFileSync(join(g, n), '');
  });

  it('matches what bash matches, for * ? [...] [!...] ranges and directories', async () => {
    const patterns = ['traffic.brk*', 'traffic.brk.?', 'traffic.brk.[12]', 'traffic.brk.[!1]*', '*.brk', '.*.brk', '*/x.brk', 'traffic.brk.[0-9]*', '[a-d]*', '*[-]*', 'nothing*', 'traffic.brk.1[]', `${g}/sub/*`];
    for (const p of patterns) {
      const bash = execFileSync('bash', ['-c', `shopt -s nullglob; for f in ${p}; do printf '%s\\n' "$f"; done`], { cwd: g, encoding: 'utf8' });
      const ours = await (async () => {
        const cwd = process.cwd();
        process.chdir(g);
        try {
          return await expandGlob(p);
        } finally {
          process.chdir(cwd);
        }
      })();
      expect([...ours].sort(), p).toEqual(bash.split('\n').filter(Boolean).sort());
    }
  });

  it('matches what bash matches with globstar and extglob on, for {a,b} ** and @( ) !( ) ?( ) *( ) +( )', async () => {
    const patterns = ['traffic.brk.{1,10}', '{other,traffic}.brk', '**/x.brk', '**/*.brk', 'traffic.brk.@(1|2)', 'traffic.brk!(.1)', 'traffic.brk?(.1)', 'traffic.brk.*(1|0)', 'traffic.brk.+(1|0)'];
    for (const p of patterns) {
      // Brace expansion lists each alternative as it is (even one that names no file): nullglob then drops those.
      const bash = execFileSync('bash', ['-O', 'extglob', '-c', `shopt -s nullglob globstar; for f in ${p}; do [ -e "$f" ] && printf '%s\\n' "$f"; done; true`], { cwd: g, encoding: 'utf8' });
      const cwd = process.cwd();
      process.chdir(g);
      try {
        expect([...(await expandGlob(p))].sort(), p).toEqual(bash.split('\n').filter(Boolean).sort());
      } finally {
        process.chdir(cwd);
      }
    }
  });

  it('a rotated recording comes out in rotation order; an existing name is a path even with * in it; each file once', async () => {
    expect(await expandGlob(join(g, 'traffic.brk*'))).toEqual(['traffic.brk', 'traffic.brk.1', 'traffic.brk.2', 'traffic.brk.10'].map((n) => join(g, n)));
    expect(['x.10', 'x.9', 'x', 'x.1'].sort(naturalCompare)).toEqual(['x', 'x.1', 'x.9', 'x.10']);
    // Leading zeros: by value first (3 > 02 > 001), then the fewer zeros first.
    expect(['f3', 'f02', 'f001', 'f1', 'f10'].sort(naturalCompare)).toEqual(['f1', 'f001', 'f02', 'f3', 'f10']);
    expect((await expandArchivePaths([join(g, 'star*.brk')])).paths).toEqual([join(g, 'star*.brk')]);
    symlinkSync(join(g, 'other.brk'), join(g, 'link.brk'));
    expect((await expandArchivePaths([join(g, 'traffic.brk'), join(g, 'traffic.brk*'), join(g, 'link.brk'), join(g, 'other.brk')])).paths).toEqual([
      ...['traffic.brk', 'traffic.brk.1', 'traffic.brk.2', 'traffic.brk.10'].map((n) => join(g, n)),
      join(g, 'link.brk'),
    ]);
  });

  it('a glob that matches nothing is a usage error naming it, what FILE may be, and the help', async () => {
    for (const cmd of ['cat', 'stats', 'verify']) {
      const r = await run(cmd, a, join(g, 'nope*.brk'));
      expect(r.code).toBe(2);
      expect(r.err).toBe(`broker: FILE '${join(g, 'nope*.brk')}' matches no file; FILE is an archive's path or a glob of them (* ? [...] {a,b} **, e.g. 'traffic.brk*' for a rotated recording) (see 'broker ${cmd} --help')`);
    }
    expect((await run('replay', join(g, 'nope*'), '--target', 'http://127.0.0.1:1')).code).toBe(2);
  });
});

describe('cat FILE...', () => {
  it("merges by record time; equal times in argument order; --json names each record's file", async () => {
    const r = await run('cat', a, b, '--json');
    expect(r.code).toBe(0);
    expect(urls(r.out)).toEqual(['/a/0', '/b/0', '/a/1', '/b/1', '/a/2', '/b/2', '/a/3', '/b/3', '/a/4', '/b/4', '/a/5', '/b/5']);
    expect(JSON.parse(r.lines[1] as string)).toMatchObject({ file: b, offset: 4096, url: '/b/0' });
    // The tie at 100 ms follows the order of the arguments.
    expect(urls((await run('cat', b, a, '--json')).out).slice(-2)).toEqual(['/b/5', '/a/5']);
    // Text: the records, in the same order, as single-file cat prints them.
    const text = await run('cat', a, b);
    expect(text.out.match(/^\S+Z \S+ \S+ \/[ab]\/\d$/gm)?.map((l) => l.split(' ').at(-1))).toEqual(urls(r.out));
  });

  it('--filter applies to every file', async () => {
    expect(urls((await run('cat', a, b, '--json', '--filter', 'path~/[ab]/[45]$')).out)).toEqual(['/a/4', '/b/4', '/a/5', '/b/5']);
  });

  it('a glob the shell left quoted is expanded', async () => {
    expect(urls((await run('cat', join(dir, '[ab].brk'), '--json')).out)).toHaveLength(12);
  });

  it('streams: many files, at most one record held per file, output in time order', () => {
    const files = Array.from({ length: 40 }, (_, k) => at(`many-${k}.brk`));
    // File k holds 150 records at times k, k+40, k+80, …: the merge must take turns across all 40.
    files.forEach((f, k) =>
      writeFileSync(
        f,
        timedArchive(
          Array.from({ length: 150 }, (_, i) => k + 40 * i),
          `m${k}`,
        ),
      ),
    );
    const merged = new MergedScan(files);
    let n = 0;
    let last = -Infinity;
    for (const r of merged.records()) {
      expect(r.time).toBeGreaterThanOrEqual(last);
      last = r.time;
      n++;
    }
    expect(n).toBe(40 * 150);
    expect(merged.maxHeld).toBeLessThanOrEqual(40);
    expect(merged.outcomes.every((o) => o.records === 150 && o.result?.bad === null)).toBe(true);
  });
});

describe('one damaged file among several', () => {
  const torn = at('torn.brk');
  const flipped = at('flipped.brk');
  let flippedAt = 0;
  beforeAll(() => {
    writeFileSync(torn, timedArchive([10, 12, 14], 'torn'));
    appendFileSync(torn, timedArchive([16], 'x').subarray(4096, 4096 + 20));
    const bytes = timedArchive([11, 13, 15, 17], 'flip');
    flippedAt = readArchive(bytes).records[2]?.offset ?? 0;
    bytes[flippedAt + 20] = (bytes[flippedAt + 20] ?? 0) ^ 0xff;
    writeFileSync(flipped, bytes);
  });

  it('cat: every record of the good files and those before the damage, the damaged file named with its offset, exit 1', async () => {
    const r = await run('cat', a, flipped, b, at('missing.brk'), '--json');
    expect(r.code).toBe(1);
    const got = urls(r.out);
    expect(got).toHaveLength(12 + 2);
    expect(got.filter((u) => u.startsWith('/flip/'))).toEqual(['/flip/0', '/flip/1']);
    expect(r.err.split('\n')).toEqual([
      `broker: ${flipped}: stopped at a bad frame at offset ${flippedAt} (frame checksum mismatch); 2 records before it are intact ('broker verify --repair' cuts the rest)`,
      `broker: ${at('missing.brk')}: no such file`,
      'broker: 2 of 4 archives had a problem (above); the others were read to their end',
    ]);
  });

  it('stats: each file and the total, text and --json; the damaged one flagged; exit 1', async () => {
    const text = await run('stats', a, torn, b);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(new RegExp(`^${a}: 6 requests, .*, intact$`, 'm'));
    expect(text.out).toMatch(new RegExp(`^${torn}: 3 requests, [^,]*$`, 'm'));
    expect(text.out).toMatch(/^total: 15 requests in 3 files, .*; 2 intact, 1 with a bad frame$/m);
    expect(text.err).toMatch(new RegExp(`^broker: ${torn}: bad frame at offset \\d+ \\(truncated frame: 20 of \\d+ bytes present`));
    const json = JSON.parse((await run('stats', a, torn, b, '--json')).out);
    expect(json.files.map((f: { file: string; requests: number; intact: boolean }) => [f.file, f.requests, f.intact])).toEqual([
      [a, 6, true],
      [torn, 3, false],
      [b, 6, true],
    ]);
    expect(json.total).toMatchObject({ files: 3, requests: 15, distinctPaths: 15, intact: false, bad: [{ file: torn, reason: expect.stringMatching(/^truncated frame/) }], unreadable: [] });
    expect(json.total.fileBytes).toBe(statSync(a).size + statSync(torn).size + statSync(b).size);
    expect(json.total.first).toBe(new Date(1_764_000_000_000).toISOString());
    // The same single-file report as `stats FILE` gives, inside files[].
    expect(json.files[0]).toEqual(JSON.parse((await run('stats', a, '--json')).out));
  });

  it('verify: a line per file and one of totals, exit 1; --repair repairs each bad file; then exit 0', async () => {
    const copyA = at('v-torn.brk');
    const copyB = at('v-flip.brk');
    writeFileSync(copyA, readFileSync(torn));
    writeFileSync(copyB, readFileSync(flipped));
    const r = await run('verify', a, copyA, copyB);
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      `${a}: intact, 6 records, ${statSync(a).size} bytes`,
      expect.stringMatching(new RegExp(`^${copyA}: bad frame at offset \\d+: truncated frame`)),
      expect.stringMatching(new RegExp(`^${copyB}: bad frame at offset ${flippedAt}: frame checksum mismatch; 2 records`)),
      '3 files: 1 intact, 2 with a bad frame',
    ]);
    const fixed = await run('verify', a, copyA, copyB, '--repair', '--json');
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.out)).toMatchObject({ intact: 1, repaired: 2, bad: 0, unreadable: 0, ok: true, files: [{ file: a }, { file: copyA, repaired: true }, { file: copyB, repaired: true, goodEnd: flippedAt }] });
    expect(statSync(copyB).size).toBe(flippedAt);
    expect((await run('verify', join(dir, 'v-*.brk'))).lines.at(-1)).toBe('2 files: 2 intact');
  });
});

describe('replay FILE...', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server.close());

  it('sends the files merged by time; a damaged one is named, the rest still sent, exit 1', async () => {
    seen.length = 0;
    const r = await run('replay', a, b, '--target', `http://127.0.0.1:${port}`, '--concurrency', '1', '--json');
    expect(r.code).toBe(0);
    expect(seen).toEqual(urls((await run('cat', a, b, '--json')).out));
    expect(JSON.parse(r.out).archive).toMatchObject({
      records: 12,
      bad: null,
      files: [
        { file: a, records: 6 },
        { file: b, records: 6 },
      ],
    });
    seen.length = 0;
    const bad = await run('replay', a, at('flipped.brk'), '--target', `http://127.0.0.1:${port}`, '--concurrency', '1');
    expect(bad.code).toBe(1);
    expect(seen).toHaveLength(8);
    expect(bad.err).toMatch(new RegExp(`^broker: ${at('flipped.brk')}: stopped at a bad frame at offset \\d+ \\(frame checksum mismatch\\); replayed the records before it$`));
  });

  it('a file that cannot be opened stops it before anything is sent, each one named', async () => {
    seen.length = 0;
    const r = await run('replay', a, at('missing.brk'), at('glob/other.brk'), '--target', `http://127.0.0.1:${port}`);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([`broker: ${at('missing.brk')}: no such file`, `broker: ${at('glob/other.brk')}: truncated header: 0 of 16 bytes`, 'broker: 2 of 3 archives cannot be read; nothing was sent']);
    expect(seen).toEqual([]);
    // --json answers too: nothing sent, each unreadable file with its reason.
    const json = await run('replay', a, at('missing.brk'), '--target', `http://127.0.0.1:${port}`, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({ target: `http://127.0.0.1:${port}/`, sent: 0, unreadable: [{ file: at('missing.brk'), error: 'no such file' }] });
    expect(seen).toEqual([]);
  });

  it('leaves no archive open: the check that opens each file first closes it again', async () => {
    // The archives this process holds open (replay runs in-process here): readlink of each descriptor.
    const openArchives = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
        } catch {
          return false; // closed meanwhile
        }
      }).length;
    const before = openArchives();
    const r = await run('replay', a, b, '--target', `http://127.0.0.1:${port}`, '--concurrency', '1');
    expect(r.code).toBe(0);
    expect(openArchives()).toBe(before);
  });
});

describe('two real recorders', () => {
  it('their archives, written at the same time, read as one in time order', async () => {
    const one = at('rec-1.brk');
    const two = at('rec-2.brk');
    const [r1, r2] = await Promise.all([startRecorder(['--out', one]), startRecorder(['--out', two])]);
    const [k1, k2] = [keepAlive(), keepAlive()];
    for (let i = 0; i < 10; i++) {
      await post(r1.port, `/one/${i}`, 'x', k1);
      await post(r2.port, `/two/${i}`, 'y', k2);
    }
    k1.destroy();
    k2.destroy();
    for (const r of [r1, r2]) {
      r.child.kill('SIGTERM');
      expect((await r.exited).code).toBe(0);
    }
    const cat = await runBroker(['cat', join(dir, 'rec-*.brk'), '--json']);
    expect(cat.code).toBe(0);
    const records = cat.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    // Sent alternately, one at a time: the merge by time gives them back in the order they were sent.
    expect(records.map((r) => r.url)).toEqual(Array.from({ length: 10 }, (_, i) => [`/one/${i}`, `/two/${i}`]).flat());
    expect(new Set(records.map((r) => r.file))).toEqual(new Set([one, two]));
    const stats = JSON.parse((await runBroker(['stats', one, two, '--json'])).stdout);
    expect(stats.total).toMatchObject({ files: 2, requests: 20, intact: true });
  }, 60_000);
});
