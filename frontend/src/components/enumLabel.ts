import type { MessageKey } from '../i18n';

/**
 * Labels for enums the API's `vocabulary` query does not cover (document
 * kinds, gateways, service statuses, …): catalogue keys `enum.<group>.<CODE>`.
 */
export type EnumGroup =
  | 'documentKind'
  | 'gateway'
  | 'protocol'
  | 'interaction'
  | 'serviceStatus'
  | 'calendarDayKind'
  | 'calendarEntryKind'
  | 'accountRequestStatus'
  | 'submissionKind'
  | 'reviewDecision'
  | 'specificationFormat';

export function enumKey(group: EnumGroup, code: string): MessageKey {
  return `enum.${group}.${code}` as MessageKey;
}

/** The label of `code`, or the code itself when the catalogue has none. */
export function enumLabel(t: (k: MessageKey) => string, group: EnumGroup, code: string | null | undefined): string {
  if (!code) return '';
  const k = enumKey(group, code);
  const v = t(k);
  return v === k ? code : v;
}

/** Every value of each group, in the API's order (for selects and the completeness test). */
export const ENUM_VALUES: Record<EnumGroup, readonly string[]> = {
  documentKind: [
    'SECURITY_DOCUMENTATION',
    'SECURITY_TEST_PROTOCOLS',
    'BALANCE_SHEET_RECORD',
    'DECOMMISSIONING_RECORD',
    'PROCUREMENT_DATA',
    'OPERATIONAL_DOCUMENTS',
    'TECHNICAL_WORKING_DESIGN',
    'TEST_PROGRAMME_AND_PROTOCOLS',
    'COMMISSIONING_ACT',
    'DOCUMENTATION_APPROVALS',
    'TERMS_OF_REFERENCE',
    'CONTRACTS',
    'INVENTORY_LIST',
    'GENERAL_INFORMATION',
  ],
  gateway: ['EGG', 'EEGG', 'EPG'],
  protocol: ['SOAP', 'REST'],
  interaction: ['SYNCHRONOUS', 'ASYNCHRONOUS'],
  serviceStatus: ['IN_TESTING', 'IN_PRODUCTION', 'SUSPENDED', 'WITHDRAWN'],
  calendarDayKind: ['PUBLIC_HOLIDAY', 'TRANSFERRED_DAY_OFF', 'WORKING_WEEKEND', 'SUBSTITUTE_DAY_OFF'],
  calendarEntryKind: ['HOLIDAY', 'RELIGIOUS_HOLIDAY', 'TRANSFERRED_DAY_OFF', 'WORKING_WEEKEND'],
  accountRequestStatus: ['PENDING', 'APPROVED', 'REJECTED'],
  submissionKind: ['INITIAL', 'CHANGE_SET'],
  reviewDecision: ['REGISTERED', 'RETURNED'],
  specificationFormat: ['WSDL', 'OPENAPI'],
};
