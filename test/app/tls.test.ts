// HTTPS capture (issue 27): record --tls-cert/--tls-key and --tls-self-signed, on this host's Node and on the
// pinned official Node 22 runtime (the one the dist artifact carries), with and without --workers. What the
// archive keeps of TLS (flag and SNI), cat --filter tls=/sni=, replay --tls-target, bad certificates (exit 2
// before listening), an HTTP/2-only client (refused in the handshake, with a log line), and handshakes that
// stall, carry garbage or are dropped (other connections are served all the while).
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type RequestOptions, request } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArchive } from '../../src/archive/reader.ts';
import { parseFilter } from '../../src/filter.ts';
import { runBrokerCli as run } from '../fixtures/run-cli.ts';
import { nodeFor, PROCESS_RUNTIMES, runtimeNeed, runtimeTitle } from '../fixtures/runtime.ts';
import { describeWhen } from '../fixtures/skip.ts';
import { archiveBytes, sampleRecord } from './archive-fixtures.ts';
import { type BrokerBin, runBroker, startRecorder } from './broker-process.ts';
import { scratchDir } from './fault-scratch.ts';
import { type CertFiles, certFiles } from './tls-fixtures.ts';

// Removed, with any broker left running and the test bundle, after the file.
const dir = scratchDir('tls');
let n = 0;
const file = () => join(dir, `t${n++}.brk`);

