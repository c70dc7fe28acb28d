/**
 * The dev build as a Plan (shared/seeds/snowflake-dev-build-compare-clone.md, issue 5): build the model in the dev
 * target (a clone of prod first for a backfill), compare dev with prod in the warehouse, and only after an approval
 * that showed the exact statements and had every outlier explained, put dev in place of prod. Pure: the caller
 * reads the manifest, profiles.yml and the model's file; nothing is read or run here.
 *
 * What is dev and what is prod: the production relation is the model's in the manifest (database, schema, alias:
 * the manifest must be written for the production target), the dev relation is the dev target's database and
 * schema under the model's name (the runbook's DEV.DEV_<USER>.<model>); either can be given instead.
 */
import type { RelationRef } from '../../compare/types';
import { DbtGraph } from '../../graph/dbtGraph';
import { pythonJsonDumps } from '../../manifest/lsFormat';
import type { Manifest, ManifestNode } from '../../manifest/types';
import { describe as describeTarget, type WarehouseTarget } from '../../profiles/warehouseTarget';
import { isIsoDate } from '../../warehouse/sqlValue';
import type { Engine } from '../../warehouse/warehouseError';
import { PlanError } from '../planError';
import { shellLine } from '../shellQuote';
import { textSha256 } from '../textSha256';
import type { CheckStep, CompareStep, DbtStep, GateStep, Plan, PlanWarning, SqlStep, Step } from '../types';
import { devBuildCompareSpec, type DevBuildCompareOptions } from './devBuildCompareSpec';
import { devBuildRelations } from './devBuildRelations';
import { dropTableSql, quotedRelation, readingViewsSql, relationExistsSql, relationLabel, verifyPromotionSql } from './devBuildSql';
import { devBuildStatements } from './devBuildStatements';

export type DevBuildMode = 'full-refresh' | 'backfill';

