/**
 * The operations properties of k8s/ (issue 19, item 9), asserted on what `kubectl kustomize`
 * renders for each overlay and for the restore: the recommended labels on every object and
 * selectors that only name and component, a migration Job per release that never deletes
 * itself, the network agent's spool on a PersistentVolume, CloudNativePG backups and a restore
 * that reads where production writes, images pinned, and NetworkPolicies that deny by default
 * and let each component reach only what it needs (evaluated connection by connection, netpol.ts).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAgentConfig } from '../../agents/client/config.ts';
import { migrateJobName, recommendedLabels, selectorKeys, yunwangVersion } from '../../k8s/labels.ts';
import { describeWithTool, type KubeObject, keyOf, kustomize, podSpecOf, repoRoot, validateObjects } from './kube.ts';
import { allows, type Endpoint, inCidr, ingressAllows, type Pod, podOf } from './netpol.ts';

const targets = { dev: 'k8s/overlays/dev', prod: 'k8s/overlays/prod', restore: 'k8s/restore' } as const;
type Target = keyof typeof targets;
const namespaces: Record<Target, string> = { dev: 'yunwang-dev', prod: 'yunwang', restore: 'yunwang' };
const names = Object.keys(targets) as Target[];

const find = (objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not rendered`);
  return found;
};
const workloads = (objects: KubeObject[]) => objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
/** Third-party servers label themselves with their upstream version (PostgreSQL, MinIO), not yunwang's. */
const upstreamComponents = new Set(['database', 'object-storage']);

/** Every selector an object holds, with where it is. */
function selectorsOf(o: KubeObject): { where: string; labels: Record<string, string>; keys: string[] }[] {
  const out: { where: string; labels: Record<string, string>; keys: string[] }[] = [];
  const add = (where: string, s: { matchLabels?: Record<string, string>; matchExpressions?: { key: string }[] } | undefined) => {
    if (!s) return;
    out.push({
      where,
      labels: s.matchLabels ?? {},
      keys: [...Object.keys(s.matchLabels ?? {}), ...(s.matchExpressions ?? []).map((e) => e.key)],
    });
  };
  if (o.kind === 'Service' && o.spec.selector)
    out.push({ where: 'spec.selector', labels: o.spec.selector, keys: Object.keys(o.spec.selector) });
  if (['Deployment', 'StatefulSet', 'PodDisruptionBudget', 'ServiceMonitor', 'PodMonitor'].includes(o.kind))
    add('spec.selector', o.spec.selector);
  if (o.kind === 'NetworkPolicy') {
    add('spec.podSelector', o.spec.podSelector);
    for (const [i, rule] of [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])].entries()) {
      for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
        add(`rule ${i} podSelector`, peer.podSelector);
        add(`rule ${i} namespaceSelector`, peer.namespaceSelector);
      }
    }
  }
  for (const [i, c] of (podSpecOf(o)?.topologySpreadConstraints ?? []).entries()) add(`topologySpreadConstraints[${i}]`, c.labelSelector);
  return out;
}

