export * from './types';
export { ManifestError } from './manifestError';
export { loadManifest, loadManifestAsync } from './loadManifest';
export { normalizeManifest, normalizeNode, schemaVersionOf } from './normalize';
export { readProject, findProjects, projectRootOf, PROJECT_FILE, type DbtProject } from './project';
export { ManifestStore, countModels, staleProjectFile, type ManifestStatus, type StaleReason } from './manifestStore';
export { formatLsLine, LS_OUTPUTS, LS_JSON_KEYS, searchName, selectorOf, pythonJsonDumps, type LsOutput } from './lsFormat';
