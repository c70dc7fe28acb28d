import { strict as assert } from 'node:assert';
import type { Comparison } from '../../../src/core/compare/types';
import type { Plan } from '../../../src/core/plan/types';
import { formatRunEvent } from '../../../src/core/run';

const rel = (schema: string) => ({ database: 'warehouse', schema, name: 'fct_orders' });

const comparison: Comparison = {
  dev: rel('dev_ana'),
  prod: rel('main'),
  key: ['order_id'],
  scope: null,
  rowCounts: { dev: 7, prod: 7 },
  keys: { onlyInDev: 1, onlyInProd: 1, duplicatedInDev: 0, duplicatedInProd: 0, matched: 6 },
  samples: { onlyInDev: [['7']], onlyInProd: [['8']] },
  schema: { added: [], removed: [], retyped: [], types: [] },
  changedRows: 2,
  matchRates: [{ column: 'amount', matched: 4, total: 6, rate: 4 / 6 }],
  history: null,
  anomalies: [],
  spotCheck: null,
  outliers: [
    { key: ['5'], column: 'amount', prod: 1000, dev: 1300, relDelta: 0.3, needsExplanation: true },
    { key: ['9'], column: 'amount', prod: 200, dev: 100, relDelta: -0.5, needsExplanation: true },
    { key: ['6'], column: 'amount', prod: 98, dev: 100, relDelta: 2 / 98, needsExplanation: false },
  ],
  partitions: [],
  statements: [],
  millis: 12,
};

describe('run: the terminal lines of a compare event', () => {
  it('summarizes the comparison and lists each outlier that needs a note with its signed relative change', () => {
    const lines = formatRunEvent({ type: 'compare', step: 'compare', comparison }, { steps: [] } as unknown as Plan);
    assert.deepEqual(lines, [
      '    rows dev 7 / prod 7; keys only in dev 1, only in prod 1, duplicated dev 0 / prod 0; 2 changed rows; 3 outliers (2 need a note).',
      '      outlier 5 amount: prod 1000, dev 1300, +30.00%',
      '      outlier 9 amount: prod 200, dev 100, -50.00%',
    ]);
  });
});
