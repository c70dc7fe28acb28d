/** Settings the language server reads (section `dbtRecovery`), per workspace folder. */
export interface ServerSettings {
  /** A manifest path relative to each project root, instead of `<target-path>/manifest.json`. Empty: default. */
  manifestPath: string;
  /** Whether recovery-readiness diagnostics, hovers and code lenses are shown. */
  lintEnabled: boolean;
  /** Overrides of the project's recovery profile, in dbt-recovery.yml's shape (e.g. `{ "refill_tag": "heavy" }`). */
  recoveryProfile: unknown;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = { manifestPath: '', lintEnabled: true, recoveryProfile: null };

/** Reads the `dbtRecovery` section as the client sends it, keeping defaults for anything missing or mistyped. */
export function readServerSettings(value: unknown): ServerSettings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const lint = (typeof v.lint === 'object' && v.lint !== null ? v.lint : {}) as Record<string, unknown>;
  return {
    manifestPath: typeof v.manifestPath === 'string' ? v.manifestPath : DEFAULT_SERVER_SETTINGS.manifestPath,
    lintEnabled: typeof lint.enabled === 'boolean' ? lint.enabled : DEFAULT_SERVER_SETTINGS.lintEnabled,
    recoveryProfile:
      typeof v.recoveryProfile === 'object' && v.recoveryProfile !== null && Object.keys(v.recoveryProfile).length > 0
        ? v.recoveryProfile
        : null,
  };
}
