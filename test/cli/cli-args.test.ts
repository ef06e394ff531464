// The shared option helpers every CLI uses: each error names the option, the value, what is allowed and the help.
import { describe, expect, it } from 'vitest';
import { listOf, oneOf } from '../../shared/cli-args/choice.ts';
import { parseCommandArgs, subcommand } from '../../shared/cli-args/command-args.ts';
import { duration } from '../../shared/cli-args/duration.ts';
import { listen } from '../../shared/cli-args/listen.ts';
import { int, number } from '../../shared/cli-args/number.ts';
import { size } from '../../shared/cli-args/size.ts';
import { optionsOf, UsageError } from '../../shared/cli-args/usage-error.ts';

const opt = optionsOf('tool cmd --help');

/** The UsageError message fn throws. */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
}

describe('option helpers', () => {
  it('pass undefined through, so the caller writes the default: helper(…) ?? default', () => {
    expect(oneOf(undefined, opt('--x'), ['a'])).toBeUndefined();
    expect(listOf(undefined, opt('--x'), ['a'])).toBeUndefined();
    expect(int(undefined, opt('--x'), { min: 0, max: 1 })).toBeUndefined();
    expect(number(undefined, opt('--x'), { min: 0, max: 1 })).toBeUndefined();
    expect(size(undefined, opt('--x'), { min: 0, max: 1 })).toBeUndefined();
    expect(duration(undefined, opt('--x'), { unit: 'ms', min: 0, max: 1 })).toBeUndefined();
    expect(listen(undefined, opt('--x'))).toBeUndefined();
  });

  it('oneOf: one word of a set', () => {
    expect(oneOf('brotli', opt('--compress'), ['gzip', 'brotli', 'none'])).toBe('brotli');
    expect(usageError(() => oneOf('zip', opt('--compress'), ['gzip', 'brotli', 'none']))).toBe("--compress must be gzip, brotli or none, got 'zip' (see 'tool cmd --help')");
  });

  it('listOf: a comma list of words of a set, or all; the bad word named', () => {
    expect(listOf('b,a,b', opt('--only'), ['a', 'b', 'c'])).toEqual(['b', 'a']);
    expect(listOf('all', opt('--only'), ['a', 'b'], { all: true })).toEqual(['a', 'b']);
    expect(usageError(() => listOf('a,z', opt('--only'), ['a', 'b']))).toBe("--only must be a or b, or a comma list of them, got 'z' in 'a,z' (see 'tool cmd --help')");
    expect(usageError(() => listOf('all', opt('--only'), ['a', 'b']))).toBe("--only must be a or b, or a comma list of them, got 'all' (see 'tool cmd --help')");
  });

  it('int: decimal digits within a range', () => {
    expect(int('599', opt('--status'), { min: 200, max: 599 })).toBe(599);
    for (const bad of ['99', '600', '2e2', '-1', '1.5', ' 200', '']) {
      expect(usageError(() => int(bad, opt('--status'), { min: 200, max: 599 }))).toBe(`--status must be an integer from 200 to 599, got '${bad}' (see 'tool cmd --help')`);
    }
  });

  it('number: a decimal within bounds, with an optional unit', () => {
    expect(number('0.25', opt('--sample'), { min: 0, max: 1 })).toBe(0.25);
    expect(number('500/s', opt('--rate'), { above: 0, unit: '/s' })).toBe(500);
    expect(number('2.5', opt('--rate'), { above: 0, unit: '/s' })).toBe(2.5);
    expect(usageError(() => number('1.5', opt('--sample'), { min: 0, max: 1 }))).toBe("--sample must be a number from 0 to 1, got '1.5' (see 'tool cmd --help')");
    expect(usageError(() => number('0/s', opt('--rate'), { above: 0, unit: '/s', of: 'requests per second', example: '500/s' }))).toBe(
      "--rate must be a positive number of requests per second (e.g. 500/s), got '0/s' (see 'tool cmd --help')",
    );
  });

  it('size: bytes as people write them, within a range', () => {
    expect(size('1MiB', opt('--max-body'), { min: 0, max: 2 ** 26 })).toBe(2 ** 20);
    expect(size('512k', opt('--max-body'), { min: 0, max: 2 ** 26 })).toBe(512 * 1024);
    expect(usageError(() => size('lots', opt('--max-body'), { min: 0, max: 2 ** 26 }))).toBe("--max-body must be a size from 0 B to 64.0 MiB (e.g. 1MiB, 512k), got 'lots' (see 'tool cmd --help')");
    expect(usageError(() => size('1k', opt('--rotate'), { min: 64 * 1024, max: 2 ** 30 }))).toMatch(/^--rotate must be a size from 64\.0 KiB to 1\.00 GiB .*, got '1k' \(see 'tool cmd --help'\)$/);
  });

  it('duration: a bare number in the option unit, or with ms, s, m, h', () => {
    const ms = { unit: 'ms', min: 1, max: 60_000 } as const;
    expect(duration('100', opt('--flush-ms'), ms)).toBe(100);
    expect(duration('250ms', opt('--flush-ms'), ms)).toBe(250);
    expect(duration('2s', opt('--flush-ms'), ms)).toBe(2000);
    expect(duration('1m', opt('--flush-ms'), ms)).toBe(60_000);
    const s = { unit: 's', min: 0.001, max: 86_400 } as const;
    expect(duration('30', opt('--timeout'), s)).toBe(30);
    expect(duration('0.5', opt('--timeout'), s)).toBe(0.5);
    expect(duration('1500ms', opt('--timeout'), s)).toBe(1.5);
    expect(duration('1h', opt('--timeout'), s)).toBe(3600);
    for (const bad of ['0', '61s', '1.5', '5 s', '5x', '-1']) {
      expect(usageError(() => duration(bad, opt('--flush-ms'), ms))).toBe(`--flush-ms must be a duration from 1 ms to 60 s (a number of milliseconds, or with ms, s, m or h: 100, 2s, 1m), got '${bad}' (see 'tool cmd --help')`);
    }
    expect(usageError(() => duration('0', opt('--timeout'), s))).toMatch(/^--timeout must be a duration from 1 ms to 24 h \(a number of seconds, .*\), got '0' \(see 'tool cmd --help'\)$/);
  });

  it('listen: an IP literal or localhost, and a port', () => {
    const at = opt('--listen');
    expect(listen('127.0.0.1:8080', at)).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(listen('[::1]:0', at)).toEqual({ host: '::1', port: 0 });
    expect(listen('0.0.0.0:80', at)).toEqual({ host: '0.0.0.0', port: 80 });
    expect(listen('localhost:9000', at)).toEqual({ host: 'localhost', port: 9000 });
    expect(listen(':0', at)).toEqual({ host: '127.0.0.1', port: 0 });
    expect(listen('8080', at)).toEqual({ host: '127.0.0.1', port: 8080 });
    for (const bad of ['999.1.1.1:80', 'example.com:80', 'nowhere', '127.0.0.1:65536', '[::1:80', '::1:80', '[nope]:80', '127.0.0.1:']) {
      expect(usageError(() => listen(bad, at))).toBe(`--listen must be HOST:PORT with HOST an IP address or localhost (e.g. 127.0.0.1:8080, [::1]:8080, localhost:0, :8080), got '${bad}' (see 'tool cmd --help')`);
    }
  });
});

