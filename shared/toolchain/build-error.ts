/** A failure the user can fix; the message says how. Exit code 1, no stack trace. */
export class BuildError extends Error {
  override name = 'BuildError';
}
