/*
 * The requires of a name known only at run time in one module's code (`require(name)`, `require(this.path)`), read
 * from its syntax, not its text: a string that only mentions such a call ("`new require(id)` invokes …", in webpack's
 * runtime templates) is text. virtual-paths.ts gives each call the module's place, and bundles the files the
 * module names by a literal relative name, which such a call may be handed.
 */
import { type Node, type Options, parse } from 'acorn';
import { simple } from 'acorn-walk';
import { isRelativeName } from './relative-name.ts';

export interface ComputedRequires {
  /** Where each such call's argument ends: the place to add a second argument. */
  argumentEnds: number[];
  /** The literal relative names the module writes ('./plugins/cli-plugin'), each once. */
  relativeNames: string[];
}

const OPTIONS: Options = { ecmaVersion: 'latest', allowReturnOutsideFunction: true, allowHashBang: true, allowAwaitOutsideFunction: true };

/** A name or a property path (`name`, `this.options.path`): what a computed require's argument is here. */
function isNameOrMember(n: Node): boolean {
  if (n.type === 'Identifier' || n.type === 'ThisExpression') return true;
  if (n.type !== 'MemberExpression') return false;
  const m = n as Node & { object: Node; computed: boolean };
  return !m.computed && isNameOrMember(m.object);
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
      return { argumentEnds: [], relativeNames: [] };
    }
  }
  const argumentEnds: number[] = [];
  const names = new Set<string>();
  simple(ast, {
    CallExpression(call) {
      const [arg] = call.arguments;
      if (call.callee.type === 'Identifier' && call.callee.name === 'require' && call.arguments.length === 1 && arg && isNameOrMember(arg)) argumentEnds.push(arg.end);
    },
    Literal(lit) {
      if (typeof lit.value === 'string' && isRelativeName(lit.value) && !/\s/.test(lit.value)) names.add(lit.value);
    },
  });
  return { argumentEnds: argumentEnds.sort((a, b) => a - b), relativeNames: [...names].sort() };
}

/** `code` with `, <extra>` added after each of those arguments. */
export function withSecondArgument(code: string, argumentEnds: readonly number[], extra: string): string {
  let out = '';
  let at = 0;
  for (const end of argumentEnds) {
    out += `${code.slice(at, end)}, ${extra}`;
    at = end;
  }
  return out + code.slice(at);
}
