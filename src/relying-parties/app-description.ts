/**
 * The app description file `netid rp create --file` reads (docs/integration.md §1): a JSON object,
 * at most 1 MiB, in a regular file. It is read like every file an operator names
 * (registry/regular-file.ts), and a file that is not such an object is refused with a code — its
 * content is never repeated, so pointing the command at /etc/passwd shows nothing of it.
 */
import { defineErrors } from '../domain/errors.ts';
import { readRegularFile } from '../registry/regular-file.ts';
import type { Registration } from './registry.ts';

export const AppDescriptionError = defineErrors({
  'relying_party.file_unreadable': { status: 400, en: 'The app description file cannot be read: it must be an existing, readable regular file of at most 1 MiB; nothing was registered.', zh: '无法读取应用描述文件：它必须是存在、可读且不超过 1 MiB 的普通文件；未注册任何应用。' },
  'relying_party.not_json': { status: 400, en: 'The file is not a JSON app description (a JSON object, see docs/integration.md); nothing was registered.', zh: '该文件不是 JSON 格式的应用描述（应为 JSON 对象，见 docs/integration.md）；未注册任何应用。' },
});

export const MAX_APP_DESCRIPTION_BYTES = 1024 * 1024;

/** The registration a file describes, not yet validated (RelyingPartyRegistry.register does that). */
export async function readAppDescription(path: string): Promise<Registration> {
  const file = await readRegularFile(path, { maxBytes: MAX_APP_DESCRIPTION_BYTES });
  if (!file.ok) throw AppDescriptionError('relying_party.file_unreadable', { problem: file.error });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(file.value));
  } catch {
    throw AppDescriptionError('relying_party.not_json');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw AppDescriptionError('relying_party.not_json');
  return parsed as Registration;
}
