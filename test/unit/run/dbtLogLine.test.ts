import { strict as assert } from 'node:assert';
import { parseDbtLogLine } from '../../../src/core/run/dbtLogLine';

// The documented shapes: dbt 1.4+ `{data, info}` (docs.getdbt.com/reference/events-logging, core_types.proto) and the
// flat dbt 1.0-1.3 line (the same page, "lastVersion 1.3").
const startLine19 = JSON.stringify({
  data: {
    description: 'sql incremental model `dbt`.`int_execution_tokens_balances_daily`',
    index: 1,
    node_info: {
      materialized: 'incremental',
      meta: {},
      node_finished_at: '',
      node_name: 'int_execution_tokens_balances_daily',
      node_path: 'execution/tokens/intermediate/int_execution_tokens_balances_daily.sql',
      node_relation: { alias: 'int_execution_tokens_balances_daily', database: '', relation_name: '`dbt`.`int_execution_tokens_balances_daily`', schema: 'dbt' },
      node_started_at: '2026-04-27T22:56:19.102334',
      node_status: 'started',
      resource_type: 'model',
      unique_id: 'model.gnosis_dbt.int_execution_tokens_balances_daily',
    },
    total: 12,
  },
  info: {
    category: '', code: 'Q011', extra: {}, invocation_id: '82131fa0-d2b4-4a77-9436-019834e22746', level: 'info',
    msg: '1 of 12 START sql incremental model `dbt`.`int_execution_tokens_balances_daily` ......... [RUN]',
    name: 'LogStartLine', pid: 7875, thread: 'Thread-1 (worker)', ts: '2026-04-27T22:56:19.103012Z',
  },
});

