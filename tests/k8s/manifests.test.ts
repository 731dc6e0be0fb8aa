/**
 * k8s/: each overlay renders with `kubectl kustomize`, every object validates against the
 * Kubernetes, Prometheus Operator and (a hand-written subset of) CloudNativePG schemas, and
 * the deployment rules of issue #5 hold in what would be applied — not in the source files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAgentConfig } from '../../agents/client/config.ts';
import { dashboardConfigMapName, syncDashboards } from '../../k8s/dashboards.ts';
import { migrateJobName } from '../../k8s/labels.ts';
import { requireProgram } from '../helpers/exposition.ts';
import { describeWithTool, type KubeObject, keyOf, kustomize, podSpecOf, repoRoot, validateObjects } from './kube.ts';

const overlays = ['dev', 'prod'] as const;
type Overlay = (typeof overlays)[number];
const namespaces: Record<Overlay, string> = { dev: 'yunwang-dev', prod: 'yunwang' };
const version = (JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

const find = (objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not rendered`);
  return found;
};
const workloads = (objects: KubeObject[]) => objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const envOf = (object: KubeObject, container: string) => podSpecOf(object)?.containers.find((c) => c.name === container)?.env ?? [];

describeWithTool(
  'kubectl',
  'apt-get install -y kubernetes-client, or any kubectl ≥ 1.14',
  'k8s overlays (kubectl kustomize)',
  (kubectl) => {
    const rendered = {} as Record<Overlay, KubeObject[]>;
    beforeAll(async () => {
      for (const overlay of overlays) rendered[overlay] = await kustomize(kubectl, path.join(repoRoot, 'k8s/overlays', overlay));
      for (const overlay of overlays) {
        const kinds = new Map<string, number>();
        for (const o of rendered[overlay]) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
        console.log(`k8s/overlays/${overlay}: ${rendered[overlay].length} objects (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`);
      }
    }, 60_000);

    it.each(overlays)('%s: every object validates against its schema and its type (no unknown fields)', (overlay) => {
      expect(rendered[overlay].length).toBeGreaterThan(10);
      expect(validateObjects(rendered[overlay])).toEqual([]);
    });

    it('the validation rejects what a cluster would reject', () => {
      // The checks above can fail: a misspelt field, a wrong type and an unknown kind are caught.
      const deployment = structuredClone(find(rendered.dev, 'Deployment', 'yunwang-api'));
      const container = podSpecOf(deployment)?.containers[0];
      if (!container) throw new Error('no container');
      container.securityContext.readOnlyRootFileSystem = true;
      deployment.spec.replicas = 'two';
      const cluster = structuredClone(find(rendered.prod, 'Cluster', 'yunwang-db'));
      cluster.spec.instance = 3;
      const problems = validateObjects([deployment, cluster, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]);
      expect(problems.join('\n')).toMatch(/readOnlyRootFileSystem/);
      expect(problems.join('\n')).toMatch(/replicas must be integer/);
      expect(problems.join('\n')).toMatch(/Cluster\/yunwang-db: .*instance/);
      expect(problems.join('\n')).toMatch(/Widget\/w: .*has no model/);
    });

    it.each(overlays)('%s: everything lands in the overlay namespace, cluster-scoped RBAC aside', (overlay) => {
      for (const o of rendered[overlay]) {
        if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') expect(o.metadata.namespace, keyOf(o)).toBeUndefined();
        else expect(o.metadata.namespace, keyOf(o)).toBe(namespaces[overlay]);
      }
    });

    it.each(overlays)('%s: no Secret objects and no credential inlined; every secret it needs is documented', async (overlay) => {
      const objects = rendered[overlay];
      expect(objects.filter((o) => o.kind === 'Secret').map(keyOf)).toEqual([]);
      const referenced = new Set<string>();
      for (const w of workloads(objects)) {
        const pod = podSpecOf(w);
        for (const c of pod?.containers ?? []) {
          for (const e of c.env ?? []) {
            if (/PASSWORD|TOKEN|SECRET|DATABASE_URL|_KEY$/.test(e.name)) {
              expect(e.value, `${keyOf(w)} ${c.name} ${e.name} must come from a secret`).toBeUndefined();
              expect(e.valueFrom?.secretKeyRef, `${keyOf(w)} ${c.name} ${e.name}`).toBeDefined();
            }
            if (e.valueFrom?.secretKeyRef) referenced.add(e.valueFrom.secretKeyRef.name);
          }
        }
        for (const v of pod?.volumes ?? []) if (v.secret) referenced.add(v.secret.secretName);
      }
      // The Cluster's: backup credentials and the API's role password.
      const cluster = find(objects, 'Cluster', 'yunwang-db');
      for (const ref of Object.values(cluster.spec.backup.barmanObjectStore.s3Credentials) as { name: string }[]) referenced.add(ref.name);
      for (const role of cluster.spec.managed.roles) if (role.passwordSecret) referenced.add(role.passwordSecret.name);
      for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
        for (const [key, text] of Object.entries(cm.data ?? {})) {
          expect(text, `${keyOf(cm)} ${key}`).not.toMatch(/ywa_|^\s*(token|password):/m);
        }
      }
      // The CNPG cluster's app secret is generated by the operator; the rest the README says how to create.
      const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
      const section = readme.slice(readme.indexOf('## Deploy on Kubernetes'), readme.indexOf('## Configuration'));
      for (const name of referenced) {
        if (name === 'yunwang-db-app') continue;
        expect(section, `README "Deploy on Kubernetes" must show how to create secret ${name}`).toContain(`create secret generic ${name} `);
      }
      expect(referenced.size).toBeGreaterThanOrEqual(3);
    });

    it.each(overlays)('%s: every container runs non-root on a read-only root filesystem, with resources', (overlay) => {
      for (const w of workloads(rendered[overlay])) {
        const pod = podSpecOf(w);
        expect(pod?.securityContext?.runAsNonRoot, keyOf(w)).toBe(true);
        expect(pod?.securityContext?.runAsUser, keyOf(w)).toBeGreaterThan(0);
        expect(pod?.securityContext?.seccompProfile?.type, keyOf(w)).toBe('RuntimeDefault');
        for (const c of pod?.containers ?? []) {
          const where = `${keyOf(w)} ${c.name}`;
          expect(c.securityContext?.readOnlyRootFilesystem, where).toBe(true);
          expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
          expect(c.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
          expect(c.resources?.requests?.cpu, where).toBeDefined();
          expect(c.resources?.requests?.memory, where).toBeDefined();
          expect(c.resources?.limits?.memory, where).toBeDefined();
          // Every mount names a volume of the pod (or a StatefulSet's claim template).
          const volumes = [...(pod?.volumes ?? []), ...(w.spec.volumeClaimTemplates ?? []).map((t: KubeObject) => t.metadata)];
          for (const m of c.volumeMounts ?? [])
            expect(
              volumes.map((v) => v.name),
              where,
            ).toContain(m.name);
        }
      }
    });

    it.each(overlays)(
      '%s: the API — 2+ replicas, probes on /livez and /readyz, /tmp writable, PDB, HPA, Service, ServiceMonitor',
      (overlay) => {
        const objects = rendered[overlay];
        const api = find(objects, 'Deployment', 'yunwang-api');
        const pod = podSpecOf(api);
        const container = pod?.containers.find((c) => c.name === 'api');
        if (!pod || !container) throw new Error('no api container');
        expect(api.spec.replicas).toBeGreaterThanOrEqual(2);
        expect(container.image).toBe(`yunwang:${version}`);
        expect(container.args).toEqual(['serve']);
        expect(container.livenessProbe.httpGet).toMatchObject({ path: '/livez', port: 'http' });
        expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
        expect(container.ports).toContainEqual(expect.objectContaining({ name: 'http', containerPort: 8080 }));
        expect(envOf(api, 'api')).toContainEqual({ name: 'PORT', value: '8080' });
        const tmp = container.volumeMounts?.find((m: { mountPath: string }) => m.mountPath === '/tmp');
        expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
        // No embedded database in a cluster: DATABASE_URL is always set, so YUNWANG_DATA_DIR is never written.
        expect(envOf(api, 'api').map((e) => e.name)).toContain('DATABASE_URL');

        const podLabels = api.spec.template.metadata.labels as Record<string, string>;
        expect(matches(api.spec.selector.matchLabels, podLabels)).toBe(true);
        const pdb = find(objects, 'PodDisruptionBudget', 'yunwang-api');
        expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
        expect(pdb.spec.minAvailable).toBeLessThan(api.spec.replicas);
        const hpa = find(objects, 'HorizontalPodAutoscaler', 'yunwang-api');
        expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'yunwang-api' });
        expect(hpa.spec.minReplicas).toBe(api.spec.replicas);
        expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
        const service = find(objects, 'Service', 'yunwang-api');
        expect(matches(service.spec.selector, podLabels)).toBe(true);
        expect(service.spec.ports).toContainEqual(expect.objectContaining({ name: 'http', targetPort: 'http' }));
        const monitor = find(objects, 'ServiceMonitor', 'yunwang-api');
        expect(matches(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
        expect(monitor.spec.endpoints).toContainEqual(expect.objectContaining({ port: 'http', path: '/metrics' }));
      },
    );

    it.each(overlays)('%s: the migration Job runs `yunwang migrate` as the owner, the API as the runtime role', (overlay) => {
      const objects = rendered[overlay];
      const job = find(objects, 'Job', migrateJobName());
      const container = podSpecOf(job)?.containers[0];
      expect(container?.image).toBe(`yunwang:${version}`);
      expect(container?.args).toEqual(['migrate']);
      expect(podSpecOf(job)?.restartPolicy).toBe('Never');
      const url = (o: KubeObject, c: string) => envOf(o, c).find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
      expect(url(job, 'migrate')).toEqual({ name: 'yunwang-db-app', key: 'uri' });
      expect(url(find(objects, 'Deployment', 'yunwang-api'), 'api')).toEqual({ name: 'yunwang-database-runtime', key: 'uri' });
    });

    it.each(overlays)('%s: cloud-agent reads the cluster through a get/list/watch-only ClusterRole bound to its account', (overlay) => {
      const objects = rendered[overlay];
      const role = find(objects, 'ClusterRole', 'yunwang-cloud-agent-read');
      const granted = (role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]).flatMap((r) =>
        r.resources.map((res) => ({ group: r.apiGroups, resource: res, verbs: [...r.verbs].sort() })),
      );
      expect(granted).toEqual([
        { group: [''], resource: 'namespaces', verbs: ['get', 'list', 'watch'] },
        { group: [''], resource: 'resourcequotas', verbs: ['get', 'list', 'watch'] },
        { group: ['apps'], resource: 'deployments', verbs: ['get', 'list', 'watch'] },
        { group: ['apps'], resource: 'statefulsets', verbs: ['get', 'list', 'watch'] },
      ]);
      const binding = find(objects, 'ClusterRoleBinding', 'yunwang-cloud-agent-read');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'yunwang-cloud-agent', namespace: namespaces[overlay] }]);
      find(objects, 'ServiceAccount', 'yunwang-cloud-agent');
      const agent = find(objects, 'Deployment', 'yunwang-cloud-agent');
      expect(podSpecOf(agent)?.serviceAccountName).toBe('yunwang-cloud-agent');
      // Nothing else may talk to the Kubernetes API.
      for (const w of workloads(objects).filter((o) => o !== agent))
        expect(podSpecOf(w)?.automountServiceAccountToken, keyOf(w)).toBe(false);
    });

    it.each(overlays)("%s: each agent's configuration loads with the agent's own schema, and it runs alone", async (overlay) => {
      const objects = rendered[overlay];
      const dir = await mkdtemp(path.join(tmpdir(), 'yunwang-k8s-agents-'));
      try {
        for (const kind of ['cloud', 'network'] as const) {
          // network-agent is a StatefulSet (its spool on a PersistentVolume): at most one pod either way.
          const deployment = find(objects, kind === 'network' ? 'StatefulSet' : 'Deployment', `yunwang-${kind}-agent`);
          const pod = podSpecOf(deployment);
          const container = pod?.containers[0];
          expect(container?.image).toBe(`yunwang-${kind}-agent:${version}`);
          expect(deployment.spec.replicas).toBe(1);
          if (kind === 'cloud') expect(deployment.spec.strategy.type).toBe('Recreate');
          // The --config file is a key of the ConfigMap mounted at its folder.
          const configPath = container?.args?.[container.args.indexOf('--config') + 1] as string;
          const mount = container?.volumeMounts.find((m: { mountPath: string }) => m.mountPath === path.dirname(configPath));
          const volume = pod?.volumes?.find((v) => v.name === mount?.name);
          const configMap = find(objects, 'ConfigMap', volume?.configMap?.name);
          const text = configMap.data?.[path.basename(configPath)];
          if (!text) throw new Error(`${keyOf(configMap)} has no ${path.basename(configPath)}`);
          const file = path.join(dir, `${kind}.yaml`);
          await writeFile(file, text);
          const config = loadAgentConfig(kind, file, {});
          // The token file and the spool are where the pod mounts them.
          const mounts = (container?.volumeMounts ?? []) as { name: string; mountPath: string }[];
          const tokenMount = mounts.find((m) => config.token_file?.startsWith(`${m.mountPath}/`));
          const tokenVolume = pod?.volumes?.find((v) => v.name === tokenMount?.name);
          expect(tokenVolume?.secret?.items).toContainEqual({ key: 'token', path: path.basename(config.token_file as string) });
          const spoolMount = mounts.find((m) => config.spool_dir.startsWith(m.mountPath));
          const spoolVolume =
            pod?.volumes?.find((v) => v.name === spoolMount?.name)?.emptyDir ??
            deployment.spec.volumeClaimTemplates?.find((t: KubeObject) => t.metadata.name === spoolMount?.name);
          expect(spoolVolume, 'the spool is writable').toBeDefined();
          expect(container?.ports).toContainEqual(expect.objectContaining({ name: 'metrics', containerPort: config.metrics_port }));
          expect(new URL(config.api_url).hostname).toBe('yunwang-api');
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('dev: a CloudNativePG Cluster of one instance; the API reads the yunwang-database-runtime secret and loads the demo', () => {
      const objects = rendered.dev;
      expect(objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name)).toEqual(['yunwang-network-agent']);
      const cluster = find(objects, 'Cluster', 'yunwang-db');
      expect(cluster.spec.instances).toBe(1);
      const api = find(objects, 'Deployment', 'yunwang-api');
      expect(envOf(api, 'api').find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
        name: 'yunwang-database-runtime',
        key: 'uri',
      });
      expect(envOf(api, 'api')).toContainEqual({ name: 'YUNWANG_DEMO', value: '1' });
    });

    it("prod: a CloudNativePG Cluster of 3 instances; the API and the Job read its generated app secret's uri", () => {
      const objects = rendered.prod;
      // No PostgreSQL StatefulSet of ours: the operator runs the instances.
      expect(objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name)).toEqual(['yunwang-network-agent']);
      const cluster = find(objects, 'Cluster', 'yunwang-db');
      expect(cluster.apiVersion).toBe('postgresql.cnpg.io/v1');
      expect(cluster.spec.instances).toBe(3);
      const owner = cluster.spec.bootstrap.initdb.owner;
      expect(owner).toBe('yunwang');
      const appSecret = { name: `${cluster.metadata.name}-app`, key: 'uri' };
      const migrate = envOf(find(objects, 'Job', migrateJobName()), 'migrate');
      for (const variable of ['DATABASE_URL', 'YUNWANG_MIGRATION_DATABASE_URL']) {
        expect(migrate.find((e) => e.name === variable)?.valueFrom?.secretKeyRef).toEqual(appSecret);
      }
      expect(
        envOf(find(objects, 'Deployment', 'yunwang-api'), 'api').find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef,
      ).toEqual({ name: 'yunwang-database-runtime', key: 'uri' });
      expect(envOf(find(objects, 'Deployment', 'yunwang-api'), 'api')).toContainEqual({ name: 'YUNWANG_DEMO', value: '0' });
      // The pools of the largest scale-out fit in the cluster's connections.
      const hpa = find(objects, 'HorizontalPodAutoscaler', 'yunwang-api');
      const pool = Number(envOf(find(objects, 'Deployment', 'yunwang-api'), 'api').find((e) => e.name === 'DATABASE_POOL_SIZE')?.value);
      expect(hpa.spec.maxReplicas * pool).toBeLessThan(Number(cluster.spec.postgresql.parameters.max_connections));
      const monitor = find(objects, 'PodMonitor', 'yunwang-db');
      expect(monitor.spec.selector.matchLabels).toEqual({ 'cnpg.io/cluster': cluster.metadata.name });
    });

    it.each(overlays)("%s: the API runs as the runtime role and never gets the owner's secret; only the migration Job does", (overlay) => {
      const objects = rendered[overlay];
      const owners = ['yunwang-db-app'];
      const secretsOf = (object: KubeObject) =>
        (podSpecOf(object)?.containers ?? []).flatMap((c) => (c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name)).filter(Boolean);
      const api = find(objects, 'Deployment', 'yunwang-api');
      for (const owner of owners) expect(secretsOf(api)).not.toContain(owner);
      expect(envOf(api, 'api').map((e) => e.name)).not.toContain('YUNWANG_MIGRATION_DATABASE_URL');
      const migrate = find(objects, 'Job', migrateJobName());
      for (const variable of ['DATABASE_URL', 'YUNWANG_MIGRATION_DATABASE_URL']) {
        expect(owners).toContain(envOf(migrate, 'migrate').find((e) => e.name === variable)?.valueFrom?.secretKeyRef?.name);
      }
      // Nothing else that serves requests holds the owner's credentials either.
      for (const workload of workloads(objects).filter((o) => o.kind === 'Deployment')) {
        for (const owner of owners) expect(secretsOf(workload), workload.metadata.name).not.toContain(owner);
      }
      // Both overlays: the CNPG Cluster's managed roles.
      const roles = find(objects, 'Cluster', 'yunwang-db').spec.managed.roles as { name: string; [k: string]: unknown }[];
      expect(roles.find((r) => r.name === 'yunwang_runtime')).toMatchObject({ ensure: 'present', login: false });
      expect(roles.find((r) => r.name === 'yunwang_app')).toMatchObject({
        ensure: 'present',
        login: true,
        inRoles: ['yunwang_runtime'],
        passwordSecret: { name: 'yunwang-database-runtime' },
      });
    });

    it.each(overlays)(
      '%s: /metrics needs the bearer token of a Secret, which the ServiceMonitor sends; a NetworkPolicy fences the API',
      (overlay) => {
        const objects = rendered[overlay];
        const api = find(objects, 'Deployment', 'yunwang-api');
        const tokenRef = { name: 'yunwang-metrics', key: 'token' };
        expect(envOf(api, 'api').find((e) => e.name === 'YUNWANG_METRICS_TOKEN')?.valueFrom?.secretKeyRef).toEqual(tokenRef);
        const [endpoint] = find(objects, 'ServiceMonitor', 'yunwang-api').spec.endpoints;
        expect(endpoint.authorization).toEqual({ type: 'Bearer', credentials: tokenRef });
        const policy = find(objects, 'NetworkPolicy', 'yunwang-api');
        expect(matches(policy.spec.podSelector.matchLabels, api.spec.template.metadata.labels)).toBe(true);
        expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
        // Every source is named: no rule without `from` (which would admit everyone).
        for (const rule of policy.spec.ingress) expect(rule.from?.length).toBeGreaterThan(0);
      },
    );

    it.each(overlays)('%s: the API and the migration Job key the audit chain with the same Secret', (overlay) => {
      const keyRef = { name: 'yunwang-audit-key', key: 'key' };
      for (const [kind, name, container] of [
        ['Deployment', 'yunwang-api', 'api'],
        ['Job', migrateJobName(), 'migrate'],
      ] as const) {
        expect(
          envOf(find(rendered[overlay], kind, name), container).find((e) => e.name === 'YUNWANG_AUDIT_KEY')?.valueFrom?.secretKeyRef,
        ).toEqual(keyRef);
      }
    });

    it.each(overlays)('%s: the alerts are the PrometheusRule of k8s/base, unchanged', async (overlay) => {
      const rule = find(rendered[overlay], 'PrometheusRule', 'yunwang');
      const source = parse(await readFile(path.join(repoRoot, 'k8s/base/monitoring/prometheusrule.yaml'), 'utf8'));
      expect(rule.spec).toEqual(source.spec);
    });

    it.each(overlays)(
      '%s: Alertmanager posts to the API’s webhook receiver in this namespace, with the alertmanager token from a documented Secret',
      async (overlay) => {
        const objects = rendered[overlay];
        const config = find(objects, 'AlertmanagerConfig', 'yunwang');
        expect(config.spec.route).toMatchObject({ receiver: 'yunwang', groupBy: ['alertname'] });
        const [receiver] = config.spec.receivers;
        expect(receiver.name).toBe('yunwang');
        const [webhook] = receiver.webhookConfigs;
        // The Service's own name, namespace and port: Alertmanager lives in another namespace.
        const service = find(objects, 'Service', 'yunwang-api');
        const port = service.spec.ports.find((p: { name: string }) => p.name === 'http').port as number;
        const url = new URL(webhook.url);
        expect(url.hostname).toBe(`yunwang-api.${namespaces[overlay]}.svc`);
        expect(Number(url.port || 80)).toBe(port);
        expect(url.pathname).toBe('/api/v1/alerts/alertmanager');
        expect(webhook.sendResolved).toBe(true);
        const credentials = webhook.httpConfig.authorization.credentials;
        expect(webhook.httpConfig.authorization.type).toBe('Bearer');
        expect(credentials).toEqual({ name: 'yunwang-alertmanager-token', key: 'token' });
        expect(JSON.stringify(config)).not.toMatch(/ywa_/);
        const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
        const section = readme.slice(readme.indexOf('## Deploy on Kubernetes'), readme.indexOf('## Configuration'));
        expect(section).toContain(`create secret generic ${credentials.name} `);
        expect(section).toContain('--kind alertmanager');
      },
    );

    it('dev: the demo dataset without the simulated demo agents (the real agents run in the cluster)', () => {
      expect(envOf(find(rendered.dev, 'Deployment', 'yunwang-api'), 'api')).toContainEqual({ name: 'YUNWANG_DEMO_LIVE', value: '0' });
    });

    const dashboardsDir = path.join(repoRoot, 'dashboards/json');
    it.skipIf(!existsSync(dashboardsDir))(
      'every dashboard in dashboards/json has an identical ConfigMap labelled grafana_dashboard=1 (skipped while dashboards/json does not exist)',
      async () => {
        const files = (await readdir(dashboardsDir)).filter((f) => f.endsWith('.json'));
        for (const overlay of overlays) {
          for (const file of files) {
            const configMap = rendered[overlay].find((o) => o.kind === 'ConfigMap' && o.metadata.name === dashboardConfigMapName(file));
            expect(configMap, `${file}: run npm run k8s:dashboards`).toBeDefined();
            expect(configMap?.metadata.labels?.grafana_dashboard).toBe('1');
            expect(configMap?.data?.[file], `${file}: its ConfigMap is out of date; run npm run k8s:dashboards`).toBe(
              await readFile(path.join(dashboardsDir, file), 'utf8'),
            );
          }
        }
      },
    );

    describe('dashboards as ConfigMaps (npm run k8s:dashboards)', () => {
      let work: string;
      beforeAll(async () => {
        work = await mkdtemp(path.join(tmpdir(), 'yunwang-k8s-dashboards-'));
      });
      afterAll(async () => {
        await rm(work, { recursive: true, force: true });
      });

      it('turns each dashboard JSON into a ConfigMap labelled for the Grafana sidecar, and drops removed ones', async () => {
        // A copy of k8s/, so the real tree is not touched.
        await cp(path.join(repoRoot, 'k8s'), path.join(work, 'k8s'), { recursive: true });
        const source = path.join(work, 'dashboards/json');
        await mkdir(source, { recursive: true });
        const overview = `${JSON.stringify({ title: '云网 总览', panels: [{ type: 'stat', title: '上云率' }] }, null, 2)}\n`;
        await writeFile(path.join(source, 'Overview.json'), overview);
        await writeFile(path.join(source, 'network_nodes.json'), '{"title":"网络节点"}');
        const target = path.join(work, 'k8s/base/dashboards');
        expect(await syncDashboards(source, target)).toEqual(['Overview.json', 'network_nodes.json']);

        const objects = await kustomize(kubectl, path.join(work, 'k8s/overlays/prod'));
        const dashboards = objects.filter((o) => o.metadata.labels?.grafana_dashboard === '1');
        expect(dashboards.map((o) => o.metadata.name).sort()).toEqual(['yunwang-dashboard-network-nodes', 'yunwang-dashboard-overview']);
        expect(find(objects, 'ConfigMap', 'yunwang-dashboard-overview').data).toEqual({ 'Overview.json': overview });
        expect(validateObjects(dashboards)).toEqual([]);
        // Only the dashboards carry the label: the agents' ConfigMaps do not.
        expect(
          objects
            .filter((o) => o.kind === 'ConfigMap' && o.metadata.name.includes('agent-config'))
            .every((o) => !o.metadata.labels?.grafana_dashboard),
        ).toBe(true);

        await rm(path.join(source, 'network_nodes.json'));
        await syncDashboards(source, target);
        expect((await readdir(target)).sort()).toEqual(['Overview.json', 'kustomization.yaml']);
        const again = await kustomize(kubectl, path.join(work, 'k8s/overlays/dev'));
        expect(again.filter((o) => o.metadata.labels?.grafana_dashboard === '1').map((o) => o.metadata.name)).toEqual([
          'yunwang-dashboard-overview',
        ]);
      });

      it('refuses a broken dashboard file', async () => {
        const source = path.join(work, 'broken');
        await mkdir(source, { recursive: true });
        await writeFile(path.join(source, 'bad.json'), '{"title": ');
        await expect(syncDashboards(source, path.join(work, 'out'))).rejects.toThrow(SyntaxError);
      });
    });

    it('k8s/base/dashboards is what npm run k8s:dashboards writes from dashboards/json now', async () => {
      const work = await mkdtemp(path.join(tmpdir(), 'yunwang-k8s-dashboards-now-'));
      try {
        await syncDashboards(dashboardsDir, work);
        expect(await readFile(path.join(work, 'kustomization.yaml'), 'utf8')).toBe(
          await readFile(path.join(repoRoot, 'k8s/base/dashboards/kustomization.yaml'), 'utf8'),
        );
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  },
);

/** What kustomize v2.0.3 (kubectl 1.14–1.20, Debian's kubernetes-client) understands. */
const v203Fields = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'commonAnnotations',
  'bases',
  'resources',
  'patchesStrategicMerge',
  'patchesJson6902',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'images',
  'vars',
  'crds',
]);
const v203GeneratorFields = new Set(['name', 'namespace', 'behavior', 'files', 'literals', 'env']);

