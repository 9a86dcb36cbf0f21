/**
 * Test support for the enrolment flow: a small registry of real photographs (the face fixtures of
 * test/face/fixtures.ts), a node started on it, and a JSON client for its API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import sharp from 'sharp';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { decodeImage, flipHorizontal } from '../../src/face/image.ts';
import { loggerOptions } from '../../src/http/logging.ts';
import { parseRegistryFile } from '../../src/registry/registry-file.ts';
import { faces, loadPhoto } from '../face/fixtures.ts';
import { testEnv } from '../support/databases.ts';

export const ISSUER = 'http://localhost:8080';

export interface Identity {
  readonly document_type: string;
  readonly document_number: string;
  readonly name: string;
  readonly birth_date: string;
  readonly expiry_date: string;
  readonly sex: 'M' | 'F';
  readonly status: 'valid' | 'lost';
  readonly guardian?: { document_type: string; document_number: string };
}

/** The document data a person types in (what POST /api/v1/enrolments takes). */
export function documentData(identity: Identity): Record<string, string> {
  return { document_type: identity.document_type, document_number: identity.document_number, name: identity.name, birth_date: identity.birth_date };
}

const id = (document_type: string, document_number: string, name: string, birth_date: string, sex: 'M' | 'F', expiry_date: string, status: 'valid' | 'lost' = 'valid', guardian?: Identity['guardian']): Identity => ({
  document_type,
  document_number,
  name,
  birth_date,
  sex,
  expiry_date,
  status,
  ...(guardian ? { guardian } : {}),
});

export const people = {
  /** Adult. Portrait: personA photo sample3; selfie: personA photo sample1 (a different photograph). */
  lina: id('cn_resident_id', '310104198511200224', '李娜', '1985-11-20', 'F', '2040-11-20'),
  /** Adult, guardian of xiaoming and jing. Portrait: turned face (derived re-capture); selfie: the original. */
  zhangwei: id('cn_resident_id', '11010519900307013X', '张伟', '1990-03-07', 'M', '2035-03-07'),
  /** Born 2014-05-01: 12 years old in 2026. Portrait: personC derived; selfie: personC original. */
  xiaoming: id('cn_resident_id', '110105201405010172', '张小明', '2014-05-01', 'M', '2029-05-01', 'valid', { document_type: 'cn_resident_id', document_number: '11010519900307013X' }),
  /** Born 2010-02-14: 16 years old in 2026. Same photos as xiaoming (a different registry record). */
  jing: id('cn_resident_id', '440106201002140282', '陈静', '2010-02-14', 'F', '2030-02-14', 'valid', { document_type: 'cn_resident_id', document_number: '11010519900307013X' }),
  /** Document expired in 2024. */
  liuyang: id('cn_resident_id', '330106197808300359', '刘洋', '1978-08-30', 'M', '2024-08-30'),
  /** Reported lost. */
  yangmin: id('cn_resident_id', '510107199512010466', '杨敏', '1995-12-01', 'F', '2036-12-01', 'lost'),
  /** Adult for the active-liveness test. Portrait: turned face derived; frames: the turned face and its mirror image. */
  huang: id('hk_mo_residence_permit', '810000199206180513', '黄志明', '1992-06-18', 'M', '2031-06-18'),
} as const;

export interface Photos {
  readonly linaSelfie: Uint8Array;
  readonly zhangweiSelfie: Uint8Array;
  readonly childSelfie: Uint8Array;
  /** A live photo of someone else (personC) for lina's enrolment. */
  readonly stranger: Uint8Array;
  readonly turnedRight: Uint8Array;
  readonly turnedLeft: Uint8Array;
  /** Every image used, to scan storage and logs for their bytes. */
  readonly all: readonly Uint8Array[];
}

export interface TestRegistry {
  readonly dir: string;
  readonly file: string;
  readonly photos: Photos;
  cleanup(): void;
}

export async function prepareRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'netid-enrol-'));
  const portraits = {
    lina: await loadPhoto(faces.personA[1]),
    zhangwei: await loadPhoto(faces.turnedFace[1]),
    child: await loadPhoto(faces.personC[1]),
    other: await loadPhoto(faces.personB[0]),
  };
  for (const [name, bytes] of Object.entries(portraits)) writeFileSync(join(dir, `${name}.jpg`), bytes);
  const portraitOf: Record<keyof typeof people, string> = { lina: 'lina', zhangwei: 'zhangwei', xiaoming: 'child', jing: 'child', liuyang: 'other', yangmin: 'other', huang: 'zhangwei' };
  const lines = Object.entries(people).map(([key, p]) => JSON.stringify({ ...p, nationality: 'CHN', portrait: `./${portraitOf[key as keyof typeof people]}.jpg` }));
  const file = join(dir, 'registry.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const turned = await loadPhoto(faces.turnedFace[0]);
  const mirrored = flipHorizontal(await decodeImage(turned));
  const turnedLeft = new Uint8Array(await sharp(Buffer.from(mirrored.data), { raw: { width: mirrored.width, height: mirrored.height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer());
  const photos = {
    linaSelfie: await loadPhoto(faces.personA[0]),
    zhangweiSelfie: turned,
    childSelfie: await loadPhoto(faces.personC[0]),
    stranger: await loadPhoto(faces.personC[0]),
    turnedRight: turned,
    turnedLeft,
  };
  return { dir, file, photos: { ...photos, all: [...Object.values(portraits), ...Object.values(photos)] }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestNodeOptions {
  readonly databaseUrl?: string | undefined;
  readonly liveness?: 'active' | 'passive';
  readonly now?: () => Date;
  readonly env?: Record<string, string>;
  /** Receives every log line (JSON) the node writes. */
  readonly logLines?: string[];
}

export async function startTestNode(registry: TestRegistry, options: TestNodeOptions = {}): Promise<RunningNode> {
  const config = loadConfig(testEnv({ DATABASE_URL: options.databaseUrl, NETID_ISSUER: ISSUER, NETID_LIVENESS_MODE: options.liveness ?? 'passive', NETID_DATA_DIR: registry.dir, NETID_LOG_LEVEL: options.logLines ? 'trace' : 'silent', ...options.env }));
  const logger = options.logLines
    ? pino(loggerOptions('trace'), new Writable({ write(chunk, _enc, done) { options.logLines!.push(String(chunk)); done(); } }))
    : undefined;
  const node = await startNode(config, { inMemory: !options.databaseUrl, skipLock: true, ...(options.now ? { now: options.now } : {}), ...(logger ? { logger } : {}) });
  const now = options.now ? options.now() : new Date();
  await node.services.embeddedRegistry!.importRecords((await parseRegistryFile(registry.file, { faceEngine: node.services.faceEngine, now })).records);
  return node;
}

export interface Reply {
  readonly status: number;
  readonly body: Record<string, any>;
  readonly headers: Headers;
}

/** A JSON client for the public API; keeps the session token it is given. */
export class Client {
  readonly base: string;
  token: string | null = null;
  constructor(base: string) {
    this.base = base;
  }
  async call(method: string, path: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = { 'accept-language': 'en' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
  }
  post(path: string, body: unknown = {}) {
    return this.call('POST', path, body);
  }
  get(path: string) {
    return this.call('GET', path);
  }
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
