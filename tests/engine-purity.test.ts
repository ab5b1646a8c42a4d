// The engine runs unchanged in the Worker and in Node: it must not reach for the UI libraries
// or the browser. This scans every source file under src/engine/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ENGINE_DIR = fileURLToPath(new URL('../src/engine', import.meta.url));
const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const FORBIDDEN_MODULE = /^(?:react|react-dom|d3|d3-[\w-]+|comlink|zustand)(?:\/.*)?$/;
const FORBIDDEN_GLOBAL = /\b(?:document|window|navigator|HTMLElement|requestAnimationFrame|localStorage)\b/g;
// `from '…'`, `import '…'`, `import('…')`, `require('…')`
const MODULE_REFERENCE = /\b(?:from|import|require)\s*\(?\s*(['"`])([^'"`\n]+)\1/g;

/**
 * Blanks comments (both outputs) and string contents (`bare` only), keeping every offset, so a
 * match index still gives the right line. Template `${…}` expressions stay code.
 * Regex literals are not recognised: a quote inside one can confuse it (none yet in the engine).
 */
function stripSource(src: string): { code: string; bare: string } {
  let code = '';
  let bare = '';
  const put = (text: string, keepInBare: boolean, keepInCode = true) => {
    const blanked = text.replace(/[^\n]/g, ' ');
    code += keepInCode ? text : blanked;
    bare += keepInBare ? text : blanked;
  };
  let depth = 0; // brace depth in code
  const templateDepths: number[] = []; // brace depth at each open `${`
  let inTemplate = false;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (inTemplate) {
      if (c === '\\') {
        put(src.slice(i, i + 2), false);
        i += 2;
      } else if (c === '`') {
        put(c, true);
        inTemplate = false;
        i++;
      } else if (c === '$' && src[i + 1] === '{') {
        put('${', true);
        templateDepths.push(depth);
        depth++;
        inTemplate = false;
        i += 2;
      } else {
        put(c, false);
        i++;
      }
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      put(src.slice(i, stop), false, false);
      i = stop;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      put(src.slice(i, stop), false, false);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      const body = src.slice(i + 1, Math.min(j, src.length));
      put(c, true);
      put(body, false);
      if (j < src.length) put(src[j], true);
      i = j + 1;
    } else if (c === '`') {
      put(c, true);
      inTemplate = true;
      i++;
    } else {
      if (c === '{') depth++;
      if (c === '}') {
        depth--;
        if (templateDepths.length > 0 && templateDepths[templateDepths.length - 1] === depth) {
          templateDepths.pop();
          inTemplate = true;
        }
      }
      put(c, true);
      i++;
    }
  }
  return { code, bare };
}

/** Every forbidden import or browser global in `src`, as `name:line: what`. */
function scanSource(src: string, name: string): string[] {
  const { code, bare } = stripSource(src);
  const lineOf = (index: number) => code.slice(0, index).split('\n').length;
  const found: { line: number; what: string }[] = [];
  for (const m of code.matchAll(MODULE_REFERENCE)) {
    if (FORBIDDEN_MODULE.test(m[2])) found.push({ line: lineOf(m.index), what: `imports '${m[2]}'` });
  }
  for (const m of bare.matchAll(FORBIDDEN_GLOBAL)) {
    found.push({ line: lineOf(m.index), what: `uses '${m[0]}'` });
  }
  if (/\.[jt]sx$/.test(name)) found.push({ line: 1, what: 'is JSX (imports react/jsx-runtime)' });
  return found.sort((a, b) => a.line - b.line).map((f) => `${name}:${f.line}: ${f.what}`);
}

function engineFiles(): string[] {
  if (!existsSync(ENGINE_DIR)) return [];
  return readdirSync(ENGINE_DIR, { recursive: true, encoding: 'utf8' })
    .filter((rel) => SOURCE_FILE.test(rel) && statSync(join(ENGINE_DIR, rel)).isFile())
    .sort();
}

describe('engine purity', () => {
  it('src/engine imports no UI library and touches no browser global', () => {
    const violations = engineFiles().flatMap((rel) =>
      scanSource(readFileSync(join(ENGINE_DIR, rel), 'utf8'), `src/engine/${rel}`),
    );
    expect(violations, 'the engine must run unchanged in Node and in the Worker').toEqual([]);
  });
});

describe('engine purity scanner', () => {
  it('flags UI imports and browser globals', () => {
    const offending = [
      "import { useState } from 'react';",
      'import { createRoot } from "react-dom/client";',
      "import * as d3 from 'd3';",
      "import { select } from 'd3-selection';",
      "export { wrap } from 'comlink';",
      "import 'zustand/vanilla';",
      "const lazy = await import('react');",
      'const width = window.innerWidth;',
      'document.body.append(node);',
      'if (navigator.hardwareConcurrency > 1) {}',
      'let el: HTMLElement;',
      'requestAnimationFrame(draw);',
      "localStorage.setItem('k', `${window.name}`);",
    ].join('\n');
    expect(scanSource(offending, 'bad.ts')).toEqual([
      "bad.ts:1: imports 'react'",
      "bad.ts:2: imports 'react-dom/client'",
      "bad.ts:3: imports 'd3'",
      "bad.ts:4: imports 'd3-selection'",
      "bad.ts:5: imports 'comlink'",
      "bad.ts:6: imports 'zustand/vanilla'",
      "bad.ts:7: imports 'react'",
      "bad.ts:8: uses 'window'",
      "bad.ts:9: uses 'document'",
      "bad.ts:10: uses 'navigator'",
      "bad.ts:11: uses 'HTMLElement'",
      "bad.ts:12: uses 'requestAnimationFrame'",
      "bad.ts:13: uses 'localStorage'",
      "bad.ts:13: uses 'window'",
    ]);
  });

  it('ignores comments, strings, longer words and other modules', () => {
    const clean = [
      '// window.alert() would be wrong here; so would document.',
      '/* import React from "react";',
      '   requestAnimationFrame */',
      "const label = 'document'; const url = \"//window\";",
      'const t = `the ${label} window`;',
      'const windowSize = 4; const documented = true;',
      "import { reactive } from './reactive';",
      "import { x } from 'preact-ish';",
      "import { y } from '../d3util';",
    ].join('\n');
    expect(scanSource(clean, 'clean.ts')).toEqual([]);
  });

  it('flags JSX files', () => {
    expect(scanSource('export const A = () => <div />;', 'view.tsx')).toEqual([
      'view.tsx:1: is JSX (imports react/jsx-runtime)',
    ]);
  });
});
