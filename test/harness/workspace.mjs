// Throwaway dbt project folders for the editor layers: a dbt_project.yml and target/manifest.json from a fixture.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** jaffle_shop, manifest schema v12: 13 models, so the status bar reads "dbt: 13 models". */
export const JAFFLE_SHOP_MANIFEST = path.join(repoRoot, 'test/fixtures/manifests/yu-iskw__dbt-artifacts-parser__v12.json');

/**
 * Makes a temp folder holding a dbt project whose target/manifest.json is a copy of `manifest`.
 * @param {{ manifest?: string | null, name?: string }} [options]  manifest null: a project without a manifest
 * @returns {{ dir: string, remove: () => void }}
 */
export function makeDbtWorkspace({ manifest = JAFFLE_SHOP_MANIFEST, name = 'jaffle_shop' } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'dbt-recovery-workspace-'));
  writeFileSync(path.join(dir, 'dbt_project.yml'), `name: ${name}\nversion: '1.0'\nprofile: ${name}\nmodel-paths: ['models']\n`);
  mkdirSync(path.join(dir, 'models'));
  if (manifest) {
    mkdirSync(path.join(dir, 'target'));
    copyFileSync(manifest, path.join(dir, 'target', 'manifest.json'));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
