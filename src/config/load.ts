/**
 * Loads and validates configuration. A bad value stops the start with a message naming the key
 * and the problem; production refuses the unsafe development defaults.
 */
import { readFileSync } from 'node:fs';
import { defineErrors } from '../domain/errors.ts';
import { configSchema, DEVELOPMENT_MASTER_KEY, type Config } from './schema.ts';

const ConfigError = defineErrors({
  'config.invalid': { status: 500, en: 'The configuration is invalid.', zh: '配置无效。' },
  'config.unsafe_in_production': { status: 500, en: 'An unsafe development default is not allowed in production.', zh: '生产环境不允许使用不安全的开发默认值。' },
  'config.file_unreadable': { status: 500, en: 'The configuration file cannot be read.', zh: '无法读取配置文件。' },
});

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  let fromFile: Record<string, unknown> = {};
  const file = env.NETID_CONFIG_FILE;
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw ConfigError('config.file_unreadable', { file, problem: (cause as Error).message });
    }
  }
  const keys = Object.keys(configSchema.shape);
  const raw: Record<string, unknown> = {};
  for (const key of keys) {
    const value = env[key] !== undefined && env[key] !== '' ? env[key] : fromFile[key];
    if (value !== undefined) raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    const error = ConfigError('config.invalid', { problems });
    error.message = `invalid configuration: ${problems.join('; ')}`;
    throw error;
  }
  const config: Config = { ...parsed.data, NETID_ISSUER: parsed.data.NETID_ISSUER ?? `http://localhost:${parsed.data.NETID_PORT}` };
  if (config.NODE_ENV === 'production') {
    const unsafe: string[] = [];
    if (config.NETID_MASTER_KEY === DEVELOPMENT_MASTER_KEY) unsafe.push('NETID_MASTER_KEY: the development master key');
    if (!config.NETID_ISSUER.startsWith('https://')) unsafe.push('NETID_ISSUER: an http issuer');
    if (config.NETID_DEMO_DATA) unsafe.push('NETID_DEMO_DATA: demo data (set it to false)');
    if (config.NETID_OUTBOUND_ALLOW_LOOPBACK) unsafe.push('NETID_OUTBOUND_ALLOW_LOOPBACK: calls to loopback and private addresses');
    if (unsafe.length) {
      const error = ConfigError('config.unsafe_in_production', { problems: unsafe });
      error.message = `refusing to start in production with ${unsafe.join('; ')}`;
      throw error;
    }
  }
  if (Buffer.from(config.NETID_MASTER_KEY, 'base64url').length !== 32) {
    const error = ConfigError('config.invalid', { problems: ['NETID_MASTER_KEY: must be 32 bytes, base64url'] });
    error.message = 'invalid configuration: NETID_MASTER_KEY: must be 32 bytes, base64url';
    throw error;
  }
  return config;
}
