// Run by tick-objects.test.ts in a child node with --expose-gc --allow-natives-syntax: keeps a tick object,
// idles through two full GCs (as an idle server would), and reports whether a tick object made afterwards
// still has the kept one's map.
import { captureTickObject, keepTickObjectMaps } from '../../src/tick-objects.ts';

const kept = keepTickObjectMaps();
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const gc = (globalThis as { gc?: () => void }).gc!;

// Hot first, so nextTick is optimized against the maps; then idle, with no tick object in flight, and collect.
for (let round = 0; round < 50; round++) {
  for (let i = 0; i < 1000; i++) process.nextTick(() => {});
  await new Promise((resolve) => setImmediate(resolve));
}
await new Promise((resolve) => setTimeout(resolve, 20));
gc();
gc();
const fresh = captureTickObject();
console.log(
  JSON.stringify({
    kept: kept !== undefined,
    again: keepTickObjectMaps() === kept,
    fresh: fresh !== undefined,
    sameMap: kept !== undefined && fresh !== undefined && sameMap(kept, fresh),
  }),
);
