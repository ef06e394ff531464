import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** A file's npm integrity (Subresource Integrity, sha512-<base64>), as npm records a tarball's. */
export async function npmIntegrity(path: string): Promise<string> {
  const h = createHash('sha512');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `sha512-${h.digest('base64')}`;
}
