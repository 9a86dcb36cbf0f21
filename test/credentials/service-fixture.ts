/** A started netid node with one enrolled person and their app session, for the service tests. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentKey, type IdentityAttributes } from '../../src/accounts/person-repository.ts';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { generateWebNumber } from '../../src/domain/web-number.ts';
import { testEnv } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';


/** A clock the test moves by hand. */
export function manualClock(start: string) {
  let t = new Date(start).getTime();
  const clock = () => new Date(t);
  return Object.assign(clock, { advance: (seconds: number) => void (t += seconds * 1000) });
}

export const ADULT: IdentityAttributes = {
  document_type: 'cn_resident_id',
  document_number: '11010519900307013X',
  name: '张伟',
  birth_date: '1990-03-07',
  sex: 'M',
  nationality: 'CHN',
  expiry_date: '2035-03-07',
};

export async function startServiceNode(databaseUrl: string | undefined, now?: () => Date): Promise<{ node: RunningNode; issuer: string }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'netid-cred-'));
  const node = await startNode(loadConfig(testEnv({ DATABASE_URL: databaseUrl, NETID_DATA_DIR: dataDir, NETID_PORT: String(port), NETID_ISSUER: issuer })), { inMemory: !databaseUrl, skipLock: true, ...(now ? { now } : {}) });
  return { node, issuer };
}

/** Enrols a person directly (the enrolment flow is tested elsewhere) and opens an app session. */
export async function enrolPerson(node: RunningNode, attributes: IdentityAttributes = ADULT): Promise<{ personId: string; webNumber: string; token: string }> {
  const { services } = node;
  const webNumber = generateWebNumber(randomBytes);
  const person = await services.persons.create({ documentKey: documentKey(services.sealer, attributes.document_type, attributes.document_number), webNumber, attributes, now: services.now() });
  const { token } = await services.personSessions.create(person.personId, ['passkey', 'uv']);
  return { personId: person.personId, webNumber, token };
}
