import type { listClouds, TenantItem } from '../../registry/service.ts';
import { cloudStateLabels } from '../../vocabulary/records.ts';
import { Panel } from '../components/panel.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, type Lang, valueName } from '../i18n.ts';

const t = catalogue(
  {
    clouds: '政务云（1+N+14）',
    cloud: '云平台',
    tenants: '租户',
    vcpu: 'vCPU',
    memory: '内存 GiB',
    storage: '存储 GiB',
    quotaOfCapacity: '已分配配额 / 容量',
    usedOfQuota: '已用 / 配额',
    top: '资源使用前十的租户',
    department: '部门',
    tenant: '租户',
    provincial: '全区政务云',
    industry: '行业云',
    cityCloud: '市级云',
    buildOut: '建成启用',
    inServiceSince: '启用',
  },
  {
    clouds: 'Government clouds (1+N+14)',
    cloud: 'Cloud',
    tenants: 'Tenants',
    vcpu: 'vCPU',
    memory: 'Memory GiB',
    storage: 'Storage GiB',
    quotaOfCapacity: 'Quota allotted / capacity',
    usedOfQuota: 'Used / quota',
    top: 'Top ten tenants by use',
    department: 'Department',
    tenant: 'Tenant',
    provincial: 'Provincial',
    industry: 'Industry',
    cityCloud: 'City',
    buildOut: 'in service',
    inServiceSince: 'since',
  },
);

type Messages = ReturnType<typeof t>;
type CloudItem = Awaited<ReturnType<typeof listClouds>>['items'][number];

interface Totals {
  tenants: number;
  vcpuQuota: number;
  vcpuUsed: number;
  memoryQuota: number;
  memoryUsed: number;
  storageQuota: number;
  storageUsed: number;
}

function totalsOf(tenants: TenantItem[]): Totals {
  const sum = (f: (x: TenantItem) => number | null | undefined) => tenants.reduce((acc, x) => acc + (f(x) ?? 0), 0);
  return {
    tenants: tenants.length,
    vcpuQuota: sum((x) => x.vcpu_quota),
    vcpuUsed: sum((x) => x.vcpu_used),
    memoryQuota: sum((x) => x.memory_quota_gib),
    memoryUsed: sum((x) => x.memory_used_gib),
    storageQuota: sum((x) => x.storage_quota_gib),
    storageUsed: sum((x) => x.storage_used_gib),
  };
}

