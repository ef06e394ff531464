// The line replay prints when a target's certificate is refused: Node's reason, without advice meant for `node`.
import { describe, expect, it } from 'vitest';
import { certificateRejection } from '../../src/replayer/certificate-rejection.ts';

const target = new URL('https://localhost:8443/x');

describe('a refused certificate, as replay names it', () => {
  it("keeps Node's reason and drops Node 24's advice to run node with --use-system-ca (a broker binary takes no Node flags)", () => {
    const node24 = Object.assign(new Error('self-signed certificate; if the root CA is installed locally, try running Node.js with --use-system-ca'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const node22 = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(certificateRejection(node24, target)).toEqual({ target: 'https://localhost:8443', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', reason: 'self-signed certificate' });
    expect(certificateRejection({ cause: node22 }, target)).toEqual(certificateRejection(node24, target));
  });

  it('is null for an error that is no certificate refusal', () => {
    expect(certificateRejection(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), target)).toBeNull();
  });
});
