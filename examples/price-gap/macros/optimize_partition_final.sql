{#
  dbt run-operation optimize_partition_final --args '{database: dbt, table_name: <model>, partition: "2026-04-01"}'

  Forces the ReplacingMergeTree merge of one month so the next model reads deduplicated rows: between the two
  append passes of a refill, and after the second one.
#}
{% macro optimize_partition_final(database, table_name, partition) %}
  {% set sql %}
    OPTIMIZE TABLE `{{ database }}`.`{{ table_name }}` PARTITION toDate('{{ partition }}') FINAL DEDUPLICATE
  {% endset %}
  {{ log("OPTIMIZE " ~ database ~ "." ~ table_name ~ " PARTITION " ~ partition ~ " FINAL DEDUPLICATE", info=True) }}
  {% do run_query(sql) %}
{% endmacro %}
