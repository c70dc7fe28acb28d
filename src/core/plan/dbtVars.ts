import { pythonJsonDumps } from '../manifest/lsFormat';

/**
 * The value of dbt's `--vars`: JSON with Python's `json.dumps` separators (`{"start_month": "2026-04-01"}`), keys in
 * the order given, so the same plan always renders the same command (and matches the runbook's commands).
 */
export function dbtVars(vars: Readonly<Record<string, string | number | boolean>>): string {
  return pythonJsonDumps(vars);
}
