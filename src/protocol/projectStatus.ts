import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { Plan } from '../core/plan/types';

/**
 * Types shared by the language server and the VS Code client about each dbt project's manifest.
 * The server owns the manifest index (one reader per project); the client shows what it reports.
 */

export type ProjectStatusKind = 'loading' | 'loaded' | 'stale' | 'missing' | 'broken';

export interface ProjectStatus {
  /** Absolute path of the project folder (holds dbt_project.yml). */
  root: string;
  /** The project's `name:`, or the folder name when dbt_project.yml cannot be read. */
  name: string;
  manifestPath: string;
  kind: ProjectStatusKind;
  /** Models in the index in use (for `broken`, the last good index; 0 when there is none). */
  models: number;
  /** Every graph member (nodes, sources, exposures, ...). */
  nodes: number;
  /** One sentence for a tooltip or log: what is wrong and what to do, or what was loaded. */
  message: string;
  schemaVersion: number | null;
  dbtVersion: string | null;
}

export interface ProjectStatusParams {
  projects: ProjectStatus[];
}

/** Server -> client, after every (re)load of any project: the status of all projects. */
export const projectStatusNotification = new NotificationType<ProjectStatusParams>('dbtRecovery/projectStatus');

/** Client -> server: re-read every project's manifest now. Resolves with the new statuses. */
export const reloadRequest = new RequestType0<ProjectStatusParams, void>('dbtRecovery/reload');

export interface SelectNodesParams {
  /** Project root; may be omitted when the workspace has one project. */
  root?: string;
  select?: string[];
  exclude?: string[];
  resourceTypes?: string[];
}
export interface SelectedNode {
  uniqueId: string;
  name: string;
  resourceType: string;
  /** Absolute path of the node's file, or null when it has none (exposures, metrics...). */
  file: string | null;
}
export type SelectNodesResult =
  | { ok: true; root: string; nodes: SelectedNode[]; warnings: string[] }
  | { ok: false; message: string };

/** Client -> server: evaluate a dbt selector on a project's manifest (what `dbt-recovery ls` does). */
export const selectNodesRequest = new RequestType<SelectNodesParams, SelectNodesResult, void>('dbtRecovery/selectNodes');

/** Client -> server: plan the price-gap refill of the project holding `model` (a file URI), for a gap date. */
export interface PlanPriceGapParams {
  /** A `file:` URI inside the project (the model the command was invoked on), or the project root path. */
  model: string;
  fromDate?: string;
  lookbackDays?: number;
  /** YYYY-MM-DD; default today in UTC. */
  today?: string;
  /** How dbt is started (the `dbtRecovery.dbtCommand` setting). */
  dbtCommand?: string[];
  /** Cohort models whose month partition is dropped right before their layer (the value-derived-key remedy). */
  clearMonthFor?: string[];
}
export type PlanPriceGapResult =
  | { ok: true; root: string; plan: Plan; text: string }
  | { ok: false; message: string };
export const planPriceGapRequest = new RequestType<PlanPriceGapParams, PlanPriceGapResult, void>('dbtRecovery/planPriceGap');

/** Client -> server: plan the dev build / compare / promote of the model in `model` (a file URI). */
export interface PlanDevBuildParams {
  model: string;
  mode: 'full-refresh' | 'backfill';
  backfillDate?: string;
  backfillColumns?: string[];
  /** YYYY-MM-DD; default today in UTC. */
  today?: string;
  dbtCommand?: string[];
  /** The profiles.yml targets: dev (default: the profile's default) and production (default `prod`). */
  devTarget?: string;
  prodTarget?: string;
}
export const planDevBuildRequest = new RequestType<PlanDevBuildParams, PlanPriceGapResult, void>('dbtRecovery/planDevBuild');
