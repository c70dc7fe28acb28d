/** Names and words for the synthetic project: domains, their entities, columns and what they mean. */

export interface ColumnDef {
  type: string;
  description: string;
}

export interface EntityDef {
  name: string;
  /** Dimension columns a model of this entity groups by. */
  dims: string[];
}

export interface DomainDef {
  name: string;
  /** Relative size of the domain in the project. */
  weight: number;
  /** What the domain covers, for descriptions. */
  about: string;
  entities: EntityDef[];
}

export interface MeasureDef {
  name: string;
  /** Output metric columns. */
  metrics: string[];
  /** Needs a window function or an exact distinct count: the kind of model that OOMs on wide refills. */
  heavy: boolean;
  /** Has *_usd columns, so it joins the price root. */
  priced: boolean;
  phrase: string;
}

export const DOMAINS: DomainDef[] = [
  {
    name: 'execution', weight: 14, about: 'execution-layer activity on Gnosis Chain',
    entities: [
      { name: 'tokens', dims: ['token_address', 'symbol', 'token_class'] },
      { name: 'transactions', dims: ['from_address', 'to_address', 'transaction_type'] },
      { name: 'blocks', dims: ['miner', 'client_version'] },
      { name: 'pools', dims: ['pool_address', 'protocol', 'token_address'] },
      { name: 'lending_aave', dims: ['user_address', 'reserve_address', 'symbol'] },
      { name: 'gpay', dims: ['wallet_address', 'token_address', 'action'] },
      { name: 'account', dims: ['address', 'label', 'sector'] },
      { name: 'contracts', dims: ['contract_address', 'label', 'protocol'] },
      { name: 'gas', dims: ['to_address', 'transaction_type'] },
    ],
  },
  {
    name: 'consensus', weight: 8, about: 'the beacon chain and its validators',
    entities: [
      { name: 'validators', dims: ['validator_index', 'withdrawal_credentials', 'status'] },
      { name: 'attestations', dims: ['validator_index', 'committee_index'] },
      { name: 'blocks', dims: ['proposer_index', 'graffiti'] },
      { name: 'deposits', dims: ['withdrawal_credentials', 'pubkey'] },
      { name: 'withdrawals', dims: ['validator_index', 'address'] },
      { name: 'rewards', dims: ['validator_index', 'reward_type'] },
      { name: 'blobs', dims: ['proposer_index', 'blob_count_bucket'] },
    ],
  },
  {
    name: 'bridges', weight: 5, about: 'cross-chain bridge flows',
    entities: [
      { name: 'omni', dims: ['token_address', 'direction', 'chain_id'] },
      { name: 'xdai', dims: ['direction', 'address'] },
      { name: 'hashi', dims: ['chain_id', 'adapter'] },
      { name: 'cctp', dims: ['token_address', 'direction', 'chain_id'] },
    ],
  },
  {
    name: 'circles', weight: 4, about: 'the Circles UBI protocol',
    entities: [
      { name: 'avatars', dims: ['avatar', 'avatar_type'] },
      { name: 'trust', dims: ['truster', 'trustee'] },
      { name: 'transfers', dims: ['from_address', 'to_address', 'token_address'] },
      { name: 'groups', dims: ['group_address', 'avatar'] },
    ],
  },
  {
    name: 'p2p', weight: 4, about: 'peer-to-peer network crawls',
    entities: [
      { name: 'discv4', dims: ['client_type', 'country_code'] },
      { name: 'discv5', dims: ['client_type', 'country_code', 'fork_digest'] },
      { name: 'peers', dims: ['peer_id', 'client_type'] },
      { name: 'geo', dims: ['country_code', 'cloud_provider'] },
    ],
  },
  {
    name: 'revenue', weight: 3, about: 'protocol revenue and fees',
    entities: [
      { name: 'holdings', dims: ['token_address', 'symbol', 'sector'] },
      { name: 'sdai', dims: ['address', 'token_address'] },
      { name: 'gpay', dims: ['wallet_address', 'token_address'] },
      { name: 'protocol', dims: ['protocol', 'token_address'] },
    ],
  },
  {
    name: 'dex', weight: 5, about: 'decentralized exchange trading',
    entities: [
      { name: 'swapr', dims: ['pool_address', 'token_address'] },
      { name: 'balancer', dims: ['pool_address', 'token_address', 'pool_type'] },
      { name: 'curve', dims: ['pool_address', 'token_address'] },
      { name: 'uniswap_v3', dims: ['pool_address', 'fee_tier', 'token_address'] },
      { name: 'cow', dims: ['solver', 'token_address'] },
    ],
  },
  {
    name: 'lending', weight: 4, about: 'lending markets',
    entities: [
      { name: 'aave', dims: ['reserve_address', 'user_address', 'symbol'] },
      { name: 'spark', dims: ['reserve_address', 'user_address', 'symbol'] },
      { name: 'agave', dims: ['reserve_address', 'symbol'] },
      { name: 'liquidations', dims: ['liquidator', 'reserve_address'] },
    ],
  },
  {
    name: 'stablecoins', weight: 3, about: 'stablecoin supply and velocity',
    entities: [
      { name: 'sdai', dims: ['address', 'token_address'] },
      { name: 'usdc', dims: ['address', 'token_address'] },
      { name: 'eure', dims: ['address', 'token_address'] },
      { name: 'wxdai', dims: ['address', 'token_address'] },
    ],
  },
  {
    name: 'governance', weight: 2, about: 'DAO governance',
    entities: [
      { name: 'snapshot', dims: ['space', 'proposal_id', 'voter'] },
      { name: 'gnosis_dao', dims: ['proposal_id', 'voter'] },
      { name: 'delegations', dims: ['delegator', 'delegate'] },
    ],
  },
  {
    name: 'gpay', weight: 3, about: 'Gnosis Pay card activity',
    entities: [
      { name: 'cards', dims: ['wallet_address', 'card_network'] },
      { name: 'payments', dims: ['wallet_address', 'token_address', 'merchant_category'] },
      { name: 'cashback', dims: ['wallet_address', 'token_address'] },
      { name: 'wallets', dims: ['wallet_address', 'country_code'] },
    ],
  },
  {
    name: 'nft', weight: 2, about: 'NFT collections and trades',
    entities: [
      { name: 'poap', dims: ['event_id', 'owner'] },
      { name: 'transfers', dims: ['collection_address', 'from_address', 'to_address'] },
      { name: 'marketplaces', dims: ['marketplace', 'collection_address'] },
    ],
  },
  {
    name: 'oracles', weight: 2, about: 'price oracles',
    entities: [
      { name: 'chainlink', dims: ['feed_address', 'symbol'] },
      { name: 'redstone', dims: ['feed_id', 'symbol'] },
      { name: 'dune_prices', dims: ['token_address', 'symbol'] },
    ],
  },
  {
    name: 'staking', weight: 3, about: 'GNO staking and liquid staking',
    entities: [
      { name: 'gno', dims: ['address', 'validator_index'] },
      { name: 'stakewise', dims: ['vault_address', 'address'] },
      { name: 'lido', dims: ['address', 'token_address'] },
    ],
  },
  {
    name: 'rwa', weight: 2, about: 'tokenized real-world assets',
    entities: [
      { name: 'backedfi', dims: ['token_address', 'symbol'] },
      { name: 'ondo', dims: ['token_address', 'address'] },
      { name: 'centrifuge', dims: ['pool_address', 'tranche'] },
    ],
  },
  {
    name: 'safe', weight: 3, about: 'Safe smart accounts',
    entities: [
      { name: 'wallets', dims: ['safe_address', 'owner'] },
      { name: 'modules', dims: ['safe_address', 'module_address'] },
      { name: 'transactions', dims: ['safe_address', 'to_address', 'operation'] },
    ],
  },
  {
    name: 'mev', weight: 2, about: 'MEV extraction and block building',
    entities: [
      { name: 'arbitrage', dims: ['searcher', 'token_address'] },
      { name: 'sandwiches', dims: ['searcher', 'pool_address'] },
      { name: 'builders', dims: ['builder', 'relay'] },
    ],
  },
  {
    name: 'esg', weight: 2, about: 'energy use and carbon footprint of the network',
    entities: [
      { name: 'power', dims: ['node_category', 'client_type'] },
      { name: 'carbon', dims: ['country_code', 'node_category'] },
      { name: 'nodes', dims: ['node_category', 'country_code'] },
    ],
  },
  {
    name: 'labels', weight: 2, about: 'address and contract labels',
    entities: [
      { name: 'contracts', dims: ['contract_address', 'label', 'sector'] },
      { name: 'addresses', dims: ['address', 'label'] },
      { name: 'ens', dims: ['address', 'ens_name'] },
    ],
  },
  {
    name: 'yields', weight: 2, about: 'yield sources and rates',
    entities: [
      { name: 'vaults', dims: ['vault_address', 'token_address'] },
      { name: 'savings', dims: ['token_address', 'address'] },
      { name: 'strategies', dims: ['strategy', 'protocol'] },
    ],
  },
  {
    name: 'accounts', weight: 3, about: 'wallet-level behaviour',
    entities: [
      { name: 'wallets', dims: ['address', 'wallet_type'] },
      { name: 'sessions', dims: ['address', 'app'] },
      { name: 'cohorts', dims: ['cohort_month', 'sector'] },
    ],
  },
  {
    name: 'gas', weight: 2, about: 'gas markets and fees',
    entities: [
      { name: 'fees', dims: ['to_address', 'transaction_type'] },
      { name: 'basefee', dims: ['block_bucket'] },
      { name: 'usage', dims: ['contract_address', 'sector'] },
    ],
  },
  {
    name: 'intents', weight: 2, about: 'intent-based order flow',
    entities: [
      { name: 'orders', dims: ['solver', 'token_address', 'order_kind'] },
      { name: 'settlements', dims: ['solver', 'settlement_contract'] },
    ],
  },
  {
    name: 'crawlers', weight: 1, about: 'third-party data crawled into the warehouse',
    entities: [
      { name: 'ember', dims: ['country_code', 'source'] },
      { name: 'ipinfo', dims: ['country_code', 'asn'] },
      { name: 'coingecko', dims: ['symbol', 'token_address'] },
    ],
  },
];

