/*
 * The one pipeline contract, shared by `npm run dist` (build/steps/) and the static runtime
 * (build/runtime/static/): a list of steps over a typed context, in the manner of goreleaser's pipes.
 * A step says what it needs from earlier steps and does its work on the context; the runner owns
 * the names, the order, the checks of what each step needs, timing, progress lines and failures.
 */

/** The context with the named fields filled in: what a step that needs them gets to read. */
export type Ready<C, K extends keyof C> = C & { [P in K]-?: Exclude<C[P], undefined> };

export interface Step<C, K extends keyof C = never> {
  name: string;
  /** Fields of the context earlier steps must have set; the runner checks them, so run() reads them as present. */
  needs?: readonly K[];
  /** Does the work, adds its part to the context, returns a one-line summary. */
  run: (ctx: Ready<C, K>) => Promise<string>;
}

/** A step of any needs, as a pipeline's list holds it. */
export type AnyStep<C> = Step<C, keyof C>;

/**
 * Types steps against context C: `needs` is inferred from the list given, and run() may read exactly
 * those fields as present (a step reading a field it does not declare is a compile error).
 */
export function stepOf<C>() {
  return <K extends keyof C = never>(step: { name: string; needs?: readonly K[]; run: (ctx: Ready<C, NoInfer<K>>) => Promise<string> }): Step<C, K> => step;
}

/** Runs one step after checking that the fields it needs are there; a missing one is a pipeline-order bug, said plainly. */
export async function runStep<C, K extends keyof C>(step: Step<C, K>, ctx: C): Promise<string> {
  for (const key of step.needs ?? []) {
    if (ctx[key] === undefined || ctx[key] === null) throw new Error(`step '${step.name}' needs '${String(key)}', which no earlier step produced`);
  }
  return step.run(ctx as Ready<C, K>);
}

/** Where a pipeline's progress goes: one line per step, and each finished step's time. */
export interface PipelineLog {
  line(text: string): void;
  timed?(step: string, ms: number): void;
}

/**
 * Runs the steps in order, printing `[i/n] name ✓ secs  summary` for each; the first failure stops
 * the pipeline (its line says which step and after how long) and is rethrown as it was.
 * `until` stops after the step of that name.
 */
export async function runSteps<C>(ctx: C, steps: readonly AnyStep<C>[], log: PipelineLog, until?: string): Promise<C> {
  if (until !== undefined && !steps.some((s) => s.name === until)) {
    throw new Error(`unknown stage "${until}"; stages: ${steps.map((s) => s.name).join(', ')}`);
  }
  for (const [i, step] of steps.entries()) {
    const label = `[${i + 1}/${steps.length}] ${step.name}`;
    log.line(`${label} …`);
    const started = performance.now();
    try {
      const summary = await runStep(step, ctx);
      const ms = Math.round(performance.now() - started);
      log.timed?.(step.name, ms);
      log.line(`${label} ✓ ${(ms / 1000).toFixed(2)} s  ${summary}`);
    } catch (err) {
      log.line(`${label} ✗ failed after ${((performance.now() - started) / 1000).toFixed(2)} s`);
      throw err;
    }
    if (step.name === until) break;
  }
  return ctx;
}
