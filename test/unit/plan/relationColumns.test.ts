import { strict as assert } from 'node:assert';
import { selectNodes } from '../../../src/core/graph/selector';
import { planPriceGap } from '../../../src/core/plan';
import { outerSelectColumns, outerSelectItems, referencedNames } from '../../../src/core/plan/pricegap/relationColumns';
import { cohort, exampleProject, PRICE_ROOT, syntheticInput, workedExample } from './planFixtures';

describe('plan: columns of a relation from its compiled SQL', () => {
  it('reads the outer SELECT only: aliases and bare columns, not subqueries, strings or comments', () => {
    assert.deepEqual(
      outerSelectColumns(
        [
          '-- SELECT x AS comment_usd FROM y',
          'WITH t AS (SELECT 1 AS cte_usd)',
          'SELECT',
          '    date,',
          '    p.token_address,',
          "    concat(symbol, ', AS string_usd') AS label,",
          '    sum(balance * coalesce(p.price, 0)) AS balance_usd, /* AS block_usd */',
          '    `quoted col` ,',
          '    toStartOfMonth(date) AS `month`',
          'FROM (SELECT a AS inner_usd FROM b) AS x',
          'WHERE y = 1',
        ].join('\n'),
      ),
      ['date', 'token_address', 'label', 'balance_usd', 'month'],
    );
    assert.deepEqual(outerSelectColumns('SELECT DISTINCT a, b AS c FROM t'), ['a', 'c']);
    assert.deepEqual(outerSelectColumns('SELECT * FROM t'), []);
    assert.deepEqual(outerSelectColumns("SELECT 'it\\'s' AS x, y FROM t"), ['x', 'y']);
    assert.deepEqual(outerSelectColumns('no sql here'), []);
  });

  it('gives each outer SELECT item with the expression that computes it, parentheses and all', () => {
    assert.deepEqual(
      outerSelectItems(
        [
          'WITH t AS (SELECT 1 AS x)',
          'SELECT DISTINCT',
          '    b.date,',
          "    multiIf(b.balance_usd < 10, '0-10, AS no', '10+') AS cohort, -- a comment, AS c_usd",
          '    CAST(x AS String) AS `label`,',
          '    sum(b.balance) AS balance',
          'FROM (SELECT 1) AS b',
        ].join('\n'),
      ),
      [
        { name: 'date', expression: 'b.date' },
        { name: 'cohort', expression: "multiIf(b.balance_usd < 10, '0-10, AS no', '10+')" },
        { name: 'label', expression: 'CAST(x AS String)' },
        { name: 'balance', expression: 'sum(b.balance)' },
      ],
    );
  });

  it('names the columns an expression reads: not functions, table qualifiers, strings or comments', () => {
    assert.deepEqual(referencedNames("multiIf(b.balance_usd < 10, 'a_usd', `odd col` > 1e10 /* c_usd */, p.price) -- d_usd"), ['balance_usd', 'odd col', 'price']);
    assert.deepEqual(referencedNames('round (x_usd, 2)'), ['x_usd']);
    assert.deepEqual(referencedNames('date'), ['date']);
  });
});

describe('plan: the selections of Phases 2 and 3', () => {
  it('tag:<tag>+ --exclude tag:<tag> is what the selector gives', () => {
    const { manifest } = exampleProject();
    const viaSelector = selectNodes(manifest, { select: ['tag:refill_append+'], exclude: ['tag:refill_append'], resourceTypes: ['model'] }).ids;
    assert.equal(viaSelector.length, 13);
    const phase3 = planPriceGap(workedExample()).steps.find((s) => s.id === 'phase3-run');
    assert.ok(phase3?.kind === 'dbt');
    assert.deepEqual(phase3.expectedNodes, viaSelector);
  });

  it('<price root>+ less the cohort is what the selector gives, on the example and when another node shares the name', () => {
    const { manifest } = exampleProject();
    const viaSelector = selectNodes(manifest, { select: ['int_execution_token_prices_daily+'], exclude: ['tag:refill_append'], resourceTypes: ['model'] }).ids;
    assert.equal(viaSelector.length, 18);
    const phase2 = planPriceGap(workedExample()).steps.find((s) => s.id === 'phase2-run');
    assert.ok(phase2?.kind === 'dbt');
    assert.deepEqual(phase2.expectedNodes, viaSelector);
    // A folder named like the price root: dbt's fqn method selects the folder's models too, and so does the plan.
    const input = syntheticInput([PRICE_ROOT, cohort('agg', ['prices']), { name: 'unrelated', config: { materialized: 'table' } }]);
    const unrelated = input.manifest.nodes.get('model.shop.unrelated')!;
    const nodes = new Map(input.manifest.nodes);
    nodes.set(unrelated.uniqueId, { ...unrelated, fqn: ['shop', 'prices', 'unrelated'] });
    const plan = planPriceGap({ ...input, manifest: { ...input.manifest, nodes } });
    const run = plan.steps.find((s) => s.id === 'phase2-run');
    assert.ok(run?.kind === 'dbt');
    assert.deepEqual(run.expectedNodes, ['model.shop.prices', 'model.shop.unrelated']);
  });
});
