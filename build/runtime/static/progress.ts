import { captures } from '../../../shared/checked.ts';

/** Build progress from ninja's "[done/total] DESCRIPTION" lines, with an ETA from recent speed. */
export interface Progress {
  done: number;
  total: number;
  /** Seconds per step over the recent steps (ProgressTracker); undefined until two steps were seen. */
  secondsPerStep?: number;
  etaSeconds?: number;
  last: string;
  updatedAt: string;
}

const STEP = /^\[(\d+)\/(\d+)\]\s+(.*)$/;

export function parseStep(line: string): { done: number; total: number; description: string } | undefined {
  const m = STEP.exec(line.trim());
  if (!m) return undefined;
  const [done, total, description] = captures(m, 3);
  return { done: Number(done), total: Number(total), description };
}

/**
 * Tracks steps as they finish. The ETA uses the steps of the last `spanMs` and at least the last `window` steps:
 * resumed builds start with near-free steps (Zig cache hits) that would make a whole-run average far too hopeful,
 * and a node compile mixes second-long steps (generated inspector files) with minute-long ones (V8's), so a window
 * of steps alone swung Node 24's ETA from 44 min to 3 h within ten minutes; a span of time smooths the mix.
 */
export class ProgressTracker {
  private times: { done: number; at: number }[] = [];
  private pending = '';
  private readonly window: number;
  private readonly spanMs: number;
  progress: Progress | undefined;

  constructor(
    o: { window?: number; spanMs?: number } = {},
    private readonly now: () => number = Date.now,
  ) {
    this.window = o.window ?? 60;
    this.spanMs = o.spanMs ?? 20 * 60_000;
  }

  /** Feed raw output (any chunking); returns true when a step line was seen. */
  feed(chunk: string): boolean {
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    let seen = false;
    for (const line of lines) {
      const step = parseStep(line);
      if (!step) continue;
      seen = true;
      const at = this.now();
      this.times.push({ done: step.done, at });
      while (this.times.length > this.window && at - (this.times[0]?.at ?? at) > this.spanMs) this.times.shift();
      const [first = { done: step.done, at }] = this.times;
      const steps = step.done - first.done;
      const secondsPerStep = steps > 0 ? (at - first.at) / 1000 / steps : undefined;
      this.progress = {
        done: step.done,
        total: step.total,
        secondsPerStep,
        etaSeconds: secondsPerStep === undefined ? undefined : Math.round(secondsPerStep * (step.total - step.done)),
        last: step.description,
        updatedAt: new Date(at).toISOString(),
      };
    }
    return seen;
  }
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

export function formatProgress(p: Progress): string {
  const pct = ((100 * p.done) / p.total).toFixed(1);
  const eta = p.etaSeconds === undefined ? 'ETA unknown' : `ETA ${formatDuration(p.etaSeconds)}`;
  return `${p.done}/${p.total} (${pct}%) ${eta} — ${p.last}`;
}
