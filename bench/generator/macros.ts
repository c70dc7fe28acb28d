/** The macros of the synthetic project and the package macros its nodes depend on. */

export interface MacroDef {
  packageName: string;
  name: string;
  /** Path relative to the package root. */
  path: string;
  sql: string;
  dependsOn: string[];
  description?: string;
}

export const PROJECT = 'bench_project';

/** What `refill_safe_pre_hook()` returns: cap memory at 8 GiB, spill GROUP BY / ORDER BY / JOIN at 2 GiB. */
export const REFILL_PRE_HOOK_SQL = [
  'SET max_memory_usage = 8589934592',
  'SET max_bytes_before_external_group_by = 2147483648',
  'SET max_bytes_before_external_sort = 2147483648',
  "SET join_algorithm = 'grace_hash'",
];

/** What `refill_safe_post_hook()` returns: back to the server defaults for the next model on the session. */
export const REFILL_POST_HOOK_SQL = [
  'SET max_bytes_before_external_group_by = 0',
  'SET max_bytes_before_external_sort = 0',
  "SET join_algorithm = 'default'",
  'SET max_memory_usage = 0',
];

/** The default of `var('price_lookback_days')` (dbt_project.yml sets the same value). */
export const PRICE_LOOKBACK_DAYS = 2;

const list = (items: string[]): string => items.map((s) => `    ${JSON.stringify(s)}`).join(',\n');

const projectMacros: MacroDef[] = [
  {
    packageName: PROJECT,
    name: 'refill_safe_pre_hook',
    path: 'macros/db/refill_safe_hooks.sql',
    description: 'Spill-to-disk settings for heavy refill_append models, run before the model so wide refills spill instead of failing with Code: 241.',
    dependsOn: [],
    sql: `{#- Heavy models tagged refill_append rewrite a whole month in append mode. Without these settings a wide
    GROUP BY or window over a month of rows fails with Code: 241 MEMORY_LIMIT_EXCEEDED. -#}
{% macro refill_safe_pre_hook() %}
  {{ return([
${list(REFILL_PRE_HOOK_SQL)}
  ]) }}
{% endmacro %}`,
  },
  {
    packageName: PROJECT,
    name: 'refill_safe_post_hook',
    path: 'macros/db/refill_safe_hooks.sql',
    description: 'Resets the spill-to-disk settings of refill_safe_pre_hook so later models on the same session run with defaults.',
    dependsOn: [],
    sql: `{% macro refill_safe_post_hook() %}
  {{ return([
${list(REFILL_POST_HOOK_SQL)}
  ]) }}
{% endmacro %}`,
  },
  {
    packageName: PROJECT,
    name: 'apply_monthly_incremental_filter',
    path: 'macros/incremental/apply_monthly_incremental_filter.sql',
    description: 'Incremental filter: rows from the last loaded month onward, widened by var(price_lookback_days) days.',
    dependsOn: ['macro.dbt_clickhouse.is_incremental'],
    sql: `{% macro apply_monthly_incremental_filter(source_field, destination_field=None, add_and=False) %}
  {% if is_incremental() %}
    {% if destination_field is none %}
      {% set dest_field = source_field %}
    {% else %}
      {% set dest_field = destination_field %}
    {% endif %}
    {% set lookback_days = var('price_lookback_days', ${PRICE_LOOKBACK_DAYS}) | int %}

   {{ "AND " if add_and else "WHERE " }}
    toStartOfMonth(toStartOfDay({{ source_field }})) >= (
      SELECT addDays(max(toStartOfMonth(x1.{{ dest_field }})), -{{ lookback_days }})
      FROM {{ this }} AS x1
    )
    AND toStartOfDay({{ source_field }}) >= (
      SELECT addDays(max(toStartOfDay(x2.{{ dest_field }}, 'UTC')), -{{ lookback_days }})
      FROM {{ this }} AS x2
    )
  {% endif %}
{% endmacro %}`,
  },
  {
    packageName: PROJECT,
    name: 'optimize_partition_final',
    path: 'macros/db/optimize_partition_final.sql',
    description: 'OPTIMIZE ... PARTITION ... FINAL DEDUPLICATE for one month of a ReplacingMergeTree model, between refill passes.',
    dependsOn: ['macro.dbt.run_query'],
    sql: `{% macro optimize_partition_final(database, table_name, partition) %}
  {% set sql %}
    OPTIMIZE TABLE {{ database }}.{{ table_name }} PARTITION toDate('{{ partition }}') FINAL DEDUPLICATE
  {% endset %}
  {{ log("OPTIMIZE " ~ database ~ "." ~ table_name ~ " PARTITION " ~ partition, info=True) }}
  {% do run_query(sql) %}
{% endmacro %}`,
  },
  {
    packageName: PROJECT,
    name: 'kill_poisoned_mutations',
    path: 'macros/db/mutations.sql',
    description: 'Kills mutations left behind by a delete+insert run that died mid-mutation (Code: 341 on __dbt_new_data_*).',
    dependsOn: ['macro.dbt.run_query'],
    sql: `{% macro kill_poisoned_mutations(database='dbt') %}
  {% set rows = run_query("SELECT table, mutation_id FROM system.mutations WHERE database = '" ~ database ~ "' AND NOT is_done AND latest_fail_reason LIKE '%__dbt_new_data_%'").rows %}
  {% for row in rows %}
    {{ log("KILL MUTATION " ~ row[1] ~ " on " ~ row[0], info=True) }}
    {% do run_query("KILL MUTATION WHERE database = '" ~ database ~ "' AND table = '" ~ row[0] ~ "' AND mutation_id = '" ~ row[1] ~ "'") %}
  {% endfor %}
{% endmacro %}`,
  },
  {
    packageName: PROJECT,
    name: 'generate_schema_name',
    path: 'macros/db/schema.sql',
    dependsOn: [],
    sql: `{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}
    {{ target.schema }}
  {%- else -%}
    {{ custom_schema_name | trim }}
  {%- endif -%}
{%- endmacro %}`,
  },
  {
    packageName: PROJECT,
    name: 'drop_dbt_trash',
    path: 'macros/db/cleanup.sql',
    dependsOn: ['macro.dbt.run_query'],
    sql: `{% macro drop_dbt_trash(database_name) %}
  {% set tables = run_query("SELECT name FROM system.tables WHERE database = '" ~ database_name ~ "' AND name LIKE '%__dbt_%'").rows %}
  {% for row in tables %}
    {% do run_query("DROP TABLE IF EXISTS " ~ database_name ~ "." ~ row[0]) %}
  {% endfor %}
{% endmacro %}`,
  },
];

