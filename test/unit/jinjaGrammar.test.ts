import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { repoRoot } from '../support/fixtures';

const INJECTION = 'source.sql.jinja.injection';

async function registry(): Promise<textmate.Registry> {
  const wasm = readFileSync(path.join(repoRoot, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  return new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scopeName) => {
      if (scopeName === INJECTION) {
        const file = path.join(repoRoot, 'syntaxes/jinja-sql.injection.tmLanguage.json');
        return textmate.parseRawGrammar(readFileSync(file, 'utf8'), file);
      }
      if (scopeName === 'source.sql') {
        // A minimal host grammar: the injection is what is under test.
        return textmate.parseRawGrammar(JSON.stringify({ scopeName: 'source.sql', patterns: [{ match: '\\b(?i:select|from|where)\\b', name: 'keyword.other.sql' }] }), 'sql.json');
      }
      return null;
    },
    getInjections: (scopeName) => (scopeName === 'source.sql' ? [INJECTION] : undefined),
  });
}

function scopesOf(grammar: textmate.IGrammar, line: string): Map<string, string[]> {
  const { tokens } = grammar.tokenizeLine(line, textmate.INITIAL);
  return new Map(tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes]));
}

describe('Jinja-in-SQL injection grammar', () => {
  it('marks dbt expressions, statements and comments inside SQL', async () => {
    const grammar = await (await registry()).loadGrammar('source.sql');
    assert.ok(grammar);
    const expr = scopesOf(grammar, `select * from {{ ref("stg_events") }} where x = 1`);
    assert.ok(expr.get('select')?.includes('keyword.other.sql'));
    assert.ok(expr.get('{{')?.includes('punctuation.section.embedded.begin.jinja'));
    assert.ok(expr.get('ref')?.includes('support.function.dbt.jinja'));
    assert.ok([...expr.entries()].some(([text, scopes]) => text.includes('stg_events') && scopes.includes('string.quoted.double.jinja')));
    assert.ok(expr.get('}}')?.includes('punctuation.section.embedded.end.jinja'));
    assert.ok(!expr.get(' where x = 1')?.some((s) => s.includes('jinja')), 'SQL after the expression is SQL again');

    const stmt = scopesOf(grammar, `{%- if is_incremental() -%}`);
    assert.ok(stmt.get('if')?.includes('keyword.control.jinja'));
    assert.ok(stmt.get('is_incremental')?.includes('support.function.dbt.jinja'));

    const comment = scopesOf(grammar, `{# a {{ not }} expression #} select 1`);
    assert.ok([...comment.entries()].some(([k, s]) => k.includes('not') && s.includes('comment.block.jinja')));
  });
});
