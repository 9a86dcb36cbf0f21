/**
 * The help every `netid` command gives: `netid --help` lists every command, `netid GROUP --help`
 * the commands of a group (`keys`, `registry`, …) and `netid GROUP SUB --help` one command's
 * synopsis, what it does and its options. The text is written once, beside each command's code.
 */

export interface CommandHelp {
  /** The words after `netid`: `serve`, `keys rotate`. */
  readonly name: string;
  /** What follows the name on the command line: `--alg ES256|EdDSA`. */
  readonly args?: string;
  /** One line for the lists. */
  readonly summary: string;
  /** Shown by `--help` under the synopsis: what the command does, its options, how it exits. */
  readonly details?: string;
}

const SUMMARY_COLUMN = 35;

export function synopsis(command: CommandHelp): string {
  return `netid ${command.name}${command.args ? ` ${command.args}` : ''}`;
}

function listLine(command: CommandHelp): string {
  const left = `  ${synopsis(command)}`;
  return left.length < SUMMARY_COLUMN - 1 ? `${left.padEnd(SUMMARY_COLUMN)}${command.summary}` : `${left}\n${' '.repeat(SUMMARY_COLUMN)}${command.summary}`;
}

export function commandList(commands: readonly CommandHelp[]): string {
  return commands.map(listLine).join('\n');
}

/** `netid NAME --help`. */
export function commandHelp(command: CommandHelp): string {
  const sentence = `${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.`;
  return [`Usage: ${synopsis(command)}`, '', sentence, ...(command.details ? ['', command.details] : [])].join('\n');
}

/** `netid GROUP --help`: the commands whose name starts with the group's word. */
export function groupHelp(group: string, commands: readonly CommandHelp[]): string {
  return [`Usage: netid ${group} COMMAND …`, '', commandList(commands.filter((c) => c.name.split(' ')[0] === group)), '', `netid ${group} COMMAND --help describes one.`].join('\n');
}
