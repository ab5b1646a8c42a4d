/**
 * What the page says about an engine failure (src/ui/engine-words.ts): plain words, no class
 * names. The console said "the engine did not start: EngineLostError: the engine stopped with
 * an error: Uncaught Error: …" (review 9, finding 6).
 */
import { describe, expect, it } from 'vitest';
import { bootFailure, openingAgain, plainWorkerError } from '../../src/ui/engine-words';

describe('plainWorkerError', () => {
  it.each([
    ['Uncaught Error: engine crash requested by a test (crashWorkerForTest)', 'engine crash requested by a test (crashWorkerForTest)'],
    ['Uncaught RangeError: Maximum call stack size exceeded', 'Maximum call stack size exceeded'],
    ['Error: out of memory', 'out of memory'],
    ['InternalError: too much recursion', 'too much recursion'],
    ['Uncaught boom', 'boom'],
    ['the frame table is corrupt', 'the frame table is corrupt'],
    ['Uncaught Error: ', 'unknown error'],
    ['', 'unknown error'],
  ])('%j -> %j', (raw, plain) => {
    expect(plainWorkerError(raw)).toBe(plain);
  });
});

describe('the boot lines', () => {
  it('say what happened without class names', () => {
    const lost = Object.assign(new Error('the engine stopped with an error: boom'), { name: 'EngineLostError' });
    expect(bootFailure(lost, true)).toBe('the page could not open its first script: the engine stopped with an error: boom, again after restarting the engine. Reload the page to try again.');
    expect(bootFailure(new TypeError('x is not a function'), false)).toBe('the engine did not start: x is not a function');
    expect(openingAgain('the engine has not answered for 30 s')).toBe('while the page was opening its first script, the engine has not answered for 30 s; the engine was restarted and the script is opened again');
    for (const s of [bootFailure(lost, true), openingAgain(lost.message)]) expect(s).not.toMatch(/EngineLostError|Uncaught|Error:/);
  });
});
