// The code keeps its floors (docs/architecture.md): no module imports a folder on a higher
// floor or a sibling on its own, and no modules import each other in a circle. The checker
// (scripts/layers.ts) runs on the real tree, and on copies with a planted breach.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLayers, FLOORS, USERS } from '../../scripts/layers';

const root = path.resolve(import.meta.dirname, '../..');

/** A copy of the code's floors (not tests, not node_modules) to plant breaches in. */
function copyOfTree(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-layers-'));
  for (const folder of FLOORS.flat()) cpSync(path.join(root, folder), path.join(dir, folder), { recursive: true, filter: (src) => !/node_modules|\/public\/|ferretdb/.test(src) });
  return dir;
}

function write(dir: string, file: string, text: string) {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

function append(dir: string, file: string, line: string) {
  writeFileSync(path.join(dir, file), `${line}\n${readFileSync(path.join(dir, file), 'utf8')}`);
}

describe('layers', () => {
  it('the code has no upward import, no sideways import and no import circle', () => {
    expect(checkLayers(root).map((p) => p.message)).toEqual([]);
  });

  it('every folder with TypeScript is on a floor or is a user of the code', () => {
    expect(checkLayers(root).filter((p) => p.kind === 'unplaced')).toEqual([]);
    expect(USERS).toContain('test');
  });

  it('fails on an import up a floor planted in the real tree, naming file, line and floors', () => {
    const dir = copyOfTree();
    append(dir, 'storage/store.ts', "import type { Job } from '../jobs/types';");
    const problems = checkLayers(dir);
    // jobs/types.ts imports the Store type, so the planted line also closes a circle.
    expect(problems.map((p) => p.kind)).toEqual(['upward', 'circle']);
    expect(problems[0].message).toMatch(/^storage\/store\.ts:1 imports jobs\/types\.ts: storage\/ \(floor \d+\) may not import jobs\/ \(floor \d+, higher\)/);
  });

  it('fails when reports read the store through a query (reports only render)', () => {
    const dir = copyOfTree();
    append(dir, 'reports/weekly-html.ts', "import { computeKpis } from '../queries/kpi';");
    expect(checkLayers(dir).map((p) => p.kind)).toEqual(['upward']);
  });

  it('fails on an import circle, a dynamic import up and a sideways import between siblings', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-layers-'));
    const floors = [['low'], ['left', 'right'], ['high']];
    write(dir, 'low/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
    write(dir, 'low/b.ts', "import type { A } from './c';\nexport const b = 1;\nexport type B = A;\n");
    write(dir, 'low/c.ts', "export type { a as A } from './a';\n");
    write(dir, 'low/d.ts', "export const later = () => import('../high/top');\n");
    write(dir, 'left/l.ts', "import { r } from '../right/r';\nexport const l = r;\n");
    write(dir, 'right/r.ts', "import { a } from '../low/a';\nexport const r = a;\n");
    write(dir, 'high/top.ts', "import { l } from '../left/l';\nexport const top = l;\n");
    const problems = checkLayers(dir, floors, []);
    expect(problems.map((p) => p.kind).sort()).toEqual(['circle', 'sideways', 'upward']);
    expect(problems.find((p) => p.kind === 'circle')?.message).toBe('import circle of 3 modules: low/a.ts → low/b.ts → low/c.ts → low/a.ts');
    expect(problems.find((p) => p.kind === 'upward')?.message).toMatch(/^low\/d\.ts:1 imports high\/top\.ts/);
    expect(problems.find((p) => p.kind === 'sideways')?.message).toMatch(/^left\/l\.ts:1 imports right\/r\.ts: left\/ and right\/ share floor 1/);
  });

  it('fails on a folder of TypeScript that is on no floor', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-layers-'));
    write(dir, 'low/a.ts', 'export const a = 1;\n');
    write(dir, 'stray/x.ts', "import { a } from '../low/a';\n");
    expect(checkLayers(dir, [['low']], []).map((p) => p.message)).toEqual(['stray/ holds TypeScript but is on no floor: add it to FLOORS in scripts/layers.ts']);
  });
});
