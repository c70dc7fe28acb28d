export { DbtGraph, compareIds, type LayerOptions } from './dbtGraph';
export {
  selectNodes,
  resolveResourceTypes,
  DEFAULT_INCLUDES,
  DEFAULT_RESOURCE_TYPES,
  ALL_RESOURCE_TYPES,
  type SelectOptions,
  type Selection,
  type IndirectSelection,
} from './selector';
export { SelectorError } from './selectorError';
export { parseSelector, parseSelectionArgs, defaultMethod, METHOD_NAMES, type MethodName, type SelectionCriteria } from './parseSelector';
export { fnmatch } from './fnmatch';
export { closestMatch } from './closestMatch';
