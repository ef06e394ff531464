import { describe, expect, it } from 'vitest';
import { compareIntl, runIntlProbe } from '../../build/parity/intl.ts';
import { areaOf, parseTap, sampleTests } from '../../build/parity/node-suite.ts';
import { cachedStaticRuntime } from '../../build/runtime/static/verify.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { DEFAULT_STATIC } from '../fixtures/line.ts';
import { officialTestRuntime } from '../fixtures/runtime.ts';
import { describeWhen, prerequisite } from '../fixtures/skip.ts';

describe('Intl parity comparison', () => {
  it('lists each differing case with the known reason, and counts the unexplained', () => {
    const official = 'a: "1"\nb: "x"\nc: 3\n';
    const statik = 'a: "1"\nb: "y"\nd: 4\n';
    const parity = compareIntl(official, statik, { b: 'ICU 78.3 changed it' });
    expect(parity).toMatchObject({ cases: 4, identical: 1, unexplained: 2 });
    expect(parity.differences).toEqual([
      { name: 'b', official: '"x"', static: '"y"', reason: 'ICU 78.3 changed it' },
      { name: 'c', official: '3', static: '(missing)' },
      { name: 'd', official: '(missing)', static: '4' },
    ]);
  });

  it('the probe runs every case on the official runtime (ICU 78) without a throw', async () => {
    const official = (await officialTestRuntime()).path;
    const out = runIntlProbe(official);
    expect(out.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(80);
    expect(out).toMatch(/^de-DE currency EUR: "-1\.234,50\s€"$/m); // a no-break space before €
    expect(out).toContain('regexp Script=Greek: "αβγ|Ω"');
    expect(out).not.toContain('throws');
  });
});

describe("Node's own tests: the sample and the TAP reader", () => {
  it('samples areas of at most 30 files whole and larger ones every third file, by name', () => {
    const files = [
      ...Array.from({ length: 40 }, (_, i) => `test-fs-${String(i).padStart(2, '0')}.js`),
      'test-url.js',
      'test-url-format.js',
      'test-string-decoder.js',
      'test-string-decoder-end.js',
      'test-stringbytes-external.js',
      'test-http2-x.js',
      'test-intl.js',
      'README.md',
      'test-zlib.mjs',
    ];
    const sample = sampleTests(files);
    const fs = sample.filter((t) => t.startsWith('parallel/test-fs-'));
    expect(fs).toHaveLength(14);
    expect(fs.slice(0, 3)).toEqual(['parallel/test-fs-00', 'parallel/test-fs-03', 'parallel/test-fs-06']);
    expect(sample).toEqual(expect.arrayContaining(['parallel/test-url', 'parallel/test-url-format', 'parallel/test-string-decoder', 'parallel/test-string-decoder-end', 'parallel/test-intl', 'parallel/test-zlib']));
    expect(sample).not.toContain('parallel/test-stringbytes-external');
    expect(sample).not.toContain('parallel/test-http2-x');
    expect(areaOf('parallel/test-string-decoder-end')).toBe('string-decoder');
    expect(areaOf('parallel/test-http2-x')).toBeUndefined();
  });

  it("reads tools/test.py's TAP: pass, fail and skip", () => {
    const tap = 'TAP version 13\n1..3\nok 1 parallel/test-a\n  ---\n  duration_ms: 1\n  ...\nnot ok 2 parallel/test-b\n  ---\nok 3 parallel/test-c # skip no intl\n';
    expect([...parseTap(tap)]).toEqual([
      ['parallel/test-a', 'pass'],
      ['parallel/test-b', 'fail'],
      ['parallel/test-c', 'skip'],
    ]);
  });
});

const statik = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC, 'jemalloc', 'x64', 'full');
// Locally a missing runtime skips this, loudly; in strict mode (BROKER_STRICT_PREREQUISITES=1, the workflow's test job) it fails (the workflow restores the runtime).
const need = prerequisite('a cached static runtime with full ICU', statik ? '' : 'none in the cache (npm run runtime -- --detach builds it, 1.5–4 h on 2 cores with ICU)');

describeWhen(need, 'the static runtime with full ICU', () => {
  it('prints every Intl case as the official runtime does, or the difference has a known reason', async () => {
    const official = (await officialTestRuntime()).path;
    const parity = compareIntl(runIntlProbe(official), runIntlProbe(statik!.path));
    expect(parity.cases).toBeGreaterThanOrEqual(80);
    expect(parity.differences.filter((d) => !d.reason)).toEqual([]);
  });
});
