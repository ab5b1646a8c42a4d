/**
 * What the worker reads from a parsed script's text (the timeline's markers) and writes into
 * it (the machine line of a restart). Pure: tested in Node.
 */
import type { Script } from '../scenario/ast';
import { repeatBody } from '../scenario/parser';
import type { Marker } from './api';

/**
 * The chapter and note markers of a loaded script: one per command at its first step, as
 * actions.ts `appended` makes them for typed lines, so a script gives the same markers
 * typed or loaded (after a reload, a permalink, an Undo). A note in a `repeat` is one
 * marker, at the repeat's first step, captioned as its first iteration ({i}=1).
 */
export function scriptMarkers(script: Script): { chapters: Marker[]; notes: Marker[] } {
  const chapters: Marker[] = [];
  const notes: Marker[] = [];
  let index = 0;
  for (const c of script.commands) {
    if (c.kind === 'chapter') chapters.push({ title: c.title, index, line: c.line });
    if (c.kind === 'note') notes.push({ title: c.caption, index, line: c.line });
    if (c.kind === 'repeat' && c.body.kind === 'note') {
      const first = repeatBody(c, 1);
      if (first.kind === 'note') notes.push({ title: first.caption, index, line: c.line });
    }
    index += c.kind === 'repeat' ? c.count : 1;
  }
  return { chapters, notes };
}

/**
 * `source` with its `machine` command replaced by `machine` (or `machine` put first when
 * there is none). The command is found by the parser, by its line: a line that merely starts
 * with the word, such as a task named `machine` (`machine: mmap ...`, `machine.1: ...`), is
 * no machine command.
 */
export function withMachineLine(source: string, script: Script, machine: string): string {
  const lines = source.split('\n');
  const cmd = script.commands.find((c) => c.kind === 'machine');
  if (cmd) lines[cmd.line - 1] = machine;
  else lines.unshift(machine);
  return lines.join('\n');
}
