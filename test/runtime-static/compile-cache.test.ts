import { describe, expect, it } from 'vitest';
import { compileCacheDelta, parseCompileCacheStats } from '../../build/runtime/static/compile-cache.ts';

// Lines as ccache 4.7.5 prints them (--print-stats), trimmed.
const STATS = [
  'autoconf_test\t1',
  'cache_miss\t42',
  'called_for_link\t2',
  'called_for_preprocessing\t3',
  'direct_cache_hit\t1700',
  'direct_cache_miss\t42',
  'local_storage_hit\t1700',
  'preprocessed_cache_hit\t5',
  'stats_updated_timestamp\t1764132000',
  'unsupported_compiler_option\t4',
  '',
].join('\n');

describe('compile cache counters', () => {
  it('counts direct and preprocessed hits, misses, and calls passed through', () => {
    expect(parseCompileCacheStats(STATS)).toEqual({ hits: 1705, misses: 42, uncached: 10 });
  });

  it('reads unknown or malformed lines as nothing, and subtracts readings', () => {
    expect(parseCompileCacheStats('garbage\nfoo\tbar\n')).toEqual({ hits: 0, misses: 0, uncached: 0 });
    expect(compileCacheDelta({ hits: 5, misses: 40, uncached: 1 }, { hits: 1754, misses: 42, uncached: 9 })).toEqual({ hits: 1749, misses: 2, uncached: 8 });
  });
});
