// Issue 23, item 5: a record whose time is no date (beyond ±8.64e15 ms, the range of a JS Date) with a valid
// checksum. verify used to call it intact while cat and stats died with "Invalid time value", naming no file
// or offset. Such a record is now a bad frame for every reader: verify names file and offset, --repair cuts it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_TIME } from '../../../src/archive/format.ts';
import { readArchive } from '../../../src/archive/reader.ts';
import { encodeRequestFrame, recordPayloadSize } from '../../../src/archive/record.ts';
import { archiveBytes, sampleRecord } from '../archive-fixtures.ts';
import { scratchDir } from '../fault-scratch.ts';
import type { BrokerRun } from './bin.ts';

/** Three good records, then one whose time is `time`: a CRC-valid frame, as a writer with a bad clock (or an editor) would make. */
function archiveEndingAt(time: number): { bytes: Buffer; lastOffset: number } {
  const good = archiveBytes(3);
  const r = { ...sampleRecord(3), time };
  const frame = Buffer.alloc(12 + recordPayloadSize(r));
  encodeRequestFrame(frame, 0, r, 0);
  return { bytes: Buffer.concat([good, frame]), lastOffset: good.length };
}

/** `run`: broker in-process (runBrokerCli) or as a process (processRun). */
export function recordTimeCases(run: BrokerRun): void {
  const dir = scratchDir('time');

  describe('record times outside the range of dates', () => {
    for (const [i, time] of [1e300, -1e300, MAX_RECORD_TIME + 1, -MAX_RECORD_TIME - 1, Number.MAX_VALUE].entries()) {
      it(`time ${time}: a bad frame for verify, cat and stats alike, named by file and offset; --repair cuts it`, async () => {
        const f = join(dir, `t${i}.brk`);
        const { bytes, lastOffset } = archiveEndingAt(time);
        writeFileSync(f, bytes);
        expect(readArchive(bytes)).toMatchObject({ records: { length: 3 }, bad: { offset: lastOffset, reason: expect.stringMatching(/time/) } });

        const v = await run('verify', f);
        expect(v.code).toBe(1);
        expect(v.out).toMatch(new RegExp(`^${f}: bad frame at offset ${lastOffset}: request record time .* is outside the range of dates`));
        const c = await run('cat', f, '--json');
        expect(c.code).toBe(1);
        expect(c.out.split('\n')).toHaveLength(3);
        expect(c.err).toMatch(new RegExp(`^broker: ${f}: stopped at a bad frame at offset ${lastOffset} \\(request record time`));
        expect(c.err).not.toMatch(/Invalid time value/);
        const s = await run('stats', f);
        expect(s.code).toBe(1);
        expect(s.err).toMatch(new RegExp(`^broker: ${f}: bad frame at offset ${lastOffset} \\(request record time`));

        expect((await run('verify', f, '--repair')).code).toBe(0);
        expect(readFileSync(f).length).toBe(lastOffset);
        expect(await run('verify', f)).toMatchObject({ code: 0, out: expect.stringMatching(/intact, 3 records/) });
      });
    }

    it('the extremes of the range are dates, and every reader prints them', async () => {
      for (const time of [MAX_RECORD_TIME, -MAX_RECORD_TIME]) {
        const f = join(dir, `edge${Math.sign(time)}.brk`);
        writeFileSync(f, archiveEndingAt(time).bytes);
        expect(await run('verify', f)).toMatchObject({ code: 0, out: expect.stringMatching(/intact, 4 records/) });
        const c = await run('cat', f, '--json');
        expect(c.code).toBe(0);
        expect(JSON.parse(c.out.split('\n')[3]!)).toMatchObject({ timeMs: time, time: new Date(time).toISOString() });
        expect((await run('stats', f)).code).toBe(0);
      }
    });
  });
}
