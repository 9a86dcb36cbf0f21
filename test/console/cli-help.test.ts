/**
 * Every `netid` command answers `--help` with its own usage, and option values may start with
 * `-` (1 in 64 base64url nonces do). The commands run as child processes, as a person runs them,
 * with an environment holding only PATH: help needs no configuration and no database.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseCommandArgs, UsageError } from '../../src/cli/args.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

function netid(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** The commands `netid --help` lists: `keys rotate`, `verify`, `holder present`, … */
function listedCommands(help: string): string[] {
  return [...help.matchAll(/^ {2}netid ([a-z]+(?: [a-z]+)?)(?= |$)/gm)].map((m) => m[1]!);
}

describe('netid --help', () => {
  it('lists every command, and each answers --help with its own usage (exit 0)', { timeout: 300_000 }, async () => {
    const global = await netid(['--help']);
    assert.equal(global.code, 0);
    const commands = listedCommands(global.stdout);
    for (const expected of ['serve', 'migrate', 'keys rotate', 'registry add', 'registry import', 'log verify', 'rp approve', 'operator create', 'verify', 'holder keys', 'holder present']) {
      assert.ok(commands.includes(expected), `${expected} is listed`);
    }
    const calls = commands.flatMap((name) => ['--help', '-h'].map((flag) => ({ name, flag })));
    // Four at a time: each is a node process.
    for (let i = 0; i < calls.length; i += 4) {
      await Promise.all(calls.slice(i, i + 4).map(async ({ name, flag }) => {
        const out = await netid([...name.split(' '), flag]);
        assert.equal(out.code, 0, `netid ${name} ${flag}: ${out.stderr}`);
        assert.match(out.stdout, new RegExp(`^Usage: netid ${name}\\b`), `netid ${name} ${flag} prints its own usage, not the global one`);
        assert.doesNotMatch(out.stdout, /national network identity authentication service/);
      }));
    }
  });

  it('a group (netid keys, netid log, netid holder) lists its commands', { timeout: 120_000 }, async () => {
    for (const group of ['keys', 'registry', 'log', 'rp', 'operator', 'holder']) {
      const out = await netid([group, '--help']);
      assert.equal(out.code, 0, out.stderr);
      const listed = out.stdout.split('\n').filter((line) => line.startsWith(`  netid ${group} `));
      assert.ok(listed.length >= 1, `netid ${group} --help lists its commands`);
    }
    const log = await netid(['log', '--help']);
    assert.match(log.stdout, /netid log verify --url URL/);
  });

  it('a usage error exits 2 with the usage of the command that was misused', { timeout: 120_000 }, async () => {
    const unknownOption = await netid(['log', 'verify', '--url', 'http://localhost:1', '--bogus']);
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.stderr, /Unknown option '--bogus'/);
    assert.match(unknownOption.stderr, /Usage: netid log verify --url URL/);
    const missing = await netid(['keys', 'retire']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /KID is required[\s\S]*Usage: netid keys retire KID/);
    const noSub = await netid(['registry']);
    assert.equal(noSub.code, 2);
    assert.match(noSub.stderr, /Usage: netid registry COMMAND/);
    assert.equal((await netid(['verify', '--bogus'])).code, 2);
    assert.equal((await netid(['holder', 'present', '--bogus'])).code, 2);
  });
});

describe('option values', () => {
  const options = { nonce: { type: 'string' }, audience: { type: 'string', short: 'a' }, audit: { type: 'boolean' } } as const;

  it('a value may start with - or --, written after the option or with =', () => {
    assert.deepEqual({ ...parseCommandArgs(['--nonce', '-abc', '--audience', '--x'], options).values }, { nonce: '-abc', audience: '--x' });
    assert.deepEqual({ ...parseCommandArgs(['--nonce=-abc', '-a', '-y'], options).values }, { nonce: '-abc', audience: '-y' });
    assert.deepEqual(parseCommandArgs(['--nonce', 'n', '--', '--audit'], options).positionals, ['--audit']);
  });

  it('an unknown option, a missing value or a value given to a flag is a usage error', () => {
    assert.throws(() => parseCommandArgs(['--bogus'], options), UsageError);
    assert.throws(() => parseCommandArgs(['--nonce'], options), UsageError);
    assert.throws(() => parseCommandArgs(['--audit=yes'], options), UsageError);
  });
});
