/**
 * The `/` shortcut focuses the console; the console mounts only after the first scenario has
 * run, so a `/` pressed before is kept and served when it mounts, with what was typed after it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { consoleFocus, consoleMounted, focusConsole, takingTypeAhead, typeAhead, type ConsoleView } from '../../src/ui/console-focus';

function fakeView() {
  const v = { focused: 0, text: '', submitted: [] as string[] };
  const view: ConsoleView = { focus: () => void v.focused++, setText: (t) => void (v.text = t) };
  return { v, view, submit: (line: string) => void v.submitted.push(line) };
}

describe('console focus', () => {
  beforeEach(() => {
    Object.assign(consoleFocus, { view: null, pending: false, typed: '', lines: [] });
  });

  it('a / before the console mounts focuses it once it does; after that, at once', () => {
    const { v, view, submit } = fakeView();
    focusConsole();
    expect(v.focused).toBe(0);
    consoleMounted(view, submit);
    expect(v.focused).toBe(1);
    expect(consoleFocus.pending).toBe(false);
    focusConsole();
    expect(v.focused).toBe(2);
  });

  it('mounting without a pending / does not take the focus', () => {
    const { v, view, submit } = fakeView();
    consoleMounted(view, submit);
    expect(v.focused).toBe(0);
  });

  it('keys typed after / before the mount land in the console, Backspace included', () => {
    const { v, view, submit } = fakeView();
    expect(typeAhead('x')).toBe(false); // no / yet: the key is the page's
    focusConsole();
    for (const k of 'db1: forkk') expect(typeAhead(k)).toBe(true);
    expect(typeAhead('Backspace')).toBe(true);
    expect(typeAhead('ArrowLeft')).toBe(false); // not text: the page's shortcut
    consoleMounted(view, submit);
    expect(v.text).toBe('db1: fork');
    expect(v.submitted).toEqual([]);
    expect(typeAhead('y')).toBe(false); // mounted: keys go to the editor itself
  });

  it('Enter typed ahead runs the command when the console mounts', () => {
    const { v, view, submit } = fakeView();
    focusConsole();
    for (const k of 'spawn q') typeAhead(k);
    expect(typeAhead('Enter')).toBe(true);
    consoleMounted(view, submit);
    expect(v.submitted).toEqual(['spawn q']);
    expect(v.text).toBe('');
  });

  it('keys after Enter are type-ahead too: every line runs in order, the unfinished one waits in the input', () => {
    const { v, view, submit } = fakeView();
    focusConsole();
    for (const k of 'parent: frok') typeAhead(k);
    typeAhead('Enter');
    // The next line's keys are still the console's, not shortcuts (`p` presents, Space plays).
    expect(takingTypeAhead()).toBe(true);
    for (const k of 'parent: read heap') expect(typeAhead(k)).toBe(true);
    expect(typeAhead('Enter')).toBe(true);
    typeAhead('Enter'); // an empty line: nothing to run
    for (const k of 'pa ') typeAhead(k);
    consoleMounted(view, submit);
    expect(v.submitted).toEqual(['parent: frok', 'parent: read heap']);
    expect(v.text).toBe('pa ');
    expect(v.focused).toBe(1);
    expect(takingTypeAhead()).toBe(false);
  });

  it('Enter on nothing typed is not kept as a command', () => {
    const { v, view, submit } = fakeView();
    focusConsole();
    typeAhead('Enter');
    consoleMounted(view, submit);
    expect(v.submitted).toEqual([]);
  });
});