export const MEASURES: MeasureDef[] = [
  { name: 'balances', metrics: ['balance', 'balance_usd'], heavy: false, priced: true, phrase: 'end-of-period balances' },
  { name: 'volume', metrics: ['volume', 'volume_usd', 'tx_count'], heavy: false, priced: true, phrase: 'traded or transferred volume' },
  { name: 'transfers', metrics: ['transfer_count', 'amount', 'amount_usd'], heavy: false, priced: true, phrase: 'transfer counts and amounts' },
  { name: 'fees', metrics: ['fees', 'fees_usd'], heavy: false, priced: true, phrase: 'fees paid' },
  { name: 'holders', metrics: ['holders', 'supply', 'supply_usd'], heavy: true, priced: true, phrase: 'distinct holders and the supply they hold' },
  { name: 'activity', metrics: ['active_addresses', 'tx_count', 'new_addresses'], heavy: true, priced: false, phrase: 'active and new addresses' },
  { name: 'supply', metrics: ['supply', 'supply_usd', 'net_mint'], heavy: false, priced: true, phrase: 'circulating supply and net minting' },
  { name: 'flows', metrics: ['inflow', 'outflow', 'net_flow', 'net_flow_usd'], heavy: false, priced: true, phrase: 'inflows, outflows and net flows' },
  { name: 'tvl', metrics: ['tvl', 'tvl_usd'], heavy: false, priced: true, phrase: 'total value locked' },
  { name: 'apy', metrics: ['apy', 'apr', 'rate'], heavy: true, priced: false, phrase: 'annualized yields' },
  { name: 'revenue', metrics: ['revenue', 'revenue_usd'], heavy: false, priced: true, phrase: 'revenue accrued' },
  { name: 'users', metrics: ['users', 'new_users', 'returning_users'], heavy: true, priced: false, phrase: 'distinct, new and returning users' },
  { name: 'retention', metrics: ['cohort_size', 'retained_users', 'retention_rate'], heavy: true, priced: false, phrase: 'cohort retention' },
  { name: 'cohorts', metrics: ['cohort_holders', 'cohort_balance', 'cohort_balance_usd'], heavy: true, priced: true, phrase: 'balance cohorts' },
  { name: 'distribution', metrics: ['value', 'share', 'rank'], heavy: true, priced: false, phrase: 'shares and rankings' },
  { name: 'counts', metrics: ['event_count', 'distinct_senders'], heavy: false, priced: false, phrase: 'event counts' },
  { name: 'gas_usage', metrics: ['gas_used', 'gas_price_avg', 'fees_native', 'fees_usd'], heavy: false, priced: true, phrase: 'gas used and fees paid' },
  { name: 'latency', metrics: ['p50_latency_ms', 'p95_latency_ms', 'samples'], heavy: true, priced: false, phrase: 'latency percentiles' },
  { name: 'rewards', metrics: ['rewards', 'rewards_usd', 'apr'], heavy: false, priced: true, phrase: 'rewards earned' },
  { name: 'stats', metrics: ['value', 'value_change_7d', 'value_ma_30d'], heavy: true, priced: false, phrase: 'headline values with rolling changes' },
  { name: 'counterparties', metrics: ['counterparties', 'tx_count'], heavy: true, priced: false, phrase: 'distinct counterparties' },
  { name: 'snapshots', metrics: ['value', 'value_usd'], heavy: false, priced: true, phrase: 'point-in-time snapshots' },
];

