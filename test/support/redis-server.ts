/**
 * Starts a throwaway Redis server from Debian's `redis-server` package, listening on 127.0.0.1
 * only, with persistence off, for the EphemeralStore and counter contract tests. It is a real
 * server, never a stand-in: when the binary is missing the caller fails with the command that
 * installs it. `npm test` starts one and passes its URL in NETID_TEST_REDIS_URL; a test file run
 * by hand starts its own (testRedisUrl).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its directory. */
  stop(): void;
}

export interface RedisServerOptions {
  /** A Redis Cluster node owning every slot: multi-key commands across hash slots are refused (CROSSSLOT), as in a real cluster. */
  readonly cluster?: boolean;
  /** Listen on this port (a test restarting "the same" Redis); a free one otherwise. */
  readonly port?: number;
}

function redisServerBinary(): string {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) throw new Error('redis-server not found: run `apt-get install -y redis-server`');
  return 'redis-server';
}

/** Sends one inline command and returns what the server answered once `complete` says the reply is whole. */
async function send(port: number, line: string, complete: (reply: string) => boolean = (reply) => reply.includes('\r\n')): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (complete(reply)) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.write(`${line}\r\n`);
  });
}

async function until(what: string, ready: () => Promise<boolean>, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`redis-server: ${what} did not happen within 10 s: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'netid-redis-'));
  const logFile = join(dir, 'redis.log');
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', logFile];
  // A lone cluster node has met no other node that could tell it its address: announce it, or CLUSTER SLOTS names none.
  if (options.cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-announce-ip', '127.0.0.1');
  const child = spawn(binary, args, { stdio: 'ignore' });
  // The tests' process must not wait on the server to exit: stop() ends it.
  child.unref();
  const log = () => (child.exitCode !== null ? `exited with ${child.exitCode}; ` : '') + (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '');
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until('answering PING', async () => child.exitCode === null && (await send(port, 'PING')).startsWith('+PONG'), log);
    if (options.cluster) {
      const added = await send(port, 'CLUSTER ADDSLOTSRANGE 0 16383');
      if (!added.startsWith('+OK')) throw new Error(`CLUSTER ADDSLOTSRANGE answered ${added}`);
      await until('the one-node cluster being ready', async () => (await send(port, 'CLUSTER INFO', (reply) => reply.includes('cluster_state:'))).includes('cluster_state:ok'), log);
    }
  } catch (error) {
    stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}

let ownServer: Promise<RedisServer> | null = null;

/** The Redis server of this test run: the runner's (NETID_TEST_REDIS_URL), or one started for this file. */
export async function testRedisUrl(): Promise<string> {
  const fromRunner = process.env.NETID_TEST_REDIS_URL;
  if (fromRunner) return fromRunner;
  if (process.env.CI) throw new Error('NETID_TEST_REDIS_URL is not set: run the tests with `npm test`');
  if (!ownServer) {
    ownServer = startRedisServer();
    // Stopped when the test file's process ends, like the PostgreSQL server of databases.ts.
    const started = await ownServer;
    process.once('exit', () => started.stop());
  }
  return (await ownServer).url;
}
