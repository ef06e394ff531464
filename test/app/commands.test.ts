// cat, stats, verify and replay in-process through runCli, plus --help and usage errors for every command.

import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressBody, zstdMissing } from '../../src/archive/codec.ts';
import { Codec, encodeHeader, HEADER_SIZE } from '../../src/archive/format.ts';
import { readArchive } from '../../src/archive/reader.ts';
import { encodeRequestFrame, recordPayloadSize } from '../../src/archive/record.ts';
import { repoRoot } from '../fixtures/context.ts';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { archiveBytes, paddingAfter, sampleRecord } from './archive-fixtures.ts';
import { usageCases } from './faults/usage.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const archive = join(dir, 'ten.brk');
writeFileSync(archive, archiveBytes(10));
// Node's HTTP parser answers 400 to non-ASCII URL bytes, so the archives replayed to it have ASCII URLs.
const ascii = join(dir, 'ascii.brk');
writeFileSync(
  ascii,
  archiveBytes(10, Codec.none, undefined, (i) => `/items/${i}?q=cafe`),
);
const gz = join(dir, 'gz.brk');
writeFileSync(
  gz,
  archiveBytes(6, Codec.gzip, (i) => Buffer.from(`{"i":${i},"pad":"${'z'.repeat(200)}"}`)),
);
const gzAscii = join(dir, 'gz-ascii.brk');
writeFileSync(
  gzAscii,
  archiveBytes(
    6,
    Codec.gzip,
    (i) => Buffer.from(`{"i":${i},"pad":"${'z'.repeat(200)}"}`),
    (i) => `/gz/${i}`,
  ),
);
// Three gzip records, the second's body not gzip at all: its frame's checksum is good, its body is not (only a
// faulty writer makes one). The intact data ends where that frame starts.
const badGzipFrames = [0, 1, 2].map((i) => {
  const r = { ...sampleRecord(i, i === 1 ? Buffer.from('not gzip at all') : compressBody(Codec.gzip, Buffer.from(`body ${i}`))), url: `/bad/${i}` };
  const b = Buffer.alloc(12 + recordPayloadSize(r));
  encodeRequestFrame(b, 0, r, Codec.gzip);
  return b;
});
const badGzipBytes = Buffer.concat([Buffer.from(encodeHeader()), paddingAfter(HEADER_SIZE), ...badGzipFrames]);
const badGzipAt = badGzipBytes.length - badGzipFrames[2]!.length - badGzipFrames[1]!.length;
const badGzip = join(dir, 'badgzip.brk');
writeFileSync(badGzip, badGzipBytes);

/** An archive of one zstd record (its bytes are never inflated: the tests that use it run where zstd is missing). */
function zstdArchive(): string {
  const z = join(dir, 'zstd-unchecked.brk');
  const r = sampleRecord(0, Buffer.from('zstd bytes'));
  const frame = Buffer.alloc(12 + recordPayloadSize(r));
  encodeRequestFrame(frame, 0, r, Codec.zstd);
  writeFileSync(z, Buffer.concat([Buffer.from(encodeHeader()), paddingAfter(HEADER_SIZE), frame]));
  return z;
}