/** Qualifiers that make otherwise equal names distinct, as real projects grow `_by_x` variants. */
export const QUALIFIERS = ['by_token', 'by_sector', 'by_protocol', 'by_label', 'by_address', 'by_client', 'by_country', 'agg', 'net', 'total', 'top', 'latest', 'rolling', 'cumulative', 'v2'];

export const GRAINS = ['daily', 'hourly', 'weekly', 'monthly'] as const;
export type Grain = (typeof GRAINS)[number];

export const TIME_COLUMN: Record<Grain, string> = { daily: 'date', hourly: 'hour', weekly: 'week', monthly: 'month' };
export const TIME_TRUNC: Record<Grain, string> = { daily: 'toDate', hourly: 'toStartOfHour', weekly: 'toMonday', monthly: 'toStartOfMonth' };

const ADDRESS = 'String';
const dims: Record<string, ColumnDef> = {
  token_address: { type: ADDRESS, description: 'Contract address of the token, lower-case hex with 0x prefix.' },
  symbol: { type: 'String', description: 'Ticker symbol of the token as listed in the token whitelist seed.' },
  token_class: { type: 'LowCardinality(String)', description: 'Token class from the whitelist: STABLE, NATIVE, LST, RWA or OTHER.' },
  from_address: { type: ADDRESS, description: 'Address that sent the transaction or transfer.' },
  to_address: { type: ADDRESS, description: 'Address that received the transaction or transfer; empty for contract creations.' },
  transaction_type: { type: 'UInt8', description: 'EIP-2718 transaction type (0 legacy, 2 EIP-1559, 3 blob).' },
  miner: { type: ADDRESS, description: 'Fee recipient of the block.' },
  client_version: { type: 'LowCardinality(String)', description: 'Execution client parsed from the block extra data.' },
  pool_address: { type: ADDRESS, description: 'Address of the liquidity pool contract.' },
  protocol: { type: 'LowCardinality(String)', description: 'Protocol the contract belongs to, from the labels seed.' },
  user_address: { type: ADDRESS, description: 'Address of the account holding the position.' },
  reserve_address: { type: ADDRESS, description: 'Address of the underlying reserve asset of the lending market.' },
  wallet_address: { type: ADDRESS, description: 'Address of the Gnosis Pay Safe wallet.' },
  action: { type: 'LowCardinality(String)', description: 'Kind of wallet action: Payment, Refund, Reversal, Cashback or Top-up.' },
  address: { type: ADDRESS, description: 'Account address, lower-case hex with 0x prefix.' },
  label: { type: 'String', description: 'Human-readable label for the row, used as the series name in dashboards.' },
  sector: { type: 'LowCardinality(String)', description: 'Sector the address or contract is classified into (DeFi, Payments, Bridges, ...).' },
  contract_address: { type: ADDRESS, description: 'Address of the contract.' },
  validator_index: { type: 'UInt64', description: 'Index of the validator in the beacon state.' },
  withdrawal_credentials: { type: 'String', description: 'Withdrawal credentials of the validator (0x00 BLS or 0x01/0x02 execution address).' },
  status: { type: 'LowCardinality(String)', description: 'Validator status as reported by the beacon API.' },
  committee_index: { type: 'UInt64', description: 'Index of the attestation committee within the slot.' },
  proposer_index: { type: 'UInt64', description: 'Validator index of the block proposer.' },
  graffiti: { type: 'String', description: 'Graffiti field of the block, decoded as UTF-8.' },
  pubkey: { type: 'String', description: 'BLS public key of the validator.' },
  reward_type: { type: 'LowCardinality(String)', description: 'Component of the reward: attestation, proposal, sync committee.' },
  blob_count_bucket: { type: 'LowCardinality(String)', description: 'Bucket of blobs per block (0, 1-2, 3-4, 5-6).' },
  direction: { type: 'LowCardinality(String)', description: 'Bridge direction: deposit (to Gnosis) or withdrawal (from Gnosis).' },
  chain_id: { type: 'UInt64', description: 'EIP-155 chain id of the counterparty chain.' },
  adapter: { type: 'LowCardinality(String)', description: 'Hashi adapter that relayed the message.' },
  avatar: { type: ADDRESS, description: 'Address of the Circles avatar.' },
  avatar_type: { type: 'LowCardinality(String)', description: 'Avatar kind: Human, Group or Organization.' },
  truster: { type: ADDRESS, description: 'Avatar that grants trust.' },
  trustee: { type: ADDRESS, description: 'Avatar that receives trust.' },
  group_address: { type: ADDRESS, description: 'Address of the Circles group.' },
  client_type: { type: 'LowCardinality(String)', description: 'Client implementation parsed from the agent version, e.g. Lighthouse or Nethermind.' },
  country_code: { type: 'LowCardinality(String)', description: 'ISO 3166-1 alpha-2 country code from IP geolocation.' },
  fork_digest: { type: 'String', description: 'Fork digest advertised in the ENR.' },
  peer_id: { type: 'String', description: 'libp2p peer id of the crawled node.' },
  cloud_provider: { type: 'LowCardinality(String)', description: 'Cloud provider inferred from the ASN, or "self-hosted".' },
  pool_type: { type: 'LowCardinality(String)', description: 'Balancer pool type (Weighted, Stable, ComposableStable, ...).' },
  fee_tier: { type: 'UInt32', description: 'Pool fee tier in hundredths of a basis point.' },
  solver: { type: ADDRESS, description: 'Address of the solver that settled the batch.' },
  liquidator: { type: ADDRESS, description: 'Address that performed the liquidation.' },
  space: { type: 'String', description: 'Snapshot space id.' },
  proposal_id: { type: 'String', description: 'Identifier of the governance proposal.' },
  voter: { type: ADDRESS, description: 'Address that cast the vote.' },
  delegator: { type: ADDRESS, description: 'Address delegating its voting power.' },
  delegate: { type: ADDRESS, description: 'Address receiving delegated voting power.' },
  card_network: { type: 'LowCardinality(String)', description: 'Card network of the payment (VISA or Mastercard).' },
  merchant_category: { type: 'LowCardinality(String)', description: 'ISO 18245 merchant category group of the payment.' },
  event_id: { type: 'UInt64', description: 'POAP event id.' },
  owner: { type: ADDRESS, description: 'Current owner address.' },
  collection_address: { type: ADDRESS, description: 'Address of the NFT collection contract.' },
  marketplace: { type: 'LowCardinality(String)', description: 'Marketplace where the trade happened.' },
  feed_address: { type: ADDRESS, description: 'Address of the Chainlink aggregator proxy.' },
  feed_id: { type: 'String', description: 'RedStone data feed id.' },
  vault_address: { type: ADDRESS, description: 'Address of the vault contract.' },
  tranche: { type: 'LowCardinality(String)', description: 'Tranche of the pool (junior or senior).' },
  safe_address: { type: ADDRESS, description: 'Address of the Safe account.' },
  module_address: { type: ADDRESS, description: 'Address of the enabled Safe module.' },
  operation: { type: 'UInt8', description: 'Safe operation: 0 call, 1 delegatecall.' },
  searcher: { type: ADDRESS, description: 'Address of the MEV searcher contract.' },
  builder: { type: 'String', description: 'Block builder name from the relay data API.' },
  relay: { type: 'LowCardinality(String)', description: 'MEV-Boost relay that delivered the block.' },
  node_category: { type: 'LowCardinality(String)', description: 'Category of node: home staker, professional operator or cloud.' },
  ens_name: { type: 'String', description: 'Primary ENS name of the address.' },
  strategy: { type: 'String', description: 'Name of the yield strategy.' },
  wallet_type: { type: 'LowCardinality(String)', description: 'EOA, Safe, or other smart account.' },
  app: { type: 'LowCardinality(String)', description: 'Application the session was attributed to.' },
  cohort_month: { type: 'Date', description: 'Month of the first activity of the addresses in the cohort.' },
  block_bucket: { type: 'UInt64', description: 'Block number divided by 1000.' },
  order_kind: { type: 'LowCardinality(String)', description: 'Order kind: sell or buy.' },
  settlement_contract: { type: ADDRESS, description: 'Address of the settlement contract.' },
  source: { type: 'LowCardinality(String)', description: 'Upstream data source of the row.' },
  asn: { type: 'UInt32', description: 'Autonomous system number of the IP address.' },
};