describe('parseCommandArgs and subcommand', () => {
  const at = { command: 'cmd', help: 'tool cmd --help' };

  it('an unknown option names itself, the options there are, and the help', () => {
    expect(usageError(() => parseCommandArgs(['--nope'], { json: { type: 'boolean' }, out: { type: 'string' } }, at))).toBe("unknown option '--nope' for 'cmd'; its options are --json, --out, --help (see 'tool cmd --help')");
    expect(usageError(() => parseCommandArgs(['extra'], {}, at))).toBe("unexpected argument 'extra' for 'cmd' (see 'tool cmd --help')");
  });

  it('a value option given twice is refused, naming both values (the first was dropped unseen); a repeatable one and a repeated flag are not', () => {
    const options = { arch: { type: 'string' }, tag: { type: 'string', multiple: true }, json: { type: 'boolean' } } as const;
    expect(usageError(() => parseCommandArgs(['--arch', 'riscv', '--arch=x64'], options, at))).toBe("--arch is given 2 times ('riscv', 'x64'); give it once (see 'tool cmd --help')");
    expect(parseCommandArgs(['--tag', 'a', '--tag', 'b', '--json', '--json', '--arch', 'x64'], options, at).values).toEqual({ tag: ['a', 'b'], json: true, arch: 'x64' });
  });

  it('an unknown subcommand names itself and the known ones; none given is the caller’s to decide', () => {
    expect(subcommand('key', ['status', 'key'], at)).toBe('key');
    expect(subcommand(undefined, ['status', 'key'], at)).toBeUndefined();
    expect(usageError(() => subcommand('pack', ['status', 'key'], at))).toBe("unknown command 'pack' for 'cmd'; the commands are status, key (see 'tool cmd --help')");
    expect(usageError(() => subcommand('--x', ['dist'], { help: 'tool --help' }))).toBe("unknown option '--x'; the commands are dist (see 'tool --help')");
  });
});
