/**
 * Error codes of the transparency log and of its verifier. The verifier reports its findings as
 * values carrying these codes (a fork is an answer, not a crash); the service throws them for bad
 * requests.
 */
import { defineErrors } from '../domain/errors.ts';

export const logErrorSpecs = {
  'log.bad_request': { status: 400, en: 'Invalid log request parameters.', zh: '日志请求参数无效。' },
  'log.not_found': { status: 404, en: 'The log has no checkpoint yet.', zh: '日志尚无检查点。' },
  'log.conflict': { status: 409, en: 'The log changed concurrently; append again.', zh: '日志已被并发修改，请重新追加。' },
  // Not a 5xx: the service is up; its stored log was altered (a row deleted) outside netid.
  'log.entry_missing': { status: 409, en: 'The stored log is missing rows of entries it has signed: it was altered outside netid. Operators must restore it from a backup; the signed checkpoints prove what it held.', zh: '存储的日志缺少已签名条目的记录：日志在 netid 之外被篡改。运维人员须从备份恢复；已签名的检查点可证明其原有内容。' },
  'log.unreachable': { status: 502, en: 'The log could not be reached or answered malformed data.', zh: '无法访问日志或日志返回了格式错误的数据。' },
  'log.signature_invalid': { status: 502, en: 'The checkpoint signature does not verify with the log key.', zh: '检查点签名无法用日志公钥验证。' },
  'log.rollback': { status: 502, en: 'The log presented a smaller tree than one it signed before (rollback).', zh: '日志出示的树比其先前签名的树更小（回滚）。' },
  'log.fork': { status: 502, en: 'The log presented a checkpoint inconsistent with one it signed before (fork).', zh: '日志出示的检查点与其先前签名的检查点不一致（分叉）。' },
  'log.inclusion_failed': { status: 502, en: 'An entry is not included in the signed tree.', zh: '条目未包含在已签名的树中。' },
  'log.entry_altered': { status: 502, en: 'The log serves entries that differ from the signed tree.', zh: '日志提供的条目与已签名的树不符。' },
} as const;

export type LogErrorCode = keyof typeof logErrorSpecs;

export const LogError = defineErrors(logErrorSpecs);
