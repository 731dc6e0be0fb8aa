/**
 * The recommended labels (app.kubernetes.io/*) every object of k8s/ carries, and the two that
 * selectors may use. Selectors are immutable on a Deployment or StatefulSet, so they hold only
 * what never changes for a component (name, component); part-of, instance, version and
 * managed-by label the objects and their pods but stay out of every selector. The kustomizations
 * use no `commonLabels`, which in kustomize v2.0.3 (and later) also writes into selectors.
 */
import { readFileSync } from 'node:fs';

/** yunwang's release: the images' tag, the migration Job's name and the version label. */
export const yunwangVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export const partOf = 'yunwang';
export const instance = 'yunwang';
export const managedBy = 'kustomize';

/** The only label keys a selector of ours may use. */
export const selectorKeys = ['app.kubernetes.io/name', 'app.kubernetes.io/component'] as const;

/** The six recommended labels of one component. */
export function recommendedLabels(name: string, component: string, version = yunwangVersion): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': instance,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': partOf,
    'app.kubernetes.io/version': version,
    'app.kubernetes.io/managed-by': managedBy,
  };
}

/** The migration Job of a release: a new name per version, so an upgrade runs a new Job. */
export const migrateJobName = (version = yunwangVersion) => `yunwang-migrate-${version.replaceAll('.', '-')}`;
