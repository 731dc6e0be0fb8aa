import { loadConfig } from '../config.ts';
import { buildInfo } from '../kernel/build-info.ts';

/** `yunwang 0.1.0 (revision 1a2b3c4, Node.js v24.1.0)`: package.json's version, and the revision when known. */
export function versionText(): string {
  const { version, revision, nodeVersion } = buildInfo(loadConfig().YUNWANG_REVISION);
  return `yunwang ${version} (${revision === 'unknown' ? '' : `revision ${revision}, `}Node.js v${nodeVersion})`;
}
