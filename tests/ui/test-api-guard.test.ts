import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../src/scenario/builtins';
import { parseScript } from '../../src/scenario/parser';
import { boolArg, loadOptions, serializer, shown, stepArg, stringArg, unknownIdMessage } from '../../src/ui/test-api-guard';

describe('test API argument checks', () => {
  it('shows a refused value the way a test author wrote it', () => {
    expect([undefined, null, 42, Number.NaN, -Infinity, 'tree', [], {}, () => 0].map(shown))
      .toEqual(['undefined', 'null', '42', 'NaN', '-Infinity', '"tree"', 'an array', 'an object', 'a function']);
    expect(shown('x'.repeat(100))).toBe(JSON.stringify(`${'x'.repeat(40)}…`));
  });
  it('stringArg names the call, what it expected and what it got', () => {
    expect(stringArg('exec', 'a scenario line', 'spawn a')).toBe('spawn a');
    expect(() => stringArg('exec', 'a scenario line', undefined)).toThrow(new TypeError('exec: expected a scenario line (a string), got undefined'));
    expect(() => stringArg('exec', 'a scenario line', 42)).toThrow('exec: expected a scenario line (a string), got 42');
  });
  it('boolArg takes true and false only (setAnimations)', () => {
    expect(boolArg('setAnimations', false)).toBe(false);
    expect(() => boolArg('setAnimations', 'no')).toThrow(new TypeError('setAnimations: expected true or false, got "no"'));
    expect(() => boolArg('setAnimations', undefined)).toThrow('setAnimations: expected true or false, got undefined');
    expect(() => boolArg('setAnimations', 0)).toThrow('got 0');
  });

  it('stepArg takes integers only (TypeError for a non-number, RangeError for NaN, 2.5, Infinity)', () => {
    expect(stepArg('goto', -3)).toBe(-3);
    expect(stepArg('goto', Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => stepArg('goto', '3')).toThrow(TypeError);
    for (const n of [Number.NaN, 2.5, Infinity, -Infinity]) expect(() => stepArg('goto', n)).toThrow(new RangeError(`goto: expected a step number (an integer), got ${String(n)}`));
  });
  it('loadOptions: run defaults to true; anything but a boolean is refused', () => {
    expect(loadOptions(undefined)).toEqual({ run: true });
    expect(loadOptions({})).toEqual({ run: true });
    expect(loadOptions({ run: false })).toEqual({ run: false });
    expect(() => loadOptions(null)).toThrow('loadScenario: expected options { run?: boolean }, got null');
    expect(() => loadOptions({ run: 0 })).toThrow('loadScenario: expected options.run to be true or false, got 0');
  });
});

describe('loadScenario: an unknown built-in id', () => {
  const ids = BUILTINS.map((b) => b.id);
  it('is answered as an id with a suggestion, not as a script with an unknown verb', () => {
    expect(unknownIdMessage('mshare-basics', ids)).toBe("loadScenario: no built-in scenario named 'mshare-basics' (did you mean 'mshare-basics-2024'?)");
    expect(unknownIdMessage('fork-cwo', ids)).toBe("loadScenario: no built-in scenario named 'fork-cwo' (did you mean 'fork-cow'?)");
    expect(unknownIdMessage('nonesuch', ids)).toBe("loadScenario: no built-in scenario named 'nonesuch'");
  });
  it('leaves built-in ids and every script, one-line ones included, to the loader', () => {
    for (const id of ids) expect(unknownIdMessage(id, ids)).toBeNull();
    for (const text of ['machine', 'spawn a', 'a:exit', '## Title', '# just a comment', '', 'spawn a\na: fork', 'mount msharefs']) {
      expect(unknownIdMessage(text, ids)).toBeNull();
    }
    // What it does answer could never have parsed as a script.
    for (const text of ['mshare-basics', 'fork-cwo', 'nonesuch', 'db0']) expect(parseScript(text).ok).toBe(false);
  });
});

describe('serializer', () => {
  it('runs calls one at a time in the order made, and a failure does not stop the next', async () => {
    const serial = serializer();
    const log: string[] = [];
    const later = (name: string, ms: number, fail = false) => () => new Promise<string>((resolve, reject) => {
      log.push(`start ${name}`);
      setTimeout(() => {
        log.push(`end ${name}`);
        if (fail) reject(new Error(name));
        else resolve(name);
      }, ms);
    });
    const a = serial(later('a', 20));
    const b = serial(later('b', 1, true));
    const c = serial(later('c', 1));
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b');
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
