{#
  The incremental WHERE of every month-partitioned model: re-read from the start of the newest month already in
  the table, and from the newest day minus the lookback. The lookback comes from var('price_lookback_days') first,
  so a price-gap refill widens it for every consumer in one --vars, with no per-model edit.
#}
{% macro apply_monthly_incremental_filter(source_field, destination_field=None, add_and=False, lookback_days=1) %}
  {% if is_incremental() %}
    {% if destination_field is none %}
      {% set dest_field = source_field %}
    {% else %}
      {% set dest_field = destination_field %}
    {% endif %}
    {% set lookback = var('price_lookback_days', lookback_days) | int %}

   {{ "AND " if add_and else "WHERE " }}
    toStartOfMonth(toStartOfDay({{ source_field }})) >= (
      SELECT toStartOfMonth(max(toStartOfDay(x1.{{ dest_field }})) - INTERVAL {{ lookback }} DAY)
      FROM {{ this }} AS x1
    )
    AND toStartOfDay({{ source_field }}) >= (
      SELECT max(toStartOfDay(x2.{{ dest_field }}, 'UTC')) - INTERVAL {{ lookback }} DAY
      FROM {{ this }} AS x2
    )
  {% endif %}
{% endmacro %}
