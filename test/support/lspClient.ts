import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { requireBuilt, SERVER } from './builtCli';

/**
 * The bundled language server in its own process over stdio, with a bare JSON-RPC connection: what any LSP
 * client sees, without an editor.
 */
export class LspTestClient {
  readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  private readonly notifications: Array<{ method: string; params: unknown }> = [];
  private readonly waiters: Array<() => void> = [];
  configuration: Record<string, unknown> = {};
  stderr = '';

  constructor() {
    requireBuilt(SERVER);
    this.child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification((method, params) => {
      this.notifications.push({ method, params });
      for (const w of this.waiters.splice(0)) w();
    });
    this.connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) =>
      p.items.map(() => this.configuration),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.listen();
  }

  async initialize(folders: string[], initializationOptions?: unknown): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      initializationOptions,
      rootUri: null,
      capabilities: { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } } },
      workspaceFolders: folders.map((f) => ({ uri: pathToFileURL(f).toString(), name: f })),
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** Resolves with the first notification of `method` (after `after` of them were seen) matching `pred`. */
  async waitFor<T>(method: string, pred: (params: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.notifications.find((n) => n.method === method && pred(n.params as T));
      if (hit) {
        this.notifications.splice(this.notifications.indexOf(hit), 1);
        return hit.params as T;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.notifications.map((n) => `${n.method} ${JSON.stringify(n.params).slice(0, 200)}`).join('\n');
        throw new Error(`no ${method} notification matched within ${timeoutMs} ms. Seen:\n${seen}\nstderr:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Drops notifications seen so far, so the next wait only sees new ones. */
  clear(): void {
    this.notifications.length = 0;
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.child.kill('SIGKILL');
          resolve();
        }, 3000);
        this.child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
