import { createHash } from 'node:crypto';
import type { Plan } from '../plan/types';

/** JSON with object keys sorted at every level, so equal plans hash equal whatever order their keys were built in. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** `sha256:<hex>` of the plan's canonical JSON: a journal records it, and a resume refuses any other plan. */
export function planHash(plan: Plan): string {
  return `sha256:${createHash('sha256').update(canonicalJson(plan)).digest('hex')}`;
}
