// src/recorder/upgrade-as-http.ts: the head an Upgrade request is read again with (capture-server.test.ts runs it on connections).
import { describe, expect, it } from 'vitest';
import { headWithoutUpgrade } from '../../src/recorder/upgrade-as-http.ts';

const req = (rawHeaders: string[]) => ({ method: 'GET', url: '/chat?x=1', httpVersion: '1.1', rawHeaders });

describe('headWithoutUpgrade', () => {
  it("leaves out only Connection's upgrade token (any case), and a Connection header left empty", () => {
    expect(headWithoutUpgrade(req(['Host', 'h', 'Upgrade', 'websocket', 'Connection', 'keep-alive, Upgrade'])).toString('latin1')).toBe('GET /chat?x=1 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n\r\n');
    expect(headWithoutUpgrade(req(['Host', 'h', 'connection', 'UPGRADE', 'Upgrade', 'h2c'])).toString('latin1')).toBe('GET /chat?x=1 HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\n');
  });

  it('gives header bytes past ASCII back as they came (Node read each byte as one latin1 character)', () => {
    const head = headWithoutUpgrade(req(['X-Name', 'caf\u00e9', 'Connection', 'upgrade']));
    expect([...head.subarray(head.indexOf('caf') + 3, head.indexOf('caf') + 4)]).toEqual([0xe9]);
  });
});
