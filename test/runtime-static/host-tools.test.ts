import { describe, expect, it } from 'vitest';
import { requireHostTools } from '../../build/runtime/static/host-tools.ts';

describe('host tools', () => {
  it('names the missing program and the package to install', () => {
    expect(() => requireHostTools({ sh: 'dash' })).not.toThrow();
    expect(() => requireHostTools({ sh: 'dash', 'no-such-tool-broker': 'broker-pkg' })).toThrow('missing host programs: no-such-tool-broker — install with: apt-get install -y broker-pkg');
  });
});
