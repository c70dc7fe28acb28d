import { strict as assert } from 'node:assert';
import { UsageError } from '../../src/cli/io';
import { commaList, numberOption, sanityRule } from '../../src/cli/optionValues';

describe('cli: option values shared by plan dev-build and compare', () => {
  it('--key a, b: trimmed, empty parts dropped', () => {
    assert.deepEqual(commaList(' chain, day ,,'), ['chain', 'day']);
  });

  it('--sanity: one rule per column, <= and >= merged, repeated flags accumulate', () => {
    const one = sanityRule('volume<=1e12');
    const two = sanityRule(' volume >= 0 ', one);
    const three = sanityRule('fees>=0', two);
    assert.deepEqual(three, [{ column: 'volume', max: 1e12, min: 0 }, { column: 'fees', max: null, min: 0 }]);
    assert.deepEqual(one, [{ column: 'volume', max: 1e12, min: null }], 'the earlier value is not changed');
    for (const bad of ['volume<1e12', 'volume<=lots', '1col>=0', 'volume<=']) {
      assert.throws(() => sanityRule(bad), (e: unknown) => e instanceof UsageError && e.message.startsWith(`--sanity ${bad}: expected COLUMN<=NUMBER or COLUMN>=NUMBER`));
    }
  });

  it('numbers: absent is undefined, anything but a finite number names the flag', () => {
    assert.equal(numberOption('--top', undefined), undefined);
    assert.equal(numberOption('--explain-above', '0.05'), 0.05);
    for (const bad of ['', ' ', 'five', 'Infinity', '1e999']) {
      assert.throws(() => numberOption('--top', bad), (e: unknown) => e instanceof UsageError && e.message === `--top ${bad}: expected a number.`);
    }
  });
});
