/** The helpers the rules call on a parsed model source, in one import. */
export { heavyEvidence } from './heavyEvidence';
export { monthFilterBranch, testedVars } from './monthFilterBranch';
export { incrementalFilters, type IncrementalFilter } from './incrementalFilters';
export { hookSettings, parseSetStatements, type HookSettings, type SetStatement } from './hookSettings';
export { isThreeBranchStrategy } from './isThreeBranchStrategy';
export { ymlModelConfig, type YmlConfigKey, type YmlModelConfig } from './ymlModelConfig';
export { maskedSql } from './maskedSql';
export { readConfigValue } from './readConfigValue';
