import { captures } from '../../../shared/checked.ts';

/** Build progress from ninja's "[done/total] DESCRIPTION" lines, with an ETA from recent speed. */
export interface Progress {
  done: number;
  total: number;
  /** Seconds per step over the recent window; undefined until two steps were seen. */
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
 * Tracks steps as they finish. The ETA uses only the last `window` steps: resumed builds start
 * with near-free steps (Zig cache hits) that would make a whole-run average far too hopeful.
 */
export class ProgressTracker {
  private times: { done: number; at: number }[] = [];
  private pending = '';
  progress: Progress | undefined;

  constructor(
    private readonly window = 60,
    private readonly now: () => number = Date.now,
  ) {}

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
      if (this.times.length > this.window) this.times.shift();
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
