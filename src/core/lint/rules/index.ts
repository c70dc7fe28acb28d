import type { LintRule } from '../types';
import { disableDirective } from './disable-directive';
import { fullRefreshUnprotected } from './full-refresh-unprotected';
import { heavyModelUntagged } from './heavy-model-untagged';
import { microbatchConfig } from './microbatch-config';
import { priceLookbackIgnored } from './price-lookback-ignored';
import { refillAppendEngine } from './refill-append-engine';
import { refillAppendHooks } from './refill-append-hooks';
import { refillAppendMonthFilter } from './refill-append-month-filter';
import { refillAppendStrategy } from './refill-append-strategy';

/** Every rule, in RULE_IDS order (the order findings on the same line are listed in). */
export const RULES: readonly LintRule[] = [
  refillAppendHooks,
  refillAppendStrategy,
  refillAppendMonthFilter,
  refillAppendEngine,
  heavyModelUntagged,
  priceLookbackIgnored,
  fullRefreshUnprotected,
  microbatchConfig,
  disableDirective,
];

export {
  disableDirective,
  fullRefreshUnprotected,
  heavyModelUntagged,
  microbatchConfig,
  priceLookbackIgnored,
  refillAppendEngine,
  refillAppendHooks,
  refillAppendMonthFilter,
  refillAppendStrategy,
};
