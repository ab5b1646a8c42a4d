import { describe, expect, it } from 'vitest';
import { visibleControls, visibleErrors } from '../../src/ui/visible';

describe('visibleControls', () => {
  it('shows a NUL and other controls as \\u escapes', () => {
    expect(visibleControls("unknown verb '\u0000garbage'")).toBe("unknown verb '\\u0000garbage'");
    expect(visibleControls('a\u0007b\u001bc\u007fd\u0085e')).toBe('a\\u0007b\\u001Bc\\u007Fd\\u0085e');
    expect(visibleControls('tab\there')).toBe('tab\\u0009here');
  });
  it('shows zero-width and bidirectional marks, which hide or reorder text', () => {
    expect(visibleControls('a\u200bb\u202ec\u2066d\ufeff')).toBe('a\\u200Bb\\u202Ec\\u2066d\\uFEFF');
  });
  it('leaves printable text, non-ASCII letters, emoji and newlines alone', () => {
    const s = "expect db1.VmPTE == 0 — größe 😀\nline two";
    expect(visibleControls(s)).toBe(s);
  });
  it('maps the messages of a list of parse errors, nothing else', () => {
    const e = [{ file: 'f.msh', line: 2, col: 1, message: "unknown verb '\u0000x'" }];
    expect(visibleErrors(e)).toEqual([{ file: 'f.msh', line: 2, col: 1, message: "unknown verb '\\u0000x'" }]);
  });
});
