import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A built package tree like @haweb/vrrp's: a bin entry, a dependency with its own dependency hoisted
 * to the parent node_modules, a workspace-style package (outside node_modules), and koffi-like
 * platform packages (only linux-x64 installed).
 */
export function runtimeFixture(options: { runtime?: { entry?: string; dependencies?: string[]; excludeDist?: string[] }; bin?: string } = {}): { root: string; top: string } {
  const top = mkdtempSync(join(tmpdir(), 'vrrp-fixture-'));
  const root = join(top, 'packages', 'vrrp');
  const put = (path: string, content: string, mode = 0o644): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    chmodSync(path, mode);
  };
  put(join(root, 'package.json'), JSON.stringify({
    name: '@haweb/vrrp', type: 'module', bin: { vrrpd: options.bin ?? 'dist/bin/vrrpd.js' },
    dependencies: { ffi: '^1', '@haweb/core': '*' },
    ...(options.runtime ? { vrrpdRuntime: options.runtime } : {}),
  }));
  put(join(root, 'dist/index.js'), 'export * from "./installer/index.js";\n');
  put(join(root, 'dist/installer/index.js'), 'export {};\n');
  put(join(root, 'dist/bin/vrrpd.js'), '#!/usr/bin/env node\nconsole.log("vrrpd");\n', 0o755);
  put(join(root, 'dist/bin/vrrpd.js.map'), '{}');
  put(join(root, 'dist/bin/vrrpd.d.ts'), 'export {};');
  put(join(root, 'src/ignored.ts'), 'not shipped');
  put(join(top, 'node_modules/ffi/package.json'), JSON.stringify({
    name: 'ffi', dependencies: { small: '^1' },
    optionalDependencies: { '@k/ffi-linux-x64': '1', '@k/ffi-linux-arm64': '1', '@k/ffi-darwin-x64': '1' },
  }));
  put(join(top, 'node_modules/ffi/index.js'), 'module.exports = 1;\n');
  // ffi needs another major of `small` than the hoisted one: npm nests it.
  put(join(top, 'node_modules/ffi/node_modules/small/package.json'), JSON.stringify({ name: 'small', version: '2.0.0' }));
  put(join(top, 'node_modules/ffi/node_modules/small/index.js'), 'export default 20;\n');
  put(join(top, 'node_modules/ffi/README.md'), 'docs');
  put(join(top, 'node_modules/ffi/test/t.js'), 'test');
  put(join(top, 'node_modules/@k/ffi-linux-x64/package.json'), JSON.stringify({ name: '@k/ffi-linux-x64' }));
  put(join(top, 'node_modules/@k/ffi-linux-x64/linux_x64/ffi.node'), 'ELF...', 0o755);
  put(join(top, 'node_modules/small/package.json'), JSON.stringify({ name: 'small' }));
  put(join(top, 'node_modules/small/index.js'), 'export default 2;\n');
  // A workspace package: node_modules/@haweb/core would be a symlink; here it is found through the tree.
  put(join(top, 'packages/core/package.json'), JSON.stringify({ name: '@haweb/core', dependencies: { small: '^1' } }));
  put(join(top, 'packages/core/dist/index.js'), 'export {};\n');
  put(join(top, 'packages/core/src/index.ts'), 'export {};\n');
  mkdirSync(join(top, 'node_modules/@haweb'), { recursive: true });
  symlinkSync(join(top, 'packages/core'), join(top, 'node_modules/@haweb/core'));
  return { root, top };
}
