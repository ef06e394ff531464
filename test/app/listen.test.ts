// src/recorder/listen.ts: which listens bind directly (net.BoundSocket) and which Node looks up; the lookup path on this
// Node (the host's has no BoundSocket; test/build/dist.test.ts runs the direct bind in the official artifact).
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listen, listenPath } from '../../src/recorder/listen.ts';
import { ListenError } from '../../src/recorder/listen-error.ts';

class FakeBoundSocket {}

describe('the capture server listen', () => {
  it('binds an IP address directly where Node has BoundSocket, outside cluster workers', () => {
    expect(listenPath('127.0.0.1', FakeBoundSocket, false)).toBe('bound');
    expect(listenPath('0.0.0.0', FakeBoundSocket, false)).toBe('bound');
    expect(listenPath('::1', FakeBoundSocket, false)).toBe('bound');
  });

  it('leaves a host name, an older Node and a process with an IPC channel (a cluster worker) to listen()', () => {
    expect(listenPath('localhost', FakeBoundSocket, false)).toBe('listen');
    expect(listenPath('127.0.0.1', undefined, false)).toBe('listen');
    expect(listenPath('127.0.0.1', FakeBoundSocket, true)).toBe('listen');
  });

  it("listens, and a taken port rejects with Node's error", async () => {
    const a = createServer();
    await listen(a, '127.0.0.1', 0);
    const address = a.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    const b = createServer();
    await expect(listen(b, '127.0.0.1', address.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(b.listenerCount('error')).toBe(0);
    await new Promise((r) => a.close(r));
  });

  it('a failed listen names the address as --listen takes it: an IPv6 one in brackets', () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    expect(ListenError.from(inUse, '::1', 18093).message).toBe('cannot listen on [::1]:18093: address already in use (EADDRINUSE)');
    expect(ListenError.from(inUse, '127.0.0.1', 18093).message).toBe('cannot listen on 127.0.0.1:18093: address already in use (EADDRINUSE)');
  });
});
