/*
 * The commands' monotonic clock. Not performance.now(): the global `performance` loads perf_hooks (nine modules,
 * ~0.5 ms on a quiet machine, 2–3 ms where page faults are slow) on first use, and a command that only reads the
 * time — record's summary, a scan's progress line — should not pay that at every start.
 */

/** Monotonic milliseconds from an arbitrary origin (process.hrtime). */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
