/**
 * A local stand-in for the Kubernetes API: answers the four cluster-wide List calls
 * cloud-agent makes with real List objects (kind, apiVersion, metadata, items), two items
 * a page so the agent must follow `continue` tokens. Listens on 127.0.0.1 only.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface FakeNamespace {
  name: string;
  labels?: Record<string, string>;
}
export interface FakeQuota {
  namespace: string;
  name: string;
  hard: Record<string, string>;
  used: Record<string, string>;
}
export interface FakeWorkload {
  kind: 'Deployment' | 'StatefulSet';
  namespace: string;
  name: string;
  labels?: Record<string, string>;
}
export interface FakeCluster {
  namespaces: FakeNamespace[];
  quotas: FakeQuota[];
  workloads: FakeWorkload[];
}

export interface FakeKubernetes {
  url: string;
  token: string;
  cluster: FakeCluster;
  /** Request paths seen (with query), for asserting what the agent asked. */
  requests: string[];
  /** When set, every request answers this status (an API outage). */
  failWith?: number;
  writeKubeconfig(file: string): Promise<void>;
  close(): Promise<void>;
}

const pageSize = 2;
const uid = (s: string) => `00000000-0000-4000-8000-${Buffer.from(s).toString('hex').padEnd(12, '0').slice(0, 12)}`;
const created = '2024-03-01T08:00:00Z';

function matchesSelector(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    if (!key) return true;
    const actual = labels?.[key];
    return value === undefined ? actual !== undefined : actual === value;
  });
}

function list(kind: string, apiVersion: string, all: object[], req: IncomingMessage): object {
  const url = new URL(req.url ?? '/', 'http://x');
  const start = Number(url.searchParams.get('continue') ?? 0);
  const items = all.slice(start, start + pageSize);
  const next = start + pageSize < all.length ? String(start + pageSize) : undefined;
  return { kind, apiVersion, metadata: { resourceVersion: '4242', ...(next ? { continue: next } : {}) }, items };
}

export async function startFakeKubernetes(cluster: FakeCluster): Promise<FakeKubernetes> {
  const token = 'fake-service-account-token';
  const requests: string[] = [];
  const fake: FakeKubernetes = {
    url: '',
    token,
    cluster,
    requests,
    writeKubeconfig: (file) =>
      writeFile(
        file,
        `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster:
      server: ${fake.url}
      # client-node refuses plain http unless told this is not a TLS cluster.
      insecure-skip-tls-verify: true
users:
  - name: cloud-agent
    user:
      token: ${token}
contexts:
  - name: fake
    context:
      cluster: fake
      user: cloud-agent
current-context: fake
`,
      ),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (fake.failWith)
      return send(fake.failWith, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: fake.failWith, message: 'unavailable' });
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(401, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const selector = url.searchParams.get('labelSelector');
    const meta = (name: string, namespace?: string, labels?: Record<string, string>) => ({
      name,
      ...(namespace ? { namespace } : {}),
      uid: uid(`${namespace}/${name}`),
      resourceVersion: '100',
      creationTimestamp: created,
      ...(labels ? { labels } : {}),
    });
    const workloads = (kind: string) =>
      cluster.workloads
        .filter((w) => w.kind === kind && matchesSelector(w.labels, selector))
        .map((w) => ({
          metadata: meta(w.name, w.namespace, w.labels),
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: w.name } },
            template: {
              metadata: { labels: { app: w.name } },
              spec: { containers: [{ name: w.name, image: `registry.gov/${w.name}:1.0` }] },
            },
            ...(kind === 'StatefulSet' ? { serviceName: w.name } : {}),
          },
          status: { replicas: 1, readyReplicas: 1, observedGeneration: 1 },
        }));
    switch (url.pathname) {
      case '/api/v1/namespaces':
        return send(
          200,
          list(
            'NamespaceList',
            'v1',
            cluster.namespaces
              .filter((n) => matchesSelector(n.labels, selector))
              .map((n) => ({
                metadata: meta(n.name, undefined, n.labels),
                spec: { finalizers: ['kubernetes'] },
                status: { phase: 'Active' },
              })),
            req,
          ),
        );
      case '/api/v1/resourcequotas':
        return send(
          200,
          list(
            'ResourceQuotaList',
            'v1',
            cluster.quotas.map((q) => ({
              metadata: meta(q.name, q.namespace),
              spec: { hard: q.hard },
              status: { hard: q.hard, used: q.used },
            })),
            req,
          ),
        );
      case '/apis/apps/v1/deployments':
        return send(200, list('DeploymentList', 'apps/v1', workloads('Deployment'), req));
      case '/apis/apps/v1/statefulsets':
        return send(200, list('StatefulSetList', 'apps/v1', workloads('StatefulSet'), req));
      default:
        return send(404, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `${url.pathname} not found`,
          reason: 'NotFound',
          code: 404,
        });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  fake.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return fake;
}

/** A small cluster: three tenant namespaces of two departments, quotas, labelled and unlabelled workloads, and system namespaces to ignore. */
export const sampleCluster = (): FakeCluster => ({
  namespaces: [
    { name: 'gx-gat-prod', labels: { 'yunwang.gov/department': 'GX-GAT' } },
    { name: 'gx-gat-test', labels: { 'yunwang.gov/department': 'GX-GAT' } },
    { name: 'gx-rst', labels: { 'yunwang.gov/department': 'GX-RST', team: 'a' } },
    { name: 'kube-system' },
    { name: 'monitoring', labels: { team: 'ops' } },
  ],
  quotas: [
    {
      namespace: 'gx-gat-prod',
      name: 'compute',
      hard: { 'requests.cpu': '16', 'requests.memory': '64Gi' },
      used: { 'requests.cpu': '4500m', 'requests.memory': '20Gi' },
    },
    { namespace: 'gx-gat-prod', name: 'storage', hard: { 'requests.storage': '500Gi' }, used: { 'requests.storage': '120Gi' } },
    { namespace: 'gx-gat-prod', name: 'tighter', hard: { 'requests.cpu': '12' }, used: { 'requests.cpu': '4500m' } },
    {
      namespace: 'gx-rst',
      name: 'q',
      hard: { cpu: '8', memory: '16G', 'requests.storage': '1Ti' },
      used: { cpu: '0', memory: '0', 'requests.storage': '0' },
    },
    { namespace: 'kube-system', name: 'q', hard: { cpu: '100' }, used: { cpu: '50' } },
  ],
  workloads: [
    { kind: 'Deployment', namespace: 'gx-gat-prod', name: 'portal', labels: { 'yunwang.gov/system': 'GX-SYS-0001' } },
    { kind: 'Deployment', namespace: 'gx-gat-prod', name: 'cache' },
    { kind: 'StatefulSet', namespace: 'gx-gat-prod', name: 'db', labels: { 'yunwang.gov/system': 'GX-SYS-0002' } },
    { kind: 'Deployment', namespace: 'gx-rst', name: 'hr', labels: { 'yunwang.gov/system': 'GX-SYS-0003' } },
    { kind: 'Deployment', namespace: 'kube-system', name: 'coredns', labels: { 'yunwang.gov/system': 'NOT-A-TENANT' } },
  ],
});
