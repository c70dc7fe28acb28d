{#
  The spill-to-disk contract of every tag:refill_append model. A month rewrite runs big GROUP BYs, sorts and joins
  over a whole partition; without these caps ClickHouse answers Code: 241 (MEMORY_LIMIT_EXCEEDED) instead of
  spilling. The post-hook puts the session back so the next model on the same connection is not capped.
#}
{% macro refill_safe_pre_hook() %}
  {{ return([
    "SET max_memory_usage = 8589934592",
    "SET max_bytes_before_external_group_by = 2147483648",
    "SET max_bytes_before_external_sort = 2147483648",
    "SET join_algorithm = 'grace_hash'"
  ]) }}
{% endmacro %}

{% macro refill_safe_post_hook() %}
  {{ return([
    "SET max_memory_usage = 0",
    "SET max_bytes_before_external_group_by = 0",
    "SET max_bytes_before_external_sort = 0",
    "SET join_algorithm = 'default'"
  ]) }}
{% endmacro %}