export interface DevBuildInput {
  /** The dbt project (a DbtProject fits): its root is the plan's projectDir. */
  project: { root: string; name: string };
  manifest: Manifest;
  /** The dev target (the profile's default or `--target`) and the production target (`--prod-target`, default
   * `prod`), resolved from profiles.yml. Only their names and locations go into the plan, never credentials. */
  dev: WarehouseTarget;
  prod: WarehouseTarget;
  /** The model's name (or unique id). */
  model: string;
  mode: DevBuildMode;
  /** Backfill mode: the first day to rebuild (YYYY-MM-DD), and the columns the backfill recomputes. */
  backfillDate?: string;
  backfillColumns?: string[];
  /** Snowflake: run the dev build on this warehouse (the model's `snowflake_warehouse`, overridden for the run by an
   * exact edit of the model file that an always step reverts). Needs `modelSource`. */
  warehouseOverride?: string;
  /** The model file's text as it is now (the override edit is pinned to it). */
  modelSource?: string | null;
  /** Key columns (default: the model's unique_key). */
  key?: string[];
  /** The relations, when not derived (see the file comment). */
  devRelation?: RelationRef;
  prodRelation?: RelationRef;
  compare?: DevBuildCompareOptions;
  /** Add the optional cleanup (drop the dev relation) behind its own gate. */
  cleanup?: boolean;
  /** The executable and fixed arguments in front of every dbt step (default `['dbt']`). */
  dbtCommand?: string[];
  /** `--project-dir` / `--profiles-dir` for dbt, as given (paths as dbt sees them). */
  projectDir?: string;
  profilesDir?: string;
  /** The day the plan is for (YYYY-MM-DD). */
  today: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SNOWFLAKE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

function column(value: string, what: string): string {
  if (!IDENT.test(value)) throw new PlanError(`${what} ${JSON.stringify(value)} is not a column name.`, 'Give plain column names (letters, digits, underscores).');
  return value;
}

function day(value: string, what: string): string {
  if (!isIsoDate(value)) throw new PlanError(`${what} ${JSON.stringify(value)} is not a day.`, 'Give it as YYYY-MM-DD.');
  return value;
}

/** Where a target's data lives, to tell whether one connection reaches both dev and prod. */
function location(t: WarehouseTarget): string {
  switch (t.type) {
    case 'clickhouse':
      return `ClickHouse ${t.host}:${t.port}`;
    case 'duckdb':
      return `DuckDB ${t.path}`;
    case 'snowflake':
      return `Snowflake ${t.accessUrl ?? t.account.toLowerCase()}`;
  }
}

/** The shortest run of whole lines at the end of `text` that occurs nowhere else in it. */
function uniqueTail(text: string): string {
  const lines = text.split(/(?<=\n)/);
  for (let k = 1; k <= lines.length; k++) {
    const tail = lines.slice(lines.length - k).join('');
    if (tail.trim() === '') continue;
    if (text.indexOf(tail) === text.length - tail.length) return tail;
  }
  return text;
}

/** The override's two edit steps: append a `config()` call that wins over every other (dbt applies config calls in
 * file order, and the model file's config over properties and dbt_project.yml), and take it back. */
function overrideSteps(node: ManifestNode, source: string, warehouse: string): { apply: SqlStep; revert: SqlStep; line: string } {
  const tail = uniqueTail(source);
  const line = `{{ config(snowflake_warehouse='${warehouse}') }}{# dbt-recovery: temporary warehouse override for a dev build; the run takes it back #}\n`;
  const withLine = `${tail}${tail.endsWith('\n') ? '' : '\n'}${line}`;
  const file = node.originalFilePath;
  const shown = (sign: '+' | '-'): string => `-- ${file}: ${sign === '+' ? 'append' : 'remove'} the line\n${sign} ${line.trimEnd()}`;
  const apply: SqlStep = {
    kind: 'sql',
    id: 'override-warehouse',
    phase: 'build',
    description: `Run the dev build on warehouse ${warehouse}: append a config() line to ${file} (only if the file is still as planned)`,
    idempotent: true,
    writes: false,
    operation: { op: 'edit-file', path: file, find: tail, replace: withLine, sha256: textSha256(source) },
    sql: shown('+'),
  };
  const revert: SqlStep = {
    kind: 'sql',
    id: 'revert-warehouse-override',
    phase: 'build',
    description: `Take the warehouse override back out of ${file} (runs even when the dev build failed, was refused or cancelled)`,
    idempotent: true,
    writes: false,
    always: true,
    undoes: apply.id,
    operation: { op: 'edit-file', path: file, find: withLine, replace: tail, sha256: null },
    sql: shown('-'),
  };
  return { apply, revert, line: line.trimEnd() };
}

/** What a downstream model needs after the promotion, by its materialization. */
function downstreamNeed(node: ManifestNode, mode: DevBuildMode): 'reads-through' | 'incremental-backfill' | 'full-rebuild' | 'snapshot' | 'exposure' | 'none' {
  if (node.resourceType === 'snapshot') return 'snapshot';
  if (node.resourceType === 'exposure') return 'exposure';
  if (node.resourceType !== 'model') return 'none';
  const m = node.config.materialized ?? 'view';
  if (m === 'view' || m === 'ephemeral' || m === 'materialized_view' || m === 'dynamic_table') return 'reads-through';
  if (m === 'incremental' || m === 'microbatch') return mode === 'backfill' ? 'incremental-backfill' : 'full-rebuild';
  return 'full-rebuild';
}

/**
 * Plans the dev build of one model. Refuses (PlanError) a plan that would run dbt against the production target, a
 * dev relation that is the production one, targets that one connection cannot reach both of, and a backfill without
 * a day or a key.
 */
export function planDevBuild(input: DevBuildInput): Plan {
  const { manifest, dev, prod, mode } = input;
  const engine: Engine = prod.type;
  const today = day(input.today, '--today');
  const devName = dev.origin.target;
  const prodName = prod.origin.target;

  // --- targets: dbt only ever runs against dev; one connection reaches both --------------------------------------
  if (devName === prodName) {
    throw new PlanError(
      `The dev target and the production target are both ${devName}: a dev build never runs dbt against production.`,
      'Pass --target <your dev target>, or --prod-target when production is not named `prod`.',
    );
  }
  if (dev.type !== prod.type) throw new PlanError(`The dev target is ${dev.type} and the production target ${prod.type}.`, 'Give two targets of the same warehouse.');
  if (location(dev) !== location(prod)) {
    throw new PlanError(
      `The dev target (${location(dev)}) and the production target (${location(prod)}) are not the same warehouse, so one connection cannot clone, compare and promote between them.`,
      engine === 'duckdb' ? 'Point both targets at one DuckDB file (different schemas).' : 'Give a dev target on the production warehouse.',
    );
  }
  const dbtCommand = input.dbtCommand && input.dbtCommand.length > 0 ? [...input.dbtCommand] : ['dbt'];
  if (dbtCommand.some((a) => a === '--target' || a === '-t' || a.startsWith('--target='))) {
    throw new PlanError(`The dbt command ${shellLine(dbtCommand)} names a target itself.`, 'Leave the target out of --dbt-command: the plan passes --target with the dev target to every dbt step.');
  }

  // --- the model and its relations ----------------------------------------------------------------------------
  const { node, dev: devRel, prod: prodRel } = devBuildRelations(manifest, dev, input.model, { dev: input.devRelation, prod: input.prodRelation, prodTargetName: prodName });
  for (const r of [devRel, prodRel]) quotedRelation(engine, r); // refuses names no warehouse accepts

  let backfillDate: string | null = null;
  const backfillColumns = (input.backfillColumns ?? []).map((c) => column(c, '--backfill-columns'));
  if (mode === 'backfill') {
    if (!input.backfillDate) throw new PlanError('A backfill needs the first day to rebuild.', 'Pass --backfill-date YYYY-MM-DD.');
    backfillDate = day(input.backfillDate, '--backfill-date');
    if (backfillDate > today) throw new PlanError(`--backfill-date ${backfillDate} is after today (${today}).`, 'Give a day that has data.');
  } else if (input.backfillDate || backfillColumns.length > 0) {
    throw new PlanError('--backfill-date and --backfill-columns are for --mode backfill.', 'Drop them, or use --mode backfill.');
  }
  if ((node.config.materialized ?? '') !== 'incremental' && mode === 'backfill') {
    throw new PlanError(`${node.name} is materialized as ${node.config.materialized ?? 'a view'}, not incremental: a backfill would rebuild it whole.`, 'Use --mode full-refresh.');
  }

  const spec = devBuildCompareSpec(node, devRel, prodRel, { key: input.key, backfillDate, today, options: input.compare });
  const { key, sanity } = spec;
  const explainAbove = spec.outliers.explainAbove;
  const dateColumn = spec.scope?.column ?? spec.historyBefore?.column ?? null;
  const since = spec.scope?.from ?? null;

  // --- the override -------------------------------------------------------------------------------------------
  let override: ReturnType<typeof overrideSteps> | null = null;
  if (input.warehouseOverride !== undefined) {
    const wh = input.warehouseOverride;
    if (engine !== 'snowflake') throw new PlanError(`--warehouse is a Snowflake setting (snowflake_warehouse); ${engine} has no per-model warehouse.`, 'Drop --warehouse.');
    if (!SNOWFLAKE_NAME.test(wh)) throw new PlanError(`--warehouse ${JSON.stringify(wh)} is not a warehouse name.`, 'Give the name as Snowflake shows it (letters, digits, _ and $).');
    if (!node.originalFilePath.endsWith('.sql')) throw new PlanError(`${node.originalFilePath} is not a SQL model, so its config cannot be overridden by a config() line.`, 'Run without --warehouse.');
    if (!input.modelSource || input.modelSource.trim() === '') {
      throw new PlanError(`${node.originalFilePath} could not be read, and the warehouse override edits it.`, 'Run from the project folder, or without --warehouse.');
    }
    override = overrideSteps(node, input.modelSource, wh);
  }

  // --- steps --------------------------------------------------------------------------------------------------
  const statements = devBuildStatements(engine, devRel, prodRel);
  const dbtArgs = [
    ...(input.projectDir !== undefined ? ['--project-dir', input.projectDir] : []),
    ...(input.profilesDir !== undefined ? ['--profiles-dir', input.profilesDir] : []),
    '--target',
    devName,
  ];
  const vars = mode === 'backfill' ? pythonJsonDumps({ backfill_date: backfillDate, ...(backfillColumns.length > 0 ? { backfill_columns: backfillColumns } : {}) }) : null;
  const runArgv = ['run', '--select', node.name, ...(mode === 'full-refresh' ? ['--full-refresh'] : ['--vars', vars!]), ...dbtArgs];

  const steps: Step[] = [];
  const check = (id: string, phase: string, description: string, sql: string, rule: CheckStep['rule'], columns: string[]): void => {
    steps.push({ kind: 'check', id, phase, description, sql, rule, columns, idempotent: true, writes: false });
  };
  const gate = (id: string, phase: string, title: string, description: string, extra: Partial<GateStep> = {}): void => {
    steps.push({ kind: 'gate', id, phase, title, description, idempotent: true, writes: false, shows: [], ...extra });
  };

  check(
    'prod-exists',
    'resolve',
    `The production relation ${relationLabel(prodRel)} exists (the dev build is compared with it and promoted into it)`,
    relationExistsSql(engine, prodRel),
    { type: 'some-rows', onNone: 'stop' },
    ['schema', 'name', 'type'],
  );
  gate(
    'approve-dev-build',
    'build',
    `Build ${node.name} in dev (${relationLabel(devRel)}, target ${devName})${mode === 'backfill' ? ', from a clone of production' : ''}`,
    'Writes only the dev relation (nothing in production), but replaces whatever it holds now' +
      `${override ? ', edits the model file for the run (taken back after it)' : ''} and spends warehouse time, so it waits for an approval.`,
  );
  if (mode === 'backfill') {
    steps.push({
      kind: 'sql',
      id: 'clone-prod-to-dev',
      phase: 'build',
      description: `Copy production into dev first, so the backfill merges into today's production rows: ${relationLabel(prodRel)} -> ${relationLabel(devRel)}`,
      idempotent: true,
      writes: true,
      operation: { op: 'clone-table', source: prodRel, target: devRel },
      sql: statements.clone.join('\n'),
    });
  }
  if (override) steps.push(override.apply);
  const dbtRun: DbtStep = {
    kind: 'dbt',
    id: 'dbt-run-dev',
    phase: 'build',
    description:
      mode === 'full-refresh'
        ? `Rebuild ${node.name} from scratch in the dev target ${devName}`
        : `Backfill ${node.name} in the dev target ${devName} from ${backfillDate}${backfillColumns.length > 0 ? ` (columns ${backfillColumns.join(', ')})` : ''}`,
    idempotent: true,
    writes: true,
    argv: runArgv,
    expectedNodes: [node.uniqueId],
  };
  steps.push(dbtRun);
  if (override) steps.push(override.revert);

  const compareStep: CompareStep = {
    kind: 'compare',
    id: 'compare',
    phase: 'compare',
    description:
      `Compare dev ${relationLabel(devRel)} with prod ${relationLabel(prodRel)} on (${key.join(', ')}) inside the warehouse` +
      (mode === 'backfill' ? `: rows before ${backfillDate} must be identical` : '') +
      (sanity.length > 0 ? `, no value outside the sanity range` : '') +
      (spec.spotCheck ? ', the spot check must match upstream' : '') +
      `; every outlier above ${Math.round(explainAbove * 10000) / 100}% needs a note before promotion` +
      (backfillColumns.length > 0 ? `. Only ${backfillColumns.join(', ')} were recomputed: the other columns keep the cloned production values, so a row may be internally inconsistent` : ''),
    idempotent: true,
    writes: false,
    spec,
    sql: statements.compare(spec),
  };
  steps.push(compareStep);
  check(
    'reading-views',
    'impact',
    `Views in the warehouse that read ${relationLabel(prodRel)} (outside dbt's graph too): they read the promoted table by name`,
    readingViewsSql(engine, prodRel),
    { type: 'no-rows', onRows: 'warn' },
    ['schema', 'name', 'type'],
  );

  const verify = verifyPromotionSql(engine, prodRel, sanity);
  gate('approve-promotion', 'promote', `Promote dev ${relationLabel(devRel)} into production ${relationLabel(prodRel)}`, 'Replaces the production relation with the dev build. Shows the comparison; every outlier above the threshold needs a note.', {
    requiresExplained: [compareStep.id],
  });
  steps.push({
    kind: 'sql',
    id: 'promote',
    phase: 'promote',
    description: `Put the dev build in place of production (${statements.promotionNote})`,
    idempotent: false,
    writes: true,
    operation: { op: 'promote-table', dev: devRel, prod: prodRel },
    sql: statements.promote.join('\n'),
  });
  check('verify-prod', 'promote', `Right after the promotion: ${relationLabel(prodRel)} has rows${sanity.length > 0 ? ' and none outside the sanity range' : ''}`, verify, { type: 'no-rows', onRows: 'stop' }, ['n', 'bad_rows']);

  if (input.cleanup) {
    gate('approve-cleanup', 'cleanup', `Drop the dev relation ${relationLabel(devRel)}`, `Optional: ${statements.cleanupNote}`);
    steps.push({
      kind: 'sql',
      id: 'drop-dev',
      phase: 'cleanup',
      description: `Drop ${relationLabel(devRel)}`,
      idempotent: true,
      writes: true,
      operation: { op: 'exec', statement: dropTableSql(engine, devRel) },
      sql: dropTableSql(engine, devRel),
    });
  }

  // Gates show what follows them, as it will run.
  for (let i = 0; i < steps.length; i++) {
    const g = steps[i]!;
    if (g.kind !== 'gate') continue;
    for (let j = i + 1; j < steps.length && steps[j]!.kind !== 'gate'; j++) {
      const s = steps[j]!;
      if (s.kind === 'dbt') g.shows.push(shellLine([...dbtCommand, ...s.argv]));
      else if (s.kind === 'sql' || s.kind === 'check') g.shows.push(s.sql);
      else if (s.kind === 'compare') g.shows.push(`-- compare ${relationLabel(s.spec.dev)} with ${relationLabel(s.spec.prod)}`);
    }
  }

  // --- downstream impact: warnings, seen before anything runs --------------------------------------------------
  const warnings: PlanWarning[] = [];
  const graph = DbtGraph.of(manifest);
  const downstream = [...graph.descendants(node.uniqueId)].filter((id) => id !== node.uniqueId);
  const order = new Map(graph.topologicalOrder().map((id, i) => [id, i]));
  downstream.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  const prodArgs = [...(input.projectDir !== undefined ? ['--project-dir', input.projectDir] : []), ...(input.profilesDir !== undefined ? ['--profiles-dir', input.profilesDir] : []), '--target', prodName];
  const byHand: string[] = [];
  for (const id of downstream) {
    const child = manifest.nodes.get(id);
    if (!child) continue;
    const need = downstreamNeed(child, mode);
    const m = child.config.materialized ?? child.resourceType;
    const direct = (manifest.childMap.get(node.uniqueId) ?? []).includes(id) ? 'reads it' : 'is further downstream';
    let command: string[] | null = null;
    let message: string;
    switch (need) {
      case 'reads-through':
        message = `${child.name} (${m}) ${direct}: it reads the promoted rows as they are, nothing to rebuild.`;
        break;
      case 'incremental-backfill':
        command = ['run', '--select', child.name, '--vars', vars!, ...prodArgs];
        message = `${child.name} (incremental) ${direct}: its rows from ${backfillDate} on are derived from the old values; backfill it after the promotion.`;
        break;
      case 'full-rebuild':
        command = ['run', '--select', child.name, ...(m === 'incremental' || m === 'microbatch' ? ['--full-refresh'] : []), ...prodArgs];
        message =
          m === 'incremental' || m === 'microbatch'
            ? `${child.name} (${m}) ${direct}: a full refresh changed rows of any day, so it needs a full rebuild${child.config.fullRefresh === false ? ' (it has full_refresh: false, which refuses --full-refresh: rebuild it the project\'s own way)' : ''}.`
            : `${child.name} (${m}) ${direct}: it holds a copy of the old values; rebuild it after the promotion.`;
        break;
      case 'snapshot':
        message = `${child.name} (snapshot) ${direct}: its next run records the promoted values as changes.`;
        break;
      case 'exposure':
        message = `Exposure ${child.name} depends on it: its consumers see the promoted rows once what it reads is rebuilt.`;
        break;
      case 'none':
        continue;
    }
    if (command) byHand.push(shellLine([...dbtCommand, ...command]));
    warnings.push({ code: need === 'reads-through' || need === 'exposure' ? 'downstream-reads-through' : 'downstream-rebuild', message: command ? `${message} By hand, against production: ${shellLine([...dbtCommand, ...command])}` : message, uniqueId: id });
  }

  // --- notes --------------------------------------------------------------------------------------------------
  const notes: string[] = [
    `Dev: ${relationLabel(devRel)} (target ${devName}${input.devRelation ? ', given' : `: its ${engine === 'clickhouse' ? 'database' : 'database and schema'}, the model's name`}). Production: ${relationLabel(prodRel)} (target ${prodName}${input.prodRelation ? ', given' : ": the manifest's database, schema and alias; the manifest must be written for the production target"}).`,
    `dbt runs only against the dev target, named on every dbt step (--target ${devName}, so a DBT_TARGET in the environment cannot send it elsewhere); a plan that would pass the production target to dbt is refused, and so is a hand-edited plan file that does.`,
    `The clone, the comparison, the promotion and the checks run on one connection with the production target's credentials (${describeTarget(prod)}), so the promoted table belongs to production's role; it must be able to read the dev relation.`,
    'The dev build waits for an approval although it writes only dev: it replaces the dev relation (a previous build kept as an audit trail is lost) and spends warehouse time.',
    `Nothing touches production before the promotion gate, which shows the exact statement(s) and the comparison, and cannot be approved (not even with --yes) until every outlier above ${Math.round(explainAbove * 10000) / 100}% has a note; the notes are kept in the run's journal.`,
    `The comparison stops the run when ${mode === 'backfill' ? `rows before ${backfillDate} differ, ` : ''}a value breaks a sanity rule or the spot check differs from upstream: investigate before promoting.`,
  ];
  if (override) {
    notes.push(
      `Warehouse override: --vars cannot set snowflake_warehouse, so the run appends \`${override.line}\` to ${node.originalFilePath} (a later config() call wins, and the model file's config wins over properties and dbt_project.yml) and takes it out again right after dbt (an always step: also when dbt fails, the run is refused or cancelled; a resume puts it back before re-running dbt). ${typeof node.config.raw.snowflake_warehouse === 'string' ? `The model's own warehouse is ${node.config.raw.snowflake_warehouse}.` : ''} The edit is refused if the file changed since planning; do not commit the file while the run holds the override.`.replace(/ {2,}/g, ' ').trim(),
    );
  }
  const customSchema = node.config.raw.schema;
  const customAlias = node.config.raw.alias;
  if (!input.devRelation && (typeof customSchema === 'string' || typeof customAlias === 'string')) {
    notes.push(
      `${node.name} sets a custom ${typeof customSchema === 'string' ? `schema (${customSchema})` : ''}${typeof customSchema === 'string' && typeof customAlias === 'string' ? ' and ' : ''}${typeof customAlias === 'string' ? `alias (${customAlias})` : ''}: with dbt's default generate_schema_name/generate_alias_name the dev build lands elsewhere than ${relationLabel(devRel)}; pass --dev if your project does not route dev builds to the target's schema under the model's name.`,
    );
  }
  notes.push(
    'Upstream models are read where the dev target resolves them: from dev unless the project overrides ref() to fall back to production, so dev must hold built upstreams otherwise.',
  );
  if (byHand.length > 0) {
    notes.push(`Downstream, after the promotion, by hand against production (dbt Recovery never runs dbt against production), in this order: ${byHand.join(' ; ')}`);
  } else {
    notes.push(downstream.length > 0 ? 'Downstream models only read the promoted table through views: nothing to rebuild.' : 'No model is downstream of it in the manifest.');
  }
  notes.push(`Promotion: ${statements.promotionNote}. The verification right after it stops the run if production is empty${sanity.length > 0 ? ' or breaks a sanity rule' : ''}.`);

  return {
    workflow: 'dev-build',
    version: 1,
    projectDir: input.project.root,
    profilesDir: input.profilesDir ?? null,
    target: devName,
    connectionTarget: prodName,
    dbtCommand,
    connection: describeTarget(prod),
    params: {
      model: node.name,
      mode,
      backfillDate,
      backfillColumns: backfillColumns.length > 0 ? backfillColumns.join(',') : null,
      warehouseOverride: input.warehouseOverride ?? null,
      key: key.join(','),
      since,
      dateColumn,
      devTarget: devName,
      prodTarget: prodName,
      devRelation: relationLabel(devRel),
      prodRelation: relationLabel(prodRel),
      cleanup: input.cleanup === true,
      projectDirArg: input.projectDir ?? null,
    },
    today,
    lookbackDays: null,
    months: [],
    warnings,
    notes,
    steps,
  };
}
