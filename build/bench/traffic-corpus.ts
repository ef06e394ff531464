/*
 * Traffic for comparing archive sizes across codecs: the same requests, in the same order, for every
 * recorder. The throughput rows post one fixed random body, which any codec shrinks to almost nothing
 * within a batch; sizes need traffic that looks like an API's: JSON events from a few hundred users, a few
 * event kinds, increasing times and ids, and an opaque 48-byte token each. Deterministic (a seeded
 * xorshift), so two runs compare.
 */
import { Agent, request } from 'node:http';

const EVENTS = ['page_view', 'click', 'add_to_cart', 'checkout', 'login', 'logout', 'search', 'scroll', 'signup', 'purchase'];

/** n request bodies, the same for the same n. */
export function corpus(n: number): Buffer[] {
  let x = 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const bodies: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const token = Buffer.alloc(48);
    for (let j = 0; j < 48; j += 4) token.writeUInt32LE(next(), j);
    const event = {
      id: 1_000_000 + i,
      user: `user-${next() % 400}`,
      event: EVENTS[next() % EVENTS.length],
      at: 1_764_000_000_000 + i * 37,
      path: `/shop/item/${next() % 5000}`,
      amount: (next() % 100_000) / 100,
      token: token.toString('base64'),
    };
    bodies.push(Buffer.from(JSON.stringify(event)));
  }
  return bodies;
}

/** POSTs every body to the server, `concurrency` at a time over keep-alive connections; resolves when all got a 2xx. */
export async function sendCorpus(port: number, bodies: Buffer[], concurrency = 16): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let nextIndex = 0;
  const post = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/events', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (nextIndex < bodies.length) await post(bodies[nextIndex++] as Buffer);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
}
