/*
 * Whether this process is a `record --workers` worker (cluster.ts). Asked on every `record`: kept apart so that
 * a recording without --workers loads none of the supervisor's code (archive scanning, tinyglobby, node:sea).
 * node:cluster itself loads anyway: Node's net asks it on every listen.
 */
import type { Cluster } from 'node:cluster';

/** Set by the primary in each worker's environment. */
export const WORKER_ENV = 'BROKER_RECORD_WORKER';

export function isRecorderWorker(): boolean {
  return process.env[WORKER_ENV] === '1' && (process.getBuiltinModule('node:cluster') as unknown as Cluster).isWorker;
}
