/**
 * `netid operator create` prints a one-time enrolment link for the console, and the link's token
 * belongs to the new operator (the CLI opening the embedded database itself); `netid operator
 * disable` works the same way, and `netid operator list|disable` go through the running service's
 * admin API when there is one.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, it } from 'node:test';
import { createNode, startNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { OperatorRepository } from '../../src/console/operator-repository.ts';
import { createOperator } from '../../src/console/wiring.ts';
import { testEnv } from '../support/databases.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'netid-console-cli-'));
const running = mkdtempSync(join(tmpdir(), 'netid-console-cli-running-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(running, { recursive: true, force: true });
});

it('netid operator create prints a one-time enrolment link for the new operator', { timeout: 180_000 }, async () => {
  const env = { ...process.env, ...testEnv({ NETID_DATA_DIR: dir, NETID_ADMIN_PORT: '18443', NETID_LOG_LEVEL: 'warn' }) } as NodeJS.ProcessEnv;
  const { stdout } = await run(process.execPath, ['src/main.ts', 'operator', 'create', '--name', 'Counter Clerk', '--role', 'operator'], { env });
  const printed = JSON.parse(stdout) as { operator_id: string; role: string; enrolment_link: string; expires_at: string };
  assert.equal(printed.role, 'operator');
  const match = /^http:\/\/localhost:18443\/console\/enrol\/([\w-]{43})$/.exec(printed.enrolment_link);
  assert.ok(match, printed.enrolment_link);
  await assert.rejects(run(process.execPath, ['src/main.ts', 'operator', 'create', '--name', 'X', '--role', 'admin'], { env }), /--role operator\|auditor/);
  const { stdout: disabledOut } = await run(process.execPath, ['src/main.ts', 'operator', 'disable', printed.operator_id], { env });
  assert.equal((JSON.parse(disabledOut) as { status: string }).status, 'disabled');

  const node = await createNode(loadConfig(testEnv({ NETID_DATA_DIR: dir })), { skipLock: true });
  try {
    const operators = new OperatorRepository({ db: node.services.database.db });
    assert.equal(await operators.findByEnrolmentToken(match[1]!, new Date()), null, 'a disabled operator\'s link no longer works');
    assert.equal((await operators.find(printed.operator_id))?.status, 'disabled');
    assert.deepEqual((await operators.listActions()).filter((a) => a.targetId === printed.operator_id).map((a) => [a.action, a.operatorId]).sort(), [['operator.created', null], ['operator.disabled', null]]);
  } finally {
    await node.close();
  }
});

it('netid operator list and disable go through the running service\'s admin API', { timeout: 180_000 }, async () => {
  const node = await startNode(loadConfig(testEnv({ NETID_DATA_DIR: running, NETID_PORT: '0', NETID_ADMIN_PORT: '0', NETID_LOG_LEVEL: 'warn' })));
  try {
    const env = { ...process.env, ...testEnv({ NETID_DATA_DIR: running, NETID_LOG_LEVEL: 'warn' }) } as NodeJS.ProcessEnv;
    const created = await createOperator(node.services, { name: 'Night Shift', role: 'auditor' }, 0);
    const listed = JSON.parse((await run(process.execPath, ['src/main.ts', 'operator', 'list'], { env })).stdout) as { operators: Array<{ operator_id: string; created_at: string }> };
    const { created_at: createdAt, ...shown } = listed.operators.find((o) => o.operator_id === created.operator_id)!;
    assert.deepEqual(shown, { operator_id: created.operator_id, name: 'Night Shift', role: 'auditor', status: 'active', last_sign_in_at: null });
    assert.ok(!Number.isNaN(Date.parse(createdAt)));
    const disabled = JSON.parse((await run(process.execPath, ['src/main.ts', 'operator', 'disable', created.operator_id], { env })).stdout) as { status: string };
    assert.equal(disabled.status, 'disabled');
    assert.equal((await new OperatorRepository({ db: node.services.database.db }).find(created.operator_id))?.status, 'disabled', 'disabled in the running service');
    await assert.rejects(run(process.execPath, ['src/main.ts', 'operator', 'disable', created.operator_id], { env }), /console\.operator_not_active/);
    await assert.rejects(run(process.execPath, ['src/main.ts', 'operator', 'disable'], { env }), /netid operator disable ID/);
  } finally {
    await node.close();
  }
});
