// src/recorder/listen.ts: which listens go straight to net.Server's _listen2 and which Node looks up; both paths on this
// Node (test/build/dist.test.ts asks the artifact which modules its listen loaded).
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listen, listenPath } from '../../src/recorder/listen.ts';
import { ListenError } from '../../src/recorder/listen-error.ts';

const listen2 = () => {};

describe('the capture server listen', () => {
  it('listens on an IP address directly where net.Server has _listen2, outside cluster workers', () => {
    expect(listenPath('127.0.0.1', listen2, false)).toBe('direct');
    expect(listenPath('0.0.0.0', listen2, false)).toBe('direct');
    expect(listenPath('::1', listen2, false)).toBe('direct');
    // The Node the tests run on still has the method.
    expect(listenPath('127.0.0.1', (createServer() as unknown as { _listen2: unknown })._listen2, false)).toBe('direct');
  });

  it('leaves a host name, a Node without the method and a process with an IPC channel (a cluster worker) to listen()', () => {
    expect(listenPath('localhost', listen2, false)).toBe('listen');
    expect(listenPath('127.0.0.1', undefined, false)).toBe('listen');
    expect(listenPath('127.0.0.1', listen2, true)).toBe('listen');
  });

  for (const [host, path] of [
    ['127.0.0.1', 'directly'],
    ['::1', 'directly'],
    ['localhost', 'through listen()'],
  ] as const) {
    it(`listens on ${host} ${path}, and a taken port rejects with Node's error, leaving no listener behind`, async () => {
      const a = createServer();
      await listen(a, host, 0);
      const address = a.address();
      if (typeof address !== 'object' || !address) throw new Error('no address');
      if (host !== 'localhost') expect(address.address).toBe(host);
      expect([a.listenerCount('error'), a.listenerCount('listening')]).toEqual([0, 0]);
      const b = createServer();
      await expect(listen(b, address.address, address.port)).rejects.toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', port: address.port });
      expect([b.listenerCount('error'), b.listenerCount('listening'), b.listening]).toEqual([0, 0, false]);
      await new Promise((r) => a.close(r));
    });
  }

  it('a server listening directly takes connections and closes as any other', async () => {
    const server = createServer((socket) => socket.end('hi'));
    await listen(server, '127.0.0.1', 0);
    const { port } = server.address() as { port: number };
    const text = await new Promise<string>((resolve, reject) => {
      let got = '';
      connect(port, '127.0.0.1')
        .on('data', (d) => (got += d))
        .on('end', () => resolve(got))
        .on('error', reject);
    });
    expect(text).toBe('hi');
    await new Promise((r) => server.close(r));
    expect(server.listening).toBe(false);
  });

  it('a failed listen names the address as --listen takes it: an IPv6 one in brackets', () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    expect(ListenError.from(inUse, '::1', 18093).message).toBe('cannot listen on [::1]:18093: address already in use (EADDRINUSE)');
    expect(ListenError.from(inUse, '127.0.0.1', 18093).message).toBe('cannot listen on 127.0.0.1:18093: address already in use (EADDRINUSE)');
  });
});
