import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import {
  describe as describeTarget,
  findProfilesFile,
  loadWarehouseTarget,
  ProfileError,
  redact,
  Secret,
  scrubSecrets,
  type ClickHouseTarget,
  type DuckDbTarget,
  type SnowflakeTarget,
} from '../../../src/core/profiles';

const PASSWORD = 'hunter2-Sup3r$ecret';

function expectProfileError(fn: () => unknown, file: string, ...patterns: RegExp[]): ProfileError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProfileError, `expected ProfileError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.ok(err.message.startsWith(file), `names the file: ${err.message}`);
    assert.ok(!err.message.includes(PASSWORD), `no password in: ${err.message}`);
    for (const p of patterns) assert.match(err.message, p);
    return err;
  }
  assert.fail('expected a ProfileError');
}

describe('profiles: reading profiles.yml as dbt does', () => {
  let root: string;
  let project: string;
  let home: string;
  let elsewhere: string;

  function write(file: string, text: string): string {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  const CLICKHOUSE_PROFILES = `
config:
  send_anonymous_usage_stats: false
gnosis:
  target: dev
  outputs:
    dev:
      type: clickhouse
      host: "{{ env_var('CH_HOST', '127.0.0.1') }}"
      port: "{{ env_var('CH_PORT') | as_number }}"
      user: "{{ env_var('CH_USER', 'default') }}"
      password: "{{ env_var('CH_PASSWORD') }}"
      schema: dbt
      secure: "{{ env_var('CH_SECURE', 'false') | as_bool }}"
      send_receive_timeout: 3600
      custom_settings:
        max_execution_time: "{{ env_var('CH_MAX_EXEC', '7200') | int }}"
    prod:
      type: clickhouse
      host: ch.internal
      driver: native
      port: 9440
      secure: true
      password: ''
      database: analytics
