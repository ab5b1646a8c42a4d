/**
 * A restart with other machine settings replays the same script, whose expects were written
 * for the machine it had. On 5-level paging every mm has one more table page (a P4D), so the
 * default scenario's `expect meminfo.PageTables == 148K` (three mms on 4 levels) finds 160 kB
 * and the timeline turned red for a user who only tried the other paging mode. The figures are
 * the simulation's own and stay as they are; this says why they differ from the script's.
 */
import type { MachineSettings, ProblemCounts } from '../worker/api';

export type MachineShape = Pick<MachineSettings, 'ram' | 'cpus' | 'levels' | 'mshare' | 'tlb' | 'pcid' | 'pti' | 'shmemThp'>;

/** The settings that differ, in words ("paging 4 → 5 levels"). */
export function machineChanges(before: MachineShape, after: MachineShape): string[] {
  const out: string[] = [];
  const mib = (b: number) => `${Math.round(b / 2 ** 20)}M`;
  if (before.levels !== after.levels) out.push(`paging ${before.levels} → ${after.levels} levels`);
  if (before.ram !== after.ram) out.push(`RAM ${mib(before.ram)} → ${mib(after.ram)}`);
  if (before.cpus !== after.cpus) out.push(`CPUs ${before.cpus} → ${after.cpus}`);
  if (before.tlb !== after.tlb) out.push(`TLB ${before.tlb} → ${after.tlb} entries`);
  if (before.pcid !== after.pcid) out.push(`PCID ${before.pcid ? 'on' : 'off'} → ${after.pcid ? 'on' : 'off'}`);
  if (!!before.pti !== !!after.pti) out.push(`PTI ${before.pti ? 'on' : 'off'} → ${after.pti ? 'on' : 'off'}`);
  if ((before.shmemThp ?? 'never') !== (after.shmemThp ?? 'never')) out.push(`shmem THP ${before.shmemThp ?? 'never'} → ${after.shmemThp ?? 'never'}`);
  if (before.mshare !== after.mshare) out.push(`mshare ${before.mshare} → ${after.mshare}`);
  return out;
}

/**
 * The console's explanation when expects that held before the restart fail after it (at the
 * same step); null when none newly fails or nothing changed.
 */
export function explainRestart(before: MachineShape, after: MachineShape, was: ProblemCounts, now: ProblemCounts): string | null {
  const newly = now.failed - was.failed;
  const changes = machineChanges(before, after);
  if (newly <= 0 || changes.length === 0) return null;
  const what = newly === 1 ? '1 expect that held before the restart fails' : `${newly} expects that held before the restart fail`;
  const why = before.levels !== after.levels
    ? ` With ${after.levels}-level paging every mm has ${after.levels > before.levels ? 'one more table page (a P4D, 4 KiB)' : 'one table page less (no P4D)'}, so meminfo's PageTables differs from the script's figures.`
    : '';
  return `The machine changed (${changes.join(', ')}), and ${what} on it: the script's expects were written for the machine it had.${why} The figures shown are this machine's own; Machine… puts the old settings back.`;
}
