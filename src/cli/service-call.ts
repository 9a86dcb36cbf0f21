/**
 * How a `netid` command reaches the service: through the running service's admin API when one
 * holds the embedded database (PGlite allows one process), else by opening the database itself.
 */
import { pino } from 'pino';
import { adminToken, readLock } from '../app/data-dir.ts';
import type { Services } from '../app/services.ts';
import type { Config } from '../config/schema.ts';

/**
 * The service's modules (the provider, the face engine wiring, every capability) load only for
 * commands that use them, so `netid verify` and `netid holder` start in a fraction of the time.
 */
export async function serviceModules() {
  const [app, relyingParties] = await Promise.all([import('../app/app.ts'), import('../relying-parties/admin-routes.ts')]);
  return { ...app, ...relyingParties };
}

export type ServiceModules = Awaited<ReturnType<typeof serviceModules>>;

async function adminCall(adminUrl: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'accept-language': 'en' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    const detail = json.detail ? ` ${JSON.stringify(json.detail)}` : '';
    throw new Error(`${String(json.error)}: ${String(json.message)}${detail}`);
  }
  return json;
}

/** Runs through the running service's admin API when there is one, else opens the database. */
export async function viaServiceOrDirect<T>(config: Config, admin: { method: string; path: string; body?: unknown }, direct: (services: Services, modules: ServiceModules) => Promise<T>): Promise<unknown> {
  const lock = config.DATABASE_URL ? null : readLock(config.NETID_DATA_DIR);
  if (lock) {
    if (!lock.adminUrl) throw new Error(`netid process ${lock.pid} is starting and holds the embedded database; try again in a moment`);
    return adminCall(lock.adminUrl, adminToken(config.NETID_DATA_DIR), admin.method, admin.path, admin.body);
  }
  const modules = await serviceModules();
  const node = await modules.createNode(config, { logger: quietLogger(config) });
  try {
    return await direct(node.services, modules);
  } finally {
    await node.close();
  }
}

/** CLI commands log only warnings: their output is the answer on stdout. */
export function quietLogger(config: Config) {
  return pino({ level: config.NETID_LOG_LEVEL === 'info' ? 'warn' : config.NETID_LOG_LEVEL });
}
