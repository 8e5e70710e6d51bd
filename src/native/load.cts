// Finds and loads the native addon; CommonJS on purpose, so __dirname works in both builds.
import fs = require('node:fs');
import path = require('node:path');

/** The package root: the nearest folder above us whose package.json is trampfd's. */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'trampfd') return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('trampfd: cannot find the package root above ' + __dirname);
    dir = up;
  }
}

export const root: string = packageRoot();

/** Candidate addon paths, most specific first. */
export function addonCandidates(): string[] {
  return [
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, `trampfd.abi${process.versions.modules}.node`),
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'trampfd.node'),
    path.join(root, 'build', 'Release', 'trampfd.node'),
    path.join(root, 'build', 'Debug', 'trampfd.node'),
  ];
}

/**
 * Path of the exec wrapper that runs a program under PR_SET_MDWE: the prebuilt one shipped in
 * the package if present, else the one node-gyp built (which may not exist).
 */
export const mdweExecPath: string = [
  path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'trampfd-mdwe-exec'),
  path.join(root, 'build', 'Release', 'trampfd-mdwe-exec'),
].find((p) => fs.existsSync(p)) ?? path.join(root, 'build', 'Release', 'trampfd-mdwe-exec');

let loadedPath = '';
/** The addon file that loadAddon() loaded (for `trampfd doctor`); '' before it has. */
export function loadedAddonPath(): string {
  return loadedPath;
}

export function loadAddon(): unknown {
  const tried: string[] = [];
  for (const file of addonCandidates()) {
    if (!fs.existsSync(file)) continue;
    try {
      const m = { exports: {} as unknown };
      process.dlopen(m, file);
      loadedPath = file;
      return m.exports;
    } catch (e) {
      tried.push(`${file}: ${(e as Error).message}`);
    }
  }
  throw new Error(
    'trampfd: cannot load the native addon' +
      (tried.length ? ':\n  ' + tried.join('\n  ') : ' (not built: run `npm install` or `npx node-gyp rebuild`)'),
  );
}
