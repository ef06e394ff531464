// wrk's pacing arithmetic (the runs themselves need wrk and a server: bench:broker does those).
import { describe, expect, it } from 'vitest';
import { connectionsFor } from '../../build/bench/wrk.ts';

describe('connectionsFor', () => {
  it('scales the connections by the rate each one reached', () => {
    // 32 connections made 41180 req/s: 1287 each, so 22411 req/s takes 17.
    expect(connectionsFor(22411, { rps: 41180, connections: 32 })).toBe(17);
    // Too few: 10 connections at 800 each for a 24000 target.
    expect(connectionsFor(24000, { rps: 8000, connections: 10 })).toBe(30);
  });

  it('never goes below one connection', () => {
    expect(connectionsFor(10, { rps: 50000, connections: 8 })).toBe(1);
  });
});
