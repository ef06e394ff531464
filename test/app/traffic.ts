// Load for recorder process tests: keep-alive clients posting distinct URLs, and what each got back.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { childrenOf } from '../../build/bench/proc.ts';
import { keepAlive, post } from './http-client.ts';

/** Polls `cond` every 10 ms for up to 30 s. */
export async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

/**
 * `clients` keep-alive clients posting /c<client>/<i> until told to stop or their first failed request (the
 * recorder is gone). `answered` maps each URL that got a 2xx to when it did; `refused` each other status's URLs.
 */
export function load(port: number, clients: number, body: string | Buffer) {
  const answered = new Map<string, number>();
  const refused = new Map<number, string[]>();
  let stopped = false;
  const runs = Array.from({ length: clients }, async (_, c) => {
    const agent = keepAlive();
    try {
      for (let i = 0; !stopped; i++) {
        const url = `/c${c}/${i}`;
        const { status } = await post(port, url, body, agent);
        if (status >= 200 && status < 300) answered.set(url, performance.now());
        else refused.set(status, [...(refused.get(status) ?? []), url]);
      }
    } catch {
      // Connection refused or reset: the recorder stopped.
    } finally {
      agent.destroy();
    }
  });
  return {
    answered,
    refused,
    async stop() {
      stopped = true;
      await Promise.all(runs);
    },
  };
}

/** The recorder's worker processes: the primary's children (read from /proc: no pgrep to spawn while clients wait). */
export function workerPids(primary: number): number[] {
  const pids = childrenOf(primary);
  if (pids.length === 0) throw new Error(`recorder ${primary} has no worker processes`);
  return pids;
}

/** Inodes of the established TCP connections whose local port is `port` (/proc/net/tcp, tcp6). */
function connectionInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXADDR:HEXPORT; st 01 is ESTABLISHED; the inode is the 10th field.
      if (f[3] === '01' && Number.parseInt(f[1]?.split(':')[1] ?? '', 16) === port && f[9]) inodes.add(f[9]);
    }
  }
  return inodes;
}

/**
 * The worker serving the most of the clients' connections: the kernel hands connections to workers unevenly
 * (a worker may have none), and killing an idle one tests nothing.
 */
export function busiestWorker(primary: number, port: number): number {
  const inodes = connectionInodes(port);
  const held = (pid: number) => readdirSync(`/proc/${pid}/fd`).filter((fd) => inodes.has(/^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${pid}/fd/${fd}`))?.[1] ?? '')).length;
  const [busiest] = workerPids(primary)
    .map((pid) => ({ pid, connections: held(pid) }))
    .sort((a, b) => b.connections - a.connections);
  if (!busiest?.connections) throw new Error(`no worker of ${primary} holds a connection on port ${port}`);
  return busiest.pid;
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
