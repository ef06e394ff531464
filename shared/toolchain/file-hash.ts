import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** A file the build produced or consumed, as the manifest records it. */
export interface FileFact {
  path: string;
  sha256: string;
  size: number;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function fileFact(path: string): Promise<FileFact> {
  const [sha256, st] = await Promise.all([sha256File(path), stat(path)]);
  return { path, sha256, size: st.size };
}
