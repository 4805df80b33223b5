// PLANNED stand-in, used only while the backend lacks GET /codes: the labels the app shows
// until the server's lists arrive. Delete this file when `GET /codes` lands.
import type { CodeLists } from './types'

const list = (pairs: Record<string, string>) => Object.entries(pairs).map(([code, label]) => ({ code, label }))

export const FALLBACK_CODES: CodeLists = {
  statuses: list({
    reported: '待派单', dispatched: '已派单', accepted: '已接单', in_progress: '处置中',
    submitted: '待核查', verified: '待回访', called_back: '已回访', closed: '已结案',
    archived: '已归档', returned: '退单待审', rejected: '不予受理', merged: '已合并', stored: '已存电',
  }),
  sources: list({ patrol: '网格巡查', inspector: '专职巡查', hotline: '12345热线', snapshot: '随手拍', leader: '领导交办', media: '媒体曝光', open311: 'Open311' }),
  levels: list({ general: '一般', major: '重大', urgent: '紧急' }),
  clocks: list({ dispatch: '派单时限', respond: '响应时限', on_scene: '到场时限', first_contact: '先行联系时限', resolve: '办结时限', redo: '重办时限', return: '退单时限', verify: '核查时限', callback: '回访时限', supervision: '督办回复时限' }),
  fact_findings: list({ true: '属实', partly_true: '部分属实', untrue: '不属实' }),
  claim_findings: list({ lawful: '合理合法', excessive: '诉求过高', no_policy_basis: '无政策依据', other: '其他' }),
  results: list({ resolved: '实际解决', partly_resolved: '部分解决', explained: '解释说明', explained_not_accepted: '有政策不接受', filed_for_reference: '参考备案', not_adopted: '不采纳', unresolved: '未解决' }),
  satisfactions: list({ satisfied: '满意', basically_satisfied: '基本满意', neutral: '一般', unsatisfied: '不满意' }),
  resolutions: list({ resolved: '已解决', explained: '已解释', filed_for_reference: '参考备案', unresolved: '未解决' }),
  supervision_kinds: list({ leader_assigned: '领导交办', media: '媒体披露', in_progress: '在办督办', overdue: '逾期督办', repeated: '重复交办督办', callback: '回访督办' }),
  supervision_levels: list({ street: '街道', district: '区', city: '市' }),
  reject_reasons: list({
    legal_procedure: '已通过法定程序处理', secrets_privacy: '涉及国家机密、商业机密、个人隐私',
    military: '属军队、武警管辖', unlawful_claim: '违反法律法规或公序良俗',
    emergency_channel: '应通过110、120等紧急渠道求助', out_of_jurisdiction: '超出本市、本辖区管辖范围',
    incomplete_order: '工单要素不全', duplicate_in_progress: '相同诉求正在处理中',
  }),
  flags: list({
    overdue: '已超时', due_soon: '即将超时', provisional_deadline: '时限按暂定日历计算', supervised: '督办中',
    warning_order: '警示单', repeat: '重复投诉', merged_reports: '有合并上报', pending_return: '退单待审',
    pending_extension: '延期待审', platform: '平台工单', out_of_jurisdiction: '非本街道',
  }),
  evidence_phases: list({ before: '处置前', after: '处置后', scene: '现场', document: '材料', signoff: '签字', sms: '短信截图', comparison: '前后对比', report: '上报照片' }),
  events: list({
    reported: '上报', dispatched: '派单', accepted: '接单', first_contact: '先行联系', checked_in: '到场',
    evidence_added: '上传证据', return_requested: '申请退单', return_refused: '退单驳回', return_approved: '退单通过',
    extension_requested: '申请延期', extension_approved: '延期通过', extension_refused: '延期驳回',
    closure_submitted: '提交结案', verification_failed: '核查未通过', verified: '核查通过', callback: '回访',
    warning_order: '预警重办', closed: '结案', archived: '归档', merged: '合并', rejected: '不予受理',
    supervised: '督办', supervision_replied: '督办回复', stored: '存电', assist_reported: '协办反馈',
  }),
}
