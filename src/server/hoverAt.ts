import type { Hover, Position } from 'vscode-languageserver/node';
import type { Linter } from '../core/lint/linter';
import { parseModelSource } from '../core/lint/source/parseModelSource';
import { modelHover } from './lspConvert';

const REF = /\bref\(\s*(?:(['"])([\w.-]+)\1\s*,\s*)?(['"])([\w.-]+)\3/g;
const YML_NAME = /^(\s*-?\s*name:\s*)(['"]?)([\w.-]+)\2\s*$/;

/** The unique id of a project model by name (the project's own package first). */
function modelByName(linter: Linter, name: string, pkg: string | null): string | null {
  const manifest = linter.manifest;
  if (!manifest) return null;
  let found: string | null = null;
  for (const n of manifest.nodes.values()) {
    if (n.resourceType !== 'model' || n.name !== name) continue;
    if (pkg ? n.packageName === pkg : n.packageName === (manifest.metadata.projectName ?? linter.project.name)) return n.uniqueId;
    found ??= n.uniqueId;
  }
  return found;
}

/**
 * The hover at a position: on a model's `config()` call, its own recovery facts; on a `ref('x')`, those of x; in a
 * properties .yml, on a model entry's `name:`, that model's.
 */
export function hoverAt(linter: Linter, file: string, text: string, position: Position): Hover | null {
  if (file.endsWith('.sql')) {
    const src = parseModelSource(text);
    const offset = src.offsetAt(position);
    for (const m of text.matchAll(REF)) {
      const start = m.index;
      const end = start + m[0].length;
      if (offset < start || offset > end) continue;
      const id = modelByName(linter, m[4]!, m[2] ?? null);
      const info = id ? linter.modelInfo(id) : null;
      return info ? modelHover(info, src.rangeOf({ start, end })) : null;
    }
    if (src.config && offset >= src.config.span.start && offset <= src.config.span.end) {
      const info = linter.modelInfo(file);
      return info ? modelHover(info, src.rangeOf({ start: src.config.span.start, end: src.config.span.start + 'config'.length })) : null;
    }
    return null;
  }
  if (/\.ya?ml$/i.test(file)) {
    const line = text.split(/\r?\n/)[position.line] ?? '';
    const m = YML_NAME.exec(line);
    if (!m) return null;
    const startChar = m[1]!.length + m[2]!.length;
    const endChar = startChar + m[3]!.length;
    if (position.character < startChar || position.character > endChar) return null;
    const id = modelByName(linter, m[3]!, null);
    const info = id ? linter.modelInfo(id) : null;
    if (!info) return null;
    return modelHover(info, { start: { line: position.line, character: startChar }, end: { line: position.line, character: endChar } });
  }
  return null;
}
