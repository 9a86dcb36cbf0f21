/** Error codes of authority requests. */
import { defineErrors } from '../domain/errors.ts';

export const AuthorityError = defineErrors({
  'authority.not_found': { status: 404, en: 'No such authority request.', zh: '未找到该调取请求。' },
  'authority.person_not_found': { status: 404, en: 'No active person holds this web number.', zh: '没有有效用户持有该网号。' },
  'authority.invalid_state': { status: 409, en: 'The request is not in a state that allows this step.', zh: '该请求当前状态不允许此操作。' },
  'authority.submitter_cannot_approve': { status: 403, en: 'The operator who submitted a request cannot approve it.', zh: '提交请求的操作员不能批准该请求。' },
  'authority.same_approver': { status: 403, en: 'The second approval must come from a different operator.', zh: '第二次批准必须由另一名操作员作出。' },
  'authority.needs_two_approvals': { status: 409, en: 'The request needs the approval of two different operators before it can be fulfilled.', zh: '请求须经两名不同操作员批准后方可执行。' },
  'authority.submitter_cannot_fulfil': { status: 403, en: 'The operator who submitted a request cannot fulfil it.', zh: '提交请求的操作员不能执行该请求。' },
  'authority.field_required': { status: 400, en: 'A required field is missing or too long.', zh: '缺少必填字段或字段过长。' },
  'authority.legal_basis_required': { status: 400, en: 'A request needs a statute and a case reference.', zh: '请求须注明法律依据（法规条款和案件编号）。' },
  'authority.bad_window': { status: 400, en: 'Activity records can be asked for only within a closed time window that has started.', zh: '活动记录只能在已开始的有限时间范围内调取。' },
  'authority.deferral_invalid': { status: 400, en: 'A deferral needs a reason and an end date within the allowed maximum.', zh: '推迟通知须说明理由，且截止日期不得超过允许的最长期限。' },
  'authority.extension_not_allowed': { status: 409, en: 'The deferral can be extended only once, before it ends, by two different operators.', zh: '推迟期只能在结束前由两名不同操作员延长一次。' },
});