describe('kustomizations stay within kustomize v2.0.3', () => {
  it('uses no field newer kustomize added (patches, labels, replicas, components, generator options…)', async () => {
    const files = (await readdir(path.join(repoRoot, 'k8s'), { recursive: true })).filter((f) => path.basename(f) === 'kustomization.yaml');
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const k = parse(await readFile(path.join(repoRoot, 'k8s', file), 'utf8')) as Record<string, unknown>;
      expect(
        Object.keys(k).filter((f) => !v203Fields.has(f)),
        file,
      ).toEqual([]);
      for (const g of (k.configMapGenerator ?? []) as Record<string, unknown>[]) {
        expect(
          Object.keys(g).filter((f) => !v203GeneratorFields.has(f)),
          file,
        ).toEqual([]);
      }
      // v2.0.3 reads only files from `resources`; folders go in `bases`.
      for (const r of (k.resources ?? []) as string[]) expect(r, `${file}: ${r}`).toMatch(/\.ya?ml$/);
    }
  });
});

const amtool = '/usr/bin/amtool';
const noAmtool = requireProgram(amtool, 'apt-get install -y prometheus-alertmanager');

describe('the plain alertmanager.yml (Alertmanager without the operator)', () => {
  const file = path.join(repoRoot, 'k8s/base/monitoring/alertmanager.yml');

  it('routes every alert to the yunwang webhook with a bearer credentials file, never a token', async () => {
    const config = parse(await readFile(file, 'utf8'));
    expect(config.route).toMatchObject({ receiver: 'yunwang', group_by: ['alertname'] });
    const [webhook] = config.receivers.find((r: { name: string }) => r.name === 'yunwang').webhook_configs;
    expect(new URL(webhook.url).pathname).toBe('/api/v1/alerts/alertmanager');
    expect(webhook.http_config.authorization).toEqual({ type: 'Bearer', credentials_file: expect.stringMatching(/^\//) });
    expect(await readFile(file, 'utf8')).not.toMatch(/ywa_|credentials:/);
  });

  it.skipIf(noAmtool)(`passes amtool check-config${noAmtool ? ` — skipped: ${noAmtool}` : ''}`, () => {
    const run = spawnSync(amtool, ['check-config', file], { encoding: 'utf8' });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('SUCCESS');
  });
});
