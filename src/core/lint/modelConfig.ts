/**
 * A model's effective config as the rules see it, and where each key is written. The `.sql` source is the truth for
 * the keys its `config()` sets (the editor's text is newer than the manifest); the manifest supplies the rest (from
 * dbt_project.yml and properties .yml files) and the rendered value of keys the source writes as an expression.
 */
import type { ConfigKwarg, ConfigValue, ModelSource } from './source/types';
import type { ModelContext, Range } from './types';

export type ConfigKey =
  | 'materialized'
  | 'incremental_strategy'
  | 'full_refresh'
  | 'event_time'
  | 'batch_size'
  | 'begin'
  | 'engine'
  | 'partition_by'
  | 'order_by'
  | 'unique_key'
  | 'tags'
  | 'pre_hook'
  | 'post_hook'
  | 'enabled';

/** The names a key can be written as in `config()` (dbt accepts both spellings of the hooks). */
export const KWARG_NAMES: Readonly<Record<ConfigKey, readonly string[]>> = {
  materialized: ['materialized'],
  incremental_strategy: ['incremental_strategy'],
  full_refresh: ['full_refresh'],
  event_time: ['event_time'],
  batch_size: ['batch_size'],
  begin: ['begin'],
  engine: ['engine'],
  partition_by: ['partition_by'],
  order_by: ['order_by'],
  unique_key: ['unique_key'],
  tags: ['tags'],
  pre_hook: ['pre_hook', 'pre-hook'],
  post_hook: ['post_hook', 'post-hook'],
  enabled: ['enabled'],
};

/** Keys as the manifest's `config` holds them. */
const MANIFEST_KEYS: Readonly<Record<ConfigKey, readonly string[]>> = {
  ...KWARG_NAMES,
  pre_hook: ['pre-hook', 'pre_hook'],
  post_hook: ['post-hook', 'post_hook'],
};

/** A value written as an expression the linter cannot evaluate (a `var()`, a macro call, a conditional). */
export const DYNAMIC: unique symbol = Symbol('dynamic');

export interface Setting {
  /** Plain JS value (string, number, boolean, null, arrays, objects); undefined when unset; DYNAMIC when written as
   * an expression whose rendered value is unknown (the manifest is missing or older than the expression). */
  value: unknown;
  from: 'source' | 'manifest' | 'unset';
  /** The `config()` kwarg that sets it, when the source does. */
  kwarg: ConfigKwarg | null;
}

/** Where a key sits in a properties .yml (a model's `config:` block there). */
export interface YmlLocator {
  /** Project-relative path of the .yml. */
  file: string;
  /** Range of `key:` (with its value) under the model's `config:`, or null. */
  keyRange(key: string): Range | null;
  /** Range of the model's `config:` key (else its entry), or null when the .yml does not list the model. */
  configRange(): Range | null;
}

export interface Location {
  file: string;
  range: Range;
}

/** A ConfigValue as plain JS; DYNAMIC for anything that needs rendering. */
export function plainValue(v: ConfigValue): unknown {
  switch (v.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return v.value;
    case 'none':
      return null;
    case 'list': {
      const items = v.items.map(plainValue);
      return items.includes(DYNAMIC) ? DYNAMIC : items;
    }
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const e of v.entries) {
        const x = plainValue(e.value);
        if (x === DYNAMIC) return DYNAMIC;
        out[e.key] = x;
      }
      return out;
    }
    case 'call':
    case 'expression':
      return DYNAMIC;
  }
}

/** Strings of a tags-like value (a string or a list of strings). */
export function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

export interface ModelConfigInput {
  model: ModelContext;
  /** The source the manifest was parsed from (`raw_code`) when it differs from the current text, else null. */
  parsedSource: ModelSource | null;
  yml: YmlLocator | null;
}

export class ModelConfig {
  private readonly memo = new Map<ConfigKey, Setting>();

  constructor(private readonly input: ModelConfigInput) {}

  get model(): ModelContext {
    return this.input.model;
  }

  get yml(): YmlLocator | null {
    return this.input.yml;
  }

  kwarg(key: ConfigKey): ConfigKwarg | null {
    return this.input.model.source?.kwarg(KWARG_NAMES[key]) ?? null;
  }

