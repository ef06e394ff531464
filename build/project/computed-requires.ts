/*
 * The requires of a name known only at run time in one module's code (`require(name)`, `require(this.path)`), read
 * from its syntax, not its text: a string that only mentions such a call ("`new require(id)` invokes …", in webpack's
 * runtime templates) is text. virtual-paths.ts gives each call the module's place, and bundles the files the
 * module names by a literal relative name, which such a call may be handed. Likewise its import() of a computed
 * specifier, which the bundle turns into a require (virtual-paths.ts gives it node's import when that fails).
 */
import { type Node, type Options, parse } from 'acorn';
import { ancestor } from 'acorn-walk';
import { isRelativeName } from './relative-name.ts';

export interface ComputedRequires {
  /** Where each such call's argument ends: the place to add a second argument (also a literal relative name's, through a `require` parameter). */
  argumentEnds: number[];
  /** The literal relative names the module writes ('./plugins/cli-plugin'), each once. */
  relativeNames: string[];
  /** Each import() of a computed specifier (no import attributes, not a glob esbuild expands): where the call starts, where its argument starts and ends. */
  imports: { start: number; argumentStart: number; argumentEnd: number }[];
}

/** A piece of code to put in place of code[from, to). */
export interface Edit {
  from: number;
  to: number;
  text: string;
}

const OPTIONS: Options = { ecmaVersion: 'latest', allowReturnOutsideFunction: true, allowHashBang: true, allowAwaitOutsideFunction: true };

/** A name or a property path (`name`, `this.options.path`): what a computed require's argument is here. */
function isNameOrMember(n: Node): boolean {
  if (n.type === 'Identifier' || n.type === 'ThisExpression') return true;
  if (n.type !== 'MemberExpression') return false;
  const m = n as Node & { object: Node; computed: boolean };
  return !m.computed && isNameOrMember(m.object);
}

/**
 * A specifier esbuild bundles as a glob: a template literal or a `+` chain that starts with a relative literal
 * (`./plugins/${name}.js`, './locale/' + lang + '.json'); esbuild bundles every file it can match and picks one at
 * run time. Such an import() is left to esbuild: wrapped, it became a plain require esbuild could not expand.
 */
function isGlob(n: Node): boolean {
  if (n.type === 'TemplateLiteral') {
    const [first] = (n as Node & { quasis: { value: { cooked: string | null } }[] }).quasis;
    return isRelativeName(first?.value.cooked ?? '');
  }
  let left = n;
  while (left.type === 'BinaryExpression' && (left as Node & { operator: string }).operator === '+') left = (left as Node & { left: Node }).left;
  const value = left !== n && left.type === 'Literal' ? (left as Node & { value: unknown }).value : undefined;
  return typeof value === 'string' && isRelativeName(value);
}

/** Whether an enclosing function takes `name` as a parameter. */
function isParameter(name: string, ancestors: readonly Node[]): boolean {
  return ancestors.some((n) => {
    const params = (n as Node & { params?: Node[] }).params;
    return params?.some((p) => p.type === 'Identifier' && (p as Node & { name: string }).name === name) === true;
  });
}

/** The module's computed requires and relative names; none when its code does not parse (esbuild will say why). */
export function computedRequires(code: string): ComputedRequires {
  let ast: Node;
  try {
    ast = parse(code, { ...OPTIONS, sourceType: 'module' });
  } catch {
    try {
      ast = parse(code, { ...OPTIONS, sourceType: 'script' });
    } catch {
      return { argumentEnds: [], relativeNames: [], imports: [] };
    }
  }
  const argumentEnds: number[] = [];
  const names = new Set<string>();
  const imports: ComputedRequires['imports'] = [];
  ancestor(ast, {
    ImportExpression(node) {
      const { source, options } = node as Node & { source: Node & { expressions?: Node[] }; options?: Node | null };
      const literal = source.type === 'Literal' || (source.type === 'TemplateLiteral' && source.expressions?.length === 0);
      if (!literal && !options && !isGlob(source)) imports.push({ start: node.start, argumentStart: source.start, argumentEnd: source.end });
    },
    CallExpression(call, _state, ancestors) {
      const [arg] = call.arguments;
      if (call.callee.type !== 'Identifier' || call.arguments.length !== 1 || !arg) return;
      const { name } = call.callee;
      if (name === 'require' && isNameOrMember(arg)) argumentEnds.push(arg.end);
      // A literal relative name through a `require` that is a parameter (TypeScript's UMD output: `(function (require,
      // exports) { require("./impl/format") })`, jsonc-parser under lerna), which esbuild renames require2: esbuild
      // bundles only the global require's.
      const relative = arg.type === 'Literal' && typeof arg.value === 'string' && isRelativeName(arg.value);
      if (relative && /^require\d*$/.test(name) && isParameter(name, ancestors)) argumentEnds.push(arg.end);
    },
    Literal(lit) {
      if (typeof lit.value === 'string' && isRelativeName(lit.value) && !/\s/.test(lit.value)) names.add(lit.value);
    },
  });
  return { argumentEnds: argumentEnds.sort((a, b) => a - b), relativeNames: [...names].sort(), imports: imports.sort((a, b) => a.start - b.start) };
}

/** `code` with each edit made (edits do not overlap; insertions at one place keep their order). */
export function applyEdits(code: string, edits: readonly Edit[]): string {
  let out = '';
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.from - b.from)) {
    out += code.slice(at, e.from) + e.text;
    at = e.to;
  }
  return out + code.slice(at);
}

/** `code` with `, <extra>` added after each of those arguments. */
export function withSecondArgument(code: string, argumentEnds: readonly number[], extra: string): string {
  return applyEdits(code, secondArguments(argumentEnds, extra));
}

/** The edits that add `, <extra>` after each of those arguments. */
export function secondArguments(argumentEnds: readonly number[], extra: string): Edit[] {
  return argumentEnds.map((end) => ({ from: end, to: end, text: `, ${extra}` }));
}

/** The edits that make each computed import() `helper(specifier, (s) => import(s), mark)`: the specifier is evaluated once, as before. */
export function importsThrough(imports: ComputedRequires['imports'], helper: string, mark: string): Edit[] {
  return imports.flatMap((i) => [
    { from: i.start, to: i.argumentStart, text: `${helper}(` },
    { from: i.argumentEnd, to: i.argumentEnd, text: `, (s) => import(s), ${mark}` },
  ]);
}
