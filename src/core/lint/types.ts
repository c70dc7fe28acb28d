/**
 * Recovery-readiness lint: the data every face (CLI, language server) gets back. Plain data only.
 */
import type { DbtGraph } from '../graph/dbtGraph';
import type { Manifest, ManifestNode } from '../manifest/types';
import type { RunResults } from '../manifest/runResults';
import type { RecoveryProfile } from './profile/recoveryProfile';
import type { ModelSource } from './source/types';

export const RULE_IDS = [
  'refill-append-hooks',
  'refill-append-strategy',
  'refill-append-month-filter',
  'refill-append-engine',
  'heavy-model-untagged',
  'price-lookback-ignored',
  'full-refresh-unprotected',
  'microbatch-config',
  'disable-directive',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const SEVERITIES = ['off', 'hint', 'info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FindingSeverity = Exclude<Severity, 'off'>;

/** Zero-based line and UTF-16 character, as LSP and SARIF (after +1) use. */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface TextEdit {
  range: Range;
  newText: string;
}
/** Edits to one file; `file` is relative to the project root, with `/` separators. */
export interface FileEdit {
  file: string;
  edits: TextEdit[];
}

export type FixKind = 'add-tag' | 'add-hooks' | 'strategy-expression' | 'month-filter' | 'full-refresh-false';

/** A mechanical fix: applying every edit (each file's edits do not overlap) makes the finding go away. */
export interface Fix {
  kind: FixKind;
  /** What a quick-fix menu shows: "Add the refill_append tag". */
  title: string;
  changes: FileEdit[];
}

export interface Finding {
  ruleId: RuleId;
  severity: FindingSeverity;
  message: string;
  /** The model's unique id; null for a model file the manifest does not know yet (written since `dbt parse`). */
  uniqueId: string | null;
  /** Relative to the project root, `/` separators. */
  file: string;
  /** The relevant kwarg in `config()`, else the `config()` call, else the first line (or the yml key). */
  range: Range;
  fix: Fix | null;
}

/** What a rule reports; `lintProject` adds the rule id and the configured severity. */
export type RuleFinding = Omit<Finding, 'ruleId' | 'severity'>;

/** One model as the rules see it: its source as it is now (the editor's text or the file) and, when the
 * manifest knows it, the manifest's node (tags, lineage, resolved config). */
export interface ModelContext {
  /** `model.<package>.<name>`; for a model unknown to the manifest, built from the project name and file name. */
  uniqueId: string;
  name: string;
  /** Project-relative `.sql` path, `/` separators. */
  file: string;
  /** Parsed `.sql` source; null for a model whose file cannot be read (then only manifest rules apply). */
  source: ModelSource | null;
  /** Null when the manifest does not know the model (or there is no manifest). */
  node: ManifestNode | null;
  /** Tags from the source's `config(tags=...)` and the manifest node (and yml), deduplicated. The source's
   * `config()` wins over the manifest for the keys it sets, because the editor's text is newer than the manifest. */
  tags: string[];
  /** The effective `materialized`, `incremental_strategy` (as rendered by dbt, from the manifest) etc. */
  materialized: string | null;
}

/** What every rule may read about the project. */
export interface LintContext {
  profile: RecoveryProfile;
  /** Null when the project has no (readable) manifest: only source rules run. */
  manifest: Manifest | null;
  graph: DbtGraph | null;
  runResults: RunResults | null;
  /** Unique ids tagged with the profile's refill tag (manifest tags, overridden by the current source). */
  refillCohort: ReadonlySet<string>;
  /** Unique ids of models in `<price root>+`, the root included (empty without a manifest). */
  priceLineage: ReadonlySet<string>;
}

export interface LintRule {
  readonly id: RuleId;
  /** One sentence for docs and SARIF's rule metadata. */
  readonly description: string;
  readonly defaultSeverity: FindingSeverity;
  /** True when the rule cannot decide anything without the manifest (lineage, rendered config, run results). */
  readonly needsManifest: boolean;
  check(model: ModelContext, ctx: LintContext): RuleFinding[];
}
