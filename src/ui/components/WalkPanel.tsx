import { useEffect, useRef, useState } from 'react';
import { getBuffers, getEngine, readConsistent } from '../engine-client';
import { hex, size } from '../format';
import { select, useUi } from '../store';
import { walkVa, type WalkResult } from '../views/walk';
import type { TlbProbe } from '../../worker/api';
import { FRAME_USE_NAMES } from '../../engine/abi';

function parseAddr(text: string): number | null {
  const t = text.trim().replace(/_/g, '');
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** Bit fields of the address: one per level, then the offset into the page (21 bits in a 2 MiB leaf). */
function Split({ va, levels, pageBytes }: { va: number; levels: WalkResult['levels']; pageBytes: number }) {
  const offBits = Math.round(Math.log2(pageBytes));
  return (
    <div className="walk-split" aria-label="Address split into table indices">
      {levels.map((l) => (
        <div key={l.level} className="bits">
          <span className="bits-name">{l.level}</span>
          <span className="bits-value">{l.index}</span>
          <span className="bits-range">[{l.shift + 8}:{l.shift}]</span>
        </div>
      ))}
      {levels.length > 0 && (
        <div className="bits off">
          <span className="bits-name">offset</span>
          <span className="bits-value">{hex(va % pageBytes)}</span>
          <span className="bits-range">[{offBits - 1}:0]</span>
        </div>
      )}
    </div>
  );
}

export function WalkPanel() {
  const snap = useUi((s) => s.snapshot);
  const pid = useUi((s) => s.selection.pid);
  const addr = useUi((s) => s.selection.addr);
  const events = useUi((s) => s.events);
  const animations = useUi((s) => s.animations);
  const [text, setText] = useState('');
  const [tlb, setTlb] = useState<TlbProbe | null>(null);
  const lastWalk = useRef<WalkResult | null>(null);
  useEffect(() => {
    if (addr !== null) setText(hex(addr));
  }, [addr]);
  const task = snap?.tasks.find((t) => t.pid === pid);
  const mm = task && snap?.mms.find((m) => m.id === task.mm);
  useEffect(() => {
    let live = true;
    if (task && addr !== null) void getEngine().tlbProbe(task.pid, addr).then((r) => live && setTlb(r));
    else setTlb(null);
    return () => {
      live = false;
    };
  }, [task?.pid, addr, snap?.generation]);
  let walk: WalkResult | null = null;
  if (snap && mm && addr !== null) {
    walk = readConsistent(snap.generation, (b) => walkVa(b.u32, mm.pgd, addr, snap.levels)) ?? lastWalk.current;
    lastWalk.current = walk;
  }
  const page = addr === null ? -1 : Math.floor(addr / 4096);
  const faults = addr === null || !task ? [] : events.filter((e) => e.type === 'fault' && e.pid === task.pid && Math.floor(e.addr / 4096) === page).slice(-3);
  const vma = mm && addr !== null ? mm.vmas.find((v) => addr >= v.startNum && addr < v.endNum) : undefined;
  return (
    <div className="walk" data-testid="walk-view">
      <p className="caption">The MMU's walk of one address: its 9|9|9|9|12 split, the TLB lookup, then each level's entry decoded.</p>
      <form
        className="walk-form"
        onSubmit={(e) => {
          e.preventDefault();
          const a = parseAddr(text);
          if (a !== null) select({ addr: a });
        }}
      >
        <label>
          Address in {task?.name ?? '—'}{' '}
          <input aria-label="Address to walk" value={text} onChange={(e) => setText(e.target.value)} placeholder="0x10000000000" size={18} />
        </label>
        <button type="submit">Walk</button>
      </form>
      {!task && <p className="empty">Select a process first.</p>}
      {task && addr === null && <p className="empty">Click a page in the address space, or type an address.</p>}
      {walk && (
        <>
          <p className="walk-va" data-testid="walk-address">{hex(walk.va)}{vma ? ` in ${vma.label ?? vma.path ?? 'VMA'} (${vma.perms} ${vma.kind})` : ' (no VMA: an access gets SIGSEGV)'}</p>
          <Split va={walk.va} levels={walk.levels} pageBytes={walk.pageBytes} />
          <p className={`walk-tlb ${tlb?.hit ? 'hit' : 'miss'}`} data-testid="walk-tlb">
            {tlb ? (tlb.hit ? `TLB: cached on CPU ${tlb.cpu} (PCID ${pcidText(tlb.pcid)}) → pfn ${hex(tlb.pfn ?? 0)}${tlb.writable ? ', writable' : ', read-only (a write walks again)'}` : `TLB miss on CPU ${tlb.cpu}${tlb.pcid >= 0 ? ` (PCID ${pcidText(tlb.pcid)})` : ''}: the MMU walks the tables from CR3 = ${hex(mm!.pgd)}`) : 'TLB: —'}
          </p>
          <ol className={`walk-levels${animations ? ' animate' : ''}`} key={`${walk.va}:${snap?.generation}`}>
            {walk.levels.map((l, i) => (
              <li key={l.level} className={l.decoded.present ? 'present' : 'absent'} data-testid="walk-level">
                <span className="lv">{l.level}</span>
                <span className="tbl">table {hex(l.table)}[{l.index}]</span>
                <span className="raw">{l.decoded.raw}</span>
                <span className="flags">{l.decoded.present ? l.flags : l.flags || 'not present'}</span>
                <span className="next">
                  {!l.decoded.present ? 'fault' : l.leaf ? `page ${hex(l.decoded.pfn)} (${size(2 ** l.shift)})` : `→ ${walk!.levels[i + 1]?.level ?? 'next'} ${hex(l.decoded.pfn)}`}
                </span>
              </li>
            ))}
          </ol>
          {walk.pfn !== null ? (
            <p className="walk-result ok" data-testid="walk-result">
              {hex(walk.va)} → phys {hex(walk.phys!)} (pfn {hex(walk.pfn)}, {frameUse(walk.pfn)}) · {walk.writable ? 'RW' : 'read-only'}{walk.nx ? ' NX' : ''}
            </p>
          ) : (
            <p className="walk-result fault" data-testid="walk-result">
              Not present at {walk.faultAt}: an access raises a page fault (#PF); {vma ? 'the kernel finds the VMA and fills the tables (handle_mm_fault).' : 'no VMA covers it, so the task gets SIGSEGV.'}
            </p>
          )}
          {faults.length > 0 && (
            <ul className="walk-faults" aria-label="Recent faults at this page">
              {faults.map((f, i) => f.type === 'fault' && (
                <li key={i}>fault: {f.write ? 'write' : 'read'} → {f.kind} (error code {hex(f.errorCode)})</li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

function frameUse(pfn: number): string {
  const b = getBuffers();
  return b && pfn < b.nframes ? (FRAME_USE_NAMES[b.desc.use[pfn]] ?? '?') : '?';
}

/** A PCID as the walk view names it: with PTI the user PCID is the kernel one + 2048 (R26). */
function pcidText(pcid: number): string {
  return pcid >= 2048 ? `${pcid}: user PCID of kernel PCID ${pcid - 2048}, PTI` : String(pcid);
}
