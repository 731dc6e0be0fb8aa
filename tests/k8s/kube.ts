/**
 * Helpers for the deployment tests: find an outside program (skip without it, fail under CI),
 * render a kustomization with `kubectl kustomize`, and validate the rendered objects against
 * the Kubernetes and Prometheus Operator models — their JSON schemas at run time and their
 * TypeScript types, whose excess property checks catch the unknown or misspelt fields the
 * schemas let through (`readOnlyRootFileSystem`).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { AlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import ts from 'typescript';
import { describe, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type CnpgCluster, type CnpgScheduledBackup, cnpgClusterProblems, cnpgScheduledBackupProblems } from './cnpg.ts';

const execFileAsync = promisify(execFile);

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The first executable `name` on PATH, or null. */
export function findTool(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

/**
 * A describe block that needs `tool`: without it the block is skipped with a message naming
 * how to install it — except under CI=true, where its tests run and fail with that message.
 */
export function describeWithTool(tool: string, install: string, name: string, fn: (bin: string) => void): void {
  const bin = findTool(tool);
  if (bin) {
    describe(name, () => fn(bin));
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${tool}`, () => {
        throw new Error(`${tool} not found on PATH, and under CI=true ${name} must not be skipped (${install})`);
      });
    });
    return;
  }
  const message = `${tool} not found on PATH: ${name} is skipped (${install})`;
  console.warn(message);
  describe.skip(`${name} — ${message}`, () => fn(tool));
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are walked freely; the models validate their shape
  spec?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** `kubectl kustomize <dir>`, parsed into objects. */
export async function kustomize(kubectl: string, dir: string): Promise<KubeObject[]> {
  const { stdout } = await execFileAsync(kubectl, ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${dir} printed invalid YAML: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

export const keyOf = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;

interface ModelClass {
  new (data: never): { validate(): void };
}

/** Each kind the manifests may hold: its runtime model and the TypeScript type to check it against. */
const models: Record<string, { model?: ModelClass; type: { module: string; name: string }; problems?: (o: never) => string[] }> = {
  'apps/v1/Deployment': { model: Deployment, type: { module: 'kubernetes-models/apps/v1/Deployment', name: 'IDeployment' } },
  'apps/v1/StatefulSet': { model: StatefulSet, type: { module: 'kubernetes-models/apps/v1/StatefulSet', name: 'IStatefulSet' } },
  'batch/v1/Job': { model: Job, type: { module: 'kubernetes-models/batch/v1/Job', name: 'IJob' } },
  'v1/Service': { model: Service, type: { module: 'kubernetes-models/v1/Service', name: 'IService' } },
  'v1/ConfigMap': { model: ConfigMap, type: { module: 'kubernetes-models/v1/ConfigMap', name: 'IConfigMap' } },
  'v1/ServiceAccount': { model: ServiceAccount, type: { module: 'kubernetes-models/v1/ServiceAccount', name: 'IServiceAccount' } },
  'v1/PersistentVolumeClaim': {
    model: PersistentVolumeClaim,
    type: { module: 'kubernetes-models/v1/PersistentVolumeClaim', name: 'IPersistentVolumeClaim' },
  },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    type: { module: 'kubernetes-models/policy/v1/PodDisruptionBudget', name: 'IPodDisruptionBudget' },
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscaler,
    type: { module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', name: 'IHorizontalPodAutoscaler' },
  },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    model: ClusterRole,
    type: { module: 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole', name: 'IClusterRole' },
  },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    model: ClusterRoleBinding,
    type: { module: 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding', name: 'IClusterRoleBinding' },
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    model: NetworkPolicy,
    type: { module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy', name: 'INetworkPolicy' },
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    model: ServiceMonitor,
    type: { module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', name: 'IServiceMonitor' },
  },
  'monitoring.coreos.com/v1/PodMonitor': {
    model: PodMonitor,
    type: { module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor', name: 'IPodMonitor' },
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    model: PrometheusRule,
    type: { module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', name: 'IPrometheusRule' },
  },
  'monitoring.coreos.com/v1alpha1/AlertmanagerConfig': {
    model: AlertmanagerConfig,
    type: {
      module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig',
      name: 'IAlertmanagerConfig',
    },
  },
  // No models package exists for CloudNativePG: a hand-written subset of its CRD (cnpg.ts).
  'postgresql.cnpg.io/v1/Cluster': {
    type: { module: './cnpg.ts', name: 'CnpgCluster' },
    problems: (o: never) => cnpgClusterProblems(o as CnpgCluster),
  },
  'postgresql.cnpg.io/v1/ScheduledBackup': {
    type: { module: './cnpg.ts', name: 'CnpgScheduledBackup' },
    problems: (o: never) => cnpgScheduledBackupProblems(o as CnpgScheduledBackup),
  },
};

export const knownKinds = Object.keys(models);

/**
 * Every problem with the objects, as `Kind/name: message`: an unknown kind, a schema
 * violation (the models' validate()), or a type error such as an unknown field.
 */
export function validateObjects(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const typed: { object: KubeObject; type: { module: string; name: string } }[] = [];
  for (const object of objects) {
    const entry = models[`${object.apiVersion}/${object.kind}`];
    if (!entry) {
      problems.push(`${keyOf(object)}: ${object.apiVersion} ${object.kind} has no model here; add one to tests/k8s/kube.ts`);
      continue;
    }
    if (entry.model) {
      try {
        new entry.model(object as never).validate();
      } catch (error) {
        problems.push(`${keyOf(object)}: ${(error as Error).message}`);
      }
    }
    for (const p of entry.problems?.(object as never) ?? []) problems.push(`${keyOf(object)}: ${p}`);
    typed.push({ object, type: entry.type });
  }
  return [...problems, ...typeCheck(typed)];
}

/** Compiles `const oN: <Type> = <object literal>` for each object, in memory, and returns the errors. */
function typeCheck(items: { object: KubeObject; type: { module: string; name: string } }[]): string[] {
  const file = path.join(repoRoot, 'tests/k8s/__rendered_objects__.ts');
  const imports = new Map<string, string>();
  const lines: string[] = [];
  items.forEach(({ object, type }, i) => {
    const alias = `T${imports.size}`;
    if (!imports.has(`${type.module}#${type.name}`)) imports.set(`${type.module}#${type.name}`, alias);
    lines.push(
      `// ${keyOf(object)}\nexport const o${i}: ${imports.get(`${type.module}#${type.name}`)} = ${JSON.stringify(object, null, 1)};`,
    );
  });
  const header = [...imports].map(([key, alias]) => {
    const [module, name] = key.split('#');
    return `import type { ${name} as ${alias} } from '${module}';`;
  });
  const source = `${header.join('\n')}\n${lines.join('\n')}\n`;

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError) =>
    path.resolve(name) === file ? ts.createSourceFile(name, source, language, true) : getSourceFile(name, language, onError);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const sourceFile = program.getSourceFile(file);
  const sourceLines = source.split('\n');
  return ts.getPreEmitDiagnostics(program, sourceFile).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    // The comment line above each literal names the object.
    let owner = line;
    while (owner > 0 && !sourceLines[owner]?.startsWith('// ')) owner--;
    return `${sourceLines[owner]?.slice(3)}: ${message.split('\n').slice(0, 3).join(' ')} (at ${sourceLines[line]?.trim()})`;
  });
}

/** The containers and volumes of a workload's pod template (Deployment, StatefulSet, Job). */
export function podSpecOf(object: KubeObject) {
  return object.spec?.template?.spec as
    | {
        containers: {
          name: string;
          image: string;
          args?: string[];
          env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
          // biome-ignore lint/suspicious/noExplicitAny: walked by the tests, validated by the models
          [key: string]: any;
        }[];
        // biome-ignore lint/suspicious/noExplicitAny: as above
        volumes?: any[];
        // biome-ignore lint/suspicious/noExplicitAny: as above
        [key: string]: any;
      }
    | undefined;
}