describe('run: dbt log lines', () => {
  it('reads a dbt 1.9 LogStartLine: node, index and total', () => {
    const l = parseDbtLogLine(startLine19)!;
    assert.equal(l.kind, 'node-start');
    assert.equal(l.name, 'LogStartLine');
    assert.equal(l.status, 'started');
    assert.deepEqual([l.index, l.total], [1, 12]);
    assert.equal(l.node?.uniqueId, 'model.gnosis_dbt.int_execution_tokens_balances_daily');
    assert.equal(l.node?.name, 'int_execution_tokens_balances_daily');
    assert.deepEqual(l.node?.relation, { database: null, schema: 'dbt', alias: 'int_execution_tokens_balances_daily' });
    assert.equal(l.invocationId, '82131fa0-d2b4-4a77-9436-019834e22746');
    assert.match(l.msg, /^1 of 12 START/);
  });

  it('reads LogModelResult with its status and execution time, and an error result', () => {
    const ok = parseDbtLogLine(JSON.stringify({
      data: { description: 'x', execution_time: 9.54, index: 1, node_info: { node_name: 'a', node_status: 'success', unique_id: 'model.p.a', resource_type: 'model' }, status: 'success', total: 12 },
      info: { code: 'Q012', level: 'info', msg: '1 of 12 OK created sql incremental model `dbt`.`a` [OK in 9.54s]', name: 'LogModelResult', invocation_id: 'i', ts: '2026-04-27T22:56:28.64Z' },
    }))!;
    assert.deepEqual([ok.kind, ok.status, ok.seconds, ok.node?.uniqueId], ['node-result', 'success', 9.54, 'model.p.a']);
    const err = parseDbtLogLine(JSON.stringify({
      data: { execution_time: 1.2, index: 4, node_info: { node_name: 'b', node_status: 'error', unique_id: 'model.p.b' }, status: 'error', total: 12 },
      info: { code: 'Q012', level: 'error', msg: '4 of 12 ERROR creating sql incremental model `dbt`.`b` [ERROR in 1.20s]', name: 'LogModelResult' },
    }))!;
    assert.deepEqual([err.kind, err.status, err.index], ['node-result', 'error', 4]);
  });

  it('reads NodeFinished (debug) with its run_result, and RunResultError with the model it is about', () => {
    const fin = parseDbtLogLine(JSON.stringify({
      data: { node_info: { node_name: 'b', node_status: 'error', unique_id: 'model.p.b' }, run_result: { status: 'error', message: 'Database Error in model b (models/b.sql)\n  Code: 241.', execution_time: 2.5 } },
      info: { code: 'Q025', level: 'debug', msg: 'Finished running node model.p.b', name: 'NodeFinished' },
    }))!;
    assert.deepEqual([fin.kind, fin.status, fin.seconds], ['node-result', 'error', 2.5]);
    assert.match(fin.message!, /Code: 241/);
    const rre = parseDbtLogLine(JSON.stringify({
      data: { msg: '  Database Error in model b (models/b.sql)\n  Code: 241. DB::Exception: Memory limit (for query) exceeded', node_info: { node_name: 'b', unique_id: 'model.p.b' } },
      info: { code: 'Z024', level: 'error', msg: '  Database Error in model b (models/b.sql)\n  Code: 241.', name: 'RunResultError' },
    }))!;
    assert.equal(rre.kind, 'error');
    assert.equal(rre.node?.uniqueId, 'model.p.b');
    assert.match(rre.message!, /Memory limit/);
  });

  it('reads the version, a skip line without node_info, and the end of the run', () => {
    const v = parseDbtLogLine('{"data": {"log_version": 3, "version": "=1.8.0"}, "info": {"category": "", "code": "A001", "extra": {}, "invocation_id": "82131fa0-d2b4-4a77-9436-019834e22746", "level": "info", "msg": "Running with dbt=1.8.0", "name": "MainReportVersion", "pid": 7875, "thread": "MainThread", "ts": "2024-05-29T23:32:54.993336Z"}}')!;
    assert.deepEqual([v.kind, v.version], ['version', '1.8.0']);
    const skip = parseDbtLogLine(JSON.stringify({
      data: { index: 6, relation: 'int_c', schema: 'dbt', status: 'SKIP', total: 9 },
      info: { code: 'Z034', level: 'info', msg: '6 of 9 SKIP relation dbt.int_c ........ [SKIP]', name: 'LogSkipBecauseError' },
    }))!;
    assert.deepEqual([skip.kind, skip.status, skip.node?.name, skip.index], ['node-result', 'skipped', 'int_c', 6]);
    const stats = parseDbtLogLine(JSON.stringify({ data: { stats: {} }, info: { code: 'Z023', level: 'info', msg: 'Done. PASS=312 WARN=0 ERROR=0 SKIP=0 TOTAL=312', name: 'StatsLine' } }))!;
    assert.equal(stats.kind, 'summary');
  });

  it('reads the flat dbt 1.0-1.3 JSON line by its wording and node_info', () => {
    const l = parseDbtLogLine(JSON.stringify({
      code: 'Q033',
      data: { description: 'view model dbt_testing.name_list', index: 7, total: 7 },
      invocation_id: '30206572-f52f-4b91-af6d-d2b18fdbbbb8',
      level: 'info',
      log_version: 1,
      msg: '7 of 7 START view model dbt_testing.name_list.............................. [RUN]',
      node_info: { materialized: 'view', node_finished_at: null, node_name: 'male_list_view', node_path: 'human/name_list.sql', node_started_at: '2021-12-02T21:47:03.477004', node_status: 'started', resource_type: 'model', type: 'node_status', unique_id: 'model.jaffle_shop.name_list' },
      pid: 81915,
      thread_name: 'Thread-4',
      ts: '2021-12-02T21:47:03.480384Z',
      type: 'log_line',
    }))!;
    assert.deepEqual([l.kind, l.status, l.index, l.total, l.node?.uniqueId], ['node-start', 'started', 7, 7, 'model.jaffle_shop.name_list']);
    assert.equal(l.invocationId, '30206572-f52f-4b91-af6d-d2b18fdbbbb8');
  });

  it('reads dbt text lines (the default format), with timestamps and colours', () => {
    const start = parseDbtLogLine('22:56:19  1 of 12 START sql incremental model `dbt`.`int_execution_tokens_balances_daily` [RUN]')!;
    assert.deepEqual([start.kind, start.status, start.node?.name, start.node?.uniqueId, start.index, start.total], ['node-start', 'started', 'int_execution_tokens_balances_daily', null, 1, 12]);
    const ok = parseDbtLogLine('\x1b[0m22:56:28  1 of 12 OK created sql incremental model `dbt`.`int_execution_tokens_balances_daily` [\x1b[32mOK\x1b[0m in 9.54s]')!;
    assert.deepEqual([ok.kind, ok.status, ok.seconds], ['node-result', 'success', 9.54]);
    const view = parseDbtLogLine('21:35:48  6 of 7 OK created view model dbt_testing.name_list......................... [CREATE VIEW in 0.17s]')!;
    assert.deepEqual([view.status, view.node?.name, view.seconds], ['success', 'name_list', 0.17]);
    const err = parseDbtLogLine('22:57:01  4 of 12 ERROR creating sql incremental model `dbt`.`b` .......... [ERROR in 1.20s]')!;
    assert.equal(err.status, 'error');
    assert.equal(parseDbtLogLine('22:56:18  Running with dbt=1.5.0-b5')!.version, '1.5.0-b5');
    assert.equal(parseDbtLogLine('Done. PASS=312 WARN=0 ERROR=0 SKIP=0 TOTAL=312')!.kind, 'summary');
    assert.equal(parseDbtLogLine('   '), null);
    assert.equal(parseDbtLogLine('{not json')!.kind, 'other');
  });
});
