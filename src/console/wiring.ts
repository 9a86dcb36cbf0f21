/**
 * Builds the console's service from a node's services, and the one function that creates an
 * operator — used by the admin API (POST /admin/v1/operators, which `netid operator create`
 * calls while the service runs), by the CLI when it opens the database itself, and by tests.
 */
import type { Services } from '../app/services.ts';
import { RelyingPartyRegistry } from '../relying-parties/registry.ts';
import { ConsoleService, type ConsoleDeps } from './console-service.ts';
import { ConsoleError } from './errors.ts';
import { OperatorRepository, type Operator } from './operator-repository.ts';

export function buildConsoleService(services: Services): ConsoleService {
  return new ConsoleService(consoleDepsOf(services));
}

/** What the console's service needs from a node (tests swap single parts of it). */
export function consoleDepsOf(services: Services): ConsoleDeps {
  const { db } = services.database;
  return {
    operators: new OperatorRepository({ db }),
    // The same signed challenges as a person's passkeys, with console purposes.
    challenges: services.passkeys.challenges,
    // The same registry and transparency-log sink as relyingPartyRegistryOf (admin API); the
    // console's action record is written by `also` inside the transition's transaction.
    relyingParties: (also) =>
      new RelyingPartyRegistry({
        db,
        sealer: services.sealer,
        now: services.now,
        log: async (event, trx) => {
          await services.transparency.recordAccountableEvent(event, trx);
          await also(event, trx);
        },
      }),
    revocation: services.revocation,
    authority: services.authority,
    enrolment: services.enrolment,
    persons: services.persons,
    now: services.now,
  };
}

/** The enrolment link of an operator: the console on the admin listener, by name (WebAuthn refuses IP addresses). */
export function enrolmentLink(adminPort: number, token: string): string {
  return `http://localhost:${adminPort}/console/enrol/${token}`;
}

export interface OperatorCreatedView {
  readonly operator_id: string;
  readonly name: string;
  readonly role: string;
  /** Absent when the admin port is not known yet (NETID_ADMIN_PORT=0 and the service not running). */
  readonly enrolment_link?: string;
  readonly enrolment_path: string;
  readonly expires_at: string;
}

/** Creates an operator or auditor and returns their one-time enrolment link (24 h). */
export async function createOperator(services: Services, input: { name?: unknown; role?: unknown }, adminPort: number): Promise<OperatorCreatedView> {
  const created = await buildConsoleService(services).createOperator(input);
  return {
    operator_id: created.operator.id,
    name: created.operator.name,
    role: created.operator.role,
    ...(adminPort > 0 ? { enrolment_link: enrolmentLink(adminPort, created.enrolmentToken) } : {}),
    enrolment_path: `/console/enrol/${created.enrolmentToken}`,
    expires_at: created.expiresAt.toISOString(),
  };
}

export interface OperatorView {
  readonly operator_id: string;
  readonly name: string;
  readonly role: string;
  readonly status: string;
  readonly created_at: string;
  /** When they last signed in with a passkey; null when unknown. */
  readonly last_sign_in_at: string | null;
}

const viewOf = (operator: Operator, lastSignInAt: Date | null): OperatorView => ({ operator_id: operator.id, name: operator.name, role: operator.role, status: operator.status, created_at: operator.createdAt.toISOString(), last_sign_in_at: lastSignInAt?.toISOString() ?? null });

/** Every operator and auditor (`netid operator list`, GET /admin/v1/operators). */
export async function listOperators(services: Services): Promise<{ operators: OperatorView[] }> {
  return { operators: (await buildConsoleService(services).listOperators()).map((o) => viewOf(o.operator, o.lastSignInAt)) };
}

/** Disables an operator through the admin API (`netid operator disable ID`); recorded with the admin API as actor. */
export async function disableOperator(services: Services, operatorId: string): Promise<OperatorView> {
  const operators = new OperatorRepository({ db: services.database.db });
  const disabled = await operators.disable(operatorId, null, services.now());
  if (!disabled) throw (await operators.find(operatorId)) ? ConsoleError('console.operator_not_active') : ConsoleError('console.operator_not_found');
  return viewOf(disabled, null);
}
