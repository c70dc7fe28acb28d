/**
 * A project's recovery conventions. The seeds' values are the defaults; a `dbt-recovery.yml` at the dbt project
 * root overrides them, and VS Code settings override that (see loadRecoveryProfile in this folder).
 */
import type { RuleId, Severity } from '../types';

export interface RecoveryProfile {
  /** The tag that puts a model in the Phase 1 (append + OPTIMIZE) cohort. */
  refillTag: string;
  hooks: {
    /** Macro whose call as `pre_hook=` establishes the spill-to-disk settings. */
    preHookMacro: string;
    /** Macro whose call as `post_hook=` resets them. */
    postHookMacro: string;
    /** Settings the pre-hook must establish (by the macro, or by equivalent `SET` statements); the post-hook
     * must reset each of them. */
    requiredSettings: string[];
  };
  vars: {
    /** `var()` names of the month-refill window and the incremental end date (the strategy's append branch). */
    startMonth: string;
    endMonth: string;
    incrementalEndDate: string;
    /** The lookback var the filter macro reads (`price_lookback_days`). */
    lookbackDays: string;
  };
  /** The model whose lineage (`<root>+`) consumes prices. */
  priceRoot: string;
  /** The incremental filter macro that honours the lookback var. */
  lookbackMacro: string;
  /** The strategy of the three-branch expression's `else` (what the model uses outside a refill). */
  defaultStrategy: string;
  heavy: {
    /** A model whose last run took at least this long (run_results.json) is heavy. */
    runSeconds: number;
  };
  /** An incremental model is "large" (needs `full_refresh: false`) when its last run took at least this long, or
   * it is heavy, or in the refill cohort, or microbatch. */
  largeRunSeconds: number;
  /** Severity per rule; a rule not listed keeps its default. */
  rules: Partial<Record<RuleId, Severity>>;
}

/** The conventions of the ClickHouse price-gap runbook (shared/seeds/clickhouse-price-gap-refill.md). */
export const DEFAULT_PROFILE: RecoveryProfile = {
  refillTag: 'refill_append',
  hooks: {
    preHookMacro: 'refill_safe_pre_hook',
    postHookMacro: 'refill_safe_post_hook',
    requiredSettings: ['max_memory_usage', 'max_bytes_before_external_group_by', 'max_bytes_before_external_sort', 'join_algorithm'],
  },
  vars: {
    startMonth: 'start_month',
    endMonth: 'end_month',
    incrementalEndDate: 'incremental_end_date',
    lookbackDays: 'price_lookback_days',
  },
  priceRoot: 'int_execution_token_prices_daily',
  lookbackMacro: 'apply_monthly_incremental_filter',
  defaultStrategy: 'delete+insert',
  heavy: { runSeconds: 300 },
  largeRunSeconds: 60,
  rules: {},
};
