import type { Child } from 'hono/jsx';
import { listRegions } from '../regions/service.ts';
import { ChoiceField } from './components/choices.tsx';
import { catalogue } from './i18n.ts';
import type { PageContext } from './page.tsx';

const t = catalogue({ scope: '范围', province: '全区' }, { scope: 'Scope', province: 'Whole region' });

/** The province whose figures a regional reader sees first. */
const provinceCode = '450000';

/** Whose figures a page shows, and the cities a regional reader may pick instead. */
export interface PageScope {
  /** `450000`, a city's code, or `dept:<code>`. */
  scope: string;
  /** The cities to pick from; null for a department user, who sees only his own department. */
  cities: { code: string; name: string }[] | null;
}

/**
 * A department user sees his own department's figures; any other reader the province, or the
 * region the page was asked for (`?scope=`) — the services check that scope again.
 */
export async function pageScope(ctx: PageContext): Promise<PageScope> {
  const access = ctx.actor.access;
  const regional = access.root || [...access.roles].some((r) => r !== 'department');
  if (!regional) return { scope: `dept:${access.department?.code ?? ''}`, cities: null };
  return { scope: ctx.c.req.query('scope') || provinceCode, cities: await listRegions(ctx.db, { level: 'city' }) };
}

/** A scope as the registry's list filters take it: a department (its sub-departments too) or a region. */
export const listFilterOf = (scope: string): { department: string } | { region: string } =>
  scope.startsWith('dept:') ? { department: scope.slice('dept:'.length) } : { region: scope };

/** The scope picker of a page's filter form: the province and its cities; nothing for a department user. */
export function ScopeField(props: PageScope & { lang: PageContext['lang'] }) {
  if (!props.cities) return null;
  const m = t(props.lang);
  const choices = [{ value: provinceCode, label: m.province }, ...props.cities.map((r) => ({ value: r.code, label: r.name }))];
  return <ChoiceField label={m.scope} name="scope" choices={choices} selected={props.scope} />;
}

/** The filter form of a page of figures: the scope picker, the page's own fields, and the button that shows them. */
export function ScopeFilters(props: { action: string; picked: PageScope; lang: PageContext['lang']; show: string; children?: Child }) {
  return (
    <form class="filters" method="get" action={props.action}>
      <ScopeField {...props.picked} lang={props.lang} />
      {props.children}
      <button type="submit">{props.show}</button>
    </form>
  );
}