/** Package macros the nodes name in `depends_on.macros`, with short bodies of the same shape. */
const packageMacros: MacroDef[] = [
  {
    packageName: 'dbt_clickhouse', name: 'is_incremental', path: 'macros/materializations/incremental/is_incremental.sql', dependsOn: ['macro.dbt.should_full_refresh', 'macro.dbt.load_cached_relation'],
    sql: `{% macro is_incremental() %}
  {% if not execute %}
    {{ return(False) }}
  {% else %}
    {% set relation = adapter.get_relation(this.database, this.schema, this.table) %}
    {{ return(relation is not none
              and relation.type == 'table'
              and model.config.materialized in ['incremental', 'distributed_incremental']
              and not should_full_refresh()) }}
  {% endif %}
{% endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'test_not_null', path: 'macros/generic_test_sql/not_null.sql', dependsOn: ['macro.dbt.default__test_not_null'],
    sql: `{% test not_null(model, column_name) %}
    {% set macro = adapter.dispatch('test_not_null', 'dbt') %}
    {{ macro(model, column_name) }}
{% endtest %}`,
  },
  {
    packageName: 'dbt', name: 'default__test_not_null', path: 'macros/generic_test_sql/not_null.sql', dependsOn: ['macro.dbt.should_store_failures'],
    sql: `{% macro default__test_not_null(model, column_name) %}
{% set column_list = '*' if should_store_failures() else column_name %}
select {{ column_list }}
from {{ model }}
where {{ column_name }} is null
{% endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'test_unique', path: 'macros/generic_test_sql/unique.sql', dependsOn: ['macro.dbt.default__test_unique'],
    sql: `{% test unique(model, column_name) %}
    {% set macro = adapter.dispatch('test_unique', 'dbt') %}
    {{ macro(model, column_name) }}
{% endtest %}`,
  },
  {
    packageName: 'dbt', name: 'default__test_unique', path: 'macros/generic_test_sql/unique.sql', dependsOn: [],
    sql: `{% macro default__test_unique(model, column_name) %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'test_relationships', path: 'macros/generic_test_sql/relationships.sql', dependsOn: ['macro.dbt.default__test_relationships'],
    sql: `{% test relationships(model, column_name, to, field) %}
    {% set macro = adapter.dispatch('test_relationships', 'dbt') %}
    {{ macro(model, column_name, to, field) }}
{% endtest %}`,
  },
  {
    packageName: 'dbt', name: 'default__test_relationships', path: 'macros/generic_test_sql/relationships.sql', dependsOn: [],
    sql: `{% macro default__test_relationships(model, column_name, to, field) %}
with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),
parent as (
    select {{ field }} as to_field
    from {{ to }}
)
select from_field
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
{% endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'test_accepted_values', path: 'macros/generic_test_sql/accepted_values.sql', dependsOn: ['macro.dbt.default__test_accepted_values'],
    sql: `{% test accepted_values(model, column_name, values, quote=True) %}
    {% set macro = adapter.dispatch('test_accepted_values', 'dbt') %}
    {{ macro(model, column_name, values, quote) }}
{% endtest %}`,
  },
  {
    packageName: 'dbt', name: 'default__test_accepted_values', path: 'macros/generic_test_sql/accepted_values.sql', dependsOn: [],
    sql: `{% macro default__test_accepted_values(model, column_name, values, quote=True) %}
with all_values as (
    select {{ column_name }} as value_field, count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
)
select *
from all_values
where value_field not in (
    {% for value in values -%}
        {% if quote -%}'{{ value }}'{%- else -%}{{ value }}{%- endif -%}
        {%- if not loop.last -%},{%- endif %}
    {%- endfor %}
)
{% endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'get_where_subquery', path: 'macros/materializations/tests/where_subquery.sql', dependsOn: ['macro.dbt.default__get_where_subquery'],
    sql: `{% macro get_where_subquery(relation) -%}
    {% do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) %}
{%- endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'default__get_where_subquery', path: 'macros/materializations/tests/where_subquery.sql', dependsOn: [],
    sql: `{% macro default__get_where_subquery(relation) -%}
    {% set where = config.get('where', '') %}
    {% if where %}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {% do return(filtered) %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'should_store_failures', path: 'macros/materializations/configs.sql', dependsOn: [],
    sql: `{% macro should_store_failures() %}
  {% set config_store_failures = config.get('store_failures') %}
  {% if config_store_failures is none %}
    {% set config_store_failures = flags.STORE_FAILURES %}
  {% endif %}
  {% do return(config_store_failures) %}
{% endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'should_full_refresh', path: 'macros/materializations/configs.sql', dependsOn: [],
    sql: `{% macro should_full_refresh() %}
  {% set config_full_refresh = config.get('full_refresh') %}
  {% if config_full_refresh is none %}
    {% set config_full_refresh = flags.FULL_REFRESH %}
  {% endif %}
  {% do return(config_full_refresh) %}
{% endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'load_cached_relation', path: 'macros/adapters/relation.sql', dependsOn: [],
    sql: `{% macro load_cached_relation(relation) %}
  {% do return(adapter.get_relation(
    database=relation.database,
    schema=relation.schema,
    identifier=relation.identifier
  )) -%}
{% endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'run_query', path: 'macros/etc/statement.sql', dependsOn: ['macro.dbt.statement'],
    sql: `{% macro run_query(sql) %}
  {% call statement("run_query_statement", fetch_result=true, auto_begin=false) %}
    {{ sql }}
  {% endcall %}
  {% do return(load_result("run_query_statement").table) %}
{% endmacro %}`,
  },
  {
    packageName: 'dbt', name: 'statement', path: 'macros/etc/statement.sql', dependsOn: [],
    sql: `{%- macro statement(name=None, fetch_result=False, auto_begin=True, language='sql') -%}
  {%- if execute: -%}
    {%- set compiled_code = caller() -%}
    {%- set res, table = adapter.execute(compiled_code, auto_begin=auto_begin, fetch=fetch_result) -%}
    {%- if name is not none -%}
      {{ store_result(name, response=res, agate_table=table) }}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}`,
  },
  {
    packageName: 'dbt_utils', name: 'test_unique_combination_of_columns', path: 'macros/generic_tests/unique_combination_of_columns.sql', dependsOn: ['macro.dbt_utils.default__test_unique_combination_of_columns'],
    sql: `{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
  {{ return(adapter.dispatch('test_unique_combination_of_columns', 'dbt_utils')(model, combination_of_columns, quote_columns)) }}
{% endtest %}`,
  },
  {
    packageName: 'dbt_utils', name: 'default__test_unique_combination_of_columns', path: 'macros/generic_tests/unique_combination_of_columns.sql', dependsOn: [],
    sql: `{% macro default__test_unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
{%- set column_list = combination_of_columns if not quote_columns else combination_of_columns | map('adapter.quote') | list -%}
{%- set columns_csv = column_list | join(', ') %}
with validation_errors as (
    select {{ columns_csv }}
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
)
select *
from validation_errors
{% endmacro %}`,
  },
];

/** Adapter macros every ClickHouse project carries; bodies are short stand-ins of the same kind. */
const adapterMacroNames = [
  'clickhouse__create_table_as', 'clickhouse__create_view_as', 'clickhouse__drop_relation', 'clickhouse__rename_relation',
  'clickhouse__truncate_relation', 'clickhouse__list_schemas', 'clickhouse__list_relations_without_caching',
  'clickhouse__get_columns_in_relation', 'clickhouse__alter_column_type', 'clickhouse__make_temp_relation',
  'clickhouse__get_catalog', 'clickhouse__current_timestamp', 'clickhouse__snapshot_hash_arguments',
  'clickhouse__post_snapshot', 'clickhouse__snapshot_merge_sql', 'clickhouse__get_delete_insert_merge_sql',
  'clickhouse__incremental_legacy', 'clickhouse__incremental_delete_insert', 'clickhouse__incremental_append',
  'clickhouse__insert_into', 'clickhouse__engine_clause', 'clickhouse__partition_cols', 'clickhouse__order_cols',
  'clickhouse__primary_key_clause', 'clickhouse__ttl_config', 'clickhouse__on_cluster_clause',
  'clickhouse__settings_section', 'clickhouse__query_settings', 'clickhouse__exchange_tables_atomic',
  'clickhouse__apply_grants', 'clickhouse__get_show_grant_sql', 'clickhouse__create_schema', 'clickhouse__drop_schema',
];

function adapterMacro(name: string): MacroDef {
  const verb = name.replace(/^clickhouse__/, '');
  return {
    packageName: 'dbt_clickhouse',
    name,
    path: `macros/adapters/${verb.split('_')[0]}.sql`,
    dependsOn: ['macro.dbt.statement'],
    sql: `{% macro ${name}(relation, sql=none) -%}
  {%- set cluster = on_cluster_clause(relation) -%}
  {%- call statement('${verb}', auto_begin=False) -%}
    /* ${verb.replace(/_/g, ' ')} {{ relation }} {{ cluster }} */
    {{ sql if sql is not none else '' }}
  {%- endcall -%}
{%- endmacro %}`,
  };
}

export function allMacros(): MacroDef[] {
  return [...projectMacros, ...packageMacros, ...adapterMacroNames.map(adapterMacro)];
}

export function macroId(m: Pick<MacroDef, 'packageName' | 'name'>): string {
  return `macro.${m.packageName}.${m.name}`;
}