describe('--help and usage errors', () => {
  for (const name of ['record', 'replay', 'cat', 'stats', 'verify']) {
    it(`${name} --help prints its usage and exits 0`, async () => {
      const r = await run(name, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: broker ${name}`));
    });
  }

  it('top-level help lists every command', async () => {
    const r = await run('--help');
    for (const name of ['record', 'replay', 'cat', 'stats', 'verify', 'version']) expect(r.out).toMatch(new RegExp(`^\\s+${name}\\s`, 'm'));
  });

  const cases: [string[], RegExp][] = [
    [['record', '--status', '99'], /^broker: --status must be an integer from 200 to 599, got '99'/],
    [['record', '--listen', 'nowhere'], /^broker: --listen must be HOST:PORT .* got 'nowhere'/],
    [['record', '--compress', 'zip'], /^broker: --compress must be gzip, brotli, zstd or none, got 'zip'/],
    [['record', '--compress', 'gzip'], /^broker: --compress gzip needs --out FILE: without it nothing is written/],
    [['record', '--sample', '1.5'], /^broker: --sample must be a number from 0 to 1, got '1.5'/],
    [['record', '--max-body', 'lots'], /^broker: --max-body must be a size .* got 'lots'/],
    [['record', '--max-body', '-1'], /^broker: --max-body takes a value, and the word after it starts with '-': write --max-body=VALUE if that is its value \(see 'broker record --help'\)$/],
    [['record', '--max-body=-1'], /^broker: --max-body must be a size from 0 B .* got '-1'/],
    [['record', '--max-body'], /^broker: --max-body needs a value \(see 'broker record --help'\)$/],
    [['record', '--workers', '0'], /^broker: --workers must be an integer from 1 to 64, got '0'/],
    [['record', '--listen', 'example.com:80'], /^broker: --listen must be HOST:PORT .* got 'example\.com:80'/],
    [['record', '--flush-ms', '0'], /^broker: --flush-ms must be a duration from 1 ms to 60 s .* got '0'/],
    [['record', '--ack', 'later'], /^broker: --ack must be immediate or written, got 'later'/],
    [['record', '--ack', 'written'], /^broker: --ack written needs --out FILE: without it nothing is written/],
    [['record', '--out', 'x.brk', '--fsync', 'often'], /^broker: --fsync must be never, batch or a duration \(10ms, 1s\), got 'often'/],
    [['record', '--out', 'x.brk', '--fsync', '0'], /^broker: --fsync must be a duration from 1 ms to 1 h .* got '0'/],
    [['record', '--fsync', 'batch'], /^broker: --fsync batch needs --out FILE/],
    [['record', '--rotate', '1GiB'], /^broker: --rotate 1GiB needs --out FILE: without it nothing is written/],
    [['record', '--flush-bytes', '64KiB'], /^broker: --flush-bytes 64KiB needs --out FILE/],
    [['record', '--flush-ms', '10'], /^broker: --flush-ms 10 needs --out FILE/],
    [['record', '--request-timeout', '50'], /^broker: --request-timeout must be a duration from 100 ms to 1 h .* got '50'/],
    [['record', '--request-timeout', '5s', '--header-timeout', '10s'], /^broker: --request-timeout 5s is shorter than --header-timeout \(10000 ms\)/],
    [['record', '--sample', '0.5'], /^broker: --sample 0\.5 needs --out FILE: without it nothing is written/],
    [['record', '--bogus'], /^broker: unknown option '--bogus' for 'record'; its options are --listen, --out, /],
    [['replay', archive], /^broker: replay needs --target URL/],
    [['replay', archive, '--target', 'ftp://x'], /^broker: --target must be http or https, got 'ftp:\/\/x'/],
    // Only the origin and a base path are used: these were dropped unseen.
    [['replay', archive, '--target', 'http://127.0.0.1:1/pre/?tok=1'], /^broker: --target must be an origin and an optional base path, without query, fragment or user:password .* got 'http:\/\/127\.0\.0\.1:1\/pre\/\?tok=1'/],
    [['replay', archive, '--target', 'http://u:p@127.0.0.1:1'], /^broker: --target must be an origin and an optional base path, without query/],
    [['replay', archive, '--target', 'http://127.0.0.1:1', '--rate', 'fast'], /^broker: --rate must be a positive number .* got 'fast'/],
    [['replay', archive, '--target', 'http://127.0.0.1:1', '--concurrency', '0'], /^broker: --concurrency must be an integer from 1/],
    [['replay', archive, '--target', 'http://127.0.0.1:1', '--timeout', '5 s'], /^broker: --timeout must be a duration from 1 ms to 1 h .* got '5 s' \(see 'broker replay --help'\)$/],
    [['cat'], /^broker: cat needs an archive FILE/],
    // Several FILEs are read as one (test/app/multi-archive.test.ts); a glob that matches nothing is the usage error.
    [['cat', archive, 'extra*'], /^broker: FILE 'extra\*' matches no file; FILE is an archive's path or a glob of them .* \(see 'broker cat --help'\)$/],
    [['cat', archive, '--filter', 'colour=red'], /^broker: bad --filter: unknown field 'colour'/],
    [['cat', archive, '--filter', 'size~big'], /^broker: bad --filter: 'size' compares with/],
    [['cat', archive, '--filter', 'path~(('], /^broker: bad --filter: bad regular expression '\(\('/],
    [['verify'], /^broker: verify needs an archive FILE/],
  ];
  for (const [argv, message] of cases) {
    it(`${argv.map((a) => (a === archive ? 'FILE' : a)).join(' ')} → exit 2 naming the problem`, async () => {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    });
  }
  // The one a dist artifact is checked on too (faults/usage.ts, test/build/faults-artifact.test.ts).
  usageCases(run);
});

describe('cat', () => {
  it('prints each request: first line, headers, body', async () => {
    const r = await run('cat', archive);
    expect(r.code).toBe(0);
    expect(r.out.match(/^\S+Z \S+ (GET|POST) \/items\/\d+\?q=caf\u00e9$/gm)).toHaveLength(10);
    expect(r.out).toContain('  X-Seq: 3');
    expect(r.out).toContain('    body #6 body #6');
  });

  it('shows a URL and header values a client sent in UTF-8 decoded (they read JosÃ© before); --json keeps the stored characters, a byte each', async () => {
    // As Node's parser gives them, and the recorder stores them: each byte one character.
    const asReceived = (t: string) => Buffer.from(t, 'utf8').toString('latin1');
    const r = { ...sampleRecord(0), url: asReceived('/café?name=José'), rawHeaders: ['Host', 'example.test', 'X-Name', asReceived('José'), 'X-Latin1', 'caf\u00e9'] };
    const frame = Buffer.alloc(12 + recordPayloadSize(r));
    encodeRequestFrame(frame, 0, r, Codec.none);
    const f = join(dir, 'utf8-text.brk');
    writeFileSync(f, Buffer.concat([Buffer.from(encodeHeader()), paddingAfter(HEADER_SIZE), frame]));
    const text = await run('cat', f);
    expect(text.out).toMatch(/ GET \/café\?name=José$/m);
    expect(text.out).toContain('  X-Name: José\n');
    // Not valid UTF-8 (one byte E9): shown as it is stored.
    expect(text.out).toContain('  X-Latin1: caf\u00e9\n');
    const [json] = (await run('cat', f, '--json')).lines.map((l) => JSON.parse(l));
    expect(json).toMatchObject({ url: asReceived('/café?name=José'), headers: expect.arrayContaining([['X-Name', asReceived('José')]]) });
  });

  it('--json is one object per line; gzip bodies come out decompressed', async () => {
    const r = await run('cat', gz, '--json');
    const lines = r.out.split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(Buffer.from(lines[2].body, 'base64').toString()).toBe(`{"i":2,"pad":"${'z'.repeat(200)}"}`);
    expect(lines[2]).toMatchObject({ method: 'POST', url: '/items/2?q=caf\u00e9', bodySize: 216, peer: { port: 40002 } });
  });

  it('--filter selects by method, path regex, header and size', async () => {
    const urls = async (expr: string) =>
      (await run('cat', archive, '--json', '--filter', expr)).out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).url.split('?')[0]);
    expect(await urls('method=GET')).toEqual(['/items/0', '/items/3', '/items/6', '/items/9']);
    expect(await urls('method=post && path~/items/[12]$')).toEqual(['/items/1', '/items/2']);
    expect(await urls('header.x-seq=7')).toEqual(['/items/7']);
    expect(await urls('size>40')).toEqual(['/items/6']);
    expect(await urls('peer!=127.0.0.1 && size<=0')).toEqual(['/items/0']);
  });

  it('a torn tail: prints the intact records, then says where it stopped, exit 1', async () => {
    const f = join(dir, 'cat-torn.brk');
    writeFileSync(f, archiveBytes(5));
    appendFileSync(f, archiveBytes(1).subarray(16, 30));
    const r = await run('cat', f, '--json');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toHaveLength(5);
    expect(r.err).toMatch(/stopped at a bad frame at offset \d+ \(truncated frame: 14 of \d+ bytes present.*\); 5 records before it are intact/);
    const s = await run('stats', f, '--json');
    expect(s.code).toBe(1);
    expect(JSON.parse(s.out)).toMatchObject({ requests: 5, intact: false, bad: { reason: expect.stringMatching(/truncated/) } });
  });

  it('a file that is not an archive is exit 1 with one line', async () => {
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'hello');
    expect(await run('cat', junk)).toMatchObject({ code: 1, err: `broker: ${junk}: not a broker archive (bad magic)` });
    expect(await run('cat', join(dir, 'missing.brk'))).toMatchObject({ code: 1, err: expect.stringMatching(/no such file$/) });
  });

  it('an archive on a pipe (`cat <(…)`, /dev/stdin) is exit 1 saying it must be a file, not ESPIPE: invalid seek', async () => {
    const fifo = join(dir, 'archive.fifo');
    spawnSync('mkfifo', [fifo]);
    for (const command of ['cat', 'stats', 'verify']) {
      // A writer on the other end, as a shell's process substitution gives.
      const writer = spawn('sh', ['-c', `cat '${archive}' > '${fifo}'`], { detached: true });
      const r = await run(command, fifo);
      // The shell and its cat, which may still be blocked on the FIFO.
      process.kill(-(writer.pid as number), 'SIGKILL');
      expect(r, command).toMatchObject({ code: 1, err: `broker: ${fifo}: is a pipe or a terminal, not a file: an archive is read by offset; save it to a file first` });
    }
    // No writer at all: open() itself waited for one, forever.
    for (const command of ['cat', 'stats', 'verify']) {
      expect(await run(command, fifo), command).toMatchObject({ code: 1, err: `broker: ${fifo}: is a pipe or a terminal, not a file: an archive is read by offset; save it to a file first` });
    }
  });
});

describe('stats', () => {
  it('counts requests, methods, paths, bodies and says the archive is intact', async () => {
    const r = await run('stats', gz, '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({ requests: 6, methods: { POST: 4, GET: 2 }, distinctPaths: 6, peers: 2, intact: true, bad: null, codecs: { gzip: 6 } });
    expect(s.body.bytes).toBeGreaterThan(s.body.storedBytes);
    expect((await run('stats', archive)).out).toMatch(/10 requests, .* block padding\), intact/);
    // The fixture lays batches out as the recorder's direct I/O does: the padding is counted, not read as records.
    const padded = JSON.parse((await run('stats', archive, '--json')).out);
    expect(padded.paddingBytes).toBe(readArchive(readFileSync(archive)).padding);
    expect(padded.paddingBytes).toBeGreaterThan(0);
    // Ten records 1 ms apart: 1,000 a second over their 9 ms (count ÷ span said 1,111.1).
    expect(padded).toMatchObject({ requests: 10, spanSeconds: 0.009, requestsPerSecond: 1000 });
  });

  it('a frame whose body its codec rejects is a bad frame to stats and cat: the records before it read, as verify says, filtered or not, alone or beside other files', async () => {
    const stopped = new RegExp(`^broker: ${badGzip}: stopped at a bad frame at offset ${badGzipAt} \\(cannot decompress gzip body: .*\\); 1 records before it are intact`, 'm');
    const stats = await run('stats', badGzip, '--json');
    expect(stats.code).toBe(1);
    expect(JSON.parse(stats.out)).toMatchObject({ requests: 1, intact: false, bad: { offset: badGzipAt, reason: expect.stringMatching(/^cannot decompress gzip body/) } });
    expect(stats.err).toMatch(new RegExp(`bad frame at offset ${badGzipAt} .*counted the 1 records before it`));
    const total = JSON.parse((await run('stats', badGzip, archive, '--json')).out).total;
    expect(total).toMatchObject({ requests: 11, bad: [{ file: badGzip, offset: badGzipAt }] });

    const cat = await run('cat', badGzip);
    expect(cat).toMatchObject({ code: 1, err: expect.stringMatching(stopped) });
    expect(cat.out).toMatch(/ GET \/bad\/0\n/);
    expect(cat.out).not.toMatch(/\/bad\/[12]/);
    // The record past the bad frame would match the filter: the read still ends where the intact data does.
    expect(await run('cat', badGzip, '--filter', 'path=/bad/2')).toMatchObject({ code: 1, out: '', err: expect.stringMatching(stopped) });
    const both = await run('cat', badGzip, archive, '--json');
    expect(both.code).toBe(1);
    expect(both.err).toMatch(stopped);
    // By time, equal times in argument order: bad/0 goes first (its time is the other file's first).
    expect(both.lines.map((l) => JSON.parse(l).file)).toEqual([badGzip, ...Array(10).fill(archive)]);
  });
});

describe('verify', () => {
  it('an intact archive: exit 0', async () => {
    expect(await run('verify', archive)).toMatchObject({ code: 0, out: expect.stringMatching(/intact, 10 records/) });
  });

  it('garbage after the last good frame: exit 1 with its offset; --repair truncates to it', async () => {
    const f = join(dir, 'torn.brk');
    const good = archiveBytes(8);
    writeFileSync(f, good);
    appendFileSync(f, archiveBytes(3).subarray(16, 60)); // a torn frame, as a cut write leaves
    const before = await run('verify', f, '--json');
    expect(before.code).toBe(1);
    expect(JSON.parse(before.out)).toMatchObject({ records: 8, goodEnd: good.length, bad: { offset: good.length, reason: expect.stringMatching(/truncated frame/) }, repaired: false });
    const fixed = await run('verify', f, '--repair');
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(/repaired: cut 44 bytes/);
    expect(statSync(f).size).toBe(good.length);
    expect(readFileSync(f).equals(good)).toBe(true);
    expect((await run('verify', f)).code).toBe(0);
  });

  it('a corrupted frame in the middle: --repair keeps the frames before it', async () => {
    const f = join(dir, 'flipped.brk');
    const bytes = archiveBytes(10);
    const offsets = readArchive(bytes).records.map((r) => r.offset);
    bytes[offsets[4]! + 20]! ^= 0xff;
    writeFileSync(f, bytes);
    expect((await run('verify', f)).out).toMatch(new RegExp(`bad frame at offset ${offsets[4]}: frame checksum mismatch; 4 records`));
    expect((await run('verify', f, '--repair')).code).toBe(0);
    expect(readArchive(readFileSync(f))).toMatchObject({ bad: null, records: { length: 4 } });
  });

  it("a frame whose body its codec rejects: the size and the bytes cut are the file's (the scan had no result there)", async () => {
    const f = join(dir, 'badgzip-repair.brk');
    writeFileSync(f, badGzipBytes);
    const [bytes, at] = [badGzipBytes, badGzipAt];
    const report = JSON.parse((await run('verify', f, '--json')).out);
    expect(report).toMatchObject({ size: bytes.length, records: 1, goodEnd: at, bad: { offset: at } });
    const fixed = await run('verify', f, '--repair');
    expect(fixed.out).toMatch(new RegExp(`repaired: cut ${bytes.length - at} bytes at offset ${at} `));
    expect(statSync(f).size).toBe(at);
  });

  it.skipIf(zstdMissing() === null)(`several files, one with zstd bodies this runtime cannot check: counted as such in the totals, exit 1${zstdMissing() === null ? ' (skipped: this runtime has zstd)' : ''}`, async () => {
    const z = zstdArchive();
    const both = await run('verify', archive, z);
    expect(both.code).toBe(1);
    expect(both.lines.at(-1)).toBe('2 files: 1 intact, 1 with zstd bodies not checked');
    expect(JSON.parse((await run('verify', archive, z, '--json')).out)).toMatchObject({ intact: 1, bad: 0, unchecked: 1, unreadable: 0, ok: false });
    // stats says it as verify does: it called the file intact (a helper's hunt).
    const stats = await run('stats', archive, z);
    expect(stats.code).toBe(1);
    expect(stats.out).toMatch(new RegExp(`^${z}: 1 requests, .*, 1 bodies not checked$`, 'm'));
    expect(stats.out).toMatch(/^total: 11 requests in 2 files, .*; 1 intact, 1 with bodies not checked$/m);
  });

  it.skipIf(zstdMissing() === null)(
    `a --filter term on a zstd body this runtime cannot inflate stops cat and replay, naming the file and offset; other terms read on${zstdMissing() === null ? ' (skipped: this runtime has zstd)' : ''}`,
    async () => {
      const z = zstdArchive();
      const needs = new RegExp(`^${z}: --filter needs the body of the record at offset ${HEADER_SIZE + paddingAfter(HEADER_SIZE).length}, and cannot decompress zstd body: .*Node 22\\.15`);
      await expect(run('cat', z, '--filter', 'size>1')).rejects.toThrow(needs);
      await expect(run('cat', archive, z, '--filter', 'body~zstd')).rejects.toThrow(needs);
      // replay reports what it had sent first (nothing here: the first record's body), then the cause.
      const replayed = await run('replay', z, '--target', 'http://127.0.0.1:1', '--filter', 'size>1');
      expect(replayed.code).toBe(1);
      expect(replayed.out).toMatch(/^broker replay: 0 requests to http:\/\/127\.0\.0\.1:1\//);
      expect(replayed.err.replace(/^broker: /, '')).toMatch(new RegExp(`${needs.source}.*; stopped there, after sending 0 requests$`));
      expect(await run('cat', z, '--filter', 'method=GET')).toMatchObject({ code: 1, err: expect.stringMatching(/1 record printed without its body/) });
    },
  );

  const asNobody = process.getuid?.() === 0 && spawnSync('setpriv', ['--help']).status === 0;
  it.skipIf(!asNobody)(`--repair of a file it cannot write says what it found and why it cut nothing, and repairs the other files${asNobody ? '' : ' (skipped: needs root and setpriv to run as another user)'}`, () => {
    const place = mkdtempSync(join(tmpdir(), 'broker-ro-'));
    chmodSync(place, 0o755);
    const [ro, rw] = [join(place, 'ro.brk'), join(place, 'rw.brk')];
    for (const f of [ro, rw]) writeFileSync(f, badGzipBytes);
    chmodSync(ro, 0o444);
    chmodSync(rw, 0o666);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', join(repoRoot, 'src/main.ts'), 'verify', '--repair', ro, rw], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      `${ro}: bad frame at offset ${badGzipAt}: cannot decompress gzip body: incorrect header check; 1 records before it are intact; not repaired: it cannot be cut: EACCES (make it writable, or copy it and repair the copy)`,
    );
    expect(r.stdout).toMatch(new RegExp(`${rw}: repaired: cut `));
    expect([statSync(ro).size, statSync(rw).size]).toEqual([badGzipBytes.length, badGzipAt]);
    rmSync(place, { recursive: true, force: true });
  });

  it('--json answers for a single unreadable file too, as several files give one ({ file, error })', async () => {
    const zero = join(dir, 'zero.brk');
    writeFileSync(zero, '');
    for (const command of ['verify', 'stats']) {
      const r = await run(command, zero, '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out)).toEqual({ file: zero, error: 'truncated header: 0 of 16 bytes' });
    }
  });

  it('a file whose header is unreadable cannot be repaired: exit 1, untouched', async () => {
    const f = join(dir, 'notours.brk');
    writeFileSync(f, 'GIF89a not an archive');
    const r = await run('verify', f, '--repair');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a broker archive .*nothing to repair/);
    expect(readFileSync(f, 'utf8')).toBe('GIF89a not an archive');
  });
});

describe('replay', () => {
  const ANSWER_MS = 20;
  let server: Server;
  let port: number;
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
        // Each answer waits ANSWER_MS, so the latencies replay reports have a floor it cannot report under.
        setTimeout(() => res.writeHead(req.url!.includes('/items/5') ? 503 : 200).end('ok'), ANSWER_MS);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server.close());

  it('sends every recorded request (method, URL, headers, body) and reports statuses and latency', async () => {
    seen.length = 0;
    const r = await run('replay', ascii, '--target', `http://127.0.0.1:${port}`, '--concurrency', '1', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ sent: 10, responses: 10, statuses: { 200: 9, 503: 1 }, errors: {} });
    // Every request waited ANSWER_MS at the target (a timer fires no earlier; 1 ms for the histogram's rounding).
    expect(report.latencyMs.p50).toBeGreaterThanOrEqual(ANSWER_MS - 1);
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(ANSWER_MS - 1);
    expect(seen.map((s) => s.url)).toEqual(Array.from({ length: 10 }, (_, i) => `/items/${i}?q=cafe`));
    expect(seen[3]).toMatchObject({ method: 'GET', body: 'body #3 '.repeat(3) });
    expect(seen[3]!.headers['x-seq']).toBe('3');
    expect(seen[3]!.headers['x-dup']).toBe('a, b');
  });

  it('--loop, --filter and --rate change what is sent, not whether it arrives', async () => {
    seen.length = 0;
    const r = await run('replay', ascii, '--target', `http://127.0.0.1:${port}/prefix/`, '--loop', '3', '--filter', 'method=GET', '--rate', '1000/s', '--json');
    expect(JSON.parse(r.out)).toMatchObject({ sent: 12, responses: 12 });
    // The 4 GETs (items 0, 3, 6, 9), each sent 3 times, under the target's path; nothing else arrived.
    const expected = [0, 3, 6, 9].flatMap((i) => Array(3).fill(`GET /prefix/items/${i}?q=cafe`));
    expect(seen.map((s) => `${s.method} ${s.url}`).sort()).toEqual(expected.sort());
  });

  it('compressed bodies are sent as they were received', async () => {
    seen.length = 0;
    await run('replay', gzAscii, '--target', `http://127.0.0.1:${port}`, '--concurrency', '1');
    expect(seen[4]!.body).toBe(`{"i":4,"pad":"${'z'.repeat(200)}"}`);
  });

  it('a target that is down: every request counted as an error, exit 1, no crash', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const r = await run('replay', ascii, '--target', `http://127.0.0.1:${deadPort}`, '--loop', '5', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ sent: 50, responses: 0, errors: { ECONNREFUSED: 50 }, latencyMs: null });
    const text = await run('replay', ascii, '--target', `http://127.0.0.1:${deadPort}`);
    expect(text.out).toMatch(/errors: ECONNREFUSED ×10/);
  });

  it("a record whose target is not a path: absolute-form goes by its path and query, '*' is counted and not sent (it hung the replay), whatever the concurrency", async () => {
    const f = join(dir, 'targets.brk');
    // Absolute-form as the client wrote it: its dot segments and encoding kept (a URL parser sent /p for the third).
    const urls = ['/a', '*', 'http://other.example/abs?x=1', 'http://other.example:8080/abs/../p?q=%7e', 'HTTP://other.example?only=query#frag', '/b'];
    writeFileSync(
      f,
      archiveBytes(urls.length, Codec.none, undefined, (i) => urls[i] as string),
    );
    for (const concurrency of ['1', '2']) {
      seen.length = 0;
      const r = await run('replay', f, '--target', `http://127.0.0.1:${port}`, '--concurrency', concurrency, '--timeout', '5s', '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out)).toMatchObject({ sent: 5, responses: 5, errors: { URL_NOT_A_PATH: 1 } });
      expect(seen.map((s) => s.url).sort()).toEqual(['/?only=query', '/a', '/abs/../p?q=%7e', '/abs?x=1', '/b']);
    }
  });

  it('a frame whose body its codec rejects ends the replay of its file there, as a bad frame; other files replay to their end', async () => {
    seen.length = 0;
    const one = await run('replay', badGzip, '--target', `http://127.0.0.1:${port}`, '--json');
    expect(one.code).toBe(1);
    expect(JSON.parse(one.out)).toMatchObject({ sent: 1, responses: 1, errors: {}, archive: { records: 1, bad: { offset: badGzipAt } } });
    expect(seen.map((s) => `${s.url} ${s.body}`)).toEqual(['/bad/0 body 0']);
    expect(one.err).toMatch(new RegExp(`^broker: ${badGzip}: stopped at a bad frame at offset ${badGzipAt} \\(cannot decompress gzip body`, 'm'));
    const both = JSON.parse((await run('replay', badGzip, ascii, '--target', `http://127.0.0.1:${port}`, '--json')).out);
    expect(both).toMatchObject({
      sent: 11,
      archive: {
        records: 11,
        bad: { file: badGzip, offset: badGzipAt },
        files: [
          { file: badGzip, records: 1 },
          { file: ascii, records: 10, bad: null },
        ],
      },
    });
  });
});
