import { strict as assert } from 'node:assert';
import { closestMatch, defaultMethod, fnmatch, parseSelectionArgs, parseSelector, SelectorError } from '../../../src/core/graph';
import { editDistance } from '../../../src/core/graph/closestMatch';
import { pathGlob } from '../../../src/core/graph/pathGlob';

function parseError(raw: string): SelectorError {
  try {
    parseSelector(raw);
  } catch (err) {
    assert.ok(err instanceof SelectorError, String(err));
    return err;
  }
  assert.fail(`expected '${raw}' to be refused`);
}

describe('graph: parsing selection arguments', () => {
  it('splits each criterion like dbt\'s RAW_SELECTOR_PATTERN', () => {
    const c = parseSelector('2+config.meta.owner:finance+3');
    assert.deepEqual(
      { method: c.method, args: c.methodArgs, value: c.value, parents: c.parents, pd: c.parentsDepth, children: c.children, cd: c.childrenDepth, at: c.childrensParents },
      { method: 'config', args: ['meta', 'owner'], value: 'finance', parents: true, pd: 2, children: true, cd: 3, at: false },
    );
    const at = parseSelector('@tag:nightly');
    assert.deepEqual([at.childrensParents, at.method, at.value, at.parents, at.children], [true, 'tag', 'nightly', false, false]);
    // + with no number means unlimited depth.
    const plus = parseSelector('+orders+');
    assert.deepEqual([plus.parents, plus.parentsDepth, plus.children, plus.childrenDepth, plus.value], [true, null, true, null, 'orders']);
  });

  it('keeps a + inside the value (only a trailing +digits is the operator)', () => {
    // delete+insert: the + is not at the end, so it is part of the value.
    assert.equal(parseSelector('config.incremental_strategy:delete+insert').value, 'delete+insert');
    const c = parseSelector('config.incremental_strategy:delete+insert+');
    assert.deepEqual([c.value, c.children], ['delete+insert', true]);
  });

  it('picks the default method like dbt: path with a separator, file for .sql/.py/.csv, else fqn', () => {
    assert.equal(defaultMethod('models/staging'), 'path');
    assert.equal(defaultMethod('models\\staging'), 'path');
    assert.equal(defaultMethod('orders.sql'), 'file');
    assert.equal(defaultMethod('ORDERS.PY'), 'file');
    assert.equal(defaultMethod('raw_orders.csv'), 'file');
    assert.equal(defaultMethod('orders.yml'), 'fqn');
    assert.equal(defaultMethod('jaffle_shop.staging'), 'fqn');
    assert.equal(parseSelector('models/staging+').method, 'path');
  });

  it('refuses @ with a + suffix, suggesting the @ form', () => {
    const err = parseError('@orders+');
    assert.equal(err.token, '@orders+');
    assert.equal(err.suggestion, '@orders');
    // A + prefix after @ is allowed (dbt only refuses the suffix).
    assert.equal(parseSelector('@2+orders').childrensParents, true);
  });

  it('refuses unknown methods with the closest name, and the ones that need other artifacts', () => {
    const err = parseError('materialized:view');
    assert.equal(err.token, 'materialized');
    assert.equal(err.suggestion, null);
    assert.match(err.message, /^'materialized' is not a selector method \(in 'materialized:view'\); the methods are fqn, tag/);
    assert.equal(parseError('sorce:raw').suggestion, 'source');
    assert.equal(parseError('state:modified').token, 'state');
  });

  it('refuses criteria without a value, and empty intersection parts', () => {
    assert.match(parseError('tag:').message, /has no value to match after 'tag:'/);
    assert.match(parseError('+').message, /has no value to match/);
    assert.throws(() => parseSelectionArgs(['a,,b']), (e: unknown) => e instanceof SelectorError && e.suggestion === 'a,b');
  });

  it('parses a union of intersections, ignoring empty members', () => {
    const members = parseSelectionArgs(['a b,tag:x', ' c ']);
    assert.deepEqual(
      members.map((m) => [m.raw, m.criteria.map((c) => `${c.method}:${c.value}`)]),
      [['a', ['fqn:a']], ['b,tag:x', ['fqn:b', 'tag:x']], ['c', ['fqn:c']]],
    );
  });
});

describe('graph: fnmatch, path globs, suggestions', () => {
  it('fnmatch follows Python: * crosses dots and slashes, [!x], literal [ without ]', () => {
    assert.ok(fnmatch('shop.staging.stg_orders', '*stg_*'));
    assert.ok(!fnmatch('shop.staging.stg_orders', 'stg_*'));
    assert.ok(fnmatch('a/b.sql', '*.sql'));
    assert.ok(fnmatch('table_model', '[t-u][a-n]ble_model'));
    assert.ok(fnmatch('b', '[!a]'));
    assert.ok(!fnmatch('a', '[!a]'));
    assert.ok(fnmatch('x[1', 'x[1'), 'an unclosed [ is literal');
    assert.ok(fnmatch('a.b', 'a.b') && !fnmatch('axb', 'a.b'), 'a dot is literal');
    assert.ok(!fnmatch('z', '[z-a]'), 'a reversed range matches nothing');
    assert.ok(fnmatch('Ab', '?b') && !fnmatch('ab', 'A?'), 'case-sensitive');
  });

  it('path globs match segment by segment, ** across segments', () => {
    const seg = (p: string): string[] => p.split('/');
    assert.ok(pathGlob('models/*/x.sql')(seg('models/a/x.sql')));
    assert.ok(!pathGlob('models/*.sql')(seg('models/a/x.sql')));
    assert.ok(pathGlob('models/**/x.sql')(seg('models/x.sql')));
    assert.ok(pathGlob('models/**/x.sql')(seg('models/a/b/x.sql')));
    assert.ok(pathGlob('./models//staging/')(seg('models/staging')), 'normalized like pathlib');
  });

  it('edit distance counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('tga', 'tag'), 1);
    assert.equal(editDistance('customrs', 'customers'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('abc', 'xyz', 1), 2, 'stops past the cap');
  });

  it('suggests only plausible typos, the closest first, ignoring case', () => {
    assert.equal(closestMatch('customrs', ['orders', 'customers', 'stg_customers']), 'customers');
    assert.equal(closestMatch('Customers', ['customers']), 'customers');
    assert.equal(closestMatch('xyz', ['customers', 'orders']), null);
    assert.equal(closestMatch('ordrs', ['order', 'orders']), 'orders', 'one insertion beats two substitutions');
    assert.equal(closestMatch('cat', ['hat', 'bat']), 'bat', 'a tie goes to the alphabetically first');
  });
});
