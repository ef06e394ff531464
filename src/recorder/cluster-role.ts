/*
 * Whether this process is a `record --workers` worker (cluster.ts). Asked on every `record`: kept apart so that
 * a recording without --workers loads none of the supervisor's code (archive scanning, tinyglobby, node:sea).
 * node:cluster itself loads at the listen on the official runtime (Node's net asks it on every listen); the static
 * runtime's net loads it only where the process could be a cluster worker (build/runtime/static/tree-fixes.ts).
 */
import type { Cluster } from 'node:cluster';

/** Set by the primary in each worker's environment. */
export const WORKER_ENV = 'BROKER_RECORD_WORKER';

export function isRecorderWorker(): boolean {
  return process.env[WORKER_ENV] === '1' && (process.getBuiltinModule('node:cluster') as unknown as Cluster).isWorker;
}
