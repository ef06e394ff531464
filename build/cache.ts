// The cache root lives in shared/toolchain/cache-root.ts. This re-export stays only while files being
// written concurrently (build/parity/) still import '../cache.ts'.
export { cacheRoot } from '../shared/toolchain/cache-root.ts';
