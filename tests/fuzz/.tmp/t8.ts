import { parseScript } from '../../../src/scenario/parser';
for (const s of ['note <svg onload="window.__pwned=3"></svg>', 'note <svg onload=window.__pwned=3></svg>', "note '<svg onload=x>'", '## <img src=x onerror="window.__pwned=1">', 'note <script>window.__pwned=2</script><b id=bold>bold</b>']) {
  const r = parseScript(s, 'f'); console.log(s, '=>', r.ok ? JSON.stringify(r.script.commands[0]) : r.errors.map(e => `${e.line}:${e.col}: ${e.message}`).join('; '));
}
