// --filter on what real captures hold (src/filter.ts): text past ASCII as clients send it (UTF-8 bytes, which the
// archive keeps a character per byte), and times with fractions of a millisecond that cat prints whole. Found by a
// helper's hunt (2026-12-06): 'body~José' selected nothing from a body cat printed as José, and a time copied from
// cat's output selected nothing with time= and fell on the wrong side of <= and >.
import { describe, expect, it } from 'vitest';
import type { ArchiveRecord } from '../../src/archive/record.ts';
import { FilterError, parseFilter } from '../../src/filter.ts';

/** As the recorder stores it: Node's parser gives each byte of a header or URL as one character. */
const asReceived = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

function record(over: Partial<ArchiveRecord>): ArchiveRecord {
  return { time: 1_796_580_024_823.1682, peer: { address: '127.0.0.1', port: 4000 }, method: 'POST', url: '/b', headers: [], body: new Uint8Array(), codec: 0, tls: false, sni: '', ...over };
}

const keeps = (expr: string, r: ArchiveRecord) => parseFilter(expr)(r, r.body);

describe('--filter: text past ASCII', () => {
  const r = record({ url: asReceived('/café?q=naïve'), headers: [['X-Name', asReceived('José')]], body: Buffer.from('{"name":"José"}') });

  it('matches the UTF-8 bytes clients send, in the body, a header, the path and the query, with = and ~', () => {
    for (const expr of ['body~José', 'body~"José"\\}$', 'header.x-name=José', 'header.x-name~^José$', 'path=/café', 'query~naïve', 'url~^/café']) expect(keeps(expr, r), expr).toBe(true);
    for (const expr of ['body!~José', 'header.x-name!=José', 'body~Josë', 'header.x-name=Jose']) expect(keeps(expr, r), expr).toBe(false);
  });

  it('a pattern keeps its meaning on the decoded text: a class, a count, a dot, an escape (the review found each broken when the pattern was turned into bytes)', () => {
    const b = (text: string) => record({ body: Buffer.from(text) });
    expect(keeps('body~[éè]', b('à'))).toBe(false);
    expect(keeps('body~[éè]', b('è'))).toBe(true);
    expect(keeps('body~é{2}', b('éé'))).toBe(true);
    expect(keeps('body~^.{4}$', b('José'))).toBe(true);
    expect(keeps('body~\\u00e9', b('é'))).toBe(true);
  });

  it('still matches a character stored as one byte (a latin1 client), and ASCII as before', () => {
    const latin1 = record({ url: '/items/1?q=caf\u00e9' });
    expect(keeps('query=q=café', latin1)).toBe(true);
    expect(keeps('query~café$', latin1)).toBe(true);
    expect(keeps('method=post && path~^/caf && header.x-name~^J', r)).toBe(true);
  });
});

describe('--filter: time in whole milliseconds, as cat prints it', () => {
  const r = record({});
  const printed = new Date(r.time).toISOString();

  it('a time copied from cat selects its record with =, and puts it inside <= and >= and outside < and >', () => {
    expect(printed).toBe('2026-12-06T18:00:24.823Z');
    for (const expr of [`time=${printed}`, `time<=${printed}`, `time>=${printed}`, 'time=1796580024823', 'time=1796580024823.1682']) expect(keeps(expr, r), expr).toBe(true);
    for (const expr of [`time<${printed}`, `time>${printed}`, `time!=${printed}`, 'time=1796580024822', 'time>2026-12-06T18:00:24.823Z']) expect(keeps(expr, r), expr).toBe(false);
    expect(keeps('time>2026-12-06T18:00:24.822Z', r)).toBe(true);
  });
});

describe('--filter: a header term with no name', () => {
  it("is refused, naming the term (it was taken, and matched no header: 'header.=1' selected nothing, said nothing)", () => {
    expect(() => parseFilter('header.=1')).toThrow(new FilterError("'header.' names no header: header.NAME, e.g. header.content-type"));
  });
});