/** A labelled bar: the native <meter> reads out to screen readers and colours itself near full. */
function Bar(props: { label: string; value: number; max: number | null | undefined }) {
  const max = props.max ?? 0;
  const share = max > 0 ? Math.round((props.value / max) * 1000) / 10 : null;
  return (
    <div class="bar">
      <span class="bar-label">{props.label}</span>
      <meter min={0} max={max > 0 ? max : 1} low={max * 0.7} high={max * 0.9} optimum={0} value={props.value} />
      <span class="bar-value">
        {round(props.value)} / {max > 0 ? round(max) : '—'} {share === null ? '' : `(${share}%)`}
      </span>
    </div>
  );
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The province's cloud first, then the industry clouds, then the cities'. */
const kindOrder: Record<string, number> = { provincial: 0, industry: 1, city: 2 };

/** Every cloud as a card of what its tenants were allotted and use. */
export function CloudsPanel(props: { clouds: CloudItem[]; total: number; tenants: TenantItem[]; lang: Lang }) {
  const m = t(props.lang);
  const clouds = [...props.clouds].sort((a, b) => (kindOrder[a.kind] ?? 3) - (kindOrder[b.kind] ?? 3) || a.code.localeCompare(b.code));
  const byCloud = new Map<string, TenantItem[]>();
  for (const tenant of props.tenants) byCloud.set(tenant.cloud_code, [...(byCloud.get(tenant.cloud_code) ?? []), tenant]);
  const kindName = { provincial: m.provincial, industry: m.industry, city: m.cityCloud } as Record<string, string>;
  return (
    <Panel id="clouds" title={m.clouds} count={props.total} class="panel clouds">
      <BuildOut clouds={clouds} kindName={kindName} lang={props.lang} m={m} />
      <div class="cloud-list" id="clouds">
        {clouds.map((cloud) => (
          <CloudCard
            cloud={cloud}
            kind={kindName[cloud.kind] ?? cloud.kind}
            totals={totalsOf(byCloud.get(cloud.code) ?? [])}
            lang={props.lang}
            m={m}
          />
        ))}
      </div>
    </Panel>
  );
}

/**
 * The 1+N+14 build-out today, kind by kind: "市级云 建成启用 13 / 14", the primary clouds only
 * (a standby centre is not one of the fourteen), with those not yet in service named.
 */
function BuildOut(props: { clouds: CloudItem[]; kindName: Record<string, string>; lang: Lang; m: Messages }) {
  const kinds = [...new Set(props.clouds.map((c) => c.kind))];
  return (
    <ul class="build-out" id="cloud-build-out">
      {kinds.map((kind) => {
        const primary = props.clouds.filter((c) => c.kind === kind && c.role === 'primary');
        const pending = primary.filter((c) => c.state !== 'in_service');
        return (
          <li data-kind={kind}>
            <strong>{props.kindName[kind] ?? kind}</strong> {props.m.buildOut}{' '}
            <span class="figure">
              {primary.length - pending.length} / {primary.length}
            </span>
            {pending.length > 0 ? (
              <small> （{pending.map((c) => `${c.name} ${valueName(c.state, props.lang, cloudStateLabels)}`).join('、')}）</small>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/** One cloud's card: what its tenants were allotted of its capacity, and what they use of that. */
function CloudCard(props: { cloud: CloudItem; kind: string; totals: Totals; lang: Lang; m: Messages }) {
  const { cloud, totals, m } = props;
  const since = cloud.state === 'in_service' && cloud.in_service_on ? ` ${m.inServiceSince} ${cloud.in_service_on}` : '';
  return (
    <article class="cloud" data-cloud={cloud.code} data-state={cloud.state}>
      <h3>
        {cloud.name}{' '}
        <small>
          {props.kind} · {cloud.provider} · {m.tenants} {totals.tenants} · {valueName(cloud.state, props.lang, cloudStateLabels)}
          {since}
        </small>
      </h3>
      <p class="bars-caption">{m.quotaOfCapacity}</p>
      <Bar label={m.vcpu} value={totals.vcpuQuota} max={cloud.vcpu_capacity} />
      <Bar label={m.memory} value={totals.memoryQuota} max={cloud.memory_capacity_gib} />
      <p class="bars-caption">{m.usedOfQuota}</p>
      <Bar label={m.vcpu} value={totals.vcpuUsed} max={totals.vcpuQuota} />
      <Bar label={m.storage} value={totals.storageUsed} max={totals.storageQuota} />
    </article>
  );
}

/** The ten tenants using the most vCPU. */
export function TopTenantsPanel(props: { tenants: TenantItem[]; lang: Lang }) {
  const m = t(props.lang);
  const top = [...props.tenants].sort((a, b) => (b.vcpu_used ?? 0) - (a.vcpu_used ?? 0)).slice(0, 10);
  return (
    <Panel id="top" title={m.top} class="panel wide">
      <DataTable
        id="top-tenants"
        columns={[m.tenant, m.cloud, m.department, m.vcpu, m.memory]}
        rows={top}
        row={(x) => (
          <tr>
            <td>{x.external_id}</td>
            <td>{x.cloud_code}</td>
            <td>{x.department_code}</td>
            <td>
              <Bar label="" value={x.vcpu_used ?? 0} max={x.vcpu_quota} />
            </td>
            <td>
              {round(x.memory_used_gib ?? 0)} / {round(x.memory_quota_gib ?? 0)}
            </td>
          </tr>
        )}
      />
    </Panel>
  );
}