let good: CertFiles;
let other: CertFiles;
let expired: CertFiles;
let future: CertFiles;
beforeAll(async () => {
  good = await certFiles(dir, 'good');
  other = await certFiles(dir, 'other');
  expired = await certFiles(dir, 'expired', { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2021-01-01T00:00:00Z') });
  future = await certFiles(dir, 'future', { from: new Date('2099-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') });
});

interface HttpsAnswer {
  status: number;
  alpn: string | false | null;
  fingerprint256: string;
}

/** One HTTPS POST on a fresh connection; `ca` pins the certificate, else any is taken (and its fingerprint returned). */
function httpsPost(port: number, path: string, body: string, o: { servername?: string; ca?: string; alpn?: string[] } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    // ALPNProtocols goes on to tls.connect (Node's types leave it out of https.request's options).
    const options: RequestOptions & { ALPNProtocols?: string[] } = { host: '127.0.0.1', port, path, method: 'POST', agent: false, servername: o.servername, ca: o.ca, rejectUnauthorized: o.ca !== undefined, ALPNProtocols: o.alpn };
    const req = request(options, (res: IncomingMessage) => {
      const socket = res.socket as TLSSocket;
      const answer = { status: res.statusCode ?? 0, alpn: socket.alpnProtocol, fingerprint256: socket.getPeerCertificate().fingerprint256 };
      res.resume();
      res.on('end', () => resolve(answer));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function stop(r: Awaited<ReturnType<typeof startRecorder>>) {
  r.child.kill('SIGTERM');
  const { code } = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

describe('bad certificate or key: exit 2 naming the file and the problem, before anything listens', () => {
  const see = "(see 'broker record --help')";
  it('each problem has its message', async () => {
    const notPem = join(dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello\n');
    const cases: [string[], string][] = [
      [['--tls-cert', join(dir, 'missing.crt'), '--tls-key', good.key], `--tls-cert ${join(dir, 'missing.crt')}: cannot read it: no such file (it must be a readable PEM file) ${see}`],
      [['--tls-cert', good.cert, '--tls-key', join(dir, 'missing.key')], `--tls-key ${join(dir, 'missing.key')}: cannot read it: no such file (it must be a readable PEM file) ${see}`],
      [['--tls-cert', notPem, '--tls-key', good.key], `--tls-cert ${notPem}: not a PEM certificate (no BEGIN CERTIFICATE block) ${see}`],
      [['--tls-cert', good.key, '--tls-key', good.key], `--tls-cert ${good.key}: not a PEM certificate (no BEGIN CERTIFICATE block) ${see}`],
      [['--tls-cert', good.cert, '--tls-key', good.cert], `--tls-key ${good.cert}: not a PEM private key (no BEGIN PRIVATE KEY block) ${see}`],
      [['--tls-cert', good.cert, '--tls-key', other.key], `--tls-key ${other.key} does not match the certificate in ${good.cert} (it is the private key of another certificate) ${see}`],
      [['--tls-cert', expired.cert, '--tls-key', expired.key], `--tls-cert ${expired.cert}: the certificate expired on 2021-01-01T00:00:00.000Z ${see}`],
      [['--tls-cert', future.cert, '--tls-key', future.key], `--tls-cert ${future.cert}: the certificate is not valid until 2099-01-01T00:00:00.000Z ${see}`],
      [['--tls-cert', good.cert], `--tls-cert needs --tls-key FILE, its private key ${see}`],
      [['--tls-key', good.key], `--tls-key needs --tls-cert FILE, the certificate it belongs to ${see}`],
      [['--tls-self-signed', '--tls-cert', good.cert, '--tls-key', good.key], `--tls-self-signed makes its own certificate: give it alone, or --tls-cert and --tls-key instead ${see}`],
    ];
    for (const [args, message] of cases) {
      const r = await run('record', ...args);
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 2, err: `broker: ${message}` });
    }
  });

  it('as a process: exit 2, no listening line, no archive created (also with --workers)', async () => {
    for (const workers of [[], ['--workers', '2']]) {
      const out = file();
      const r = await runBroker(['record', '--listen', '127.0.0.1:0', '--out', out, '--tls-cert', expired.cert, '--tls-key', expired.key, ...workers]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the certificate expired on 2021-01-01/);
      expect(r.stderr).not.toMatch(/listening/);
      expect(() => readFileSync(out)).toThrow(/ENOENT/);
    }
  });
});

describe('cat --filter tls= and sni=', () => {
  const plain = { ...sampleRecord(1), tls: false, sni: '', peer: { address: '', port: 0 }, headers: [], body: new Uint8Array(), codec: 0 };
  const over = (sni: string) => ({ ...plain, tls: true, sni });
  // Each record with its (empty) body, as a reader calls the filter.
  const filter = (expr: string) => {
    const keep = parseFilter(expr);
    return (r: typeof plain) => keep(r, r.body);
  };
  it('tls=1 / tls=0 / sni=NAME / sni~RE select as said; a plain request has no SNI', () => {
    expect([plain, over('a.test'), over('')].map(filter('tls=1'))).toEqual([false, true, true]);
    expect([plain, over('a.test')].map(filter('tls=0'))).toEqual([true, false]);
    expect([plain, over('a.test')].map(filter('tls!=1'))).toEqual([true, false]);
    expect([plain, over('a.test'), over('b.test')].map(filter('sni=a.test'))).toEqual([false, true, false]);
    expect([plain, over('a.test'), over('b.test')].map(filter('sni~^[ab]\\.'))).toEqual([false, true, true]);
    expect([plain, over('a.test')].map(filter('sni!=a.test'))).toEqual([true, false]);
    // A missing field matches no regular expression: !~ selects it, as != does.
    expect([plain, over('a.test'), over('b.test')].map(filter('sni!~^a\\.'))).toEqual([true, false, true]);
    expect([plain, over('a.test')].map(filter('header.x-none!~.'))).toEqual([true, true]);
    expect([plain, over('a.test')].map(filter('header.x-none~.'))).toEqual([false, false]);
  });
  it('a tls term that is not 0 or 1, or compared otherwise, is a usage error', async () => {
    const a = join(dir, 'plain.brk');
    writeFileSync(a, archiveBytes(1));
    expect((await run('cat', a, '--filter', 'tls=yes')).err).toBe("broker: bad --filter: 'yes' is not a value of tls: 1 (came over TLS) or 0 in 'tls=yes' (see 'broker cat --help')");
    expect((await run('cat', a, '--filter', 'tls~1')).code).toBe(2);
  });
});

describe('replay --tls-target keeps the scheme apart', () => {
  it('requests recorded over TLS go to --tls-target, the others to --target; without it all go to --target', async () => {
    // A committed-format archive with 2 TLS records among 5 (ASCII URLs: Node's parser refuses others).
    const a = join(dir, 'mixed.brk');
    const { encodeHeader } = await import('../../src/archive/format.ts');
    const { encodeRequestFrame, recordPayloadSize } = await import('../../src/archive/record.ts');
    const frames = [0, 1, 2, 3, 4].map((i) => {
      const r = { ...sampleRecord(i), url: `/r/${i}`, ...(i === 1 || i === 3 ? { sni: 'api.example.test' } : {}) };
      const b = Buffer.alloc(12 + recordPayloadSize(r));
      encodeRequestFrame(b, 0, r, 0);
      return b;
    });
    writeFileSync(a, Buffer.concat([Buffer.from(encodeHeader()), ...frames]));
    const servers: Server[] = [];
    const listen = async (got: string[]) => {
      const s = createServer((req, res) => req.resume().on('end', () => (got.push(req.url ?? ''), res.end())));
      servers.push(s);
      await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
      return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
    };
    try {
      const toPlain: string[] = [];
      const toTls: string[] = [];
      const plainUrl = await listen(toPlain);
      const tlsUrl = await listen(toTls);
      const r = await run('replay', a, '--target', plainUrl, '--tls-target', tlsUrl, '--concurrency', '1', '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ sent: 5, tlsTarget: `${tlsUrl}/` });
      expect({ toPlain, toTls }).toEqual({ toPlain: ['/r/0', '/r/2', '/r/4'], toTls: ['/r/1', '/r/3'] });
      toPlain.length = 0;
      toTls.length = 0;
      expect((await run('replay', a, '--target', plainUrl, '--concurrency', '1')).code).toBe(0);
      expect({ toPlain, toTls }).toEqual({ toPlain: ['/r/0', '/r/1', '/r/2', '/r/3', '/r/4'], toTls: [] });
      expect((await run('replay', a, '--target', plainUrl, '--tls-target', 'ftp://x')).err).toBe("broker: --tls-target must be http or https, got 'ftp://x' (see 'broker replay --help')");
    } finally {
      for (const s of servers) s.close();
    }
  });
});

for (const runtime of PROCESS_RUNTIMES) {
  describeWhen(runtimeNeed(runtime), `record over TLS (${runtimeTitle(runtime)})`, () => {
    let bin: BrokerBin | undefined;
    beforeAll(async () => {
      bin = await nodeFor(runtime);
    });

    it('--tls-cert/--tls-key: HTTPS with ALPN http/1.1; the archive keeps TLS and SNI; cat --filter selects on them', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--tls-cert', good.cert, '--tls-key', good.key, '--json'], bin);
      expect(r.stderr()).toContain(`TLS with ${good.cert}, SHA-256 fingerprint ${good.fingerprint256}`);
      expect(r.stderr()).toMatch(/listening on 127\.0\.0\.1:\d+ over TLS/);
      const a = await httpsPost(r.port, '/a', 'one', { servername: 'api.example.test', ca: good.pem, alpn: ['h2', 'http/1.1'] });
      expect(a).toMatchObject({ status: 200, alpn: 'http/1.1' });
      // By IP address: a client sends no SNI for an address (RFC 6066), and the record says so ('').
      expect((await httpsPost(r.port, '/b', 'two', { ca: good.pem })).status).toBe(200);
      const s = await stop(r);
      expect(s.code).toBe(0);
      expect(JSON.parse(s.stdout)).toMatchObject({ recorded: 2, tls: { fingerprint256: good.fingerprint256, selfSigned: false, handshakeErrors: 0, h2Refused: 0 } });
      const read = readArchive(readFileSync(out));
      expect(read.records.map((x) => [x.url, x.tls, x.sni])).toEqual([
        ['/a', true, 'api.example.test'],
        ['/b', true, ''],
      ]);
      const cat = await runBroker(['cat', out, '--json', '--filter', 'tls=1 && sni=api.example.test'], bin);
      expect(
        cat.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).url),
      ).toEqual(['/a']);
      expect((await runBroker(['cat', out, '--filter', 'tls=0'], bin)).stdout).toBe('');
      expect((await runBroker(['cat', out], bin)).stdout).toMatch(/ POST \/a \(TLS, SNI api\.example\.test\)\n/);
    });

    it('--tls-self-signed prints the fingerprint the client sees; an HTTP/2-only client is refused with a log line', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--tls-self-signed', '--json'], bin);
      const printed = /SHA-256 fingerprint ([0-9A-F:]{95})/.exec(r.stderr())?.[1];
      expect(printed).toBeDefined();
      const a = await httpsPost(r.port, '/pinned', 'x', { servername: 'localhost' });
      expect(a).toMatchObject({ status: 200, fingerprint256: printed });
      const refused = await new Promise<string>((resolve) => {
        const c = tlsConnect({ host: '127.0.0.1', port: r.port, servername: 'localhost', ALPNProtocols: ['h2'], rejectUnauthorized: false }, () => resolve(`connected (${c.alpnProtocol})`));
        c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      expect(refused).toBe('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
      const s = await stop(r);
      expect(s.stderr).toMatch(/broker record: refused a TLS client from 127\.0\.0\.1: its ALPN offers no http\/1\.1 \(HTTP\/2 is not served over TLS here\)/);
      expect(JSON.parse(s.stdout)).toMatchObject({ recorded: 1, tls: { fingerprint256: printed, selfSigned: true, h2Refused: 1 } });
    });

    it('a stalled handshake, garbage instead of a ClientHello and a client dropping mid-handshake do not hold up others', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--tls-cert', good.cert, '--tls-key', good.key, '--header-timeout', '1000', '--json'], bin);
      const closed = (s: Socket) => new Promise<void>((res) => s.on('close', () => res()).on('error', () => {}));
      const open = (): Promise<Socket> =>
        new Promise((res) => {
          const s = netConnect(r.port, '127.0.0.1', () => res(s));
        });
      const silent = await open();
      const silentClosed = closed(silent);
      const garbage = await open();
      const garbageClosed = closed(garbage);
      garbage.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      // A TLS handshake record header and the start of a ClientHello, then gone.
      const dropped = await open();
      const droppedClosed = closed(dropped);
      dropped.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
      dropped.destroy();
      // Served while all three are pending or failing.
      for (let i = 0; i < 3; i++) expect((await httpsPost(r.port, `/ok/${i}`, 'x', { ca: good.pem })).status).toBe(200);
      await garbageClosed;
      await droppedClosed;
      // The silent one is cut by the handshake timeout (--header-timeout), not left open for good.
      await silentClosed;
      const s = await stop(r);
      const summary = JSON.parse(s.stdout);
      expect(summary.recorded).toBe(3);
      expect(summary.tls.handshakeErrors).toBeGreaterThanOrEqual(2);
    });

    it('--workers 2 --tls-self-signed: every worker serves the one certificate whose fingerprint was printed', async () => {
      const out = file();
      const r = await startRecorder(['--out', out, '--workers', '2', '--tls-self-signed', '--json'], bin);
      expect(r.stderr()).toMatch(/listening on 127\.0\.0\.1:\d+ over TLS with 2 workers/);
      const printed = /SHA-256 fingerprint ([0-9A-F:]{95})/.exec(r.stderr())?.[1];
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) seen.add((await httpsPost(r.port, `/w/${i}`, 'x', { servername: 'w.example.test' })).fingerprint256);
      expect([...seen]).toEqual([printed]);
      const s = await stop(r);
      expect(s.code).toBe(0);
      expect(JSON.parse(s.stdout)).toMatchObject({ workers: 2, recorded: 12, tls: { fingerprint256: printed } });
      const read = readArchive(readFileSync(out));
      expect(read.records.every((x) => x.tls && x.sni === 'w.example.test')).toBe(true);
      expect(read.records).toHaveLength(12);
    });
  });
}
