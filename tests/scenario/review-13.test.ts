/**
 * Review 13 of the scenario language, the CLI and the test API: columns of errors in a
 * `repeat` body whose `{i}` changes the line's length, ...
 */
import { describe, expect, it } from 'vitest';
import { errors } from './helpers';

describe('an error in a repeat body with {i} in a number', () => {
  it('names the column in the line as written, whatever length {i} takes', () => {
    // `{i}Q` is at column 29 of line 2 and `off={i}Q`'s value at 81 of line 3; every `{i}`
    // before them became one digit, and a column of the substituted text was 2 short for each.
    expect(errors(`spawn a
repeat 5: a: write 0x{i}000 {i}Q
repeat 5: a: mmap 0x{i}0000 4K rw private,anon,fixed as l{i}{i}{i}{i}{i}{i} off={i}Q
`)).toEqual([
      "t.msh:2:29: with {i}=5: value '5Q': expected K, M, G or T",
      "t.msh:3:81: with {i}=5: offset '5Q': expected K, M, G or T",
    ]);
  });

  it('as the check of exactness past 2^53 does, and with i of several digits', () => {
    // The address starts at column 23 (after `a{i}: read `); with i=11 the substituted text
    // is one shorter before it.
    expect(errors('repeat 20: a{i}: read 0x800000000000{i}\n')).toEqual([
      "t.msh:1:23: with {i}=11: address '0x80000000000011' cannot be held exactly (more than 53 significant bits)",
    ]);
    // i=1000 is one longer than `{i}`: the value `{i}Q` is at column 31 as written.
    expect(errors('repeat 1000: a{i}: write x{i} {i}Q\n')).toEqual([
      "t.msh:1:31: with {i}=1000: value '1000Q': expected K, M, G or T",
    ]);
  });
});
