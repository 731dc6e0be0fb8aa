/**
 * swagger-ui-dist depends on @scarf/scarf, whose postinstall reports the install to scarf.sh
 * unless the root package opts out. package.json's `scarfSettings.enabled: false` is the opt-out
 * the installed scarf reads (report.js: `rootPackage.scarfSettings.enabled === false`); an .npmrc
 * cannot do it (scarf reads SCARF_ANALYTICS from the environment, not npm's configuration).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scarfSettings?: { enabled?: boolean } };

describe('install-time analytics', () => {
  it('opts out of scarf in package.json', () => {
    expect(pkg.scarfSettings?.enabled).toBe(false);
  });

  it('is the opt-out the installed @scarf/scarf (via swagger-ui-dist) honours', () => {
    const require = createRequire(createRequire(new URL('package.json', root)).resolve('swagger-ui-dist/package.json'));
    const report = readFileSync(require.resolve('@scarf/scarf/report.js'), 'utf8');
    expect(report).toMatch(/rootPackage\.scarfSettings\.enabled === false/);
    // …and it refuses before reporting when the root opted out.
    expect(report).toMatch(/if \(userHasOptedOut\(rootPackage\)\) \{\s*return reject\(new Error\('User has opted out'\)\)/);
  });
});
