import type { RelationRef } from '../../compare/types';
import { closestMatch } from '../../graph/closestMatch';
import type { Manifest, ManifestNode } from '../../manifest/types';
import type { WarehouseTarget } from '../../profiles/warehouseTarget';
import type { Engine } from '../../warehouse/warehouseError';
import { PlanError } from '../planError';
import { relationLabel } from './devBuildSql';

export interface DevBuildRelations {
  node: ManifestNode;
  dev: RelationRef;
  prod: RelationRef;
}

function findModel(manifest: Manifest, model: string): ManifestNode {
  const byId = manifest.nodes.get(model);
  if (byId && byId.resourceType === 'model') return byId;
  const models = [...manifest.nodes.values()].filter((n) => n.resourceType === 'model');
  const found = models.filter((n) => n.name === model);
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new PlanError(`--model ${model} names ${found.length} models (${found.map((n) => n.uniqueId).join(', ')}).`, 'Give the unique id of the one to build.');
  const suggestion = closestMatch(model, models.map((n) => n.name));
  throw new PlanError(`--model ${model} is not a model of this manifest${suggestion ? `; did you mean ${suggestion}?` : '.'}`, 'Give a model name as in ref(), or run `dbt parse` if it is new.');
}

function prodRelationOf(engine: Engine, node: ManifestNode): RelationRef {
  if (!node.schema) {
    throw new PlanError(`${node.name} has no schema in the manifest, so its production relation is unknown.`, 'Run `dbt parse --target <prod>` so the manifest names it, or pass --prod.');
  }
  const name = node.alias ?? node.name;
  if (engine === 'clickhouse') return { database: null, schema: node.schema, name };
  if (!node.database) throw new PlanError(`${node.name} has no database in the manifest.`, 'Run `dbt parse --target <prod>` so the manifest names it, or pass --prod.');
  return { database: node.database, schema: node.schema, name };
}

/** The runbook's dev location: the dev target's database and schema, under the model's name. */
function devRelationOf(dev: WarehouseTarget, node: ManifestNode): RelationRef {
  return { database: dev.type === 'clickhouse' ? null : dev.database, schema: dev.schema, name: node.name };
}

function sameRelation(engine: Engine, a: RelationRef, b: RelationRef): boolean {
  // Snowflake and DuckDB resolve unquoted names case-insensitively (the dialects quote them so); ClickHouse does not.
  const norm = (s: string | null): string => (s === null ? '' : engine === 'clickhouse' ? s : s.toLowerCase());
  return (engine === 'clickhouse' || norm(a.database) === norm(b.database)) && norm(a.schema) === norm(b.schema) && norm(a.name) === norm(b.name);
}

/**
 * The model (by name or unique id) and its dev and production relations: production from the manifest's database,
 * schema and alias (the manifest must be written for the production target), dev the dev target's database and
 * schema under the model's name (the runbook's DEV.DEV_<USER>.<model>); either as given instead. Refuses a dev
 * relation that is the production one.
 */
export function devBuildRelations(
  manifest: Manifest,
  dev: WarehouseTarget,
  model: string,
  given: { dev?: RelationRef | undefined; prod?: RelationRef | undefined; prodTargetName?: string } = {},
): DevBuildRelations {
  const engine = dev.type;
  const node = findModel(manifest, model);
  const prod = given.prod ?? prodRelationOf(engine, node);
  const devRel = given.dev ?? devRelationOf(dev, node);
  if (sameRelation(engine, devRel, prod)) {
    throw new PlanError(
      `The dev relation ${relationLabel(devRel)} is the production relation: building it would write production.`,
      given.prod || given.dev
        ? 'Give two different relations.'
        : `Give the dev target (${dev.origin.target}) its own ${engine === 'clickhouse' ? 'database (schema)' : 'schema'}, or pass --dev; if the manifest was written for the dev target, run \`dbt parse --target ${given.prodTargetName ?? 'prod'}\` or pass --prod.`,
    );
  }
  return { node, dev: devRel, prod };
}
