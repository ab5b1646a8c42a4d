import { parseScript } from '../../../src/scenario/parser';
for (const s of ['a: touch x 2G read', 'a: touch x 1G read', 'a: gup x 64T write', 'a: mmap auto 4G r private,anon,populate', 'a: mmap auto 4G r private,anon', 'repeat 3: a: touch x 1025M write']) {
  const r = parseScript(s, 'f'); console.log(s, '=>', r.ok ? 'ok' : r.errors.map(e => `${e.line}:${e.col}: ${e.message}`).join('; '));
}
