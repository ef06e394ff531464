/*
 * esbuild bundles `require(`./commands/${name}`)` as a map from every file that could match to its module, keyed by
 * the file's path with its extension ("./commands/run.js"), and looks the run-time name up as it is: npm's
 * `require(`./commands/${command}`)` passes "./commands/run", which Node finds by adding ".js", and the bundle
 * threw "Module not found in bundle: ./commands/run" (esbuild issues 3328 and 3721, open). The bundle's lookup helper
 * (`__glob`, one per bundle) is made to try what Node tries for a name without one: the name, then ".js", ".json",
 * "/index.js", "/index.json". Only the helper's first statement changes, on its own line, so the lines after keep
 * their source map.
 */
import type MagicString from 'magic-string';

/** `var fn = map[path];` at the start of esbuild's helper `(map) => (path) => { … "Module not found in bundle: " … }`, minified or not. */
const LOOKUP = /(\(?(\w+)\)?\s*=>\s*\(?(\w+)\)?\s*=>\s*\{\s*var\s+(\w+)\s*=\s*)\2\[\3\](;\s*if\s*\(\4\)\s*return\s+\4\(\);\s*throw\s+new\s+Error\("Module not found in bundle: ")/;

/** Node's order for a relative name that has no match as it is. */
const TRIED = ['.js', '.json', '/index.js', '/index.json'];

/** Makes the bundle's glob lookup try Node's extensions (in place, so the source map follows); a bundle without one is left as it is. */
export function withNodeGlobKeys(code: MagicString): MagicString {
  const found = LOOKUP.exec(code.original);
  if (!found) return code;
  const [all, head, map, path, , tail] = found as unknown as [string, string, string, string, string, string];
  return code.update(found.index, found.index + all.length, `${head}${[`${map}[${path}]`, ...TRIED.map((ext) => `${map}[${path}+${JSON.stringify(ext)}]`)].join('||')}${tail}`);
}
