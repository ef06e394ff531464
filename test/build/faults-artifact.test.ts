// The fault suite (issue 23) against what ships: every case of test/app/faults/ run on an artifact that
// `npm run dist` builds from the working tree — on the official runtime always, on the static runtime when one
// is cached (the workflow's test job restores it; BROKER_STRICT_PREREQUISITES=1 fails the group without it).
// test/app/*.test.ts run the same cases on the test bundle.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeLines, runtimePin, staticNodeVersion } from '../../build/runtime/pin.ts';
import { cachedStaticRuntime } from '../../build/runtime/static/verify.ts';
import pkg from '../../package.json' with { type: 'json' };
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { removeFaultScratches } from '../app/fault-scratch.ts';
import { acknowledgedCases } from '../app/faults/acknowledged.ts';
import { type BinOf, processRun } from '../app/faults/bin.ts';
import { durableAckCases } from '../app/faults/durable-ack.ts';
import { recordCases } from '../app/faults/record.ts';
import { recordTimeCases } from '../app/faults/record-time.ts';
import { rotationSafetyCases } from '../app/faults/rotation-safety.ts';
import { stdoutErrorsCases } from '../app/faults/stdout-errors.ts';
import { usageCases } from '../app/faults/usage.ts';
import { workersCases } from '../app/faults/workers.ts';
import { runDist } from '../fixtures/context.ts';
import { describeWhen, prerequisite } from '../fixtures/skip.ts';

// A skipped group runs no afterAll: what its collection made (scratch dirs, a tmpfs) goes here.
afterAll(removeFaultScratches);

/** Every fault case, each run by `bin` — read when the case runs: the artifact is built in a beforeAll. */
function faultSuite(bin: BinOf): void {
  usageCases(processRun(bin));
  recordCases(bin);
  workersCases(bin);
  durableAckCases(bin);
  stdoutErrorsCases(bin);
  recordTimeCases(processRun(bin));
  acknowledgedCases(bin);
  rotationSafetyCases(bin);
}

/**
 * Builds the artifact for `runtime` in beforeAll, and checks first that it is what the cases will run: a SEA on
 * that runtime. The returned getter throws if a case runs without it.
 */
function artifactOf(runtime: 'official' | 'static', name: string, line?: string): () => string {
  let artifact = '';
  beforeAll(() => {
    artifact = join(runDist(['--runtime', runtime, ...(line ? ['--node', line] : [])]).out, name);
  }, 300_000);
  const bin = () => {
    if (!artifact) throw new Error(`no ${runtime} artifact: npm run dist failed (see beforeAll)`);
    return artifact;
  };
  it(`the cases run ${name}: a SEA on the ${runtime} runtime`, () => {
    const j = JSON.parse(execFileSync(bin(), ['version', '--json'], { encoding: 'utf8' }));
    expect(j.self).toMatchObject({ sea: true, runtimeKind: runtime, static: runtime === 'static' });
    if (line) {
      const pin = runtimePin(line);
      expect(j.self.nodeVersion).toBe(runtime === 'static' ? staticNodeVersion(pin) : pin.nodeVersion);
    }
  });
  return bin;
}

describe('the fault suite on the artifact, official runtime (npm run dist -- --runtime official)', () => {
  faultSuite(artifactOf('official', `broker-${pkg.version}-linux-x64`));
});

// broker moves to a newer Node line when its tests pass there (issue 20): every other line the toolchain pins, on its official runtime.
for (const line of nodeLines().slice(1)) {
  describe(`the fault suite on the artifact, official Node ${line} runtime (npm run dist -- --runtime official --node ${line})`, () => {
    faultSuite(artifactOf('official', `broker-${pkg.version}-linux-x64`, line));
  });
}

/**
 * The fault suite on the static runtime of `line` (the default line's when absent), where one is cached: the
 * default line's is restored by the workflow's test job; the other lines' are built by hand (hours each), so
 * their groups are optional.
 */
function staticFaultGroup(line?: string): void {
  const cached = cachedStaticRuntime(cacheRoot(), staticNodeVersion(runtimePin(line)));
  const build = `npm run runtime${line ? ` -- --node ${line}` : ''}`;
  const need = line
    ? prerequisite(`a cached linux-x64 static Node ${line} runtime`, cached ? '' : `none cached — build it with \`${build}\` (about 3 h on 2 cores)`, 'optional')
    : prerequisite('a cached linux-x64 static runtime', cached ? '' : `none cached — build it with \`${build}\` (1.5–4 h on 2 cores from an empty cache, with ICU)`);
  describeWhen(need, `the fault suite on the artifact, static ${line ? `Node ${line} ` : ''}runtime (npm run dist -- --runtime static${line ? ` --node ${line}` : ''})`, () => {
    faultSuite(artifactOf('static', `broker-${pkg.version}-linux-x64-static`, line));
  });
}

staticFaultGroup();
for (const line of nodeLines().slice(1)) staticFaultGroup(line);
