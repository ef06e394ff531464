import type { BuildFailure, Message } from 'esbuild';
import { BuildError } from '../../shared/toolchain/build-error.ts';

/** esbuild's refusal of the program, said as esbuild says it (file:line:column: text), without a stack; its messages kept. */
export class BundleError extends BuildError {
  override name = 'BundleError';
  constructor(readonly errors: Message[]) {
    const at = (m: Message) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '');
    super(`esbuild cannot bundle the program:\n${errors.map((m) => `  ${at(m)}${m.text}`).join('\n')}`);
  }
}

/** A BundleError for an esbuild failure; anything else as it is. */
export function asBundleError(err: unknown): unknown {
  const errors = (err as Partial<BuildFailure>).errors;
  return Array.isArray(errors) && errors.length > 0 ? new BundleError(errors) : err;
}
