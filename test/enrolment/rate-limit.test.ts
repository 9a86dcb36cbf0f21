/**
 * Starting an enrolment runs the registry check at once, so it would answer "does this name go
 * with this document number?" to anyone who asks. One client address may start only
 * NETID_ENROLMENT_STARTS_PER_MINUTE enrolments a minute; past that the answer is 429
 * `request.rate_limited` with Retry-After, in the asker's language, and nothing is stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningNode } from '../../src/app/app.ts';
import { documentData, people, prepareRegistry, startTestNode, type TestRegistry } from './support.ts';

describe('enrolment start rate limit', () => {
  let registry: TestRegistry;
  let node: RunningNode;
  before(async () => {
    registry = await prepareRegistry();
    node = await startTestNode(registry, { env: { NETID_ENROLMENT_STARTS_PER_MINUTE: '3' } });
  });
  after(async () => {
    await node?.close();
    registry?.cleanup();
  });

  const start = (body: Record<string, string>, lang = 'en') => fetch(`${node.publicUrl}/api/v1/enrolments`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': lang }, body: JSON.stringify(body) });
  const stored = async () => (await node.services.database.db.selectFrom('enrolments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

  it('answers 429 with Retry-After past the limit, counting wrong guesses too, and stores nothing more', async () => {
    const wrongName = { ...documentData(people.lina), name: 'WRONG NAME' };
    for (let i = 0; i < 3; i++) assert.notEqual((await start(wrongName)).status, 429, `attempt ${i + 1} is within the limit`);
    const before = Number(await stored());
    const refused = await start(documentData(people.lina));
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'says when to try again');
    const body = await refused.json() as { error: string; message: string };
    assert.equal(body.error, 'request.rate_limited');
    assert.match(body.message, /Too many requests/);
    const zh = await (await start(documentData(people.lina), 'zh-CN')).json() as { message: string };
    assert.match(zh.message, /请求过于频繁/);
    assert.equal(Number(await stored()), before, 'a refused start stores nothing');
    // Other routes are not limited by it.
    assert.equal((await fetch(`${node.publicUrl}/healthz`)).status, 200);
  });
});
