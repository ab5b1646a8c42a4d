/**
 * The draft a session saves (src/ui/script-draft.ts). A draft that grew past the parser's
 * limit was left out of the session, and the earlier, small draft with it (review 9, finding 2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clearDraft, draftStore, draftToSave, draftTooLarge, setDraft } from '../../src/ui/script-draft';
import { MAX_SCRIPT_CHARS } from '../../src/scenario/constants';

const SOURCE = 'spawn a\n';
const big = 'note filler\n'.repeat(Math.ceil(MAX_SCRIPT_CHARS / 12) + 1);

afterEach(() => clearDraft());

describe('a draft past the limit', () => {
  it('is too large from one character over the limit', () => {
    expect(draftTooLarge('x'.repeat(MAX_SCRIPT_CHARS))).toBe(false);
    expect(draftTooLarge('x'.repeat(MAX_SCRIPT_CHARS + 1))).toBe(true);
    expect(draftTooLarge(null)).toBe(false);
  });

  it('the session keeps the last draft that fit, with its name', () => {
    setDraft('spawn a\nnote my important draft line\n', 'mine.msh');
    expect(draftToSave(draftStore.getState(), SOURCE)).toEqual({ text: 'spawn a\nnote my important draft line\n', name: 'mine.msh' });
    setDraft(big + 'note my important draft line\n');
    expect(draftTooLarge(draftStore.getState().text)).toBe(true);
    expect(draftToSave(draftStore.getState(), SOURCE)).toEqual({ text: 'spawn a\nnote my important draft line\n', name: 'mine.msh' });
    // Back under the limit: that one is saved.
    setDraft('spawn a\nnote shorter\n');
    expect(draftToSave(draftStore.getState(), SOURCE)?.text).toBe('spawn a\nnote shorter\n');
  });

  it('too large from the first edit: nothing to keep but the script', () => {
    setDraft(big);
    expect(draftToSave(draftStore.getState(), SOURCE)).toBeNull();
  });

  it('run or discarded, the draft and the one kept for it go', () => {
    setDraft('spawn a\nnote x\n');
    setDraft(big);
    clearDraft();
    expect(draftStore.getState().lastFit).toBeNull();
    expect(draftToSave(draftStore.getState(), SOURCE)).toBeNull();
  });

  it('a draft equal to the script is no draft', () => {
    setDraft(SOURCE);
    expect(draftToSave(draftStore.getState(), SOURCE)).toBeNull();
  });
});
