/**
 * A real ClickHouse server (Debian's clickhouse-server, 18.16) for one test file: its own temp folder (data,
 * tmp, user files, logs), free loopback ports, ready when GET /ping answers AND the answering server is ours (a
 * macro with a per-server id). Stopped by the pid it started: SIGTERM, then SIGKILL after a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Secret, type ClickHouseTarget } from '../../src/core/profiles';
import { pollUntil } from './pollUntil';

export const CLICKHOUSE_SERVER = '/usr/sbin/clickhouse-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface ClickHouseServerOptions {
  /** Users besides `default` (empty password), name to password, allowed from loopback. */
  users?: Record<string, string>;
  readyTimeoutMs?: number;
}

export class ClickHouseTestServer {
  private exited: Promise<void>;
  private hasExited = false;

  private constructor(
    readonly child: ChildProcess,
    readonly dir: string,
    readonly httpPort: number,
    readonly serverId: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => {
      this.hasExited = true;
      resolve();
    }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  static async start(options: ClickHouseServerOptions = {}): Promise<ClickHouseTestServer> {
    if (!existsSync(CLICKHOUSE_SERVER)) {
      throw new Error(
        `${CLICKHOUSE_SERVER} is missing: install Debian's ClickHouse (\`apt-get install -y clickhouse-server clickhouse-client\`; npm test does it when run as root).`,
      );
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-clickhouse-'));
    for (const d of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(path.join(dir, d));
    const [httpPort, tcpPort, interserverPort] = [await freePort(), await freePort(), await freePort()];
    const serverId = randomUUID();
    const users = Object.entries(options.users ?? {})
      .map(([name, pw]) => `<${name}><password>${xml(pw)}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></${name}>`)
      .join('\n    ');
    writeFileSync(
      path.join(dir, 'users.xml'),
      `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    ${users}
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`,
    );
    writeFileSync(
      path.join(dir, 'config.xml'),
      `<?xml version="1.0"?>
<yandex>
  <logger><level>information</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <interserver_http_port>${interserverPort}</interserver_http_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
  <macros><dbt_recovery_test_server>${serverId}</dbt_recovery_test_server></macros>
</yandex>
`,
    );
    const child = spawn(CLICKHOUSE_SERVER, [`--config-file=${path.join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const server = new ClickHouseTestServer(child, dir, httpPort, serverId);
    try {
      await server.waitReady(options.readyTimeoutMs ?? 20_000, () => output);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  private async waitReady(timeoutMs: number, output: () => string): Promise<void> {
    let last = '';
    try {
      await pollUntil(
        `clickhouse-server (pid ${this.pid}) ready on ${this.url}`,
        async () => {
          if (this.hasExited) throw new Error(`it exited with ${this.child.exitCode ?? this.child.signalCode}`);
          const ping = await fetch(`${this.url}/ping`, { headers: { connection: 'close' } });
          if (!ping.ok) return undefined;
          // Ours? Another server on this port would answer the ping too.
          const r = await fetch(`${this.url}/?query=${encodeURIComponent("SELECT substitution FROM system.macros WHERE macro = 'dbt_recovery_test_server'")}`, { headers: { connection: 'close' } });
          const id = (await r.text()).trim();
          if (id === this.serverId) return true;
          last = `a server answers on port ${this.httpPort}, but not the one started here (pid ${this.pid})`;
          return undefined;
        },
        { timeoutMs, describeLast: () => last },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${output()}\n${this.logTail()}`, { cause: err });
    }
  }

  logTail(): string {
    const f = path.join(this.dir, 'log', 'error.log');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-15).join('\n') : '';
  }

  /** Kills the server at once (a crash, for tests of a dropped connection) and waits until it is gone. */
  async kill(): Promise<void> {
    if (!this.hasExited) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, SIGKILL after `graceMs`, then removes the temp folder. Only ever signals the pid started here. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.hasExited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!this.hasExited) this.child.kill('SIGKILL');
      }, graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A profiles.yml ClickHouse target (HTTP) on a test server: user `default` without a password unless given. */
export function serverTarget(
  server: ClickHouseTestServer,
  o: { user?: string; password?: string; profile?: string; target?: string } = {},
): ClickHouseTarget {
  return {
    type: 'clickhouse',
    origin: { file: '/tmp/profiles.yml', profile: o.profile ?? 'gnosis', target: o.target ?? 'dev' },
    host: '127.0.0.1',
    port: server.httpPort,
    user: o.user ?? 'default',
    password: new Secret(o.password ?? ''),
    schema: 'default',
    secure: false,
    driver: 'http',
    nativePort: null,
    connectTimeoutSeconds: null,
    sendReceiveTimeoutSeconds: 30,
    customSettings: {},
  };
}
