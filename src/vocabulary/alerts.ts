import type { AlertEventType, AlertRuleKey, AlertSeverity, AlertState } from '../db/schema/enums.ts';
import type { Label } from './records.ts';
import terms from './terms.json' with { type: 'json' };

// The alerts' words: the console's list, detail, node page and ops panel share them.
export const alertRuleLabels = terms.alertRules satisfies Record<AlertRuleKey, Label>;
export const alertSeverityLabels = terms.alertSeverities satisfies Record<AlertSeverity, Label>;
export const alertStateLabels = terms.alertStates satisfies Record<AlertState, Label>;
/** An event names what happened to the alert (触发, 确认…), not the state it led to. */
export const alertEventLabels = terms.alertEvents satisfies Record<AlertEventType, Label>;