const metrics: Record<string, ColumnDef> = {
  balance: { type: 'Float64', description: 'Balance in token units, adjusted for decimals.' },
  balance_usd: { type: 'Float64', description: 'Balance valued in USD at the daily price from int_execution_token_prices_daily; 0 when no price.' },
  volume: { type: 'Float64', description: 'Sum of amounts in token units.' },
  volume_usd: { type: 'Float64', description: 'Volume valued in USD at the daily price.' },
  tx_count: { type: 'UInt64', description: 'Number of transactions.' },
  transfer_count: { type: 'UInt64', description: 'Number of transfer events.' },
  amount: { type: 'Float64', description: 'Amount in token units, adjusted for decimals.' },
  amount_usd: { type: 'Float64', description: 'Amount valued in USD at the daily price.' },
  fees: { type: 'Float64', description: 'Fees in token units.' },
  fees_usd: { type: 'Float64', description: 'Fees valued in USD at the daily price.' },
  holders: { type: 'UInt64', description: 'Number of distinct addresses with a positive balance (uniqExact).' },
  supply: { type: 'Float64', description: 'Total supply held, in token units.' },
  supply_usd: { type: 'Float64', description: 'Supply valued in USD at the daily price.' },
  active_addresses: { type: 'UInt64', description: 'Distinct addresses that sent at least one transaction in the period (uniqExact).' },
  new_addresses: { type: 'UInt64', description: 'Addresses whose first activity falls in the period.' },
  net_mint: { type: 'Float64', description: 'Minted minus burned amount in the period.' },
  inflow: { type: 'Float64', description: 'Amount flowing in during the period.' },
  outflow: { type: 'Float64', description: 'Amount flowing out during the period.' },
  net_flow: { type: 'Float64', description: 'Inflow minus outflow.' },
  net_flow_usd: { type: 'Float64', description: 'Net flow valued in USD at the daily price.' },
  tvl: { type: 'Float64', description: 'Total value locked, in token units.' },
  tvl_usd: { type: 'Float64', description: 'Total value locked valued in USD at the daily price.' },
  apy: { type: 'Float64', description: 'Annual percentage yield, compounded daily.' },
  apr: { type: 'Float64', description: 'Annual percentage rate, not compounded.' },
  rate: { type: 'Float64', description: 'Per-period rate used to derive the APR.' },
  revenue: { type: 'Float64', description: 'Revenue in token units.' },
  revenue_usd: { type: 'Float64', description: 'Revenue valued in USD at the daily price.' },
  users: { type: 'UInt64', description: 'Distinct users in the period (uniqExact).' },
  new_users: { type: 'UInt64', description: 'Users seen for the first time in the period.' },
  returning_users: { type: 'UInt64', description: 'Users seen in the period and in an earlier one.' },
  cohort_size: { type: 'UInt64', description: 'Number of addresses in the cohort.' },
  retained_users: { type: 'UInt64', description: 'Cohort addresses active again in the period.' },
  retention_rate: { type: 'Float64', description: 'Retained users divided by cohort size.' },
  cohort_holders: { type: 'UInt64', description: 'Holders in the balance cohort.' },
  cohort_balance: { type: 'Float64', description: 'Balance held by the cohort, in token units.' },
  cohort_balance_usd: { type: 'Float64', description: 'Balance held by the cohort, valued in USD.' },
  value: { type: 'Float64', description: 'Value of the metric for the row.' },
  value_usd: { type: 'Float64', description: 'Value of the metric in USD at the daily price.' },
  share: { type: 'Float64', description: 'Share of the period total, between 0 and 1.' },
  rank: { type: 'UInt64', description: 'Rank within the period by value, 1 is the largest (row_number window).' },
  event_count: { type: 'UInt64', description: 'Number of events.' },
  distinct_senders: { type: 'UInt64', description: 'Distinct senders (countDistinct).' },
  gas_used: { type: 'UInt64', description: 'Gas used.' },
  gas_price_avg: { type: 'Float64', description: 'Average effective gas price in gwei.' },
  fees_native: { type: 'Float64', description: 'Fees paid in xDAI.' },
  p50_latency_ms: { type: 'Float64', description: 'Median latency in milliseconds.' },
  p95_latency_ms: { type: 'Float64', description: '95th percentile latency in milliseconds.' },
  samples: { type: 'UInt64', description: 'Number of samples behind the percentiles.' },
  rewards: { type: 'Float64', description: 'Rewards in GNO.' },
  rewards_usd: { type: 'Float64', description: 'Rewards valued in USD at the daily price.' },
  value_change_7d: { type: 'Float64', description: 'Relative change of value against seven days earlier (lagInFrame window).' },
  value_ma_30d: { type: 'Float64', description: '30-day moving average of value (window function).' },
  counterparties: { type: 'UInt64', description: 'Distinct counterparties (uniqExact).' },
};

