import { isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair } from 'yaml';
import type { Range } from '../types';
import { LineIndex } from './lineIndex';

export interface YmlConfigKey {
  /** The key, `config.` prefixed for keys under the entry's `config:`: `config.tags`, `config.full_refresh`, `tags`. */
  path: string;
  keyRange: Range;
  /** The value's node (for an empty value, the empty range after the key). */
  valueRange: Range;
  /** The value as plain data (`toJSON()`). */
  value: unknown;
}

export interface YmlModelConfig {
  /** The `name:` value of the model's entry. */
  nameRange: Range;
  /** The whole `- name: ...` entry. */
  entryRange: Range;
  /** By path: each key of the entry's `config:`, and the entry's own `tags:`. */
  keys: Record<string, YmlConfigKey>;
}

/**
 * Where a model's config lives in a dbt properties `.yml`: the `models:` entry `- name: <model>`, its `config:`
 * keys and its own `tags:`, with source ranges (zero-based lines). Null when the file has no entry for the model
 * or is not YAML the reader can make sense of; never throws.
 */
export function ymlModelConfig(text: string, modelName: string): YmlModelConfig | null {
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return null;
  }
  if (!Array.isArray(docs)) return null;
  let lines: LineIndex | undefined;
  const range = (r: readonly number[] | null | undefined, valueOnly = true): Range => {
    lines ??= new LineIndex(text);
    const start = r?.[0] ?? 0;
    const end = (valueOnly ? r?.[1] : r?.[2]) ?? start;
    return lines.rangeOf({ start, end });
  };
  for (const doc of docs) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const models = root.items.find((p) => isScalar(p.key) && p.key.value === 'models')?.value;
    if (!isSeq(models)) continue;
    for (const entry of models.items) {
      if (!isMap(entry)) continue;
      const namePair = entry.items.find((p) => isScalar(p.key) && p.key.value === 'name');
      if (!isScalar(namePair?.value) || String(namePair.value.value) !== modelName) continue;
      const keys: Record<string, YmlConfigKey> = {};
      const add = (prefix: string, pair: Pair): void => {
        if (!isScalar(pair.key)) return;
        const key = pair.key as Node;
        const path = prefix + String((pair.key as { value: unknown }).value);
        const value = pair.value as Node | null;
        const afterKey = key.range?.[1] ?? 0;
        keys[path] = {
          path,
          keyRange: range(key.range),
          valueRange: value?.range ? range(value.range) : range([afterKey, afterKey]),
          value: value === null ? null : (value.toJSON() as unknown),
        };
      };
      for (const pair of entry.items) {
        if (!isScalar(pair.key)) continue;
        if (pair.key.value === 'tags') add('', pair);
        else if (pair.key.value === 'config' && isMap(pair.value)) for (const p of pair.value.items) add('config.', p);
      }
      return { nameRange: range(namePair.value.range), entryRange: range(entry.range), keys };
    }
  }
  return null;
}
