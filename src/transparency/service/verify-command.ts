/**
 * `netid log verify`: the independent verifier (src/transparency/verifier/) over HTTP. It uses
 * nothing of the server's internals, only the public routes. Without --vkey it fetches the
 * verifier key from the log itself and says so (trust on first use: pin it with --vkey).
 * Problems are printed loudly on stderr; the caller exits non-zero.
 */
import { httpTransport, runLogVerify, type LogVerifyReport } from '../verifier/index.ts';

export interface VerifyLogOptions {
  readonly url: string;
  readonly vkey?: string | undefined;
  readonly state?: string | undefined;
  readonly audit: boolean;
  readonly indexes: readonly string[];
}

export async function verifyLogCommand(options: VerifyLogOptions): Promise<{ report: LogVerifyReport; output: { stdout: string; stderr: string } }> {
  const base = options.url.replace(/\/+$/, '');
  let stderr = '';
  let verifierKey = options.vkey;
  if (!verifierKey) {
    const response = await fetch(`${base}/log/v1/vkey`, { redirect: 'error' });
    if (!response.ok) throw new Error(`could not fetch the verifier key from ${base}/log/v1/vkey (${response.status})`);
    verifierKey = (await response.text()).trim();
    stderr += `netid: warning: verifier key fetched from the log itself (${verifierKey}); pin it with --vkey\n`;
  }
  const entries = options.indexes.map((text) => {
    if (!/^(0|[1-9][0-9]*)$/.test(text)) throw new Error(`--index must be a non-negative integer, not ${text}`);
    return { index: Number(text) };
  });
  const report = await runLogVerify({ transport: httpTransport(base), verifierKey, ...(options.state ? { statePath: options.state } : {}), audit: options.audit, entries });
  if (!report.ok) {
    stderr += `\n!!! TRANSPARENCY LOG VERIFICATION FAILED for ${report.origin ?? base} !!!\n`;
    for (const problem of report.problems) stderr += `!!! ${problem.code}: ${problem.message} ${JSON.stringify(problem.detail)}\n`;
    stderr += '\n';
  }
  return { report, output: { stdout: `${JSON.stringify(report, null, 2)}\n`, stderr } };
}