`;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-profiles-'));
    project = path.join(root, 'project');
    home = path.join(root, 'home');
    elsewhere = path.join(root, 'elsewhere');
    write(path.join(project, 'dbt_project.yml'), 'name: gnosis_example\nprofile: gnosis\n');
    mkdirSync(home, { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('lookup order', () => {
    const ids = (dir: string, id: string): string => write(path.join(dir, 'profiles.yml'), `# ${id}\ngnosis: {target: dev, outputs: {dev: {type: duckdb, path: '${id}.duckdb'}}}\n`);

    it('--profiles-dir first, then DBT_PROFILES_DIR, then the current directory, then ~/.dbt', () => {
      const a = ids(path.join(root, 'flag'), 'flag');
      const b = ids(path.join(root, 'envdir'), 'envdir');
      const c = ids(project, 'cwd');
      const d = ids(path.join(home, '.dbt'), 'home');
      const env = { DBT_PROFILES_DIR: path.join(root, 'envdir') };
      assert.deepEqual(findProfilesFile({ profilesDir: path.join(root, 'flag'), env, cwd: project, homeDir: home }), { file: a, via: '--profiles-dir' });
      assert.deepEqual(findProfilesFile({ env, cwd: project, homeDir: home }), { file: b, via: 'DBT_PROFILES_DIR' });
      assert.deepEqual(findProfilesFile({ env: {}, cwd: project, homeDir: home }), { file: c, via: 'the current directory' });
      assert.deepEqual(findProfilesFile({ env: {}, cwd: elsewhere, homeDir: home }), { file: d, via: '~/.dbt' });
      // The whole chain picks the matching file: the duckdb path tells which one was read.
      const t = loadWarehouseTarget({ projectDir: project, env: {}, cwd: project, homeDir: home }) as DuckDbTarget;
      assert.equal(t.path, path.join(project, 'cwd.duckdb'));
      assert.equal(t.origin.file, c);
    });

    it('a relative --profiles-dir is taken from the current directory', () => {
      const f = ids(path.join(elsewhere, 'conf'), 'rel');
      assert.equal(findProfilesFile({ profilesDir: 'conf', env: {}, cwd: elsewhere, homeDir: home }).file, f);
    });

    it('an explicit directory without profiles.yml is an error (no silent fallback to ~/.dbt)', () => {
      ids(path.join(home, '.dbt'), 'home');
      const missing = path.join(root, 'nope', 'profiles.yml');
      expectProfileError(() => findProfilesFile({ profilesDir: path.join(root, 'nope'), env: {}, cwd: elsewhere, homeDir: home }), missing, /does not exist/, /--profiles-dir/);
      expectProfileError(
        () => findProfilesFile({ env: { DBT_PROFILES_DIR: path.join(root, 'nope') }, cwd: elsewhere, homeDir: home }),
        missing,
        /DBT_PROFILES_DIR/,
      );
    });

    it('no profiles.yml anywhere names where it looked', () => {
      const err = expectProfileError(() => findProfilesFile({ env: {}, cwd: elsewhere, homeDir: home }), path.join(home, '.dbt', 'profiles.yml'), /does not exist/);
      assert.ok(err.message.includes(path.join(elsewhere, 'profiles.yml')));
    });
  });

  describe('ClickHouse targets', () => {
    it('renders env_var() with defaults and filters into a typed target', () => {
      const file = write(path.join(project, 'profiles.yml'), CLICKHOUSE_PROFILES);
      const env = { CH_PORT: '18123', CH_PASSWORD: PASSWORD, CH_SECURE: 'False' };
      const t = loadWarehouseTarget({ projectDir: project, env, cwd: project, homeDir: home }) as ClickHouseTarget;
      assert.equal(t.type, 'clickhouse');
      assert.deepEqual(t.origin, { file, profile: 'gnosis', target: 'dev' });
      assert.equal(t.host, '127.0.0.1');
      assert.equal(t.port, 18123);
      assert.equal(t.user, 'default');
      assert.equal(t.password.reveal(), PASSWORD);
      assert.equal(t.schema, 'dbt');
      assert.equal(t.secure, false);
      assert.equal(t.driver, 'http');
      assert.equal(t.sendReceiveTimeoutSeconds, 3600);
      assert.deepEqual(t.customSettings, { max_execution_time: 7200 });
    });

    it('--target picks another output; the native driver keeps its port aside and uses HTTPS 8443', () => {
      write(path.join(project, 'profiles.yml'), CLICKHOUSE_PROFILES);
      const t = loadWarehouseTarget({ projectDir: project, target: 'prod', env: {}, cwd: project, homeDir: home }) as ClickHouseTarget;
      assert.equal(t.origin.target, 'prod');
      assert.equal(t.host, 'ch.internal');
      assert.equal(t.driver, 'native');
      assert.equal(t.nativePort, 9440);
      assert.equal(t.port, 8443);
      assert.equal(t.schema, 'analytics', '`database` is accepted when `schema` is absent');
      assert.equal(t.password.isEmpty, true);
      assert.match(describeTarget(t), /^ClickHouse https:\/\/default@ch\.internal:8443, database analytics \(profile gnosis, target prod; the profile's native port 9440 is not used\)$/);
    });

    it('DBT_TARGET and DBT_PROFILE select like --target and --profile', () => {
      write(path.join(project, 'profiles.yml'), `${CLICKHOUSE_PROFILES}\nother:\n  outputs:\n    default: {type: duckdb}\n`);
      const a = loadWarehouseTarget({ projectDir: project, env: { DBT_TARGET: 'prod' }, cwd: project, homeDir: home });
      assert.equal(a.origin.target, 'prod');
      const b = loadWarehouseTarget({ projectDir: project, env: { DBT_PROFILE: 'other' }, cwd: project, homeDir: home });
      assert.deepEqual([b.type, b.origin.profile, b.origin.target], ['duckdb', 'other', 'default'], 'no target: key means "default"');
    });

    it('a missing env var without default names the file, the key and the variable', () => {
      const file = write(path.join(project, 'profiles.yml'), CLICKHOUSE_PROFILES);
      const err = expectProfileError(
        () => loadWarehouseTarget({ projectDir: project, env: { CH_PORT: '8123' }, cwd: project, homeDir: home }),
        file,
        /`gnosis\.outputs\.dev\.password`/,
        /CH_PASSWORD/,
        /not set/,
      );
      assert.match(err.remedy, /env_var\('CH_PASSWORD', '\.\.\.'\)/);
    });

    it('a non-numeric port under | as_number is an error that shows the value; a bad secret value is never shown', () => {
      const file = write(path.join(project, 'profiles.yml'), CLICKHOUSE_PROFILES);
      expectProfileError(
        () => loadWarehouseTarget({ projectDir: project, env: { CH_PORT: 'eighty', CH_PASSWORD: PASSWORD }, cwd: project, homeDir: home }),
        file,
        /`gnosis\.outputs\.dev\.port` renders to "eighty"/,
      );
      write(file, 'gnosis:\n  outputs:\n    default:\n      type: clickhouse\n      password: "{{ env_var(\'P\') | as_number }}"\n');
      expectProfileError(
        () => loadWarehouseTarget({ projectDir: project, env: { P: PASSWORD }, cwd: project, homeDir: home }),
        file,
        /password` renders to a value \(not shown: it is a credential\)/,
      );
    });

    it('other Jinja is refused with the key named, not guessed', () => {
      const file = write(
        path.join(project, 'profiles.yml'),
        "gnosis:\n  outputs:\n    default:\n      type: clickhouse\n      host: \"{{ var('host') }}\"\n",
      );
      expectProfileError(() => loadWarehouseTarget({ projectDir: project, env: {}, cwd: project, homeDir: home }), file, /`gnosis\.outputs\.default\.host` holds the Jinja expression \{\{ var\('host'\) \}\}/);
      write(file, "gnosis:\n  outputs:\n    default:\n      type: clickhouse\n      port: \"{{ env_var('X', '1') | abs }}\"\n");
      expectProfileError(() => loadWarehouseTarget({ projectDir: project, env: {}, cwd: project, homeDir: home }), file, /filter `\| abs`/);
      write(file, "gnosis:\n  outputs:\n    default:\n      type: clickhouse\n      host: \"{% if true %}a{% endif %}\"\n");
      expectProfileError(() => loadWarehouseTarget({ projectDir: project, env: {}, cwd: project, homeDir: home }), file, /Jinja statement/);
    });

    it('interpolates several expressions inside one string, double quotes included', () => {
      write(
        path.join(project, 'profiles.yml'),
        'gnosis:\n  outputs:\n    default:\n      type: clickhouse\n      host: "{{ env_var(\\"REGION\\", \'eu\') }}-{{env_var(\'CLUSTER\')}}.example.com"\n      port: "{{ env_var(\'PORT\', 9000) | int }}"\n',
      );
      const t = loadWarehouseTarget({ projectDir: project, env: { CLUSTER: 'c7' }, cwd: project, homeDir: home }) as ClickHouseTarget;
      assert.equal(t.host, 'eu-c7.example.com');
      assert.equal(t.port, 9000);
    });

    it('unknown profile, unknown target and unsupported type are errors listing what exists', () => {
      const file = write(path.join(project, 'profiles.yml'), CLICKHOUSE_PROFILES);
      expectProfileError(() => loadWarehouseTarget({ projectDir: project, target: 'staging', env: {}, cwd: project, homeDir: home }), file, /no target staging \(targets: dev, prod\)/);
      expectProfileError(() => loadWarehouseTarget({ projectDir: project, profile: 'nope', env: {}, cwd: project, homeDir: home }), file, /no profile named nope \(it has: gnosis\)/);
      write(file, 'gnosis:\n  outputs:\n    default: {type: postgres}\n');
      expectProfileError(() => loadWarehouseTarget({ projectDir: project, env: {}, cwd: project, homeDir: home }), file, /type postgres/, /clickhouse, duckdb, snowflake/);
    });

    it('a project without `profile:` is a clear error', () => {
      write(path.join(project, 'dbt_project.yml'), 'name: x\n');
      write(path.join(project, 'profiles.yml'), CLICKHOUSE_PROFILES);
      expectProfileError(() => loadWarehouseTarget({ projectDir: project, env: {}, cwd: project, homeDir: home }), path.join(project, 'dbt_project.yml'), /no `profile:`/);
    });

    it('reads the example project\'s own profiles.yml', () => {
      const example = path.resolve(__dirname, '../../../examples/price-gap');
      const t = loadWarehouseTarget({ projectDir: example, profilesDir: example, env: {}, cwd: root, homeDir: home }) as ClickHouseTarget;
      assert.deepEqual([t.type, t.host, t.port, t.schema, t.password.isEmpty, t.origin.target], ['clickhouse', '127.0.0.1', 8123, 'dbt', true, 'dev']);
    });
  });

  describe('DuckDB and Snowflake targets', () => {
    it('DuckDB: a relative path from the current directory; the catalog is the file name', () => {
      write(path.join(project, 'profiles.yml'), 'gnosis:\n  target: local\n  outputs:\n    local: {type: duckdb, path: data/warehouse.duckdb, schema: analytics}\n    mem: {type: duckdb}\n');
      const t = loadWarehouseTarget({ projectDir: project, env: {}, cwd: project, homeDir: home }) as DuckDbTarget;
      assert.deepEqual([t.path, t.schema, t.database], [path.join(project, 'data', 'warehouse.duckdb'), 'analytics', 'warehouse']);
      const m = loadWarehouseTarget({ projectDir: project, target: 'mem', env: {}, cwd: project, homeDir: home }) as DuckDbTarget;
      assert.deepEqual([m.path, m.schema, m.database], [':memory:', 'main', 'memory']);
    });

    it('Snowflake: the account, role, warehouse, database, schema; host/port/protocol make the access URL', () => {
      write(
        path.join(project, 'profiles.yml'),
        `gnosis:
  target: dev
  outputs:
    dev:
      type: snowflake
      account: xy12345.eu-west-1
      user: "{{ env_var('SF_USER') }}"
      password: "{{ env_var('SF_PASSWORD') }}"
      role: TRANSFORMER
      warehouse: ANALYTICS_XS
      database: DEV
      schema: DEV_ALICE
      host: 127.0.0.1
      port: "{{ env_var('SF_PORT') | as_number }}"
      protocol: http
      connect_retries: 0
    sso:
      type: snowflake
      account: xy12345
      user: alice@example.com
      authenticator: externalbrowser
      database: PROD
      schema: CORE
    nopass:
      type: snowflake
      account: xy12345
      user: bob
      database: PROD
      schema: CORE
`,
      );
      const env = { SF_USER: 'alice', SF_PASSWORD: PASSWORD, SF_PORT: '4567' };
      const t = loadWarehouseTarget({ projectDir: project, env, cwd: project, homeDir: home }) as SnowflakeTarget;
      assert.equal(t.account, 'xy12345.eu-west-1');
      assert.equal(t.user, 'alice');
      assert.equal(t.password?.reveal(), PASSWORD);
      assert.deepEqual([t.role, t.warehouse, t.database, t.schema, t.authenticator], ['TRANSFORMER', 'ANALYTICS_XS', 'DEV', 'DEV_ALICE', 'snowflake']);
      assert.equal(t.accessUrl, 'http://127.0.0.1:4567');
      assert.equal(t.connectRetries, 0);
      assert.equal(describeTarget(t), 'Snowflake http://127.0.0.1:4567 as alice, role TRANSFORMER, warehouse ANALYTICS_XS, DEV.DEV_ALICE (profile gnosis, target dev)');
      const sso = loadWarehouseTarget({ projectDir: project, target: 'sso', env, cwd: project, homeDir: home }) as SnowflakeTarget;
      assert.deepEqual([sso.authenticator, sso.password, sso.accessUrl], ['externalbrowser', null, null]);
      expectProfileError(
        () => loadWarehouseTarget({ projectDir: project, target: 'nopass', env, cwd: project, homeDir: home }),
        path.join(project, 'profiles.yml'),
        /has no password/,
      );
    });
  });

  describe('secrets', () => {
    it('never appear in redact(), describe(), JSON, String() or util.inspect()', () => {
      write(path.join(project, 'profiles.yml'), CLICKHOUSE_PROFILES);
      const t = loadWarehouseTarget({ projectDir: project, env: { CH_PORT: '8123', CH_PASSWORD: PASSWORD }, cwd: project, homeDir: home });
      const views = [JSON.stringify(t), JSON.stringify(redact(t)), describeTarget(t), inspect(t, { depth: 10 }), String((t as ClickHouseTarget).password), (t as ClickHouseTarget).password.toString()];
      for (const v of views) assert.ok(!v.includes(PASSWORD), `leaked in: ${v}`);
      assert.equal((redact(t) as { password: string }).password, '****');
      assert.match(inspect(t), /Secret\(\*\*\*\*\)/);
      const empty = loadWarehouseTarget({ projectDir: project, target: 'prod', env: {}, cwd: project, homeDir: home });
      assert.equal((redact(empty) as { password: string }).password, '(empty)', 'an empty password is worth knowing about when a login fails');
    });

    it('scrubSecrets masks the value and its URL-encoded form in driver messages', () => {
      const s = new Secret(PASSWORD);
      const msg = `connect to http://default:${encodeURIComponent(PASSWORD)}@host:8123 failed; password ${PASSWORD}`;
      assert.equal(scrubSecrets(msg, [s, null]), 'connect to http://default:****@host:8123 failed; password ****');
    });
  });
});
