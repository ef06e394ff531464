import { describe, expect, it } from 'vitest';
import { runtimeBuildFlags } from '../../build/runtime/static/build-flags.ts';

describe('runtimeBuildFlags', () => {
  it('leaves out every default: x64, jemalloc, full ICU, the default line', () => {
    expect(runtimeBuildFlags({ arch: 'x64' })).toBe('');
    expect(runtimeBuildFlags({ arch: 'x64', allocator: 'jemalloc', intl: 'full' })).toBe('');
  });

  it('names the rest in one order: node, arch, allocator, intl, pointer compression', () => {
    expect(runtimeBuildFlags({ node: '24', arch: 'arm64', allocator: 'mimalloc', intl: 'small', pointerCompression: true })).toBe(' --node 24 --arch arm64 --allocator mimalloc --intl small --pointer-compression');
    expect(runtimeBuildFlags({ arch: 'x64', pointerCompression: false })).toBe('');
    expect(runtimeBuildFlags({ arch: 'arm64', intl: 'none' })).toBe(' --arch arm64 --intl none');
  });
});
