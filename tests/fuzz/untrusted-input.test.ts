/**
 * Untrusted input (permalinks, pasted and imported scripts, anything a stranger's link carries)
 * is parsed, never evaluated, and never reaches the page as HTML. This test keeps it so: no
 * source file under src/ may use an HTML or code sink, and the built app's Content-Security-
 * Policy must keep forbidding inline scripts and eval. (e2e/robustness.spec.ts runs hostile
 * text through the real page; e2e/smoke.spec.ts checks the policy is enforced.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../src/scenario/parser';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

/** Ways text becomes markup or code in a page. */
const SINKS: [string, RegExp][] = [
  ['innerHTML / outerHTML', /\.(inner|outer)HTML\b/],
  ['insertAdjacentHTML', /insertAdjacentHTML/],
  ['dangerouslySetInnerHTML', /dangerouslySetInnerHTML/],
  ['document.write', /document\.write(ln)?\s*\(/],
  ['d3 .html()', /\.html\s*\(/],
  ['eval', /(^|[^.\w])eval\s*\(/],
  ['new Function', /new\s+Function\s*\(/],
  ['string timer', /set(Timeout|Interval)\s*\(\s*['"`]/],
  ['DOMParser / createContextualFragment', /DOMParser|createContextualFragment/],
  ['iframe srcdoc', /srcdoc/],
  ['javascript: URL', /['"`]javascript:/i],
];

describe('untrusted input never becomes HTML or code', () => {
  it('no source file uses an HTML or code sink', () => {
    const hits: string[] = [];
    for (const file of sources(join(ROOT, 'src'))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return; // comments may name them
        for (const [what, re] of SINKS) if (re.test(line)) hits.push(`${relative(ROOT, file)}:${i + 1}: ${what}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it("the built app's Content-Security-Policy forbids inline scripts and eval", () => {
    const config = readFileSync(join(ROOT, 'vite.config.ts'), 'utf8');
    expect(config).toContain(`"script-src 'self'"`);
    expect(config).toContain(`"object-src 'none'"`);
    expect(config).not.toMatch(/unsafe-(inline|eval)|wasm-unsafe-eval/);
  });

  it('script text that looks like markup or code is just text to the parser', () => {
    const src = [
      '## <img src=x onerror="alert(1)">',
      'note <script>alert(2)</script>',
      'note "${alert(3)}"',
      'spawn a',
      "a: mmap auto 4K rw private,anon as x",
    ].join('\n');
    const r = parseScript(src, 'hostile.msh');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [chapter, note, tpl] = r.script.commands;
    expect(chapter).toMatchObject({ kind: 'chapter', title: '<img src=x onerror="alert(1)">' });
    expect(note).toMatchObject({ kind: 'note', caption: '<script>alert(2)</script>' });
    expect(tpl).toMatchObject({ kind: 'note', caption: '${alert(3)}' });
  });
});