const time: Record<string, ColumnDef> = {
  date: { type: 'Date', description: 'Calendar day (UTC) the row aggregates.' },
  hour: { type: "DateTime('UTC')", description: 'Start of the UTC hour the row aggregates.' },
  week: { type: 'Date', description: 'Monday of the ISO week (UTC) the row aggregates.' },
  month: { type: 'Date', description: 'First day of the calendar month (UTC) the row aggregates.' },
  block_timestamp: { type: "DateTime64(0, 'UTC')", description: 'Timestamp of the block that included the event (UTC).' },
  block_number: { type: 'UInt64', description: 'Number of the block that included the event.' },
  transaction_hash: { type: 'String', description: 'Hash of the transaction, lower-case hex with 0x prefix.' },
  log_index: { type: 'UInt32', description: 'Position of the log within the block.' },
  amount_raw: { type: 'UInt256', description: 'Raw integer amount before decimals are applied.' },
  insert_version: { type: 'UInt64', description: 'Monotonic ingestion version used by ReplacingMergeTree to keep the newest row.' },
  price: { type: 'Float64', description: 'USD price of one token unit for the day; NULL when the upstream price feed has a gap.' },
  decimals: { type: 'UInt8', description: 'Token decimals from the whitelist.' },
  updated_at: { type: "DateTime('UTC')", description: 'When the source row was last updated.' },
};

export const COLUMNS: Record<string, ColumnDef> = { ...dims, ...metrics, ...time };

export function columnDef(name: string): ColumnDef {
  return COLUMNS[name] ?? { type: 'String', description: `${name.replace(/_/g, ' ')}.` };
}

/** A column holding an account or contract address. */
export function isAddressLike(col: string): boolean {
  return columnDef(col).type === 'String' && /address|^owner$|^voter$|^truster$|^trustee$|^avatar$|^solver$|^searcher$|^delegat|^liquidator$|^miner$/.test(col);
}

/** Raw table suffixes for sources: `<entity>_<suffix>`. */
export const RAW_SUFFIXES = ['events', 'raw', 'state', 'transfers', 'calls', 'logs', 'metadata', 'snapshots', 'updates', 'traces'];

export const OWNERS = ['analytics_team', 'data_platform', 'defi_research', 'growth', 'finance'];

export const DASHBOARDS = ['Gnosis Chain overview', 'Token economics', 'Validator health', 'Gnosis Pay KPIs', 'Bridges monitor', 'DeFi TVL', 'Circles adoption', 'Network decentralization', 'ESG report', 'Treasury and revenue', 'Stablecoin flows', 'MEV watch'];
