import { describe, expect, it } from 'vitest';
import {
  decodeLink, deflateRaw, encodeLink, isLinkFragment, LINK_VERSION, MAX_JSON_BYTES, MAX_LINK_CHARS,
  toBase64Url, type LinkState,
} from '../../src/ui/talk/link-codec';
import { talkPageTables } from '../../src/scenario/builtins/talk-page-tables';
import { BUILTINS } from '../../src/scenario/builtins/index';

const base: LinkState = {
  script: 'spawn a\na: mmap auto 64K rw private,anon as heap\na: touch heap 64K write\na: fork as b\n',
  name: 'test.msh',
  step: 3,
  machine: { ram: 256 << 20, cpus: 2, levels: 4, mshare: 2024, tlb: 64, pcid: true },
  views: { mode: 'presenter', views: ['tree', 'chart'], tab: 'counters', pid: 1, compare: 2, addr: 0x7f0000000000 },
};

async function fragmentOf(obj: unknown, version = LINK_VERSION): Promise<string> {
  const packed = await deflateRaw(new TextEncoder().encode(typeof obj === 'string' ? obj : JSON.stringify(obj)));
  return `v=${version}&z=${toBase64Url(packed)}`;
}

describe('link codec', () => {
  it('round-trips a state', async () => {
    const frag = await encodeLink(base);
    expect(frag).toMatch(/^v=1&z=[A-Za-z0-9_-]+$/);
    expect(isLinkFragment('#' + frag)).toBe(true);
    const back = await decodeLink('#' + frag);
    expect(back).toEqual({ ok: true, state: base });
  });

  it('carries PTI and shmem THP in the machine; links without them (older) mean off; bad values are refused', async () => {
    const withBoth: LinkState = { ...base, machine: { ...base.machine!, pti: true, shmemThp: 'always' } };
    expect(await decodeLink('#' + (await encodeLink(withBoth)))).toEqual({ ok: true, state: withBoth });
    const old = await decodeLink('#' + (await encodeLink(base)));
    expect(old.ok && old.state.machine).toEqual(base.machine);
    for (const machine of [{ ...base.machine, pti: 'yes' }, { ...base.machine, shmemThp: 'sometimes' }]) {
      const bad = await decodeLink(await fragmentOf({ script: 'spawn a', step: 0, machine }));
      expect(bad.ok).toBe(false);
    }
  });

  it('round-trips every built-in script, and the 1,500-process talk fits in a short link', async () => {
    for (const b of BUILTINS) {
      const frag = await encodeLink({ script: b.source, step: 0 });
      const back = await decodeLink(frag);
      expect(back.ok && back.state.script).toBe(b.source);
    }
    const big = await encodeLink({ script: talkPageTables.source, name: 'talk-page-tables.msh', step: 12043 });
    expect(big.length).toBeLessThan(2000);
  });

  it('keeps unicode and odd characters of the script intact', async () => {
    const script = 'note "ünïcødé — 東京 🚀 & = # % +"\nspawn a\n';
    const back = await decodeLink(await encodeLink({ script, step: 1 }));
    expect(back.ok && back.state.script).toBe(script);
  });

  it('reports corrupt input without throwing', async () => {
    const good = await encodeLink(base);
    const cases = [
      'v=1',                                  // no data
      'v=1&z=',                               // empty data
      'v=1&z=!!!!',                           // not base64url
      'v=1&z=A',                              // impossible length
      'v=1&z=' + 'AAAA'.repeat(10),           // not deflate
      good.slice(0, Math.floor(good.length / 2)), // cut short
      'z=' + good.split('z=')[1],             // no version
      'v=abc&z=xyz',
      await fragmentOf('not json'),
      await fragmentOf([1, 2, 3]),
      await fragmentOf({ script: 42, step: 0 }),
      await fragmentOf({ script: 'spawn a', step: -1 }),
      await fragmentOf({ script: 'spawn a', step: 1.5 }),
      await fragmentOf({ script: 'spawn a', step: 0, machine: { ram: 'lots' } }),
    ];
    for (const c of cases) {
      const r = await decodeLink(c);
      expect(r.ok, c).toBe(false);
      if (!r.ok) {
        expect(['corrupt', 'invalid', 'too-large']).toContain(r.error.kind);
        expect(r.error.message).toMatch(/default scenario/);
      }
    }
    const bad = await decodeLink(await fragmentOf({ script: 'spawn a', step: 0, machine: { ram: 'lots' } }));
    expect(!bad.ok && bad.error.kind).toBe('invalid');
    const cut = await decodeLink(good.slice(0, good.length - 7));
    expect(!cut.ok && cut.error.kind).toBe('corrupt');
  });

  it('bounds the size: too long a fragment, a zip bomb, too long a script', async () => {
    const long = 'v=1&z=' + 'A'.repeat(MAX_LINK_CHARS);
    const r1 = await decodeLink(long);
    expect(!r1.ok && r1.error.kind).toBe('too-large');
    // Compresses to a few KB but unpacks past the JSON limit.
    const bomb = await fragmentOf({ script: ' '.repeat(MAX_JSON_BYTES * 4), step: 0 });
    expect(bomb.length).toBeLessThan(MAX_LINK_CHARS);
    const r2 = await decodeLink(bomb);
    expect(!r2.ok && r2.error.kind).toBe('too-large');
    expect(!r2.ok && r2.error.message).toMatch(/too large/);
    // A script that does not compress well enough is refused when the link is made.
    let seed = 1;
    const rand = () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const noise = Array.from({ length: 60_000 }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
    await expect(encodeLink({ script: `note ${noise}`, step: 0 })).rejects.toMatchObject({ kind: 'too-large' });
  });

  it('refuses a newer format with its own message', async () => {
    const r = await decodeLink(await fragmentOf({ script: 'spawn a', step: 0 }, LINK_VERSION + 1));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('newer');
      expect(r.error.message).toMatch(/newer version/);
      expect(r.error.message).toMatch(/default scenario/);
    }
  });

  it('drops unknown keys and never returns anything but data', async () => {
    const r = await decodeLink(await fragmentOf({
      script: 'spawn a', step: 1, __proto__: { polluted: true }, constructor: 'x', onload: 'alert(1)',
      views: { mode: 'evil', views: ['tree', '<img src=x onerror=alert(1)>', 7], pid: '1' },
      name: '../../etc/passwd<script>',
    }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Object.keys(r.state).sort()).toEqual(['name', 'script', 'step', 'views']);
      expect(r.state.views).toEqual({ views: ['tree'] });
      expect(r.state.name).not.toMatch(/[<>/]/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('recognises link fragments', () => {
    expect(isLinkFragment('')).toBe(false);
    expect(isLinkFragment('#section-2')).toBe(false);
    expect(isLinkFragment('#v=1&z=abc')).toBe(true);
    expect(isLinkFragment('v=9')).toBe(true);
  });
});
