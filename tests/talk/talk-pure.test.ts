import { describe, expect, it } from 'vitest';
import { crc32, makeZip } from '../../src/ui/export/zip';
import { readStartOptions, startOptionProblems } from '../../src/ui/talk/url-options';
import { parseViewList } from '../../src/ui/talk/views';
import { captionAt } from '../../src/ui/talk/navigation-pure';
import { BUILTINS, TALK_PACK, chapters } from '../../src/scenario/builtins/index';
import { parseScript } from '../../src/scenario/parser';

/** A minimal reader of what makeZip writes: names and data through the central directory. */
function readZip(z: Uint8Array): { name: string; data: Uint8Array; crc: number }[] {
  const v = new DataView(z.buffer, z.byteOffset, z.byteLength);
  const end = z.length - 22;
  expect(v.getUint32(end, true)).toBe(0x06054b50);
  const n = v.getUint16(end + 10, true);
  let at = v.getUint32(end + 16, true);
  const out = [];
  for (let i = 0; i < n; i++) {
    expect(v.getUint32(at, true)).toBe(0x02014b50);
    const crc = v.getUint32(at + 16, true);
    const size = v.getUint32(at + 20, true);
    const nameLen = v.getUint16(at + 28, true);
    const local = v.getUint32(at + 42, true);
    const name = new TextDecoder().decode(z.subarray(at + 46, at + 46 + nameLen));
    expect(v.getUint32(local, true)).toBe(0x04034b50);
    const localName = v.getUint16(local + 26, true);
    const data = z.subarray(local + 30 + localName, local + 30 + localName + size);
    out.push({ name, data, crc });
    at += 46 + nameLen;
  }
  return out;
}

describe('zip writer', () => {
  it('computes CRC-32 like everyone else', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('stores files that read back byte for byte, with UTF-8 names', () => {
    const enc = new TextEncoder();
    const files = [
      { name: 'fork-cow-tree-step-00.svg', data: enc.encode('<svg xmlns="http://www.w3.org/2000/svg"/>') },
      { name: 'ünï/cødé.txt', data: enc.encode('x'.repeat(70_000)) },
      { name: 'empty', data: new Uint8Array(0) },
    ];
    const z = makeZip(files);
    expect([...z.subarray(0, 4)]).toEqual([0x50, 0x4b, 3, 4]);
    const back = readZip(z);
    expect(back.map((f) => f.name)).toEqual(files.map((f) => f.name));
    back.forEach((f, i) => {
      expect(f.data).toEqual(files[i].data);
      expect(f.crc).toBe(crc32(files[i].data));
    });
    // Same input, same bytes (fixed timestamps).
    expect(makeZip(files)).toEqual(z);
  });
});

describe('URL options', () => {
  it('reads embed, views, step, autoplay, loop, caption, present', () => {
    expect(readStartOptions('?embed&views=tree,chart&autoplay=10&loop&caption&step=5&scenario=fork-cow')).toEqual({
      embed: true, present: false, views: ['tree', 'chart'], step: 5, autoplay: 10, loop: true, caption: true, scenario: 'fork-cow',
    });
    expect(readStartOptions('')).toMatchObject({ embed: false, present: false, views: [], step: null, autoplay: null });
    expect(readStartOptions('?embed&autoplay').autoplay).toBe(4);
    expect(readStartOptions('?autoplay=-3').autoplay).toBe(4);
    expect(readStartOptions('?autoplay=1e9').autoplay).toBe(1000);
    expect(readStartOptions('?step=abc').step).toBeNull();
    // A whole number of any length is a step; goto brings one past the end to the end.
    expect(readStartOptions('?step=123456789').step).toBe(123456789);
    expect(readStartOptions(`?step=${'9'.repeat(400)}`).step).toBe(Number.MAX_SAFE_INTEGER);
    expect(startOptionProblems('?step=123456789')).toEqual([]);
    expect(readStartOptions('?present&views=chart').present).toBe(true);
  });

  it('keeps known view names only, once each, in order', () => {
    expect(parseViewList('tree,TREE, chart,bogus,<script>,physmem')).toEqual(['tree', 'chart', 'physmem']);
    expect(parseViewList(null)).toEqual([]);
    expect(parseViewList('tree,chart,processes,addrspace,physmem', 2)).toEqual(['tree', 'chart']);
  });
});

describe('narration', () => {
  it('lists the chapters of every built-in as the parser sees them', () => {
    for (const b of BUILTINS) {
      const parsed = parseScript(b.source, b.id);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      const fromParser = parsed.script.commands.filter((c) => c.kind === 'chapter').map((c) => (c as { title: string }).title);
      expect(chapters(b.source), b.id).toEqual(fromParser);
    }
  });

  it('the talk pack: five built-ins, each with chapters and notes and a pair of views', () => {
    expect(TALK_PACK.map((p) => p.id)).toEqual(['talk-page-tables', 'talk-fork-cow', 'talk-mshare-link', 'talk-owner-exit', 'talk-charge']);
    for (const p of TALK_PACK) {
      const b = BUILTINS.find((x) => x.id === p.id)!;
      expect(b, p.id).toBeDefined();
      expect(chapters(b.source).length, p.id).toBeGreaterThanOrEqual(3);
      expect(b.source, p.id).toMatch(/^note /m);
      expect(parseViewList(p.views.join(','))).toEqual(p.views);
    }
  });

  it('the caption is the latest chapter and its latest note', () => {
    const chapters = [{ title: 'one', index: 0, line: 1 }, { title: 'two', index: 5, line: 7 }];
    const notes = [{ title: 'a', index: 2, line: 3 }, { title: 'b', index: 7, line: 9 }];
    expect(captionAt(chapters, notes, 0)).toMatchObject({ chapter: undefined, note: undefined, chapterNo: 0, chapterCount: 2 });
    expect(captionAt(chapters, notes, 3)).toMatchObject({ chapter: chapters[0], note: notes[0], chapterNo: 1 });
    expect(captionAt(chapters, notes, 6)).toMatchObject({ chapter: chapters[1], note: undefined, chapterNo: 2 });
    expect(captionAt(chapters, notes, 8)).toMatchObject({ chapter: chapters[1], note: notes[1] });
  });
});
