/** Settings the language server reads (section `dbtRecovery`), per workspace folder. */
export interface ServerSettings {
  /** A manifest path relative to each project root, instead of `<target-path>/manifest.json`. Empty: default. */
  manifestPath: string;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = { manifestPath: '' };
