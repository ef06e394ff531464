import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const probe = resolve(import.meta.dirname, 'tick-objects-probe.ts');

it('keepTickObjectMaps holds a tick object whose map survives idle full GCs', () => {
  // A child of its own: V8 flags for gc() and %HaveSameMap, and no test runner keeping tick objects alive.
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--allow-natives-syntax', probe], { encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({ kept: true, again: true, fresh: true, sameMap: true });
});