  /** The manifest's value, when the manifest's copy of that key is not outdated by an edit of the source. */
  private manifestValue(key: ConfigKey, kw: ConfigKwarg | null): unknown {
    const node = this.input.model.node;
    if (!node) return undefined;
    const old = this.input.parsedSource;
    if (old) {
      const before = old.kwarg(KWARG_NAMES[key]);
      // The manifest's value came from a kwarg that has since been removed or rewritten: it is outdated, unless a
      // .yml sets the key too (then dbt's merge may still hold).
      if (before && (!kw || kw.valueText !== before.valueText) && !this.input.yml?.keyRange(key)) return undefined;
      if (!before && kw) return undefined;
    }
    const raw = node.config.raw;
    for (const k of MANIFEST_KEYS[key]) {
      const v = raw[k];
      if (v !== undefined && v !== null) return v;
    }
    return undefined;
  }

  get(key: ConfigKey): Setting {
    let s = this.memo.get(key);
    if (s) return s;
    const kw = this.kwarg(key);
    if (kw) {
      const v = plainValue(kw.value);
      if (v !== DYNAMIC) s = { value: v, from: 'source', kwarg: kw };
      else {
        const m = this.manifestValue(key, kw);
        s = m === undefined ? { value: DYNAMIC, from: 'source', kwarg: kw } : { value: m, from: 'manifest', kwarg: kw };
      }
    } else {
      const m = this.manifestValue(key, null);
      s = m === undefined ? { value: undefined, from: 'unset', kwarg: null } : { value: m, from: 'manifest', kwarg: null };
    }
    this.memo.set(key, s);
    return s;
  }

  private manifestHas(key: ConfigKey): boolean {
    const node = this.input.model.node;
    if (!node) return false;
    if (key === 'tags') return node.tags.length > 0;
    return MANIFEST_KEYS[key].some((k) => {
      const v = node.config.raw[k];
      return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
    });
  }

  /** A string value, or null when unset, not a string, or not known without rendering. */
  string(key: ConfigKey): string | null {
    const v = this.get(key).value;
    return typeof v === 'string' ? v : null;
  }

  /** The materialization; null when unknown (no manifest and no `materialized=` in the source). */
  materialized(): string | null {
    return this.string('materialized');
  }

  /**
   * Where a finding about these keys points: the first key's kwarg in `config()`, else the key in the model's .yml
   * config, else the `config()` call, else the model's `config:` in the .yml, else the first line of the model.
   */
  locate(keys: readonly ConfigKey[]): Location {
    const { model, yml } = this.input;
    const src = model.source;
    for (const key of keys) {
      const kw = this.kwarg(key);
      if (kw && src) return { file: model.file, range: src.rangeOf(kw.span) };
    }
    if (yml) {
      // Only keys the manifest has a value for can be in the .yml: this spares parsing big .yml files.
      for (const key of keys) {
        if (!this.manifestHas(key)) continue;
        for (const name of KWARG_NAMES[key]) {
          const r = yml.keyRange(name);
          if (r) return { file: yml.file, range: r };
        }
      }
    }
    if (src?.config) return { file: model.file, range: src.rangeOf(src.config.span) };
    const ymlConfig = yml?.configRange();
    if (yml && ymlConfig) return { file: yml.file, range: ymlConfig };
    return { file: model.file, range: firstLineRange(src?.text ?? '') };
  }
}

export function firstLineRange(text: string): Range {
  const nl = text.search(/\r?\n/);
  return { start: { line: 0, character: 0 }, end: { line: 0, character: nl === -1 ? text.length : nl } };
}

const registry = new WeakMap<ModelContext, ModelConfig>();

/** The model's config; the Linter registers one with the manifest's history and the .yml, else a source-only one. */
export function configOf(model: ModelContext): ModelConfig {
  let c = registry.get(model);
  if (!c) {
    c = new ModelConfig({ model, parsedSource: null, yml: null });
    registry.set(model, c);
  }
  return c;
}

export function registerConfig(model: ModelContext, config: ModelConfig): void {
  registry.set(model, config);
}
