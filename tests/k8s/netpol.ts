/**
 * A small model of how Kubernetes NetworkPolicies decide one connection, enough to test what
 * k8s/ allows rather than how its YAML looks: traffic passes when the source's egress and the
 * destination's ingress both allow it. A pod no policy selects for a direction is open in that
 * direction. Peers: podSelector (the policy's namespace), namespaceSelector (by the
 * kubernetes.io/metadata.name label every namespace carries), both together, or ipBlock — which
 * this model applies to addresses outside the cluster only (for pod IPs the behaviour is the
 * CNI's). Ports by number or by the destination container's port name; protocol TCP by default.
 */
import type { KubeObject } from './kube.ts';

export interface Pod {
  kind: 'pod';
  namespace: string;
  labels: Record<string, string>;
  /** Container port names → numbers. */
  ports?: Record<string, number>;
}
export interface External {
  kind: 'external';
  ip: string;
}
export type Endpoint = Pod | External;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PortRule {
  port?: number | string;
  protocol?: string;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: PortRule[];
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key] as string;
    if (e.operator === 'In' && !(has && e.values?.includes(value))) return false;
    if (e.operator === 'NotIn' && has && e.values?.includes(value)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const ipToInt = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base) / size);
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) {
    return (
      other.kind === 'external' && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c))
    );
  }
  if (other.kind !== 'pod') return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.namespace })
    : other.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector ?? {}, other.labels);
}

function portMatches(rules: PortRule[] | undefined, destination: Endpoint, port: number, protocol: string): boolean {
  if (!rules || rules.length === 0) return true;
  return rules.some((r) => {
    if ((r.protocol ?? 'TCP') !== protocol) return false;
    if (r.port === undefined) return true;
    if (typeof r.port === 'number') return r.port === port;
    return destination.kind === 'pod' && destination.ports?.[r.port] === port;
  });
}

function directionAllows(
  policies: KubeObject[],
  subject: Endpoint,
  peer: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: string,
  direction: 'Ingress' | 'Egress',
): boolean {
  if (subject.kind !== 'pod') return true;
  const applying = policies.filter(
    (p) =>
      p.metadata.namespace === subject.namespace &&
      (p.spec.policyTypes ?? ['Ingress']).includes(direction) &&
      selects(p.spec.podSelector, subject.labels),
  );
  if (applying.length === 0) return true;
  return applying.some((p) =>
    ((direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? []).some((rule: Rule) => {
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk = !peers || peers.length === 0 || peers.some((x) => peerMatches(x, p.metadata.namespace as string, peer));
      return peerOk && portMatches(rule.ports, destination, port, protocol);
    }),
  );
}

/** Whether the destination's ingress policies alone admit `source` (whatever the source's egress says). */
export function ingressAllows(policies: KubeObject[], source: Endpoint, destination: Endpoint, port: number, protocol = 'TCP'): boolean {
  return directionAllows(policies, destination, source, destination, port, protocol, 'Ingress');
}

/** Whether `source` may open a connection to `destination` on `port` under these NetworkPolicies. */
export function allows(policies: KubeObject[], source: Endpoint, destination: Endpoint, port: number, protocol = 'TCP'): boolean {
  return (
    directionAllows(policies, source, destination, destination, port, protocol, 'Egress') &&
    directionAllows(policies, destination, source, destination, port, protocol, 'Ingress')
  );
}

/** The pod a workload's template makes, in `namespace`. */
export function podOf(workload: KubeObject, namespace: string): Pod {
  const template = workload.spec.template;
  const ports: Record<string, number> = {};
  for (const c of template.spec.containers) for (const p of c.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
  return { kind: 'pod', namespace, labels: template.metadata.labels, ports };
}
