/**
 * The `/` shortcut focuses the console; the console mounts only after the first scenario has
 * run, so a `/` pressed before is kept and served when it mounts.
 */
import { describe, expect, it } from 'vitest';
import { consoleFocus, consoleMounted, focusConsole } from '../../src/ui/console-focus';

describe('console focus', () => {
  it('a / before the console mounts focuses it once it does; after that, at once', () => {
    consoleFocus.view = null;
    consoleFocus.pending = false;
    let focused = 0;
    const view = { focus: () => void focused++ };
    focusConsole();
    expect(focused).toBe(0);
    consoleMounted(view);
    expect(focused).toBe(1);
    expect(consoleFocus.pending).toBe(false);
    focusConsole();
    expect(focused).toBe(2);
  });

  it('mounting without a pending / does not take the focus', () => {
    consoleFocus.view = null;
    consoleFocus.pending = false;
    let focused = 0;
    consoleMounted({ focus: () => void focused++ });
    expect(focused).toBe(0);
  });
});
