import { isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair, type YAMLMap } from 'yaml';
import { LineIndex } from './source/lineIndex';
import type { YmlConfigKey, YmlModelConfig } from './source/ymlModelConfig';
import type { Range } from './types';

/**
 * Every `models:` entry of a properties .yml, by model name, from one parse of the file. Same result as
 * ymlModelConfig(text, name) for each name, which parses the whole file on every call: on a generated project
 * whose schema.yml lists thousands of models, asking it once per model is quadratic. Entries are converted to
 * ranges only when asked for. Never throws; an unreadable file has no entries.
 */
export class YmlModelIndex {
  private readonly entries = new Map<string, YAMLMap>();
  private readonly built = new Map<string, YmlModelConfig>();
  private lines: LineIndex | null = null;

  constructor(private readonly text: string) {
    let docs;
    try {
      docs = parseAllDocuments(text);
    } catch {
      return;
    }
    if (!Array.isArray(docs)) return;
    for (const doc of docs) {
      const root = doc.contents;
      if (!isMap(root)) continue;
      const models = root.items.find((p) => isScalar(p.key) && p.key.value === 'models')?.value;
      if (!isSeq(models)) continue;
      for (const entry of models.items) {
        if (!isMap(entry)) continue;
        const namePair = entry.items.find((p) => isScalar(p.key) && p.key.value === 'name');
        if (!isScalar(namePair?.value)) continue;
        const name = String(namePair.value.value);
        if (!this.entries.has(name)) this.entries.set(name, entry);
      }
    }
  }

  get(modelName: string): YmlModelConfig | null {
    const cached = this.built.get(modelName);
    if (cached) return cached;
    const entry = this.entries.get(modelName);
    if (!entry) return null;
    const namePair = entry.items.find((p) => isScalar(p.key) && p.key.value === 'name')!;
    const keys: Record<string, YmlConfigKey> = {};
    const add = (prefix: string, pair: Pair): void => {
      if (!isScalar(pair.key)) return;
      const key = pair.key as Node;
      const path = prefix + String(pair.key.value);
      const value = pair.value as Node | null;
      const afterKey = key.range?.[1] ?? 0;
      keys[path] = {
        path,
        keyRange: this.range(key.range),
        valueRange: value?.range ? this.range(value.range) : this.range([afterKey, afterKey]),
        value: value === null ? null : (value.toJSON() as unknown),
      };
    };
    for (const pair of entry.items) {
      if (!isScalar(pair.key)) continue;
      if (pair.key.value === 'tags') add('', pair);
      else if (pair.key.value === 'config' && isMap(pair.value)) for (const p of pair.value.items) add('config.', p);
    }
    const built: YmlModelConfig = {
      nameRange: this.range((namePair.value as Node).range),
      entryRange: this.range(entry.range),
      keys,
    };
    this.built.set(modelName, built);
    return built;
  }

  private range(r: readonly number[] | null | undefined): Range {
    this.lines ??= new LineIndex(this.text);
    const start = r?.[0] ?? 0;
    const end = r?.[1] ?? start;
    return this.lines.rangeOf({ start, end });
  }
}
