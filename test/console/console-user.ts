/**
 * A console user over HTTP, as their browser and the console's scripts would act: a passkey on
 * their device (a software authenticator), the session cookie once signed in, step-ups for acts,
 * and form posts from the console's pages (same origin).
 */
import assert from 'node:assert/strict';
import type { NetidNode } from '../../src/app/app.ts';
import { createOperator } from '../../src/console/wiring.ts';
import { SoftwareAuthenticator, type AuthenticatorBehaviour } from '../support/software-authenticator.ts';

export interface Answer {
  readonly status: number;
  readonly location: string;
  readonly body: string;
}

/** A console user in their browser: a passkey on their device and, once signed in, the session cookie. */
export class ConsoleUser {
  readonly base: string;
  readonly authenticator: SoftwareAuthenticator;
  cookie = '';
  id = '';

  constructor(base: string) {
    this.base = base;
    this.authenticator = new SoftwareAuthenticator(base);
  }

  async json(path: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> {
    const response = await fetch(`${this.base}${path}`, { method: 'POST', headers: { origin: this.base, 'content-type': 'application/json', accept: 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) }, body: JSON.stringify(body ?? {}) });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  }

  async enrolAndSignIn(name: string, role: 'operator' | 'auditor', node: NetidNode, port: number): Promise<this> {
    const created = await createOperator(node.services, { name, role }, port);
    this.id = created.operator_id;
    const path = `/console/api/enrol/${created.enrolment_path.split('/console/enrol/')[1]}`;
    assert.equal((await this.json(path, this.authenticator.create((await this.json(`${path}/options`)).json as never))).status, 200);
    const response = await fetch(`${this.base}/console/api/signin`, { method: 'POST', headers: { origin: this.base, 'content-type': 'application/json' }, body: JSON.stringify(this.authenticator.get((await this.json('/console/api/signin/options')).json as never)) });
    assert.equal(response.status, 200);
    this.cookie = /netid_console=[^;]+/.exec(response.headers.get('set-cookie') ?? '')![0];
    return this;
  }

  /** The page's script: a step-up for `action` on `target`, answered by this user's authenticator. */
  async stepUp(action: string, target: string, behaviour: AuthenticatorBehaviour = {}): Promise<string> {
    const options = await this.json('/console/api/step-up/options', { action, target });
    assert.equal(options.status, 200, JSON.stringify(options.json));
    return JSON.stringify(this.authenticator.get(options.json as never, behaviour));
  }

  /** A form post from a console page. */
  async post(path: string, form: Record<string, string>): Promise<Answer> {
    const response = await fetch(`${this.base}${path}`, { method: 'POST', redirect: 'manual', headers: { origin: this.base, 'content-type': 'application/x-www-form-urlencoded', ...(this.cookie ? { cookie: this.cookie } : {}) }, body: new URLSearchParams(form).toString() });
    return { status: response.status, location: response.headers.get('location') ?? '', body: await response.text() };
  }
}

export const refusedWith = (answer: Answer, code: string) => {
  assert.equal(answer.status, 303, answer.body);
  assert.equal(new URL(answer.location, 'http://x').searchParams.get('error'), code);
};
