/** Quick fixes as text edits that keep the user's formatting. */
export { applyEdits } from './applyEdits';
export { addTagFix } from './addTagFix';
export { addHooksFix } from './addHooksFix';
export { strategyExpressionFix } from './strategyExpressionFix';
export { monthFilterFix } from './monthFilterFix';
export { fullRefreshFalseFix } from './fullRefreshFalseFix';
