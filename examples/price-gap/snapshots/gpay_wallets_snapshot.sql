{% snapshot gpay_wallets_snapshot %}

{{
    config(
      unique_key='wallet_address',
      strategy='timestamp',
      updated_at='updated_at'
    )
}}

-- Gnosis Pay wallets change owner and status over time; the snapshot keeps which wallet was a Pay wallet on which day.
SELECT
    lower(wallet_address) AS wallet_address,
    owner_address,
    status,
    updated_at
FROM {{ source('gnosis_pay', 'wallets') }}

{% endsnapshot %}
