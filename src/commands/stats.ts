import { formatBytes } from '../../shared/byte-size.ts';
import { present } from '../../shared/checked.ts';
import { CodecUnavailableError, codecName, decompressBody } from '../archive/codec.ts';
import { ArchiveScan } from '../archive/file.ts';
import { archiveArg, parseCommandArgs } from '../usage.ts';
import { describeArchiveError } from './archive-error.ts';
import type { Command } from './command.ts';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'summarize an archive: requests, time span, rate, methods, top paths, body sizes, integrity',
  usage: 'broker stats FILE [--json]',
  run(argv, io) {
    const { values, positionals } = parseCommandArgs('stats', argv, { json: { type: 'boolean' } }, true);
    const file = archiveArg('stats', positionals);
    const scan = new ArchiveScan(file);
    let count = 0;
    let first = Infinity;
    let last = -Infinity;
    let stored = 0;
    let raw = 0;
    let min = Infinity;
    let max = 0;
    const methods = new Map<string, number>();
    const paths = new Map<string, number>();
    const codecs = new Map<string, number>();
    const peers = new Set<string>();
    let tls = 0;
    const snis = new Map<string, number>();
    // Bodies this runtime cannot decompress (zstd before Node 22.15): counted at their stored size.
    let undecodable = 0;
    let decompressProblem: string | undefined;
    try {
      for (const r of scan.records()) {
        count++;
        first = Math.min(first, r.time);
        last = Math.max(last, r.time);
        let size = r.body.length;
        try {
          if (r.codec) size = decompressBody(r.codec, r.body, r.offset).length;
        } catch (err) {
          if (!(err instanceof CodecUnavailableError)) throw err;
          undecodable++;
          decompressProblem ??= err.message;
        }
        if (r.tls) {
          tls++;
          snis.set(r.sni, (snis.get(r.sni) ?? 0) + 1);
        }
        stored += r.body.length;
        raw += size;
        min = Math.min(min, size);
        max = Math.max(max, size);
        methods.set(r.method, (methods.get(r.method) ?? 0) + 1);
        const q = r.url.indexOf('?');
        const path = q < 0 ? r.url : r.url.slice(0, q);
        paths.set(path, (paths.get(path) ?? 0) + 1);
        codecs.set(codecName(r.codec), (codecs.get(codecName(r.codec)) ?? 0) + 1);
        peers.add(r.peer.address);
      }
    } catch (err) {
      const msg = describeArchiveError(err, file);
      if (msg === null) throw err;
      io.err(`broker: ${msg}`);
      return 1;
    }
    // The loop above read the archive to its end, which is when the scan has its result.
    const res = present(scan.result, `the scan result of ${file}`);
    const span = count > 1 ? (last - first) / 1000 : 0;
    const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
    const report = {
      file,
      fileBytes: res.size,
      paddingBytes: res.padding,
      requests: count,
      first: count ? new Date(first).toISOString() : null,
      last: count ? new Date(last).toISOString() : null,
      spanSeconds: Number(span.toFixed(3)),
      requestsPerSecond: span > 0 ? Number((count / span).toFixed(1)) : null,
      methods: sorted(methods),
      topPaths: Object.fromEntries([...paths].sort((a, b) => b[1] - a[1]).slice(0, 10)),
      distinctPaths: paths.size,
      peers: peers.size,
      body: { bytes: raw, storedBytes: stored, min: count ? min : 0, max, mean: count ? Number((raw / count).toFixed(1)) : 0 },
      codecs: sorted(codecs),
      tls: { requests: tls, sni: sorted(snis) },
      undecodableBodies: undecodable,
      intact: res.bad === null,
      bad: res.bad,
    };
    if (values.json) io.out(JSON.stringify(report, null, 2));
    else {
      io.out(`${file}: ${count} requests, ${formatBytes(res.size)}${res.padding ? ` (${formatBytes(res.padding)} block padding)` : ''}${res.bad ? '' : ', intact'}`);
      if (count) io.out(`  ${report.first} → ${report.last} (${span.toFixed(1)} s${report.requestsPerSecond ? `, ${report.requestsPerSecond} req/s` : ''})`);
      io.out(`  methods: ${[...Object.entries(report.methods)].map(([m, n]) => `${m} ${n}`).join(', ') || '—'}`);
      io.out(`  bodies: ${formatBytes(raw)} (stored ${formatBytes(stored)}; ${[...codecs].map(([c, n]) => `${c} ${n}`).join(', ') || '—'}), min ${report.body.min} B, mean ${report.body.mean} B, max ${max} B`);
      io.out(`  peers: ${peers.size}; paths: ${paths.size} distinct`);
      if (tls) io.out(`  TLS: ${tls} requests; SNI: ${[...Object.entries(report.tls.sni)].map(([n, c]) => `${n || '(none)'} ${c}`).join(', ')}`);
      for (const [p, n] of Object.entries(report.topPaths)) io.out(`    ${String(n).padStart(8)}  ${p}`);
    }
    if (undecodable) io.err(`broker: ${file}: ${undecodable} bodies counted at their stored size: ${(decompressProblem ?? '').replace(/^cannot decompress zstd body: /, '')}`);
    if (res.bad) {
      io.err(`broker: ${file}: bad frame at offset ${res.bad.offset} (${res.bad.reason}); counted the ${count} records before it`);
      return 1;
    }
    return undecodable ? 1 : 0;
  },
};
