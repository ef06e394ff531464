import { describe, expect, it } from 'vitest';
import { lldArguments, relinkCommand, withoutRelro } from '../../build/runtime/static/link.ts';

const ninjaLink = '/t/bin/c++ -Wl,--build-id -pthread -rdynamic obj/a.o -Wl,--whole-archive obj/libnode.a -Wl,--no-whole-archive -m64 -o node -Wl,--start-group obj/b.o -Wl,--end-group -lz -static -latomic -ldl -lm';

describe('relinkCommand', () => {
  it('links the allocator archives whole, first, and writes elsewhere', () => {
    const cmd = relinkCommand(ninjaLink, '/out/node-jemalloc', ['/j/libjemalloc.a']);
    expect(cmd.startsWith('/t/bin/c++ -Wl,--whole-archive /j/libjemalloc.a -Wl,--no-whole-archive -Wl,--build-id')).toBe(true);
    expect(cmd).toContain(' -o /out/node-jemalloc ');
    expect(cmd).not.toContain(' -o node ');
    expect(cmd.endsWith('-static -latomic -ldl -lm')).toBe(true);
  });

  it('adds nothing for musl malloc', () => {
    expect(relinkCommand(ninjaLink, '/o/n', [])).toBe(ninjaLink.replace(' -o node ', ' -o /o/n '));
  });

  it('refuses a command of an unexpected shape', () => {
    expect(() => relinkCommand('c++ -o libfoo.so x.o', '/o', [])).toThrow('no single "-o node"');
  });
});

describe('withoutRelro', () => {
  it('turns -z relro into -z norelro and nothing else', () => {
    const cmd = 'c++ -o node a.o -Wl,-z,relro -Wl,-z,now -static';
    expect(withoutRelro(cmd)).toBe('c++ -o node a.o -Wl,-z,norelro -Wl,-z,now -static');
  });

  it('refuses a command without -z relro, rather than link something unexpected', () => {
    expect(() => withoutRelro('c++ -o node a.o')).toThrow('no -Wl,-z,relro');
  });
});

describe('lldArguments', () => {
  const printed = 'warning: something\nld.lld --error-limit=0 -static -o /x/probe /z/crt1.o probe.o --as-needed /z/libc.a\n';

  it("takes zig's ld.lld line for the output, without the program name", () => {
    expect(lldArguments(printed, '/x/probe')).toEqual(['--error-limit=0', '-static', '-o', '/x/probe', '/z/crt1.o', 'probe.o', '--as-needed', '/z/libc.a']);
  });

  it('refuses output that has no ld.lld line writing that file, naming what it saw', () => {
    expect(() => lldArguments(printed, '/x/other')).toThrow('no ld.lld line writing /x/other (ZIG_VERBOSE_LINK=1; 1 ld.lld line(s))');
    expect(() => lldArguments('', '/x/probe')).toThrow('0 ld.lld line(s)');
  });
});
