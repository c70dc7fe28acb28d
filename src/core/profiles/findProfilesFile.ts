import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProfileError } from './profileError';
import type { Env } from './renderProfileValue';

export const PROFILES_FILE = 'profiles.yml';

export interface FindProfilesOptions {
  /** `--profiles-dir`, relative to `cwd`. */
  profilesDir?: string | undefined;
  env?: Env;
  /** The folder dbt is started in (dbt checks it for profiles.yml); the extension starts dbt in the project folder. */
  cwd?: string;
  homeDir?: string;
}

export interface ProfilesLocation {
  file: string;
  /** How it was chosen, for messages: `--profiles-dir`, `DBT_PROFILES_DIR`, `the current directory`, `~/.dbt`. */
  via: string;
}

/**
 * Finds profiles.yml in dbt's order: `--profiles-dir`, then `DBT_PROFILES_DIR`, then the current directory when it
 * holds a profiles.yml (dbt 1.3+), then `~/.dbt/`. An explicit directory without the file is an error, as in dbt:
 * falling back to another file would connect somewhere the user did not ask for.
 */
export function findProfilesFile(options: FindProfilesOptions = {}): ProfilesLocation {
  const env = options.env ?? process.env;
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const explicit: Array<[string | undefined, string]> = [
    [options.profilesDir, '--profiles-dir'],
    [env.DBT_PROFILES_DIR, 'DBT_PROFILES_DIR'],
  ];
  for (const [dir, via] of explicit) {
    if (dir === undefined || dir === '') continue;
    const abs = path.resolve(cwd, dir);
    const file = path.join(abs, PROFILES_FILE);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new ProfileError(
        file,
        `does not exist (the profiles directory comes from ${via} = ${dir})`,
        via === '--profiles-dir' ? 'Pass the folder that holds profiles.yml.' : 'Point DBT_PROFILES_DIR at the folder that holds profiles.yml, or unset it.',
      );
    }
    return { file, via };
  }
  const inCwd = path.join(cwd, PROFILES_FILE);
  if (existsSync(inCwd)) return { file: inCwd, via: 'the current directory' };
  const home = path.join(options.homeDir ?? os.homedir(), '.dbt', PROFILES_FILE);
  if (existsSync(home)) return { file: home, via: '~/.dbt' };
  throw new ProfileError(
    home,
    `does not exist, and neither does ${inCwd} (no --profiles-dir, DBT_PROFILES_DIR unset)`,
    'Pass --profiles-dir, set DBT_PROFILES_DIR, or create ~/.dbt/profiles.yml as `dbt init` does.',
  );
}
