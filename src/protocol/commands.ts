/** Command ids that the language server puts in code lenses and the client registers (src/extension/commands.ts). */
export const COMMANDS = {
  refillAfterPriceGap: 'dbtRecovery.refillAfterPriceGap',
  planDevBuild: 'dbtRecovery.planDevBuild',
} as const;
