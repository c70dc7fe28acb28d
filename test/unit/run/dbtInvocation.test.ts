import { strict as assert } from 'node:assert';
import { dbtInvocation, flagValue, rejectsLogFormatFlag, runResultsPathOf } from '../../../src/core/run/dbtInvocation';

const step = { argv: ['run', '--select', 'tag:refill_append', '--vars', '{"start_month": "2026-04-01", "end_month": "2026-04-01"}', '--project-dir', '/app', '--profiles-dir', '/app'] };

describe('run: dbt invocation', () => {
  it('is the plan prefix, the step argv and --log-format json after the subcommand, as an argv array', () => {
    const inv = dbtInvocation({ dbtCommand: ['docker', 'exec', 'dbt', 'dbt'] }, step, { logFormat: 'json' });
    assert.equal(inv.file, 'docker');
    assert.deepEqual(inv.args, ['exec', 'dbt', 'dbt', ...step.argv, '--log-format', 'json']);
    assert.deepEqual(inv.env, { DBT_LOG_FORMAT: 'json' });
    assert.equal(inv.logFormat, 'json');
  });

  it('keeps the vars JSON one argument (no shell, no quoting)', () => {
    const inv = dbtInvocation({ dbtCommand: ['dbt'] }, step, { logFormat: 'json' });
    assert.equal(inv.args[4], '{"start_month": "2026-04-01", "end_month": "2026-04-01"}');
  });

  it('leaves a step that sets --log-format itself alone, and can run without the flag', () => {
    const own = dbtInvocation({ dbtCommand: ['dbt'] }, { argv: ['run', '--log-format=text'] }, { logFormat: 'json' });
    assert.deepEqual([own.args, own.logFormat, own.env], [['run', '--log-format=text'], 'text', {}]);
    const text = dbtInvocation({ dbtCommand: ['dbt'] }, { argv: ['run'] }, { logFormat: 'text' });
    assert.deepEqual(text.args, ['run']);
    const noFlag = dbtInvocation({ dbtCommand: ['dbt'] }, { argv: ['run'] }, { logFormat: 'json', withFlag: false });
    assert.deepEqual([noFlag.args, noFlag.env], [['run'], { DBT_LOG_FORMAT: 'json' }]);
    assert.throws(() => dbtInvocation({ dbtCommand: [] }, { argv: ['run'] }, { logFormat: 'json' }), /empty dbtCommand/);
  });

  it('recognizes the usage error of a dbt that does not take the flag after the subcommand', () => {
    assert.ok(rejectsLogFormatFlag(2, 'usage: dbt [-h] ...\ndbt: error: unrecognized arguments: --log-format json\n'));
    assert.ok(rejectsLogFormatFlag(2, "Error: No such option: --log-format"));
    assert.ok(!rejectsLogFormatFlag(1, 'unrecognized arguments: --log-format json'));
    assert.ok(!rejectsLogFormatFlag(2, 'Error: No such option: --foo'));
  });

  it('finds run_results.json: the step\'s --target-path, else the project target folder', () => {
    assert.equal(flagValue(['run', '--target-path', 'a', '--target-path=b'], '--target-path'), 'b');
    assert.equal(runResultsPathOf({ projectDir: '/p' }, { argv: ['run'] }, '/p/target'), '/p/target/run_results.json');
    assert.equal(runResultsPathOf({ projectDir: '/p' }, { argv: ['run', '--target-path', 'tgt2'] }, '/p/target'), '/p/tgt2/run_results.json');
    assert.equal(runResultsPathOf({ projectDir: '/p' }, { argv: ['run', '--project-dir', '/q', '--target-path', 'x'] }, '/p/target'), '/q/x/run_results.json');
  });
});