describeWithTool(
  'kubectl',
  'apt-get install -y kubernetes-client, or any kubectl ≥ 1.14',
  'k8s operations (kubectl kustomize)',
  (kubectl) => {
    const rendered = {} as Record<Target, KubeObject[]>;
    beforeAll(async () => {
      for (const name of names) rendered[name] = await kustomize(kubectl, path.join(repoRoot, targets[name]));
    }, 60_000);

    it('k8s/restore renders, and every object of it validates against its schema and type', () => {
      expect(rendered.restore.length).toBeGreaterThan(10);
      expect(validateObjects(rendered.restore)).toEqual([]);
    });

    describe('labels and selectors', () => {
      it('no kustomization uses commonLabels (kustomize writes them into selectors)', async () => {
        const files = (await readdir(path.join(repoRoot, 'k8s'), { recursive: true })).filter(
          (f) => path.basename(f) === 'kustomization.yaml',
        );
        for (const file of files) {
          const k = parse(await readFile(path.join(repoRoot, 'k8s', file), 'utf8')) as Record<string, unknown>;
          expect(Object.keys(k), file).not.toContain('commonLabels');
          expect(Object.keys(k), file).not.toContain('labels');
        }
      });

      it.each(names)('%s: every object and every pod template carries the six app.kubernetes.io labels', (target) => {
        for (const o of rendered[target]) {
          const labels = o.metadata.labels ?? {};
          const component = labels['app.kubernetes.io/component'] as string;
          const name = labels['app.kubernetes.io/name'] as string;
          const version = upstreamComponents.has(component) ? (labels['app.kubernetes.io/version'] as string) : yunwangVersion;
          expect(name, `${keyOf(o)} app.kubernetes.io/name`).toMatch(/^yunwang/);
          expect(component, `${keyOf(o)} app.kubernetes.io/component`).toMatch(/^[a-z-]+$/);
          expect(version, `${keyOf(o)} app.kubernetes.io/version`).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
          expect(labels, keyOf(o)).toMatchObject(recommendedLabels(name, component, version));
          const template = o.spec?.template?.metadata?.labels;
          if (template) expect(template, `${keyOf(o)} pod template`).toMatchObject(recommendedLabels(name, component, version));
          // A StatefulSet's claim templates are immutable: every label but the version.
          for (const claim of o.spec?.volumeClaimTemplates ?? []) {
            const { 'app.kubernetes.io/version': _, ...stable } = recommendedLabels(name, component, version);
            expect(claim.metadata.labels, `${keyOf(o)} claim ${claim.metadata.name}`).toEqual(stable);
          }
        }
      });

      it.each(names)("%s: third-party servers are labelled with their image's version", (target) => {
        for (const w of workloads(rendered[target])) {
          const labels = w.metadata.labels ?? {};
          if (!upstreamComponents.has(labels['app.kubernetes.io/component'] as string)) continue;
          const image = podSpecOf(w)?.containers[0]?.image as string;
          expect(image, keyOf(w)).toContain(`:${labels['app.kubernetes.io/version']}@sha256:`);
        }
        const cluster = find(rendered[target], 'Cluster', 'yunwang-db');
        expect(cluster.spec.imageName).toContain(`:${cluster.metadata.labels?.['app.kubernetes.io/version']}-`);
      });

      it.each(names)('%s: selectors use name and component only — never part-of, instance, version or managed-by', (target) => {
        const allowed = new Set<string>([...selectorKeys, 'cnpg.io/cluster', 'kubernetes.io/metadata.name', 'k8s-app']);
        let count = 0;
        for (const o of rendered[target]) {
          for (const s of selectorsOf(o)) {
            count++;
            expect(
              s.keys.filter((k) => !allowed.has(k)),
              `${keyOf(o)} ${s.where}`,
            ).toEqual([]);
          }
        }
        expect(count).toBeGreaterThan(20);
      });

      it.each(names)("%s: each workload's selector is exactly its name and component, and matches its pods", (target) => {
        for (const w of workloads(rendered[target]).filter((o) => o.kind !== 'Job')) {
          const labels = w.spec.template.metadata.labels as Record<string, string>;
          expect(w.spec.selector, keyOf(w)).toEqual({
            matchLabels: {
              'app.kubernetes.io/name': labels['app.kubernetes.io/name'],
              'app.kubernetes.io/component': labels['app.kubernetes.io/component'],
            },
          });
        }
      });
    });

    describe('the migration Job', () => {
      it.each(names)('%s: one Job per release (%s), never self-deleting, running the release image', (target) => {
        const jobs = rendered[target].filter((o) => o.kind === 'Job');
        for (const job of jobs) expect(job.spec.ttlSecondsAfterFinished, keyOf(job)).toBeUndefined();
        const migrate = jobs.filter((j) => j.metadata.labels?.['app.kubernetes.io/component'] === 'migrate');
        expect(migrate.map((j) => j.metadata.name)).toEqual([migrateJobName()]);
        expect(migrateJobName()).toBe(`yunwang-migrate-${yunwangVersion.replaceAll('.', '-')}`);
        const image = podSpecOf(migrate[0] as KubeObject)?.containers[0]?.image as string;
        expect(image.split('@')[0]).toBe(`yunwang:${yunwangVersion}`);
      });

      it('the name changes with the version, so an upgrade applies a new Job (a Job template is immutable)', () => {
        expect(migrateJobName('0.2.0')).not.toBe(migrateJobName('0.1.0'));
        expect(migrateJobName('1.10.3')).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      });
    });

    it.each(names)("%s: the network agent's spool is on a PersistentVolume that outlives the pod", async (target) => {
      const agent = find(rendered[target], 'StatefulSet', 'yunwang-network-agent');
      expect(agent.spec.replicas).toBe(1);
      expect(find(rendered[target], 'Service', agent.spec.serviceName).spec.clusterIP).toBe('None');
      const container = podSpecOf(agent)?.containers[0];
      const configMap = find(rendered[target], 'ConfigMap', podSpecOf(agent)?.volumes?.find((v) => v.name === 'config')?.configMap?.name);
      const file = path.join(tmpdir(), `yunwang-network-agent-${process.pid}.yaml`);
      await writeFile(file, configMap.data?.['network-agent.yaml'] as string);
      const config = loadAgentConfig('network', file, {});
      const mount = ((container?.volumeMounts ?? []) as { name: string; mountPath: string }[]).find((m) =>
        config.spool_dir.startsWith(`${m.mountPath}/`),
      );
      const claim = (agent.spec.volumeClaimTemplates as KubeObject[]).find((c) => c.metadata.name === mount?.name);
      expect(claim, 'the spool mount is a volumeClaimTemplate').toBeDefined();
      expect(podSpecOf(agent)?.volumes?.map((v) => v.name)).not.toContain(mount?.name);
      expect(claim?.spec.accessModes).toEqual(['ReadWriteOnce']);
      const gib =
        Number.parseFloat(claim?.spec.resources.requests.storage) *
        (/Gi$/.test(claim?.spec.resources.requests.storage) ? 1024 ** 3 : 1024 ** 2);
      expect(gib).toBeGreaterThan(config.spool_max_bytes);
      // The cloud agent keeps its emptyDir: what it sends is a fresh snapshot of the cluster each round.
      expect(find(rendered[target], 'Deployment', 'yunwang-cloud-agent').kind).toBe('Deployment');
    });

    describe('backups and restore (CloudNativePG, Barman Cloud)', () => {
      it.each(['dev', 'prod'] as const)(
        '%s: the Cluster archives WAL and base backups to object storage, daily, with retention',
        (target) => {
          const objects = rendered[target];
          const cluster = find(objects, 'Cluster', 'yunwang-db');
          const store = cluster.spec.backup.barmanObjectStore;
          expect(store.destinationPath).toMatch(/^s3:\/\/[a-z0-9.-]+\//);
          expect(store.endpointURL).toMatch(/^https?:\/\//);
          expect(store.serverName).toBe('yunwang-db');
          expect(store.s3Credentials).toEqual({
            accessKeyId: { name: 'yunwang-backup-s3', key: 'ACCESS_KEY_ID' },
            secretAccessKey: { name: 'yunwang-backup-s3', key: 'ACCESS_SECRET_KEY' },
          });
          expect(store.wal.compression).toBe('gzip');
          expect(store.data.compression).toBe('gzip');
          expect(cluster.spec.backup.retentionPolicy).toMatch(/^[1-9][0-9]*d$/);
          // The built-in barman-cloud needs an image that carries it.
          expect(cluster.spec.imageName).toMatch(/-system-/);
          const scheduled = objects.filter((o) => o.kind === 'ScheduledBackup');
          expect(scheduled).toHaveLength(1);
          const [backup] = scheduled as [KubeObject];
          expect(backup.spec.cluster).toEqual({ name: 'yunwang-db' });
          expect(backup.spec.method).toBe('barmanObjectStore');
          // Daily: seconds, minutes and hours fixed, every day of every month, every weekday.
          expect(backup.spec.schedule.split(' ').slice(3)).toEqual(['*', '*', '*']);
          expect(
            backup.spec.schedule
              .split(' ')
              .slice(0, 3)
              .every((f: string) => /^\d+$/.test(f)),
          ).toBe(true);
          expect(backup.spec.immediate).toBe(true);
        },
      );

      it('prod keeps backups longer than dev; dev points at the MinIO of its own namespace, whose bucket a Job creates', () => {
        const days = (t: Target) => Number.parseInt(find(rendered[t], 'Cluster', 'yunwang-db').spec.backup.retentionPolicy, 10);
        expect(days('prod')).toBeGreaterThanOrEqual(30);
        expect(days('dev')).toBeLessThan(days('prod'));
        const store = find(rendered.dev, 'Cluster', 'yunwang-db').spec.backup.barmanObjectStore;
        const minio = find(rendered.dev, 'Service', 'yunwang-minio');
        const url = new URL(store.endpointURL);
        expect(url.hostname).toBe(minio.metadata.name);
        expect(minio.spec.ports.map((p: { port: number }) => p.port)).toContain(Number(url.port));
        const deployment = find(rendered.dev, 'Deployment', 'yunwang-minio');
        expect(minio.spec.selector).toEqual(deployment.spec.selector.matchLabels);
        const env = podSpecOf(deployment)?.containers[0]?.env ?? [];
        // MinIO's root credentials are the ones the Cluster writes with.
        expect(env.find((e) => e.name === 'MINIO_ROOT_USER')?.valueFrom?.secretKeyRef).toEqual(store.s3Credentials.accessKeyId);
        expect(env.find((e) => e.name === 'MINIO_ROOT_PASSWORD')?.valueFrom?.secretKeyRef).toEqual(store.s3Credentials.secretAccessKey);
        const bucketJob = find(rendered.dev, 'Job', 'yunwang-minio-bucket');
        const args = podSpecOf(bucketJob)?.containers[0]?.args ?? [];
        const bucket = new URL(store.destinationPath.replace(/^s3:/, 'http:')).hostname;
        expect(args.at(-1)).toBe(`minio/${bucket}`);
        expect(args).toContain('--ignore-existing');
        expect(rendered.prod.filter((o) => o.metadata.name.includes('minio'))).toEqual([]);
      });

      it('k8s/restore is prod with the Cluster bootstrapped from the backups prod writes, archiving under a new serverName', () => {
        const restored = find(rendered.restore, 'Cluster', 'yunwang-db');
        const prod = find(rendered.prod, 'Cluster', 'yunwang-db');
        expect(restored.metadata.namespace).toBe(prod.metadata.namespace);
        expect(Object.keys(restored.spec.bootstrap)).toEqual(['recovery']);
        const { recovery } = restored.spec.bootstrap;
        expect(recovery).toMatchObject({ database: prod.spec.bootstrap.initdb.database, owner: prod.spec.bootstrap.initdb.owner });
        const source = restored.spec.externalClusters.find((c: { name: string }) => c.name === recovery.source);
        const written = prod.spec.backup.barmanObjectStore;
        expect(source.barmanObjectStore).toMatchObject({
          destinationPath: written.destinationPath,
          endpointURL: written.endpointURL,
          serverName: written.serverName,
          s3Credentials: written.s3Credentials,
        });
        expect(source.barmanObjectStore.wal.compression).toBe(written.wal.compression);
        // CNPG will not archive into a folder holding another history.
        expect(restored.spec.backup.barmanObjectStore.serverName).not.toBe(written.serverName);
        expect({ ...restored.spec.backup.barmanObjectStore, serverName: written.serverName }).toEqual(written);
        // Everything else is prod's, unchanged.
        const { bootstrap: _b, externalClusters: _e, backup: _k, ...rest } = restored.spec;
        const { bootstrap: _pb, backup: _pk, ...prodRest } = prod.spec;
        expect(rest).toEqual(prodRest);
        const others = (objects: KubeObject[]) => objects.filter((o) => o.kind !== 'Cluster').map((o) => JSON.stringify(o));
        expect(others(rendered.restore)).toEqual(others(rendered.prod));
      });

      it('the validation catches a broken backup or restore', () => {
        const cluster = structuredClone(find(rendered.restore, 'Cluster', 'yunwang-db'));
        cluster.spec.bootstrap.recovery.source = 'elsewhere';
        cluster.spec.backup.retentionPolicy = '30 days';
        cluster.spec.backup.barmanObjectStore.destinationPath = 'yunwang-backups';
        cluster.spec.backup.barmanObjectStore.wal.compresion = 'gzip';
        const backup = structuredClone(find(rendered.prod, 'ScheduledBackup', 'yunwang-db-daily'));
        backup.spec.schedule = '0 2 * * *';
        const problems = validateObjects([cluster, backup]).join('\n');
        expect(problems).toMatch(/recovery.source elsewhere names no externalClusters/);
        expect(problems).toMatch(/retentionPolicy 30 days/);
        expect(problems).toMatch(/destinationPath yunwang-backups/);
        expect(problems).toMatch(/compresion/);
        expect(problems).toMatch(/ScheduledBackup\/yunwang-db-daily: spec.schedule "0 2 \* \* \*" is not six cron fields/);
      });
    });

    describe('images', () => {
      const digest = /@sha256:[0-9a-f]{64}$/;
      const imagesOf = (objects: KubeObject[]) => [
        ...workloads(objects).flatMap((w) => (podSpecOf(w)?.containers ?? []).map((c) => ({ where: keyOf(w), image: c.image as string }))),
        ...objects.filter((o) => o.kind === 'Cluster').map((o) => ({ where: keyOf(o), image: o.spec.imageName as string })),
      ];

      it.each(['prod', 'restore'] as const)(
        "%s: every third-party image by digest; yunwang's own at the release, by digest once pushed",
        (target) => {
          const images = imagesOf(rendered[target]);
          expect(images.length).toBeGreaterThan(4);
          for (const { where, image } of images) {
            const own = /^yunwang(-cloud-agent|-network-agent)?[:@]/.test(image);
            if (own)
              expect(image, where).toMatch(
                new RegExp(`^yunwang(-cloud-agent|-network-agent)?(:${yunwangVersion.replaceAll('.', '\\.')})?(@sha256:[0-9a-f]{64})?$`),
              );
            else expect(image, where).toMatch(digest);
            expect(image, where).not.toMatch(/:latest\b/);
          }
        },
      );

      it('dev: the third-party images are pinned by digest as well', () => {
        for (const { where, image } of imagesOf(rendered.dev)) if (!image.startsWith('yunwang')) expect(image, where).toMatch(digest);
      });

      it("the Dockerfiles' Node image is pinned by digest too", async () => {
        for (const file of ['Dockerfile', 'agents/Dockerfile.cloud', 'agents/Dockerfile.network', 'agents/Dockerfile.exchange']) {
          expect(await readFile(path.join(repoRoot, file), 'utf8')).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim@sha256:[0-9a-f]{64}$/m);
        }
      });
    });

    describe('network policies', () => {
      const outside = {
        ingress: { kind: 'pod', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        prometheus: { kind: 'pod', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } },
        alertmanager: { kind: 'pod', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'alertmanager' } },
        grafana: { kind: 'pod', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } },
        tenant: { kind: 'pod', namespace: 'tenant-a', labels: { app: 'web' } },
        dns: { kind: 'pod', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
        operator: { kind: 'pod', namespace: 'cnpg-system', labels: { 'app.kubernetes.io/name': 'cloudnative-pg' } },
        internet: { kind: 'external', ip: '203.0.113.10' },
      } satisfies Record<string, Endpoint>;

      for (const target of names) {
        describe(target, () => {
          let policies: KubeObject[];
          let pods: Record<string, Pod>;
          beforeAll(() => {
            const objects = rendered[target];
            const ns = namespaces[target];
            policies = objects.filter((o) => o.kind === 'NetworkPolicy');
            pods = {};
            for (const w of workloads(objects))
              pods[w.metadata.labels?.['app.kubernetes.io/component'] === 'migrate' ? 'migrate' : w.metadata.name] = podOf(w, ns);
            // What CloudNativePG runs for the Cluster (its instances carry cnpg.io/cluster).
            pods.db = {
              kind: 'pod',
              namespace: ns,
              labels: { 'cnpg.io/cluster': 'yunwang-db', 'cnpg.io/podRole': 'instance' },
              ports: { postgresql: 5432, metrics: 9187, status: 8000 },
            };
            pods.stray = { kind: 'pod', namespace: ns, labels: { app: 'debug' }, ports: { http: 8080 } };
          });
          const api = () => pods['yunwang-api'] as Pod;
          const agents = () => [pods['yunwang-cloud-agent'], pods['yunwang-network-agent']] as Pod[];

          it('deny by default: a pod no component policy names neither receives nor sends (DNS aside)', () => {
            expect(allows(policies, outside.tenant, pods.stray as Pod, 8080)).toBe(false);
            expect(allows(policies, api(), pods.stray as Pod, 8080)).toBe(false);
            expect(allows(policies, pods.stray as Pod, outside.internet, 443)).toBe(false);
            expect(allows(policies, pods.stray as Pod, api(), 8080)).toBe(false);
            expect(allows(policies, pods.stray as Pod, outside.dns, 53, 'UDP')).toBe(true);
            // And every component of ours has a policy of its own.
            for (const [name, pod] of Object.entries(pods).filter(([n]) => n !== 'stray')) {
              const own = policies.filter((p) => Object.keys(p.spec.podSelector).length > 0 && selectsPod(p, pod));
              expect(own.length, `${name} has a NetworkPolicy of its own`).toBeGreaterThan(0);
            }
          });

          it('the API is reached by the ingress controller, Prometheus, Alertmanager and the agents only', () => {
            for (const source of [outside.ingress, outside.prometheus, outside.alertmanager, ...agents()])
              expect(allows(policies, source, api(), 8080), JSON.stringify(source.labels)).toBe(true);
            for (const source of [outside.grafana, outside.tenant, outside.operator, pods.db, pods.stray, pods.migrate] as Pod[])
              expect(ingressAllows(policies, source, api(), 8080), JSON.stringify(source.labels)).toBe(false);
            // No other pod of the namespace, whatever its own egress says.
            for (const [name, pod] of Object.entries(pods).filter(([n]) => !['yunwang-cloud-agent', 'yunwang-network-agent'].includes(n)))
              expect(ingressAllows(policies, pod, api(), 8080), name).toBe(false);
          });

          it('the API sends to PostgreSQL, DNS and the notification channels (HTTPS, SMTP) only', () => {
            expect(allows(policies, api(), pods.db as Pod, 5432)).toBe(true);
            expect(allows(policies, api(), outside.dns, 53, 'UDP')).toBe(true);
            for (const port of [443, 25, 465, 587]) expect(allows(policies, api(), outside.internet, port), `port ${port}`).toBe(true);
            expect(allows(policies, api(), outside.internet, 5432)).toBe(false);
            for (const pod of [...agents(), outside.tenant, outside.prometheus] as Pod[])
              expect(allows(policies, api(), pod, 9464)).toBe(false);
          });

          it('PostgreSQL is reached by the API and the migration Job only, among the pods of yunwang and of other tenants', () => {
            expect(allows(policies, api(), pods.db as Pod, 5432)).toBe(true);
            expect(allows(policies, pods.migrate as Pod, pods.db as Pod, 5432)).toBe(true);
            const others = Object.entries(pods).filter(([n]) => !['yunwang-api', 'migrate', 'db'].includes(n));
            // Refused by the database's own ingress, not only by the sources' egress.
            for (const [name, pod] of others) expect(ingressAllows(policies, pod, pods.db as Pod, 5432), name).toBe(false);
            for (const source of [outside.tenant, outside.ingress, outside.prometheus])
              expect(allows(policies, source, pods.db as Pod, 5432)).toBe(false);
            // What CNPG itself needs: replication, the operator, the exporter.
            expect(allows(policies, pods.db as Pod, pods.db as Pod, 5432)).toBe(true);
            expect(allows(policies, outside.operator, pods.db as Pod, 8000)).toBe(true);
            expect(allows(policies, outside.prometheus, pods.db as Pod, 9187)).toBe(true);
            // The migration Job reaches nothing else.
            expect(allows(policies, pods.migrate as Pod, api(), 8080)).toBe(false);
            expect(allows(policies, pods.migrate as Pod, outside.internet, 443)).toBe(false);
          });

          it('the agents send to the API (and DNS), not to the database or any other pod; Prometheus scrapes them', () => {
            for (const agent of agents()) {
              expect(allows(policies, agent, api(), 8080)).toBe(true);
              expect(allows(policies, agent, outside.dns, 53, 'UDP')).toBe(true);
              for (const [name, pod] of Object.entries(pods).filter(([n]) => n !== 'yunwang-api'))
                for (const port of Object.values(pod.ports ?? {}))
                  expect(allows(policies, agent, pod, port), `${name}:${port}`).toBe(false);
              for (const pod of [outside.tenant, outside.prometheus, outside.ingress])
                expect(allows(policies, agent, pod, 8080)).toBe(false);
              expect(allows(policies, outside.prometheus, agent, 9464)).toBe(true);
              expect(allows(policies, outside.tenant, agent, 9464)).toBe(false);
            }
          });

          it("the network agent reaches every node its configuration probes (and no other address); the cloud agent the API server's ports", async () => {
            const agent = find(rendered[target], 'StatefulSet', 'yunwang-network-agent');
            const configMap = find(
              rendered[target],
              'ConfigMap',
              podSpecOf(agent)?.volumes?.find((v) => v.name === 'config')?.configMap?.name,
            );
            const nodes = (parse(configMap.data?.['network-agent.yaml'] as string) as { nodes: { address: string; method: string }[] })
              .nodes;
            expect(nodes.length).toBeGreaterThan(0);
            const network = pods['yunwang-network-agent'] as Pod;
            for (const node of nodes) {
              const url = node.method === 'tcp' ? new URL(`tcp://${node.address}`) : new URL(node.address);
              const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
              expect(url.hostname, 'probe targets are IP addresses, so a NetworkPolicy can name them').toMatch(/^\d+\.\d+\.\d+\.\d+$/);
              expect(allows(policies, network, { kind: 'external', ip: url.hostname }, port), node.address).toBe(true);
            }
            expect(allows(policies, network, outside.internet, 443)).toBe(false);
            expect(inCidr('10.45.0.1', '10.45.0.0/16')).toBe(true);
            expect(allows(policies, pods['yunwang-cloud-agent'] as Pod, outside.internet, 6443)).toBe(true);
            expect(allows(policies, pods['yunwang-cloud-agent'] as Pod, outside.internet, 5432)).toBe(false);
          });

          if (target === 'dev') {
            it('dev: MinIO is reached by the PostgreSQL instances and its bucket Job only', () => {
              const minio = pods['yunwang-minio'] as Pod;
              expect(allows(policies, pods.db as Pod, minio, 9000)).toBe(true);
              expect(allows(policies, pods['yunwang-minio-bucket'] as Pod, minio, 9000)).toBe(true);
              for (const source of [api(), ...agents(), pods.migrate as Pod, outside.tenant])
                expect(allows(policies, source, minio, 9000)).toBe(false);
            });
          }
        });
      }
    });
  },
);

function selectsPod(policy: KubeObject, pod: Pod): boolean {
  const selector = policy.spec.podSelector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  return (
    policy.metadata.namespace === pod.namespace &&
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => pod.labels[k] === v) &&
    (selector.matchExpressions ?? []).every((e) => e.operator !== 'In' || (e.values ?? []).includes(pod.labels[e.key] as string))
  );
}
