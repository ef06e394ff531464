// Small HTTP helpers for tests: raw sockets for malformed and trickled requests, keep-alive for the rest.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/** Sends raw bytes and resolves with everything the server sends before it closes. */
export function rawExchange(port: number, chunks: (string | Buffer)[], gapMs = 0, maxMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    let i = 0;
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no close within ${maxMs} ms; got: ${got}`))), maxMs);
    const sendNext = () => {
      if (i < chunks.length && !s.destroyed) {
        s.write(chunks[i++]!);
        if (gapMs) setTimeout(sendNext, gapMs);
        else sendNext();
      }
    };
    s.on('connect', sendNext);
    s.on('data', (d) => (got += d));
    s.on('error', () => {}); // a reset after the server's answer is part of the scenario
    s.on('close', () => (clearTimeout(timer), resolve(got)));
  });
}

export const keepAlive = () => new Agent({ keepAlive: true, maxSockets: 1 });

export function post(port: number, path: string, body: string | Buffer, agent?: Agent, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'text/plain', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
