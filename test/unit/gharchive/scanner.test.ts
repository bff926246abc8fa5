import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { hourFileName, hourKey, hoursBetween, parseHour } from '../../../src/core/gharchive/hours';
import { LineScanner, LineTooLongError } from '../../../src/core/gharchive/lineScanner';
import { RepoMatcher } from '../../../src/core/gharchive/repoMatcher';
import { judgeHours } from '../../../src/core/gharchive/suspicious';
import { realHourBytes } from './archiveFixtures';

/** Scans `data` cut into chunks of the given sizes (cycled), as the network and zlib may cut it. */
function scan(data: Buffer, sizes: number[], matcher: RepoMatcher) {
  const candidates: number[] = [];
  const bad: Array<[number, string]> = [];
  const scanner = new LineScanner(() => matcher.prefilter, {
    candidate: ({ text, lineNo }) => {
      const e = JSON.parse(text) as { repo: { id: number; name: string } };
      const m = matcher.match(e.repo);
      if (m) candidates.push(lineNo);
      return m?.learned ?? false;
    },
    badLine: (lineNo, excerpt) => bad.push([lineNo, excerpt]),
  });
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length] as number;
    scanner.push(data.subarray(at, at + n));
    at += n;
  }
  scanner.end();
  return { candidates, bad, lines: scanner.lines };
}

describe('GH Archive line scanner and matcher', () => {
  const raw = gunzipSync(realHourBytes());
  const tracked = ['kaltura/mwEmbed', 'CACHETHQ/cachet', 'rust-lang/rust'];
  const reference = raw
    .toString('utf8')
    .split('\n')
    .map((l, i) => ({ l, i: i + 1 }))
    .filter(({ l }) => l && ['kaltura/mwembed', 'cachethq/cachet', 'rust-lang/rust'].includes((JSON.parse(l) as { repo: { name: string } }).repo.name.toLowerCase()))
    .map(({ i }) => i);

  it('finds the same lines whatever the chunking (1 byte to whole file), case-insensitively', () => {
    assert.ok(reference.length > 90);
    // Byte-by-byte chunking is slow: use a prefix of whole lines for the small sizes.
    const prefix = raw.subarray(0, raw.lastIndexOf(0x0a, 400_000) + 1);
    const prefixLines = prefix.toString('utf8').split('\n').length - 1;
    for (const sizes of [[raw.length], [65_536], [1, 7, 4096, 333], [200_000, 3]]) {
      const small = sizes[0] === 1;
      const got = scan(small ? prefix : raw, sizes, new RepoMatcher(tracked));
      assert.deepEqual(got.candidates, small ? reference.filter((n) => n <= prefixLines) : reference, `chunks ${sizes.join(',')}`);
      assert.deepEqual(got.bad, []);
    }
    assert.equal(scan(raw, [65_536], new RepoMatcher(tracked)).lines, 8273);
  });

  it('counts a last line without newline, accepts CRLF, and reports lines that cannot be events', () => {
    const lines = raw.toString('utf8').split('\n').slice(0, 3);
    const data = Buffer.from(`${lines[0]}\r\n\n<html>oops</html>\n${lines[1]}\n\u0000\u0001binary\n${lines[2]}`);
    const got = scan(data, [50], new RepoMatcher(['nobody/none']));
    assert.equal(got.lines, 5);
    assert.deepEqual(got.bad, [
      [3, '"<html>oops</html>"'],
      [5, '"\\u0000\\u0001binary"'],
    ]);
  });

  it('refuses to buffer an endless line', () => {
    const scanner = new LineScanner(() => /x/g, { candidate: () => false, badLine: () => undefined }, 1000);
    assert.throws(() => {
      for (let i = 0; i < 20; i++) scanner.push(Buffer.alloc(100, 0x61));
    }, LineTooLongError);
  });

  it('learns a repository id from its name, and then matches the id alone (renames)', () => {
    const m = new RepoMatcher(['Kaltura/MwEmbed']);
    assert.equal(m.match({ id: 3388498, name: 'mwEmbed' }), undefined);
    assert.deepEqual(m.match({ id: 3388498, name: 'kaltura/mwEmbed' }), { tracked: 'Kaltura/MwEmbed', learned: true });
    assert.deepEqual(m.match({ id: 3388498, name: 'kaltura/player' }), { tracked: 'Kaltura/MwEmbed', learned: false });
    assert.ok(m.prefilter.test('"repo":{"id":3388498,"name":"kaltura/player"'));
    m.prefilter.lastIndex = 0;
    assert.ok(!m.prefilter.test('"repo":{"id":33884980,"name":"other/thing"'));
  });

  it('parses hours and names files as the archive does (hour not padded)', () => {
    assert.equal(hourKey(parseHour('2015-01-01T00')), '2015-01-01T00:00:00Z');
    assert.equal(hourKey(parseHour('2015-01-01-9')), '2015-01-01T09:00:00Z');
    assert.equal(hourKey(parseHour('2015-01-01', 'to')), '2015-01-01T23:00:00Z');
    assert.equal(hourFileName(parseHour('2015-01-01T09')), '2015-01-01-9.json.gz');
    assert.equal(hourFileName(parseHour('2015-01-01T23')), '2015-01-01-23.json.gz');
    assert.equal(hoursBetween(parseHour('2015-01-01T00'), parseHour('2015-01-01T23')).length, 24);
    assert.throws(() => parseHour('2015-02-30T01'), /not a valid UTC hour/);
    assert.throws(() => parseHour('yesterday'), /YYYY-MM-DDTHH/);
    assert.throws(() => hoursBetween(parseHour('2015-01-02T00'), parseHour('2015-01-01T00')), /ends .* before it starts/);
  });

  it('flags an hour with far fewer events than the week around it, and an empty one', () => {
    const H = 3_600_000;
    const hours = Array.from({ length: 48 }, (_, i) => ({ ms: i * H, events: 8000 + (i % 24) * 200 }));
    hours[20] = { ms: 20 * H, events: 900 };
    hours[30] = { ms: 30 * H, events: 0 };
    const flags = judgeHours(hours, hours.map((h) => h.ms));
    assert.deepEqual([...flags].filter(([, s]) => s.suspicious).map(([ms]) => ms / H), [20, 30]);
    assert.ok((flags.get(20 * H)?.expected ?? 0) > 8000);
    // Too few neighbours: no reference, only the empty hour is flagged.
    const few = judgeHours(hours.slice(0, 3), [0, H]);
    assert.deepEqual(few.get(0), { suspicious: false, expected: null });
  });
});
