import type { RelationRef } from '../../compare/types';
import type { WarehouseTarget } from '../../profiles/warehouseTarget';
import { PlanError } from '../planError';

/**
 * A relation given on the command line (`--dev`, `--prod`): `database.schema.name` or `schema.name` (the target's
 * database), `database.name` on ClickHouse (no level above the database). Names are taken as written (no quotes:
 * a name with a dot cannot be given this way).
 */
export function parseRelationArg(flag: string, text: string, target: WarehouseTarget): RelationRef {
  const parts = text.split('.');
  if (parts.some((p) => p.trim() === '' || /["`\s]/.test(p))) {
    throw new PlanError(`${flag} ${JSON.stringify(text)} is not a relation name.`, `Give it as ${target.type === 'clickhouse' ? 'database.table' : 'database.schema.table or schema.table'}, without quotes.`);
  }
  if (target.type === 'clickhouse') {
    if (parts.length !== 2) throw new PlanError(`${flag} ${text}: a ClickHouse relation is database.table.`, 'Give it as database.table.');
    return { database: null, schema: parts[0]!, name: parts[1]! };
  }
  if (parts.length === 3) return { database: parts[0]!, schema: parts[1]!, name: parts[2]! };
  if (parts.length === 2) return { database: target.database, schema: parts[0]!, name: parts[1]! };
  throw new PlanError(`${flag} ${text}: give database.schema.table or schema.table.`, 'Give the relation with its schema.');
}
