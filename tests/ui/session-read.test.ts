/**
 * Reading a stored session back (src/ui/persist/session-read.ts). A session with one bad
 * field used to be read as no session at all: the page then opened the default scenario and
 * autosave wrote over the user's valid script (review 9, finding 1).
 */
import { describe, expect, it } from 'vitest';
import { checkSession, keptJson, readSessionText } from '../../src/ui/persist/session-read';

const base = { v: 1, source: 'spawn mywork\nmywork: fork\n', scriptName: 'mine.msh', position: 2, view: {}, savedAt: 1 };
const read = (o: unknown) => readSessionText(JSON.stringify(o));

describe('a session with one bad field keeps its script', () => {
  it('a valid one reads as it is, with nothing repaired', () => {
    const r = read(base)!;
    expect(r.foreign).toBe(false);
    expect(r.repaired).toEqual([]);
    expect(r.session).toMatchObject({ v: 1, source: base.source, scriptName: 'mine.msh', position: 2 });
  });

  it.each([
    [1.5, 2, /saved step \(1\.5\) was not a step number, so step 2/],
    [-3, 0, /\(-3\).*step 0/],
    [5e12, 1e9, /step 1000000000/],
    ['7', 0, /saved step was not a step number, so step 0/],
    [undefined, 0, /step 0/],
  ])('position %j: restored at step %j, and the reading says so', (position, want, note) => {
    const r = read({ ...base, position })!;
    expect(r.session.source).toBe(base.source);
    expect(r.session.position).toBe(want);
    expect(r.foreign).toBe(false);
    expect(r.repaired.join(' ')).toMatch(note);
  });

  it('a name longer than 200 characters or missing: the default name, said', () => {
    for (const scriptName of ['n'.repeat(201), undefined, 42]) {
      const r = read({ ...base, scriptName })!;
      expect(r.session.source).toBe(base.source);
      expect(r.session.scriptName).toBe('session.msh');
      expect(r.repaired.join(' ')).toMatch(/called session\.msh/);
    }
  });

  it('bad view fields get their defaults without a word, as before', () => {
    const r = read({ ...base, view: { speed: 'fast', rightTab: 'nope', pid: -1 } })!;
    expect(r.repaired).toEqual([]);
    expect(r.session.view).toEqual({ speed: 4, animations: true, rightTab: 'inspector', pid: null, compare: null });
  });

  it('no script, or not a session at all: nothing to restore', () => {
    expect(read({ ...base, source: 42 })).toBeNull();
    expect(readSessionText('{garbage')).toBeNull();
    expect(readSessionText('null')).toBeNull();
    expect(readSessionText('[1,2]')).toBeNull();
  });
});

describe('a session another version wrote', () => {
  it('v: 2 is read as far as this version can, marked foreign, and kept as it was stored', () => {
    const stored = { ...base, v: 2, extra: 'newer field' };
    const r = read(stored)!;
    expect(r.foreign).toBe(true);
    expect(r.session.v).toBe(2);
    expect(r.session.source).toBe(base.source);
    // Kept aside as it was: the newer fields survive the round trip through the kept list.
    const back = JSON.parse(keptJson([r.session])) as unknown[];
    expect(back).toEqual([stored]);
    // Read back from the kept list, it is still the user's script.
    expect(checkSession(back[0])!.session.source).toBe(base.source);
  });

  it('this version writes its own sessions without the reading details', () => {
    const r = read(base)!;
    expect(JSON.parse(keptJson([r.session]))[0]).not.toHaveProperty('original');
  });
});
