import { expect, it } from 'vitest';
import { assertPointerCompression } from '../../build/runtime/static/pointer-compression-proof.ts';
import { cachedStaticRuntime, runtimeName } from '../../build/runtime/static/verify.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { DEFAULT_STATIC } from '../fixtures/line.ts';
import { describeWhen, prerequisite } from '../fixtures/skip.ts';

it('a pointer-compressed runtime has a name of its own', () => {
  expect(runtimeName('24.21.0', 'jemalloc', 'x64', 'full', true)).toBe('node-24.21.0-linux-x64-musl-jemalloc-intl-full-pointer-compression');
  expect(runtimeName('24.21.0', 'jemalloc', 'x64', 'full', false)).toBe(runtimeName('24.21.0', 'jemalloc', 'x64', 'full'));
});

const plain = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC);
describeWhen(prerequisite('the cached x64 static runtime', plain ? '' : 'not built (npm run runtime -- --detach; CI restores it)'), 'the heap proof on the default runtime', () => {
  it('passes it as uncompressed and refuses it as compressed, naming what it found', () => {
    expect(assertPointerCompression(plain!.path, false)).toMatchObject({ configured: false });
    expect(() => assertPointerCompression(plain!.path, true)).toThrow(/built with V8 pointer compression, but its build records it off and --max-old-space-size=8192 gives a [0-9.]+ GiB heap limit/);
  });
});

// A variant nobody builds by default (hours of compile): optional everywhere, a loud skip when absent.
const compressed = cachedStaticRuntime(cacheRoot(), DEFAULT_STATIC, 'jemalloc', 'x64', 'full', true);
describeWhen(prerequisite('the cached x64 pointer-compressed static runtime', compressed ? '' : 'not built (npm run runtime -- --pointer-compression --detach)', 'optional'), 'a pointer-compressed static runtime', () => {
  it('is proven compressed: its build says so and an 8 GiB heap is capped under 4 GiB', () => {
    expect(compressed).toMatchObject({ kind: 'static', libc: 'musl', allocator: 'jemalloc', intl: 'full', pointerCompression: true });
    expect(assertPointerCompression(compressed!.path, true).limit).toBeLessThanOrEqual(4 * 1024 ** 3);
    expect(() => assertPointerCompression(compressed!.path, false)).toThrow(/built without V8 pointer compression, but its build records it on/);
  });
});
