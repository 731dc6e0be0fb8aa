/**
 * The PromQL the project ships — every dashboard query and every PrometheusRule expression —
 * gathered for tests that send it to a real Prometheus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface ShippedQuery {
  /** Where it comes from: `dashboards/json/x.json: panel title (refId)` or `k8s/…yaml: AlertName`. */
  where: string;
  expr: string;
  /** Alert expressions are conditions, normally false (empty); the rest must return data. */
  kind: 'panel' | 'record' | 'alert';
}

interface Panel {
  title?: string;
  targets?: { refId?: string; expr?: string }[];
  panels?: Panel[];
}

/** Every `expr` of every panel (rows included) of the committed dashboards. */
export function dashboardQueries(root: string): ShippedQuery[] {
  const dir = path.join(root, 'dashboards', 'json');
  const out: ShippedQuery[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const walk = (panels: Panel[] = []) => {
      for (const panel of panels) {
        for (const t of panel.targets ?? []) {
          if (t.expr)
            out.push({ where: `dashboards/json/${file}: ${panel.title ?? '(untitled)'} (${t.refId})`, expr: t.expr, kind: 'panel' });
        }
        walk(panel.panels);
      }
    };
    walk((JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { panels?: Panel[] }).panels);
  }
  return out;
}

interface RuleDoc {
  kind?: string;
  spec?: { groups?: { name?: string; rules?: { alert?: string; record?: string; expr?: string | number }[] }[] };
}

/** Every rule expression of every `kind: PrometheusRule` document under k8s/ (none when k8s/ is absent). */
export function prometheusRuleQueries(root: string): ShippedQuery[] {
  const dir = path.join(root, 'k8s');
  let files: string[];
  try {
    files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  const out: ShippedQuery[] = [];
  for (const file of files.sort()) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      const rule = doc.toJS() as RuleDoc | null;
      if (rule?.kind !== 'PrometheusRule') continue;
      for (const group of rule.spec?.groups ?? []) {
        for (const r of group.rules ?? []) {
          if (r.expr === undefined) continue;
          out.push({
            where: `k8s/${file}: ${group.name}/${r.alert ?? r.record}`,
            expr: String(r.expr),
            kind: r.alert ? 'alert' : 'record',
          });
        }
      }
    }
  }
  return out;
}

/** Grafana variables replaced by concrete values; an unknown variable is an error, not a silent gap. */
export function substituteVariables(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    const value = values[name];
    if (value === undefined) throw new Error(`no test value for the dashboard variable $${name} in: ${expr}`);
    return value;
  });
}

/**
 * The operand an alert compares: `time() - x > 3 * y` → `time() - x`. PromQL binds arithmetic
 * tighter than comparisons, and comparisons tighter than `and`/`or`/`unless`, so the left side
 * is the text before the first comparison operator outside brackets, braces, parentheses and
 * strings, within the first operand of a set operator. Null when there is no comparison.
 */
export function comparedOperand(expr: string): string | null {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i] as string;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0) {
      const rest = expr.slice(i);
      if (/^(and|or|unless)\b/.test(rest) && /\s$/.test(expr.slice(0, i))) return comparedOperand(expr.slice(0, i));
      if (/^(==|!=|>=|<=|>|<)/.test(rest)) return expr.slice(0, i).trim() || null;
    }
  }
  return null;
}

/** `absent(x)` and `absent_over_time(x[5m])` fire when x is missing: x is what must exist. */
export function absentArgument(expr: string): string | null {
  const m = /^\s*absent(?:_over_time)?\s*\(([\s\S]*)\)\s*$/.exec(expr);
  if (!m) return null;
  return (m[1] as string).replace(/\[[^\]]*\]\s*$/, '').trim();
}
