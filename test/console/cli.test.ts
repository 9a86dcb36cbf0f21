/**
 * `netid operator create` prints a one-time enrolment link for the console, and the link's token
 * belongs to the new operator (the CLI opening the embedded database itself).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, it } from 'node:test';
import { createNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { OperatorRepository } from '../../src/console/operator-repository.ts';
import { testEnv } from '../support/databases.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'netid-console-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('netid operator create prints a one-time enrolment link for the new operator', { timeout: 60_000 }, async () => {
  const env = { ...process.env, ...testEnv({ NETID_DATA_DIR: dir, NETID_ADMIN_PORT: '18443', NETID_LOG_LEVEL: 'warn' }) } as NodeJS.ProcessEnv;
  const { stdout } = await run(process.execPath, ['src/main.ts', 'operator', 'create', '--name', 'Counter Clerk', '--role', 'operator'], { env });
  const printed = JSON.parse(stdout) as { operator_id: string; role: string; enrolment_link: string; expires_at: string };
  assert.equal(printed.role, 'operator');
  const match = /^http:\/\/localhost:18443\/console\/enrol\/([\w-]{43})$/.exec(printed.enrolment_link);
  assert.ok(match, printed.enrolment_link);
  await assert.rejects(run(process.execPath, ['src/main.ts', 'operator', 'create', '--name', 'X', '--role', 'admin'], { env }), /--role operator\|auditor/);

  const node = await createNode(loadConfig(testEnv({ NETID_DATA_DIR: dir })), { skipLock: true });
  try {
    const operators = new OperatorRepository({ db: node.services.database.db });
    assert.equal((await operators.findByEnrolmentToken(match[1]!, new Date()))?.id, printed.operator_id);
    assert.equal((await operators.listActions()).find((a) => a.targetId === printed.operator_id)?.action, 'operator.created');
  } finally {
    await node.close();
  }
});
