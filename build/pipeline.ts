import type { BuildContext } from './context.ts';

export interface Step {
  name: string;
  /** Does the work, fills its part of the context, returns a one-line summary. */
  run(ctx: BuildContext): Promise<string>;
}

/** Runs steps in order, printing each with its duration; the first failure stops the pipeline. */
export async function runPipeline(ctx: BuildContext, steps: Step[]): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const label = `[${i + 1}/${steps.length}] ${step.name}`;
    ctx.log.info(`${label} …`);
    const started = performance.now();
    try {
      const summary = await step.run(ctx);
      const ms = Math.round(performance.now() - started);
      ctx.timings.push({ step: step.name, ms });
      ctx.log.info(`${label} ✓ ${(ms / 1000).toFixed(2)} s  ${summary}`);
    } catch (err) {
      ctx.log.info(`${label} ✗ failed after ${((performance.now() - started) / 1000).toFixed(2)} s`);
      throw err;
    }
  }
}
