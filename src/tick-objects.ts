/*
 * Keeps one of Node's process.nextTick objects alive for the life of the process, so V8 never drops their
 * hidden classes (maps).
 *
 * Why: nextTick builds each tick object as a literal with symbol keys (`{ [async_id_symbol]: …, … }`), and V8
 * remembers, for each computed key, the one map it saw there — or gives up for good ("megamorphic") when it
 * sees another. Maps are only weakly held: a full GC while no tick object is alive (an idle server) frees them,
 * the next tick object gets new ones, and from then on every nextTick defines its keys through V8's runtime.
 * After two idle GCs each nextTick costs several times what it did (Node 22.22.2; docs/benchmarks.md, "Notes on
 * the method" and "The slow state found"); an HTTP request makes several, and bench:broker's servers lost a
 * good part of their throughput to it after an idle pause. A live tick
 * object holds its map, and through it the maps before it, so they are never freed and never replaced.
 */
import { createHook } from 'node:async_hooks';

let kept: object | undefined;

/** A new tick object, through a momentary async hook's init (its only public handle); undefined if none came. */
export function captureTickObject(): object | undefined {
  let made: object | undefined;
  const hook = createHook({
    init(_asyncId, type, _triggerId, resource: object) {
      if (type === 'TickObject') made ??= resource;
    },
  }).enable();
  try {
    process.nextTick(() => {});
  } finally {
    hook.disable();
  }
  return made;
}

/** Captures one tick object and holds it for the life of the process (the same one on every call). */
export function keepTickObjectMaps(): object | undefined {
  kept ??= captureTickObject();
  return kept;
}
