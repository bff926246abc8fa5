import assert from 'node:assert/strict';
import { ClickHouseError, exceptionText, int, literal, parseJsonEachRow } from '../../../src/core/clickhouse/client';
import { checkConnection } from '../../../src/core/clickhouse/connection';

describe('ClickHouse answers (JSONEachRow, exceptions)', () => {
  it('reads the exception text of 18.x and of current releases', () => {
    // 18.16, as the local test server answers a quota error (HTTP 500).
    assert.equal(
      exceptionText("Code: 201, e.displayText() = DB::Exception: Quota for user 'limited' for 1 hour has been exceeded. Queries: 3, max: 2. Interval will end at 2026-12-02 02:00:00. Name of quota template: 'limited'., e.what() = DB::Exception\n"),
      "Quota for user 'limited' for 1 hour has been exceeded. Queries: 3, max: 2. Interval will end at 2026-12-02 02:00:00. Name of quota template: 'limited'.",
    );
    // A current release's public `play` user (quoted in ClickHouse/ClickHouse#107762, HTTP 500).
    assert.equal(
      exceptionText('Code: 201. DB::Exception: Quota for user `play` for 3600s has been exceeded: read_rows = 300099533088/300000000000. Interval will end at 2026-06-16 21:33:21. Name of quota template: `explorer_normalized_query_hash`. (QUOTA_EXCEEDED) (version 26.6.1.114)\n'),
      'Quota for user `play` for 3600s has been exceeded: read_rows = 300099533088/300000000000. Interval will end at 2026-06-16 21:33:21. Name of quota template: `explorer_normalized_query_hash`. (QUOTA_EXCEEDED)',
    );
  });

  it('splits rows; a cut-off answer, an exception after rows, or a line that is not an object fails the whole answer', () => {
    assert.deepEqual(parseJsonEachRow('{"a":"18446744073709551615","b":1}\n{"a":"2","b":2}\n', 'x'), [{ a: '18446744073709551615', b: 1 }, { a: '2', b: 2 }]);
    assert.deepEqual(parseJsonEachRow('', 'x'), []);
    const fails = (text: string, kind: string, message: RegExp) =>
      assert.throws(() => parseJsonEachRow(text, 'X'), (e: unknown) => e instanceof ClickHouseError && e.kind === kind && message.test(e.message));
    fails('{"a":1}\n{"a":', 'network', /ended in the middle of row 2/);
    fails('{"a":1}\n{"a":2}', 'network', /cut off after 2 rows/);
    fails('{"a":1}\nCode: 241. DB::Exception: Memory limit (for query) exceeded. (MEMORY_LIMIT_EXCEEDED) (version 24.1)\n', 'query', /failed while sending the result \(after 1 rows\): Memory limit/);
    fails('{"a":1}\n[1,2]\n', 'malformed', /row 2 of the result is not an object/);
    fails('{"a":1}\n{"a" 1}\n', 'malformed', /row 2 of the result is not JSON/);
  });

  it('takes 64-bit integers as strings and refuses what is not a safe whole number', () => {
    assert.equal(int('9007199254740991', 'c', 'X'), 9007199254740991);
    assert.equal(int(42, 'c', 'X'), 42);
    assert.throws(() => int('18446744073709551615', 'c', 'X'), /column c is "18446744073709551615", not a whole number/);
    assert.throws(() => int('1.5', 'c', 'X'), ClickHouseError);
    assert.equal(literal("it's a \\ test"), "'it\\'s a \\\\ test'");
  });

  it('checks the settings before any request: no credentials in the URL, plain database names', () => {
    assert.equal(checkConnection({ url: 'https://host:8443/', user: 'u', database: 'github' }, 'X').url, 'https://host:8443');
    assert.throws(() => checkConnection({ url: 'https://u:p@host', user: 'u', database: 'github' }, 'X'), /password in secret storage, not in the URL/);
    assert.throws(() => checkConnection({ url: 'ftp://host', user: 'u', database: 'github' }, 'X'), /not an http\(s\) URL/);
    assert.throws(() => checkConnection({ url: 'https://host', user: 'u', database: 'git hub; DROP' }, 'X'), /not a plain ClickHouse identifier/);
  });
});
