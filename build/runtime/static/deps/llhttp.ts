import { createRequire } from 'node:module';

/** The llparse that llhttp 9.3.0's package-lock.json pins; npm checks its integrity. */
export const LLPARSE_VERSION = '7.3.0';

/**
 * Debian ships llhttp's TypeScript sources, not the generated C Node bundles: generate
 * build/c/llhttp.c + build/llhttp.h with llparse (as `npm run build` does), then compile it with
 * the two hand-written C files.
 */
export const LLHTTP_SCRIPT = `mkdir -p ../generator && cd ../generator && echo '{"private":true}' > package.json
npm install --no-audit --no-fund llparse@${LLPARSE_VERSION}
cd - && ln -sfn ../generator/node_modules node_modules
node "$TSX" bin/generate.ts
for f in build/c/llhttp.c src/native/api.c src/native/http.c; do
  "$CC" -O2 -Ibuild -c "$f" -o "$(basename "$f" .c).o"
done
"$AR" rcs "$PREFIX/lib/libllhttp.a" llhttp.o api.o http.o
cp build/llhttp.h "$PREFIX/include/"`;

/** The generator runs with this checkout's tsx (the script reads it as $TSX). */
export function llhttpHostEnv(): Record<string, string> {
  return { TSX: createRequire(import.meta.url).resolve('tsx/cli') };
}
