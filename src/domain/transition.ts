/**
 * A step of a stored state machine (STYLE.md §1): the states it may start from and the state it
 * leads to. Storage applies it atomically (`UPDATE … WHERE id = $1 AND state = ANY(from)`).
 * Enrolments, authority requests, revocations and appeals all declare their steps with it.
 */
export interface Transition<S extends string> {
  readonly from: readonly S[];
  readonly to: S;
}

/** A transition with a name, for machines that record which step was taken. */
export interface NamedTransition<S extends string> extends Transition<S> {
  readonly name: string;
}
